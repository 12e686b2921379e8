"""The whole history remembered by its files' identities (``chainfix.ingest.snapshot``): a run with
nothing changed reads one entry and equals a fresh read; any change, a recent file, a result that
depends on the moment, a damaged entry or other options is read through the parts again."""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from chainfix_synth.garmin_export import write_export
from chainfix_synth.personas import runner
from clock_support import CacheClock, export_with_a_future_start

import chainfix.ingest.engine as engine
from chainfix.codec import activity_to_dict, problem_to_dict
from chainfix.ingest import IngestOptions, IngestStats, read_history, remembered, snapshot
from chainfix.ingest.remembered import RememberedHistory
from chainfix.paths import cache_path
from chainfix.sources.base import Limits, Source

ROOT = Path(__file__).resolve().parents[1]
PERSONA = runner(weeks=6, seed=11)


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written by the test count as settled (not modified within the racy window)."""
    monkeypatch.setattr(snapshot, "RACY_NS", -(10**12))


def read(
    path: Path, *, cache: bool = True, remember: bool = True, limits: Limits | None = None
) -> tuple[list[dict], list[dict], IngestStats]:
    stats = IngestStats()
    options = IngestOptions(
        workers=1, use_cache=cache, remember=remember, limits=limits or Limits()
    )
    history = read_history([path], options, stats=stats)
    return (
        [activity_to_dict(a) for a in history.activities],
        [problem_to_dict(p) for p in history.problems],
        stats,
    )


def fresh(path: Path, limits: Limits | None = None) -> tuple[list[dict], list[dict]]:
    acts, problems, _ = read(path, cache=False, limits=limits)
    return acts, problems


def no_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("the history was read through its parts")

    monkeypatch.setattr(engine, "_read_paths", refuse)


def test_unchanged_export_is_remembered_whole(
    tmp_path: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = write_export(
        PERSONA, tmp_path / "export.zip", hz=0.2, parts=2, corrupt=("truncated",), multisport=True
    )
    cold_acts, cold_problems, cold = read(manifest.path)
    assert not cold.remembered and cold.decoded > 0
    with monkeypatch.context() as patch:  # not undo(): the test's own user folder stays
        no_reading(patch)
        acts, problems, warm = read(manifest.path)
    assert warm.remembered and warm.decoded == 0 and warm.files == cold.files
    assert (acts, problems) == (cold_acts, cold_problems)
    assert (acts, problems) == fresh(manifest.path)
    assert any(p["kind"] == "truncated" for p in problems)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "fits"
    shutil.copytree(ROOT / "sample_exports" / "fit-folder", out)
    return out


def fit_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and ".fit" in p.name.lower())


def test_folder_with_nothing_changed_is_remembered(folder: Path, settled: None) -> None:
    cold_acts, cold_problems, _ = read(folder)
    acts, problems, warm = read(folder)
    assert warm.remembered and (acts, problems) == (cold_acts, cold_problems)


def test_a_file_changed_with_its_old_size_and_mtime_is_seen(folder: Path, settled: None) -> None:
    read(folder)
    target = fit_files(folder)[0]
    before = target.stat()
    data = bytearray(target.read_bytes())
    data[-5] ^= 0xFF  # same size; the FIT file's CRC no longer matches
    target.write_bytes(bytes(data))
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))  # only the ctime tells
    acts, problems, stats = read(folder)
    assert not stats.remembered and stats.decoded == 1
    assert (acts, problems) == fresh(folder)
    assert any(p["kind"] == "bad_crc" for p in problems)


def test_added_and_removed_files_are_seen(folder: Path, settled: None) -> None:
    files = fit_files(folder)
    read(folder)
    shutil.copy2(files[0], folder / "copy-of-first.fit")
    acts, problems, added = read(folder)
    assert not added.remembered and (acts, problems) == fresh(folder)
    files[1].unlink()
    acts, problems, removed = read(folder)
    assert not removed.remembered and (acts, problems) == fresh(folder)
    assert read(folder)[2].remembered


def test_recently_modified_files_are_not_remembered(folder: Path) -> None:
    """Files written just now (the test's copy) could change again within the same clock tick."""
    read(folder)
    acts, problems, stats = read(folder)
    assert not stats.remembered and (acts, problems) == fresh(folder)


def test_a_result_that_depends_on_the_clock_is_remembered_for_the_hour_only(
    tmp_path: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = export_with_a_future_start(tmp_path / "export.zip")
    clock = CacheClock(monkeypatch)
    cold = read(path)
    assert [p["kind"] for p in cold[1]] == ["bad_value"]
    assert read(path)[2].remembered  # within the hour
    clock.shift = timedelta(hours=1)
    acts, problems, later = read(path)
    assert not later.remembered  # read again: the refusal may no longer hold
    assert (acts, problems) == cold[:2]


def test_a_problem_that_may_go_away_is_never_remembered(
    folder: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chainfix.sources import fitfiles

    def unreadable(*args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied")

    read(folder, remember=False)  # every file in the cache: the failure must come from reading
    target = fit_files(folder)[0]
    target.write_bytes(target.read_bytes())  # a new ctime: read again, and failing
    monkeypatch.setattr(fitfiles.FileLoad, "__call__", unreadable)
    monkeypatch.setattr(snapshot, "RACY_NS", -(10**12))
    acts, problems, stats = read(folder)
    assert any(p["kind"] == "io_error" for p in problems)
    assert not read(folder)[2].remembered


def test_a_damaged_entry_is_never_trusted(folder: Path, settled: None) -> None:
    cold = read(folder)[:2]
    with sqlite3.connect(cache_path()) as db:
        (key, payload) = db.execute(
            "SELECT key, payload FROM results WHERE key LIKE 'history:%'"
        ).fetchone()
        damaged = payload[:-20] + "0" * 20  # its CRC-32 no longer matches
        db.execute("UPDATE results SET payload = ? WHERE key = ?", (damaged, key))
    acts, problems, stats = read(folder)
    assert not stats.remembered and (acts, problems) == cold
    assert read(folder)[2].remembered  # remembered again, intact


def test_other_limits_are_another_entry(tmp_path: Path, settled: None) -> None:
    manifest = write_export(PERSONA, tmp_path / "export.zip", hz=0.2, parts=2)
    read(manifest.path)
    tight = Limits(max_members=3)
    acts, problems, stats = read(manifest.path, limits=tight)
    assert not stats.remembered and (acts, problems) == fresh(manifest.path, tight)
    assert read(manifest.path)[2].remembered and read(manifest.path, limits=tight)[2].remembered


def test_a_moved_export_is_read_with_its_new_name(tmp_path: Path, settled: None) -> None:
    manifest = write_export(PERSONA, tmp_path / "export.zip", hz=0.2, parts=2)
    read(manifest.path)
    moved = manifest.path.rename(tmp_path / "moved.zip")
    acts, problems, stats = read(moved)
    assert not stats.remembered and (acts, problems) == fresh(moved)
    assert acts and all(a["source_file"] == str(moved) for a in acts)


def test_remember_false_and_no_cache_never_use_it(folder: Path, settled: None) -> None:
    read(folder)
    assert not read(folder, remember=False)[2].remembered
    assert not read(folder, cache=False)[2].remembered
    assert read(folder)[2].remembered


def test_a_path_a_plugin_reads_has_no_witness(folder: Path) -> None:
    other = Source(name="elsewhere", description="", can_open=lambda p: True, read=lambda p, o: [])
    assert snapshot.witness([folder], [other], [other], None, Limits()) is None


def test_a_remembered_history_has_its_fingerprint_already(
    folder: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fingerprint stored with it is the one worked out afresh; asking costs nothing."""
    from chainfix import fingerprint

    options = IngestOptions(workers=1)
    plain = read_history([folder], IngestOptions(workers=1, remember=False))
    expected = fingerprint.history_digest(plain)
    cold = read_history([folder], options)  # remembered now, and its fingerprint worked out
    warm = read_history([folder], options)
    assert warm == cold == plain and warm is not cold

    def refuse(*args: object) -> None:
        raise AssertionError("worked out again")

    monkeypatch.setattr(fingerprint, "WORDS", refuse)
    assert fingerprint.history_digest(warm) == expected
    assert fingerprint.history_digest(cold) == expected
    with pytest.raises(AssertionError, match="worked out again"):
        fingerprint.history_digest(plain)  # read without remembering: worked out


def test_another_identity_is_told_apart_without_parsing_the_entry(
    folder: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import chainfix.cache.store as store
    from chainfix import plugins
    from chainfix.cache import open_cache
    from chainfix.sources.folder import FIT_FOLDER

    read(folder)
    shutil.copy2(fit_files(folder)[0], folder / "copy-of-first.fit")
    parsed: list[str] = []
    real = store.json.loads

    def loads(text: str) -> object:
        parsed.append(text[:12])
        return real(text)

    seen = snapshot.witness([folder], [FIT_FOLDER], plugins.sources(), None, Limits())
    assert seen is not None
    cache = open_cache(cache_path())
    assert cache is not None
    with cache, monkeypatch.context() as patch:
        patch.setattr(store.json, "loads", loads)
        patch.setattr(snapshot.json, "loads", loads)
        assert snapshot.recall(cache, seen) is None
    assert not parsed
    acts, problems, stats = read(folder)
    assert not stats.remembered and (acts, problems) == fresh(folder)


def test_a_broken_link_in_a_folder_is_witnessed_until_it_is_mended(
    folder: Path, settled: None
) -> None:
    """A link to nowhere (a file the folder source skips, so no problem is reported) does not
    stop the folder from being remembered; once its target exists, the folder is read again."""
    target = folder.parent / "outside.txt"  # only the link, in the folder, can tell
    (folder / "notes.txt").symlink_to(target)
    read(folder)
    assert read(folder)[2].remembered
    target.write_text("mended")
    acts, problems, stats = read(folder)
    assert not stats.remembered and (acts, problems) == fresh(folder)


def test_a_link_to_nowhere_added_to_a_folder_is_seen(folder: Path, settled: None) -> None:
    """It cannot be looked at, yet it changes the history (the folder source reports it)."""
    read(folder)
    assert read(folder)[2].remembered
    (folder / "dangling.fit").symlink_to(folder.parent / "nowhere.fit")
    acts, problems, stats = read(folder)
    assert not stats.remembered and (acts, problems) == fresh(folder)
    assert any(p["kind"] == "io_error" for p in problems)


def test_a_folder_is_walked_once_per_read(
    folder: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The witness's walk, with each file's status, is the walk the folder source reads: one
    walk of the folder on a read that misses; none is kept after it."""
    from chainfix.sources import fitfiles

    real_scan = fitfiles._scan
    walks: list[str] = []

    def counting_scan(top: str, join: bool) -> object:
        walks.append(top)
        return real_scan(top, join)

    monkeypatch.setattr(fitfiles, "_scan", counting_scan)
    before = fit_files(folder)
    read(folder)  # a miss: the witness, then the folder source
    assert walks.count(str(folder)) == 1
    walks.clear()
    before[0].unlink()  # another identity: a miss again
    acts, problems, stats = read(folder)
    assert walks.count(str(folder)) == 1 and not stats.remembered
    walks.clear()
    assert (acts, problems) == fresh(folder)  # walked anew, as every read does
    assert walks.count(str(folder)) == 1


def test_a_remembered_history_is_decoded_when_first_asked_and_equals_the_read_one(
    folder: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    from chainfix.model import History

    options = IngestOptions(workers=1)
    plain = read_history([folder], IngestOptions(workers=1, remember=False))
    read_history([folder], options)
    decodes: list[int] = []
    real = remembered.activities_from_doc

    def counting(doc: object) -> list:
        decodes.append(1)
        return real(doc)

    monkeypatch.setattr(remembered, "activities_from_doc", counting)
    warm = read_history([folder], options)
    assert isinstance(warm, RememberedHistory) and not warm.decoded
    assert len(warm) == len(plain) > 0 and warm.problems == plain.problems
    assert warm.files_read == plain.files_read and warm.errors == plain.errors
    assert not decodes, "the count, problems and files need no activity"
    assert warm == plain and plain == warm and hash(warm) == hash(plain)
    assert list(warm) == list(plain.activities) and warm.decoded and len(decodes) == 1
    assert warm.activities is warm.activities and len(decodes) == 1, "decoded once"
    fewer = replace(warm, activities=warm.activities[1:])
    assert len(fewer) == len(plain) - 1 and fewer != plain
    assert fewer == History(plain.activities[1:], plain.problems, plain.files_read)
    assert warm != History(plain.activities, plain.problems, plain.files_read + 1)


def test_a_remembered_history_that_does_not_decode_is_read_again_and_forgotten(
    folder: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its text passed its CRC-32 and was written by this version, so only a bug gets here: the
    files are read again, as a miss would read them, and the entry is gone so that the next run
    remembers the history anew. Without a way to read again, it is a clear error."""
    from chainfix.cache import BadEntry
    from chainfix.errors import ChainfixError

    options = IngestOptions(workers=1)
    plain = read_history([folder], IngestOptions(workers=1, remember=False))
    read_history([folder], options)
    real = remembered.activities_from_doc

    def broken(doc: object) -> list:
        raise BadEntry("a history entry of the wrong shape")

    monkeypatch.setattr(remembered, "activities_from_doc", broken)
    warm = read_history([folder], options)
    assert isinstance(warm, RememberedHistory)
    assert warm.activities == plain.activities and warm == plain and warm.decoded
    with sqlite3.connect(cache_path()) as db:
        assert not db.execute("SELECT 1 FROM results WHERE key LIKE 'history:%'").fetchall()
    monkeypatch.setattr(remembered, "activities_from_doc", real)
    acts, problems, stats = read(folder)
    assert not stats.remembered and (acts, problems) == fresh(folder)
    _, _, again = read(folder)
    assert again.remembered

    alone = RememberedHistory.of("[]", 1, (), 1)
    with pytest.raises(ChainfixError, match="does not decode") as caught:
        alone.activities  # noqa: B018
    assert "--no-cache" in caught.value.hint
