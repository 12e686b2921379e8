"""The read cache: warm results equal cold ones, changed files are re-read, bad caches rebuilt."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chainfix.codec import activity_to_dict, problem_to_dict
from chainfix.ingest import IngestOptions, IngestStats, read_history
from chainfix.paths import cache_path
from tests.conftest import real_fit_files

SAMPLE = [
    "dtcooper__python-fitparse/activity-small-fenix2-run.fit",
    "dtcooper__python-fitparse/activity-filecrc.fit",
    "dtcooper__python-fitparse/MonitoringFile.fit",
    "rgmf__fit_data_whiz/training.fit",
    "muktihari__fit/activity_multisport.fit",
]


@pytest.fixture
def folder(real_dir: Path, tmp_path: Path) -> Path:
    out = tmp_path / "fits"
    out.mkdir()
    for rel in SAMPLE:
        shutil.copy(real_dir / rel, out / rel.replace("/", "__"))
    return out


def snapshot(
    paths: list[Path], *, cache: bool = True, workers: int = 1
) -> tuple[list, list, IngestStats]:
    stats = IngestStats()
    history = read_history(paths, IngestOptions(workers=workers, use_cache=cache), stats=stats)
    return (
        [activity_to_dict(a) for a in history.activities],
        [problem_to_dict(p) for p in history.problems],
        stats,
    )


def test_warm_run_equals_cold_run_and_decodes_nothing(folder: Path) -> None:
    cold_acts, cold_problems, cold = snapshot([folder])
    warm_acts, warm_problems, warm = snapshot([folder])
    assert cold.decoded == len(SAMPLE) and cold.cached == 0
    assert warm.decoded == 0 and warm.cached == len(SAMPLE)
    assert warm_acts == cold_acts and warm_problems == cold_problems


def test_no_cache_decodes_everything(folder: Path) -> None:
    snapshot([folder])
    _, _, stats = snapshot([folder], cache=False)
    assert stats.decoded == len(SAMPLE) and stats.cached == 0


def test_changed_file_is_read_again(folder: Path, real_dir: Path) -> None:
    snapshot([folder])
    target = folder / "dtcooper__python-fitparse__activity-small-fenix2-run.fit"
    shutil.copy(real_dir / "dtcooper__python-fitparse/garmin-fenix-5-run.fit", target)
    acts, _, stats = snapshot([folder])
    assert stats.decoded == 1 and stats.cached == len(SAMPLE) - 1
    fresh, _, _ = snapshot([folder], cache=False)
    assert acts == fresh


@pytest.mark.parametrize(
    "garbage", [b"", b"this is not a database" * 100, b"SQLite format 3\0" + b"\xff" * 5000]
)
def test_corrupt_cache_is_rebuilt(folder: Path, garbage: bytes) -> None:
    cold_acts, _, _ = snapshot([folder])
    cache_path().write_bytes(garbage)
    acts, _, stats = snapshot([folder])
    assert acts == cold_acts and stats.decoded == len(SAMPLE)
    _, _, again = snapshot([folder])
    assert again.cached == len(SAMPLE)


PAGE = 4096


@pytest.mark.parametrize("which", ["first table page", "middle", "last"])
def test_a_page_a_power_cut_left_unwritten_costs_only_reading_again(
    folder: Path, which: str
) -> None:
    """The cache is written without waiting for the disk (see :mod:`chainfix.cache.store`): a
    page the disk never got (zeros, as a torn write leaves) is found, the history read is the
    one the files give, and the cache is rebuilt (not missed on every run from then on)."""
    import sqlite3

    cold_acts, cold_problems, _ = snapshot([folder])
    with sqlite3.connect(cache_path()) as db:
        assert db.execute("PRAGMA page_size").fetchone()[0] == PAGE
    data = bytearray(cache_path().read_bytes())
    pages = len(data) // PAGE
    page = {"first table page": 1, "middle": pages // 2, "last": pages - 1}[which]
    data[page * PAGE : (page + 1) * PAGE] = bytes(PAGE)
    cache_path().write_bytes(bytes(data))
    for _ in range(2):  # the run that finds the damage, then (at worst) the one that rebuilds
        acts, problems, _ = snapshot([folder])
        assert acts == cold_acts and problems == cold_problems
    again, _, stats = snapshot([folder])
    assert again == cold_acts and stats.decoded == 0


def test_the_cache_does_not_wait_for_the_disk(folder: Path) -> None:
    from chainfix.cache import ReadCache

    snapshot([folder])
    with ReadCache(cache_path()) as store:
        assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 0  # OFF


def test_foreign_sqlite_file_is_not_trusted(folder: Path) -> None:
    import sqlite3

    db = sqlite3.connect(cache_path())
    db.execute("CREATE TABLE results (key TEXT, version TEXT, payload TEXT)")
    db.execute("INSERT INTO results VALUES ('x', 'y', 'z')")
    db.commit()
    db.close()
    acts, _, stats = snapshot([folder])
    assert stats.decoded == len(SAMPLE)


def test_parallel_equals_serial(real_dir: Path) -> None:
    files = [p for p in real_fit_files() if p.stat().st_size < 300_000][:30]
    serial, serial_problems, _ = snapshot(files, cache=False, workers=1)
    parallel, parallel_problems, _ = snapshot(files, cache=False, workers=2)
    assert parallel == serial and parallel_problems == serial_problems


def test_an_entry_of_the_wrong_shape_is_refused_not_half_read() -> None:
    """Every value of a cached row is type-checked: a bool is no number, a string no count."""
    from datetime import UTC, datetime

    from chainfix.cache import BadEntry, activity_from_row, activity_row
    from chainfix.model import Activity, Origin, StrengthSet

    origin = Origin("x.fit")
    start = datetime(2025, 5, 1, 7, tzinfo=UTC)
    good = Activity(
        id="a", source="fit", origin=origin, sport="running", sub_sport="generic",
        start_utc=start, utc_offset_s=3600, elapsed_s=3600.0, timer_s=3500.0,
        distance_m=10_000.0, sets=(StrengthSet(start, 30.0, 10, 20.0, "active", ("curl",)),),
    )  # fmt: skip
    row = activity_row(good)
    assert activity_from_row(row, origin) == good
    for index, bad in [(8, True), (8, "10"), (6, "60"), (18, 1), (0, None), (4, "2025-05-01")]:
        damaged = [*row]
        damaged[index] = bad
        with pytest.raises(BadEntry):
            activity_from_row(damaged, origin)
    with pytest.raises(BadEntry):
        activity_from_row(row[:-1], origin)
    bad_set = [*row]
    bad_set[19] = [[*row[19][0][:2], 10.5, *row[19][0][3:]]]  # reps must be a whole number
    with pytest.raises(BadEntry):
        activity_from_row(bad_set, origin)


def test_an_entry_whose_text_changed_is_dropped_and_read_again(folder: Path) -> None:
    """Entries carry the CRC-32 of their text: an intact one decodes without re-checking types,
    a changed one (still valid JSON, even of the right shape) is never trusted. (The files are
    given one by one: a folder's index is one entry, see tests/test_folder_index.py.)"""
    import sqlite3

    files = sorted(folder.iterdir())
    cold_acts, cold_problems, _ = snapshot(files)
    db = sqlite3.connect(cache_path())
    key, stored = db.execute(
        "SELECT key, payload FROM results WHERE payload LIKE '%running%' LIMIT 1"
    ).fetchone()
    crc, text = stored.split("|", 1)
    assert len(crc) == 8
    db.execute(
        "UPDATE results SET payload = ? WHERE key = ?",
        (crc + "|" + text.replace("running", "cycling"), key),
    )
    db.commit()
    db.close()
    acts, problems, stats = snapshot(files)
    assert stats.decoded == 1 and stats.cached == len(SAMPLE) - 1
    assert acts == cold_acts and problems == cold_problems


def test_every_activity_field_survives_the_rows_codec() -> None:
    """Each field holds a value no other field has, so a row decoded into the wrong field (the
    codec builds activities positionally) fails here; the whole history codec too."""
    from dataclasses import fields
    from datetime import UTC, datetime

    from chainfix.cache import (
        activities_from_doc,
        activity_from_row,
        activity_row,
        encode_activities,
        problem_rows,
        problems_from_rows,
    )
    from chainfix.cache.rows import json
    from chainfix.model import Activity, ExerciseSummary, Lap, Origin, ReadProblem, StrengthSet

    strength = StrengthSet(
        datetime(2026, 3, 1, 10, 0, 5, 250000, tzinfo=UTC), 31.5, 12, 40.5, "active",
        ("deadlift", "hip_raise"), "romanian_deadlift", 3,
    )  # fmt: skip
    act = Activity(
        "id-1", "fit", Origin("a.zip", "b.fit"), "running", "trail",
        datetime(2026, 3, 1, 9, 0, 1, 5, tzinfo=UTC), 3600, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5,
        7.5, 8.5, 9.5, 10.5, "fenix", (strength,), 2, True,
        (ExerciseSummary("deadlift", "rdl", 3, 30, 60.5, 90.5),),
        (Lap(60.5, 200.5, 1.25, 2.25), Lap(61.5, 201.5, 3.25, 4.25)),
    )  # fmt: skip
    values = [getattr(act, f.name) for f in fields(Activity) if f.init]
    assert len({repr(v) for v in values}) == len(values)  # all distinct
    row = json.loads(json.dumps(activity_row(act)))
    assert activity_from_row(row, act.origin) == act
    problem = ReadProblem("a.zip", "c.fit", "truncated", "cut short", "warning")
    assert activities_from_doc(json.loads(encode_activities([act]))) == [act]
    assert problems_from_rows(json.loads(json.dumps(problem_rows([problem])))) == [problem]


def test_a_cache_left_readable_by_others_is_made_private_when_opened(tmp_path: Path) -> None:
    import stat

    from chainfix.cache import open_cache

    path = tmp_path / "cache.sqlite"
    cache = open_cache(path)
    assert cache is not None
    cache.close()
    path.chmod(0o644)  # as an older version, or a copy, may have left it
    cache = open_cache(path)
    assert cache is not None
    cache.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
