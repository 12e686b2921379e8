"""A remembered history grown by the files added since (``chainfix.ingest.increment``): only the
new files are read, and the history equals a fresh read of everything, fingerprint included.
Anything the growth cannot vouch for (a file gone or changed, a duplicate, a problem, a summary
nearby, another kind of file, a damaged entry) is read through the parts, and equals it too."""

from __future__ import annotations

import os
import shutil
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from chainfix_synth.fitfiles import activity_fit
from chainfix_synth.garmin_export import write_export
from chainfix_synth.personas import runner

import chainfix.ingest.engine as engine
from chainfix.codec import activity_to_dict, problem_to_dict
from chainfix.fingerprint import history_digest, known_digest
from chainfix.ingest import IngestOptions, IngestStats, read_history, snapshot
from chainfix.model import History
from chainfix.paths import cache_path

PERSONA = runner(weeks=8, seed=5)
PLANNED = [p for p in PERSONA.activities if not p.legs and p.kind != "manual"]


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written by the test count as settled (not modified within the racy window)."""
    monkeypatch.setattr(snapshot, "RACY_NS", -(10**12))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder of the persona's first ten activities, one FIT file each."""
    out = tmp_path / "watch"
    out.mkdir()
    for planned in PLANNED[:10]:
        write(out, planned)
    return out


def write(folder: Path, planned: object, name: str | None = None) -> Path:
    path = folder / (name or f"{planned.start_utc:%Y%m%d-%H%M%S}-{planned.kind}.fit")  # type: ignore[attr-defined]
    path.write_bytes(activity_fit(planned, hz=0.05))  # type: ignore[arg-type]
    return path


def read(path: Path, *, cache: bool = True) -> tuple[History, IngestStats]:
    stats = IngestStats()
    history = read_history([path], IngestOptions(workers=1, use_cache=cache), stats=stats)
    return history, stats


def same(history: History, fresh: History) -> None:
    """Equal to a fresh read: every activity and problem, the file count and the fingerprint."""
    assert [activity_to_dict(a) for a in history.activities] == [
        activity_to_dict(a) for a in fresh.activities
    ]
    assert [problem_to_dict(p) for p in history.problems] == [
        problem_to_dict(p) for p in fresh.problems
    ]
    assert history == fresh and history.files_read == fresh.files_read
    assert known_digest(history) == history_digest(History(fresh.activities))


def parts_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("the history was read through its parts")

    monkeypatch.setattr(engine, "_read_paths", refuse)


def test_added_files_are_read_alone_and_the_history_equals_a_fresh_read(
    folder: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    read(folder)
    for planned in PLANNED[10:14]:  # one a run, on a remembered base and then on its growth
        write(folder, planned)
        with monkeypatch.context() as patch:
            parts_refused(patch)
            history, stats = read(folder)
        assert stats.extended and not stats.remembered
        assert (stats.decoded, stats.files) == (1, history.files_read)
        same(history, read(folder, cache=False)[0])
    with monkeypatch.context() as patch:
        parts_refused(patch)
        warm, stats = read(folder)  # nothing changed: the base and its growth, nothing read
    assert stats.remembered and stats.decoded == 0
    same(warm, read(folder, cache=False)[0])


def test_several_files_at_once_in_a_sub_folder_and_gzipped(
    folder: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    read(folder)
    (folder / "2025").mkdir()
    write(folder / "2025", PLANNED[10])
    gz = write(folder, PLANNED[11], "aa-first-in-the-walk.fit")
    import gzip

    gz.with_suffix(".fit.gz").write_bytes(gzip.compress(gz.read_bytes(), mtime=0))
    gz.unlink()
    write(folder, PLANNED[12])
    (folder / "notes.txt").write_text("not read by the folder source")
    with monkeypatch.context() as patch:
        parts_refused(patch)
        history, stats = read(folder)
    assert stats.extended and stats.decoded == 3
    same(history, read(folder, cache=False)[0])


def test_the_growth_is_folded_into_the_base_past_its_limit(
    folder: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snapshot, "GROWTH_MAX", 2)
    read(folder)
    growth_present = []
    for planned in PLANNED[10:13]:
        write(folder, planned)
        history, stats = read(folder)
        assert stats.extended
        growth_present.append(_has_growth())
        same(history, read(folder, cache=False)[0])
    assert growth_present == [True, True, False]  # the third made the base afresh
    history, stats = read(folder)
    assert stats.remembered
    same(history, read(folder, cache=False)[0])


def _has_growth() -> bool:
    import sqlite3

    with sqlite3.connect(cache_path()) as db:
        rows = db.execute("SELECT count(*) FROM results WHERE key LIKE 'history-growth:%'")
        return bool(rows.fetchone()[0])


def _shifted(planned: object, seconds: int) -> object:
    from dataclasses import replace

    return replace(planned, start_utc=planned.start_utc + timedelta(seconds=seconds))  # type: ignore[attr-defined,type-var]


@pytest.mark.parametrize(
    "change",
    [
        "duplicate",  # the same activity again, under another name
        "same_second",  # another activity starting in the same second as an old one
        "bad_crc",  # a new file with a problem
        "removed",  # a file gone, another added
        "changed",  # a file rewritten
        "zip",  # a zip added (read as a whole part)
    ],
)
def test_what_the_growth_cannot_vouch_for_is_read_through_the_parts(
    folder: Path, settled: None, change: str
) -> None:
    read(folder)
    files = sorted(folder.iterdir())
    if change == "duplicate":
        shutil.copy(files[3], folder / "copy.fit")
    elif change == "same_second":
        other = next(p for p in PLANNED[10:] if p.sport != PLANNED[2].sport)
        from dataclasses import replace

        write(folder, replace(other, start_utc=PLANNED[2].start_utc), "other-sport.fit")
    elif change == "bad_crc":
        data = bytearray(activity_fit(PLANNED[10], hz=0.05))  # type: ignore[arg-type]
        data[-5] ^= 0xFF
        (folder / "bad.fit").write_bytes(bytes(data))
    elif change == "removed":
        files[0].unlink()
        write(folder, PLANNED[10])
    elif change == "changed":
        files[1].write_bytes(files[1].read_bytes() + b"\0")
        write(folder, PLANNED[10])
    else:
        with zipfile.ZipFile(folder / "more.zip", "w") as z:
            z.writestr("a.fit", activity_fit(PLANNED[10], hz=0.05))  # type: ignore[arg-type]
    history, stats = read(folder)
    assert not stats.extended and not stats.remembered
    same(history, read(folder, cache=False)[0])
    again, stats = read(folder)  # remembered afresh: the next run reads one entry
    assert stats.remembered
    same(again, history)


def test_a_new_activity_near_a_summary_is_read_through_the_parts(
    tmp_path: Path, settled: None
) -> None:
    folder = tmp_path / "everything"
    folder.mkdir()
    manifest = write_export(runner(weeks=3, seed=9), folder / "export.zip", hz=0.05, parts=1)
    history, _ = read(folder)
    assert any(a.from_summary for a in history.activities)  # a summary of its own (manual run)
    lone = next(a for a in history.activities if a.from_summary)
    near = _shifted(PLANNED[10], 0)
    from dataclasses import replace

    near = replace(near, start_utc=lone.start_utc - timedelta(seconds=3))  # type: ignore[type-var]
    write(folder, near, "near-the-summary.fit")
    grown, stats = read(folder)
    assert not stats.extended
    same(grown, read(folder, cache=False)[0])
    assert manifest.path.exists()


def test_a_file_just_written_is_read_alone_but_not_remembered(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snapshot, "RACY_NS", -(10**12))
    read(folder)
    monkeypatch.setattr(snapshot, "RACY_NS", 10**18)  # every file counts as just written
    write(folder, PLANNED[10])
    history, stats = read(folder)
    assert stats.extended and not _has_growth()
    same(history, read(folder, cache=False)[0])
    monkeypatch.setattr(snapshot, "RACY_NS", -(10**12))
    history, stats = read(folder)
    assert stats.extended and _has_growth()
    same(history, read(folder, cache=False)[0])


def test_a_damaged_growth_is_never_trusted(folder: Path, settled: None) -> None:
    import sqlite3

    read(folder)
    write(folder, PLANNED[10])
    read(folder)
    with sqlite3.connect(cache_path()) as db:  # the growth's text no longer matches its CRC
        db.execute(
            "UPDATE results SET payload = replace(payload, '\"count\":', '\"count\": ') "
            "WHERE key LIKE 'history-growth:%'"
        )
    history, stats = read(folder)  # dropped: the base grown again by the file (its own entry)
    assert not stats.remembered and stats.extended and stats.decoded == 0
    same(history, read(folder, cache=False)[0])
    write(folder, PLANNED[11])
    history, stats = read(folder)
    assert stats.extended
    same(history, read(folder, cache=False)[0])


def test_no_cache_and_a_single_file_never_grow(folder: Path, settled: None) -> None:
    single = sorted(folder.iterdir())[0]
    read(single)
    single.write_bytes(activity_fit(PLANNED[10], hz=0.05))  # type: ignore[arg-type]
    history, stats = read(single)
    assert not stats.extended
    same(history, read(single, cache=False)[0])
    write(folder, PLANNED[11])
    assert not read(folder, cache=False)[1].extended
    assert os.path.exists(cache_path())


def test_real_device_files_added_one_by_one_equal_a_fresh_read(
    real_dir: Path, tmp_path: Path, settled: None
) -> None:
    """Real files (multi-session ones, files with problems, copies of one activity): each run
    equals a fresh read, whether the history grew or was read through the parts."""
    files = sorted(p for p in real_dir.rglob("*") if p.suffix.lower() == ".fit")
    folder = tmp_path / "real"
    folder.mkdir()
    for i, file in enumerate(files[::2]):
        shutil.copy(file, folder / f"{i:03d}-{file.name}")
    read(folder)
    grew = 0
    for i, file in enumerate(files[1::2]):
        shutil.copy(file, folder / f"{i:03d}-added-{file.name}")
        history, stats = read(folder)
        grew += stats.extended
        same(history, read(folder, cache=False)[0])
    assert grew  # most real files are read alone
    warm, stats = read(folder)
    assert stats.remembered
    same(warm, read(folder, cache=False)[0])


def test_analyze_after_a_new_file_prints_what_a_fresh_read_prints(
    folder: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """End to end through the command: the report, its JSON and the plan's first exercises of a
    grown history (and of the warm run after it) are byte for byte those of ``--no-cache``."""
    from click.testing import CliRunner

    from chainfix.cli import cli

    monkeypatch.setenv("COLUMNS", "100")

    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(cli, ["analyze", str(folder), "-q", *args])
        return result.exit_code, result.stdout

    run()
    for planned in PLANNED[10:12]:
        write(folder, planned)
        with monkeypatch.context() as patch:
            parts_refused(patch)
            grown = run()
            grown_json = run("--json", "-")
        assert grown == run("--no-cache")
        assert grown_json == run("--no-cache", "--json", "-")
        assert grown[0] == 0 and "Your plan starts with" in grown[1]


def test_the_progress_bar_counts_the_added_files_bytes(folder: Path, settled: None) -> None:
    read(folder)
    added = [write(folder, planned) for planned in PLANNED[10:13]]
    calls: list[tuple[int, int]] = []
    stats = IngestStats()
    read_history([folder], IngestOptions(workers=1), lambda *c: calls.append(c), stats)
    size = sum(p.stat().st_size for p in added)
    assert stats.extended
    assert calls[-1] == (1, 1) and (size, size) in calls
    assert all(done <= total for done, total in calls)
