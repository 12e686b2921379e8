"""A folder's index in the cache: a warm run walks the folder once and opens no file that did not
change; a changed, added or deleted file is seen, and a damaged index is never trusted."""

from __future__ import annotations

import os
import shutil
import sqlite3
import zlib
from pathlib import Path

import pytest

from chainfix.codec import activity_to_dict, problem_to_dict
from chainfix.ingest import IngestOptions, IngestStats, read_history
from chainfix.paths import cache_path
from chainfix.sources import fitfiles

SAMPLE = [
    "dtcooper__python-fitparse/activity-small-fenix2-run.fit",
    "dtcooper__python-fitparse/activity-filecrc.fit",
    "rgmf__fit_data_whiz/training.fit",
    "muktihari__fit/activity_multisport.fit",
]
EXTRA = "dtcooper__python-fitparse/garmin-fenix-5-run.fit"


@pytest.fixture
def folder(real_dir: Path, tmp_path: Path) -> Path:
    out = tmp_path / "fits"
    (out / "sub").mkdir(parents=True)
    for i, rel in enumerate(SAMPLE):
        where = out / "sub" if i % 2 else out
        shutil.copy2(real_dir / rel, where / rel.replace("/", "__"))  # old mtimes: not racy
    return out


def snapshot(path: Path, *, cache: bool = True) -> tuple[list, list, IngestStats]:
    stats = IngestStats()
    history = read_history([path], IngestOptions(workers=1, use_cache=cache), stats=stats)
    return (
        [activity_to_dict(a) for a in history.activities],
        [problem_to_dict(p) for p in history.problems],
        stats,
    )


def fresh(path: Path) -> tuple[list, list]:
    acts, problems, _ = snapshot(path, cache=False)
    return acts, problems


def test_warm_folder_opens_no_file(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cold_acts, cold_problems, cold = snapshot(folder)
    assert cold.decoded == len(SAMPLE)

    def no_open(*args: object) -> str:
        raise AssertionError("a warm run opened a file")

    monkeypatch.setattr(fitfiles, "_tail", no_open)
    monkeypatch.setattr(fitfiles.FileLoad, "__call__", no_open)
    acts, problems, warm = snapshot(folder)
    assert warm.decoded == 0 and warm.cached == len(SAMPLE) and warm.files == cold.files
    assert (acts, problems) == (cold_acts, cold_problems)


def test_changed_file_is_read_again_even_with_its_old_size_and_mtime(folder: Path) -> None:
    snapshot(folder)
    target = folder / "dtcooper__python-fitparse__activity-small-fenix2-run.fit"
    before = target.stat()
    data = bytearray(target.read_bytes())
    data[-5] ^= 0xFF  # same size; the file's CRC no longer matches
    target.write_bytes(bytes(data))
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))  # only the ctime tells
    acts, problems, stats = snapshot(folder)
    assert stats.decoded == 1 and stats.cached == len(SAMPLE) - 1
    assert (acts, problems) == fresh(folder)
    assert any(p["kind"] == "bad_crc" for p in problems)


def test_touched_file_is_read_again(folder: Path) -> None:
    snapshot(folder)
    target = next(folder.glob("sub/*.fit"))
    stat = target.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    _, _, stats = snapshot(folder)
    assert stats.decoded == 1 and stats.cached == len(SAMPLE) - 1


def test_added_file_is_read_and_deleted_file_is_gone(folder: Path, real_dir: Path) -> None:
    cold_acts, _, _ = snapshot(folder)
    shutil.copy(real_dir / EXTRA, folder / "sub" / "zz-new.fit")
    acts, problems, stats = snapshot(folder)
    assert stats.decoded == 1 and stats.cached == len(SAMPLE)
    assert len(acts) == len(cold_acts) + 1 and (acts, problems) == fresh(folder)
    _, _, again = snapshot(folder)
    assert again.decoded == 0 and again.cached == len(SAMPLE) + 1

    (folder / "sub" / "zz-new.fit").unlink()
    gone = next(folder.rglob("*multisport*"))
    gone.unlink()
    acts, problems, stats = snapshot(folder)
    assert stats.decoded == 0 and stats.cached == len(SAMPLE) - 1
    assert not [a for a in acts if a["source_file"] == str(gone)]
    assert (acts, problems) == fresh(folder)


def _rewrite_index(change: object) -> None:
    db = sqlite3.connect(cache_path())
    (key, stored), *_ = db.execute(
        "SELECT key, payload FROM results WHERE key LIKE 'folder:%'"
    ).fetchall()
    crc, text = stored.split("|", 1)
    text = change(text)  # type: ignore[operator]
    if not isinstance(text, str):  # keep a valid CRC: the text is what it claims to be
        text = text.decode()
        crc = f"{zlib.crc32(text.encode()):08x}"
    db.execute("UPDATE results SET payload = ? WHERE key = ?", (f"{crc}|{text}", key))
    db.commit()
    db.close()


@pytest.mark.parametrize(
    "change",
    [
        lambda text: text.replace("running", "cycling"),  # CRC no longer matches
        lambda text: text[:-20],  # cut short
        lambda text: b'{"index":{"x":5}}',  # not an index's lines, with its CRC
        lambda text: b"index\n",  # an index of nothing: every file read again
        lambda text: text.replace("\t[", "\t{").encode(),  # no sub-part is JSON
        lambda text: text.replace("\t", " ", 1).encode(),  # a line without its key apart
        lambda text: text.replace('\n"', "\nx", 1).encode(),  # a key that is not JSON
        lambda text: text.replace('\n"', "\n5,", 1).encode(),  # a key that is not text
        lambda text: text.replace('\n"', '\n"x","', 1).encode(),  # two keys on one line
        lambda text: text.rstrip("\n").encode(),  # the last line cut short
        lambda text: text.replace('"f",', '"q",').encode(),  # unknown item kinds, with its CRC
    ],
)
def test_damaged_index_is_never_trusted(folder: Path, change: object) -> None:
    cold_acts, cold_problems, _ = snapshot(folder)
    _rewrite_index(change)
    acts, problems, stats = snapshot(folder)
    assert (acts, problems) == (cold_acts, cold_problems)
    assert stats.parts_cached == 0  # nothing replayed from the index (files: by content)
    _, _, again = snapshot(folder)
    assert again.parts_cached == len(SAMPLE) and again.decoded == 0  # the index is rebuilt


def test_limits_are_part_of_the_index_key(folder: Path) -> None:
    from chainfix.sources.base import Limits

    snapshot(folder)
    stats = IngestStats()
    limits = Limits(max_member_bytes=1000)
    history = read_history([folder], IngestOptions(workers=1, limits=limits), stats=stats)
    assert stats.parts_cached == 0
    assert "unsupported" in {p.kind for p in history.problems}


def test_a_just_written_file_stays_out_of_the_index(folder: Path, real_dir: Path) -> None:
    """A file modified within RACY_NS may change again within the same clock tick with the same
    size and mtime: it is read through its by-content entry until it is older."""
    snapshot(folder)
    new = folder / "zz-new.fit"
    shutil.copy(real_dir / EXTRA, new)
    _, _, first = snapshot(folder)
    assert first.decoded == 1 and first.parts_cached == len(SAMPLE)
    _, _, second = snapshot(folder)
    assert second.decoded == 0 and second.parts_cached == len(SAMPLE)  # by content, not index
    stat = new.stat()
    os.utime(new, ns=(stat.st_atime_ns, stat.st_mtime_ns - 10_000_000_000))
    snapshot(folder)
    _, _, later = snapshot(folder)
    assert later.parts_cached == len(SAMPLE) + 1
