"""The ingest engine's fast paths give exactly what the plain ones give.

* Zip members lying in a file on disk load through a picklable ``ZipMemberLoad`` (read, inflate
  and CRC-check in the decoder process): same bytes as :mod:`zipfile`, same errors when broken.
* Batches in a process pool, serial decoding, and a pool whose worker dies all give the same
  history, problems in the same order.
"""

from __future__ import annotations

import io
import os
import pickle
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from chainfix_synth.garmin_export import write_export
from chainfix_synth.personas import runner

import chainfix.ingest.engine as ingest
from chainfix.codec import activity_to_dict, problem_to_dict
from chainfix.ingest import IngestOptions, IngestStats, dispatch, pool, read_history
from chainfix.model import Origin
from chainfix.sources.archive import Member, walk_zip
from chainfix.sources.base import BlobLoadError, FitBlob, Limits, PortableLoad, ReadOptions, Source
from chainfix.sources.fitfiles import FileLoad
from chainfix.sources.zip_member import Backing, ZipMemberLoad, release_handles
from tests.conftest import real_fit_files


def build_zip(entries: list[tuple[str, bytes, int]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data, method in entries:
            zf.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return buf.getvalue()


def walk_file(path: Path, tmp_path: Path, *, backed: bool) -> list[Member]:
    zf = zipfile.ZipFile(path)
    backing = Backing(str(path), 0, path.stat().st_size) if backed else None
    items = walk_zip(zf, str(path), Limits(), str(tmp_path), backing=backing)
    return [m for m in items if isinstance(m, Member)]


@pytest.fixture
def nested(tmp_path: Path) -> Path:
    payload = bytes(range(256)) * 40
    inner = build_zip(
        [("a.fit", payload, zipfile.ZIP_DEFLATED), ("b.fit", payload[::-1], zipfile.ZIP_STORED)]
    )
    outer = build_zip(
        [
            ("top.fit", payload[:999], zipfile.ZIP_DEFLATED),
            ("Part1.zip", inner, zipfile.ZIP_STORED),  # opened in place
            ("Part2.zip", inner, zipfile.ZIP_DEFLATED),  # held in memory: plain loads
        ]
    )
    path = tmp_path / "outer.zip"
    path.write_bytes(outer)
    return path


def test_backed_members_load_like_zipfile(nested: Path, tmp_path: Path) -> None:
    plain = {m.path: m.load() for m in walk_file(nested, tmp_path, backed=False)}
    backed = walk_file(nested, tmp_path, backed=True)
    assert {m.path: m.load() for m in backed} == plain
    in_place = {m.path for m in backed if isinstance(m.load, ZipMemberLoad)}
    assert in_place == {"top.fit", "Part1.zip!/a.fit", "Part1.zip!/b.fit"}
    for m in backed:
        if isinstance(m.load, PortableLoad):
            assert pickle.loads(pickle.dumps(m.load))() == plain[m.path]
    release_handles()


def _corrupt(path: Path, needle: bytes) -> None:
    data = bytearray(path.read_bytes())
    at = data.index(needle)
    data[at + 5] ^= 0xFF
    path.write_bytes(bytes(data))


def test_broken_member_fails_like_zipfile(tmp_path: Path) -> None:
    body = b"FIT!" * 500
    path = tmp_path / "broken.zip"
    path.write_bytes(
        build_zip(
            [("stored.fit", body, zipfile.ZIP_STORED), ("ok.fit", b"x" * 10, zipfile.ZIP_STORED)]
        )
    )
    _corrupt(path, body[:8])  # flips a byte of the stored member: its CRC no longer matches

    def errors(backed: bool) -> dict[str, tuple[str, str]]:
        out = {}
        for m in walk_file(path, tmp_path, backed=backed):
            try:
                m.load()
            except BlobLoadError as exc:
                out[m.path] = (exc.kind, exc.message)
        return out

    plain = errors(False)
    assert list(plain) == ["stored.fit"] and "CRC" in plain["stored.fit"][1]
    assert errors(True) == plain
    release_handles()


def test_a_changed_file_is_not_read_through_a_stale_handle(tmp_path: Path) -> None:
    path = tmp_path / "a.zip"
    path.write_bytes(build_zip([("a.fit", b"one" * 100, zipfile.ZIP_DEFLATED)]))
    (m,) = walk_file(path, tmp_path, backed=True)
    assert m.load() == b"one" * 100
    release_handles()  # what read_history does at its end
    path.write_bytes(build_zip([("a.fit", b"two" * 100, zipfile.ZIP_DEFLATED)]))
    (m,) = walk_file(path, tmp_path, backed=True)
    assert m.load() == b"two" * 100
    release_handles()


def snapshot(paths: list[Path], workers: int, cache: bool = False) -> tuple[list, list, int]:
    stats = IngestStats()
    history = read_history(paths, IngestOptions(workers=workers, use_cache=cache), stats=stats)
    return (
        [activity_to_dict(a) for a in history.activities],
        [problem_to_dict(p) for p in history.problems],
        stats.decoded,
    )


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Use the pool even for small inputs, with several batches in flight."""
    monkeypatch.setattr(pool, "PARALLEL_MIN_BLOBS", 1)
    monkeypatch.setattr(pool, "BATCH_BLOBS", 3)


def test_parallel_batches_equal_serial_problems_in_order(
    tmp_path: Path, small_batches: None
) -> None:
    manifest = write_export(
        runner(weeks=6, seed=3),
        tmp_path / "export.zip",
        hz=0.2,
        corrupt=("truncated", "bad_crc"),
        multisport=True,
    )
    paths = [manifest.path, *real_fit_files()[:12]]
    serial = snapshot(paths, workers=1)
    parallel = snapshot(paths, workers=2)
    assert parallel == serial
    assert serial[2] > 12


@dataclass(frozen=True, slots=True)
class _DiesInWorkers(PortableLoad):
    """Loads a file here, but kills any other process that runs it (a crashed worker)."""

    path: str
    home_pid: int

    def __call__(self) -> bytes:
        if os.getpid() != self.home_pid:
            os._exit(1)
        return Path(self.path).read_bytes()


def _source(files: list[Path], portable: bool) -> Source:
    def read(path: Path, options: ReadOptions) -> Iterator[FitBlob]:
        for file in files:
            load = _DiesInWorkers(str(file), os.getpid()) if portable else file.read_bytes
            yield FitBlob(Origin(str(file)), load, file.stat().st_size, None, "test")

    return Source("test", "test source", lambda p: True, read, priority=100)


@pytest.mark.parametrize("portable", [True, False], ids=["dying-worker", "plain-loads"])
def test_pool_outcomes_equal_serial(
    tmp_path: Path, small_batches: None, monkeypatch: pytest.MonkeyPatch, portable: bool
) -> None:
    files = [p for p in real_fit_files() if p.stat().st_size < 200_000][:10]
    if not files:
        pytest.skip("real fixtures not present")
    source = _source(files, portable)
    monkeypatch.setattr("chainfix.plugins.sources", lambda: (source,))
    lost: list[bool] = []
    lose_pool = dispatch.Dispatcher.lose_pool

    def spy(self: dispatch.Dispatcher) -> None:
        lost.append(True)
        lose_pool(self)

    monkeypatch.setattr(dispatch.Dispatcher, "lose_pool", spy)
    serial = snapshot([tmp_path], workers=1)
    parallel = snapshot([tmp_path], workers=2)
    assert parallel == serial and serial[2] == len(files)
    assert bool(lost) == portable  # a dead worker: the rest was decoded here


def test_fit_files_load_in_any_process(tmp_path: Path) -> None:
    data = b"\x0e\x10" * 50
    (tmp_path / "a.fit").write_bytes(data)
    load = FileLoad(str(tmp_path / "a.fit"))
    assert pickle.loads(pickle.dumps(load))() == data


def test_workers_do_not_rerun_the_main_script() -> None:
    main = sys.modules["__main__"]
    before = main.__dict__.get("__spec__", "missing")
    with ingest._workers_skip_main():
        assert main.__spec__.name == "__main__"
    assert main.__dict__.get("__spec__", "missing") == before


def test_workers_start_in_the_background_and_the_main_script_is_left_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``warm_up`` returns before the workers have started (a thread waits for the forkserver);
    while it waits, another start through ``_workers_skip_main`` waits its turn, and the main
    module's spec is what it was once both are done; ``close`` waits for the thread."""
    import threading

    main = sys.modules["__main__"]
    before = main.__dict__.get("__spec__", "missing")
    started, go = threading.Event(), threading.Event()
    order: list[str] = []

    def slow_start(pool: object, workers: int) -> None:
        with ingest._workers_skip_main():
            started.set()
            go.wait(10)
            order.append("warm-up started")

    def other_start() -> None:
        with ingest._workers_skip_main():
            order.append("another started")

    monkeypatch.setattr(dispatch, "_start_workers", slow_start)
    d = dispatch.Dispatcher(2, parallel=True)
    d.start_pool = lambda: object()  # type: ignore[method-assign, assignment, return-value]
    d.warm_up()
    assert started.wait(10) and order == []  # warm_up returned; the start still waits
    second = threading.Thread(target=other_start)
    second.start()
    second.join(0.2)
    assert order == []  # waits for the warm-up's start
    go.set()
    d.close()
    second.join(10)
    assert order == ["warm-up started", "another started"]
    assert main.__dict__.get("__spec__", "missing") == before
