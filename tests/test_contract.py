"""The contract kit: chainfix's own sources keep it, and it catches a deliberately bad plugin."""

from __future__ import annotations

import gzip
import io
import json
import textwrap
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import real_fit_files

from chainfix import Source, plugins
from chainfix.testing.contract import ContractError, check_source, make_junk

START = datetime(2025, 7, 1, 6, 30, tzinfo=UTC)


def fit_activity(start: datetime, sport: str = "running", seconds: int = 1800) -> bytes:
    """A small, valid FIT activity made by chainfix's own encoder."""
    encode = pytest.importorskip("chainfix.fit.encode")
    w = encode.FitWriter()
    w.add("file_id", type="activity", manufacturer="garmin", product=3113, time_created=start,
          serial_number=42)  # fmt: skip
    for i in range(0, seconds + 1, 60):
        w.add("record", timestamp=start + timedelta(seconds=i), distance=3.0 * i, heart_rate=140)
    end = start + timedelta(seconds=seconds)
    w.add("session", message_index=0, timestamp=end, start_time=start, sport=sport,
          sub_sport="generic", total_elapsed_time=float(seconds), total_timer_time=float(seconds),
          total_distance=3.0 * seconds, avg_heart_rate=140)  # fmt: skip
    w.add("activity", timestamp=end, num_sessions=1, type="manual", event="activity",
          event_type="stop")  # fmt: skip
    return w.to_bytes()


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.fixture
def fit_samples(tmp_path: Path) -> list[Path]:
    """A FIT file, a gzipped one, a truncated one, and up to five real ones when present."""
    run = tmp_path / "run.fit"
    run.write_bytes(fit_activity(START))
    ride = tmp_path / "ride.FIT.GZ"
    ride.write_bytes(gzip.compress(fit_activity(START + timedelta(days=1), "cycling"), mtime=0))
    cut = tmp_path / "cut.fit"
    cut.write_bytes(run.read_bytes()[:100])
    return [run, ride, cut, *real_fit_files()[:5]]


@pytest.fixture
def garmin_export(tmp_path: Path) -> Path:
    """A minimal Garmin Connect export: a nested uploads zip with one FIT, and JSON summaries."""
    ms = int(START.timestamp() * 1000)
    summaries = [
        {
            "summarizedActivitiesExport": [
                {
                    "activityId": 1,
                    "activityType": "running",
                    "startTimeGmt": ms,
                    "startTimeLocal": ms + 7_200_000,
                    "duration": 1_800_000,
                    "distance": 540_000,
                },
                {
                    "activityId": 2,
                    "activityType": "strength_training",
                    "startTimeGmt": ms + 86_400_000,
                    "duration": 2_700_000,
                },
            ]  # fmt: skip
        }
    ]
    uploads = zip_bytes({"run.fit": fit_activity(START)})
    export = tmp_path / "garmin.zip"
    export.write_bytes(
        zip_bytes(
            {
                "DI_CONNECT/DI-Connect-Fitness/me_0_summarizedActivities.json": json.dumps(
                    summaries
                ).encode(),
                "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip": uploads,
            }
        )
    )
    return export


def test_fit_source(fit_samples: list[Path], tmp_path: Path) -> None:
    report = check_source("fit", samples=fit_samples, junk_dir=tmp_path, forced_read=True)
    assert {a.sport for a in report.activities} >= {"running", "cycling"}
    assert any(p.file.endswith("cut.fit") for p in report.problems)


def test_folder_and_zip_sources(fit_samples: list[Path], tmp_path: Path) -> None:
    folder = tmp_path / "history"
    (folder / "2025" / "July").mkdir(parents=True)
    for sample in fit_samples[:3]:
        (folder / "2025" / "July" / sample.name).write_bytes(sample.read_bytes())
    archive = tmp_path / "history.zip"
    archive.write_bytes(
        zip_bytes(
            {
                "a/run.fit": fit_samples[0].read_bytes(),
                "nested.zip": zip_bytes({"ride.fit.gz": fit_samples[1].read_bytes()}),
            }
        )
    )
    folder_report = check_source("folder", samples=[folder], junk_dir=tmp_path, forced_read=True)
    assert len(folder_report.activities) == 2
    zip_report = check_source("zip", samples=[archive], junk_dir=tmp_path, forced_read=True)
    assert len(zip_report.activities) == 2


def test_garmin_export_source(garmin_export: Path, tmp_path: Path) -> None:
    unzipped = tmp_path / "unzipped"
    with zipfile.ZipFile(garmin_export) as zf:
        zf.extractall(unzipped)
    report = check_source("garmin-export", samples=[garmin_export, unzipped], junk_dir=tmp_path)
    assert {a.sport for a in report.activities} == {"running", "training"}


def test_garmin_export_source_forced_on_junk(tmp_path: Path) -> None:
    check_source("garmin-export", junk_dir=tmp_path, forced_read=True)


def test_junk_is_made_once_and_covers_the_nasty_cases(tmp_path: Path) -> None:
    first = make_junk(tmp_path)
    assert make_junk(tmp_path) == first
    names = {p.name for p in first}
    assert {"empty.fit", "page.fit", "broken.zip", "junk-folder", "does-not-exist.fit"} <= names
    assert {"dangling.fit", "loop.fit"} <= names or not hasattr(Path, "symlink_to")


# ---------------------------------------------------------------------------------------------
# A deliberately bad plugin
# ---------------------------------------------------------------------------------------------

BAD_PLUGIN = """
    import random
    from datetime import datetime, timezone
    from chainfix import Activity, Origin, ReadProblem, Source, hookimpl
    from chainfix.sources.base import FitBlob

    def act(path, **changes):
        values = dict(
            id="x", source="bad", origin=Origin(str(path)), sport="running", sub_sport="generic",
            start_utc=datetime(2025, 7, 1, 6, 30, tzinfo=timezone.utc), elapsed_s=3600.0,
            timer_s=3600.0, distance_m=10000.0,
        )
        values.update(changes)
        return Activity(**values)

    def txt(path):
        return path.suffix == ".txt"

    def peek(path):
        return path.read_bytes()[:4] == b"BAD!"  # raises on folders and missing paths

    def good(path, options):
        yield act(path)

    def raises(path, options):
        yield act(path)
        raise ValueError("boom")

    def bad_values(path, options):
        yield act(path, id="naive", start_utc=datetime(2025, 7, 1, 6, 30))
        yield act(path, id="sport", sport="run")
        yield act(path, id="kmh", avg_speed_m_s=10.0)
        yield act(path, id="minutes", elapsed_s=60.0, timer_s=60.0)
        yield act(path, id="negative", ascent_m=-3.0)
        yield ReadProblem(str(path), None, "oops", "an unknown kind")
        yield ReadProblem("/somewhere/else.fit", None, "corrupt", "names another file")
        yield {"not": "an item"}

    def unstable(path, options):
        yield act(path, distance_m=random.uniform(1000.0, 2000.0))

    def bad_blob(path, options):
        def load():
            raise RuntimeError("cannot")
        yield FitBlob(Origin(str(path)), load, 10, None, "bad")

    @hookimpl
    def register_sources(register):
        register(Source("bad-can-open", "can_open raises", peek, good))
        register(Source("bad-read", "read raises", txt, raises))
        register(Source("bad-values", "yields malformed items", txt, bad_values))
        register(Source("bad-unstable", "not deterministic", txt, unstable))
        register(Source("bad-blob", "a blob that cannot load", txt, bad_blob))
        register(Source("bad-outranked", "opens zips below the zip source",
                        lambda p: p.suffix == ".zip", good, priority=-20))
        register(Source("good-txt", "a well-behaved source", txt, good, priority=5))
"""


@pytest.fixture
def bad_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Install the bad plugin (a module plus dist-info on sys.path); yield a sample for it."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "cf_bad.py").write_text(textwrap.dedent(BAD_PLUGIN))
    info = site / "cf_bad-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: cf-bad\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[chainfix]\ncf_bad = cf_bad\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delenv("CHAINFIX_LOAD_PLUGINS", raising=False)
    plugins.reset()
    sample = tmp_path / "sample.txt"
    sample.write_bytes(b"BAD! a sample")
    yield sample
    plugins.reset()


def failures(source: str | Source, sample: Path, tmp_path: Path, **kwargs: object) -> str:
    with pytest.raises(ContractError) as info:
        check_source(source, samples=[sample], junk_dir=tmp_path, **kwargs)  # type: ignore[arg-type]
    return str(info.value)


def test_well_behaved_plugin_passes(bad_plugin: Path, tmp_path: Path) -> None:
    report = check_source("good-txt", samples=[bad_plugin], junk_dir=tmp_path, forced_read=True)
    assert [a.id for a in report.activities] == ["x"]


def test_can_open_that_raises(bad_plugin: Path, tmp_path: Path) -> None:
    text = failures("bad-can-open", bad_plugin, tmp_path)
    assert "can_open raised IsADirectoryError" in text
    assert "can_open raised FileNotFoundError" in text and "does-not-exist.fit" in text


def test_read_that_raises(bad_plugin: Path, tmp_path: Path) -> None:
    text = failures("bad-read", bad_plugin, tmp_path)
    assert "raised ValueError: boom" in text and "after 1 item(s)" in text


def test_malformed_items(bad_plugin: Path, tmp_path: Path) -> None:
    text = failures("bad-values", bad_plugin, tmp_path)
    for words in (
        "start_utc=2025-07-01T06:30:00 is naive",
        "sport='run' is not a FIT profile sport name",
        "km/h instead of m/s",
        "impossible for running",
        "ascent_m=-3.0 is outside",
        "kind='oops' is not one of chainfix.model.PROBLEM_KINDS",
        "'/somewhere/else.fit' is not the sample",
        "is a dict; read may only yield Activity, FitBlob and ReadProblem",
    ):
        assert words in text, words


def test_nondeterministic_read(bad_plugin: Path, tmp_path: Path) -> None:
    assert "reading" in failures("bad-unstable", bad_plugin, tmp_path)
    assert "must be deterministic" in failures("bad-unstable", bad_plugin, tmp_path)


def test_blob_that_cannot_load(bad_plugin: Path, tmp_path: Path) -> None:
    assert "load raised RuntimeError: cannot" in failures("bad-blob", bad_plugin, tmp_path)


def test_outranked_source(bad_plugin: Path, tmp_path: Path) -> None:
    archive = tmp_path / "fits.zip"
    archive.write_bytes(zip_bytes({"a.fit": b"x"}))
    text = failures("bad-outranked", archive, tmp_path)
    assert "with source 'zip'" in text and "raise the priority" in text


def test_unregistered_source(bad_plugin: Path, tmp_path: Path) -> None:
    text = failures("nope", bad_plugin, tmp_path)
    assert "no source named 'nope' is registered" in text and "good-txt" in text
    loose = Source("loose", "not registered", lambda p: p.suffix == ".txt", lambda p, o: iter(()))
    assert "'loose' is not registered through chainfix's plugins" in failures(
        loose, bad_plugin, tmp_path
    )
    report = check_source(loose, samples=[bad_plugin], require_registered=False,
                          expect_activities=False)  # fmt: skip
    assert report.items == {str(bad_plugin): []}


def test_sports_newer_than_the_profile_are_kept_by_number() -> None:
    from datetime import UTC, datetime

    from chainfix.model import Activity, Origin
    from chainfix.testing.contract import activity_errors

    def act(sport: str, sub_sport: str) -> Activity:
        return Activity(
            id="x",
            source="fit",
            origin=Origin("a.fit"),
            sport=sport,
            sub_sport=sub_sport,
            start_utc=datetime(2026, 1, 1, tzinfo=UTC),
            timer_s=60.0,
        )

    assert activity_errors(act("sport_250", "sub_sport_250")) == []
    assert any("sport='runing'" in e for e in activity_errors(act("runing", "generic")))
    assert any("sub_sport" in e for e in activity_errors(act("running", "sub_sport_x")))


def test_laps_are_checked_like_the_activity() -> None:
    from dataclasses import replace
    from datetime import UTC, datetime

    from chainfix.model import Activity, Lap, Origin
    from chainfix.testing.contract import activity_errors

    base = Activity(
        "x", "fit", Origin("a.fit"), "running", "generic", datetime(2026, 1, 1, tzinfo=UTC)
    )
    assert activity_errors(replace(base, laps=(Lap(300.0, 1000.0), Lap(60.0)))) == []
    assert any(
        "laps[1].duration_s" in e
        for e in activity_errors(replace(base, laps=(Lap(300.0), Lap(0.0))))
    )
    assert any(
        "laps[0].distance_m" in e for e in activity_errors(replace(base, laps=(Lap(300.0, -5.0),)))
    )
    assert activity_errors(replace(base, laps=[Lap(300.0)])) == ["laps must be a tuple of Lap"]  # type: ignore[arg-type]
