"""Zip members inflated by ISA-L (when installed) or zlib: the same bytes, the same refusals, and
the same history either way."""

from __future__ import annotations

import random
import tracemalloc
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from chainfix_synth.garmin_export import write_export
from chainfix_synth.personas import runner

from chainfix.codec import activity_to_dict, problem_to_dict
from chainfix.ingest import IngestOptions, read_history
from chainfix.sources import inflate

LIBRARIES = ["zlib", "isal"]


@pytest.fixture(params=LIBRARIES)
def library(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Each inflate library in turn (ISA-L skipped where it is not installed)."""
    if request.param == "isal":
        isal_zlib = pytest.importorskip("isal.isal_zlib")
        monkeypatch.setattr(inflate, "_LIBRARY", isal_zlib)
        monkeypatch.setattr(inflate, "_ERRORS", (zlib.error, ValueError, isal_zlib.error))
    else:
        monkeypatch.setattr(inflate, "_LIBRARY", zlib)
        monkeypatch.setattr(inflate, "_ERRORS", (zlib.error, ValueError))
    yield request.param


def deflated(data: bytes) -> bytes:
    """``data`` as a zip member's raw deflate stream."""
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


def sample(size: int = 50_000) -> bytes:
    rng = random.Random(7)
    return bytes(rng.choice(b"FIT records 0123456789") for _ in range(size))


def test_a_member_is_inflated_and_checked(library: str) -> None:
    data = sample()
    raw = deflated(data)
    assert inflate.library().__name__.startswith(library)
    assert inflate.inflate_member(raw, len(data), zlib.crc32(data)) == data
    assert inflate.inflate_member(deflated(b""), 0, 0) == b""


@pytest.mark.parametrize(
    "damage",
    [
        "crc",  # the bytes are not the ones the zip describes
        "short",  # the stream stops early
        "long",  # it holds more than the zip declares
        "garbage",  # it is no deflate stream
        "flipped",  # one bit changed inside it
    ],
)
def test_a_damaged_member_is_refused(library: str, damage: str) -> None:
    data = sample()
    raw, size, crc = deflated(data), len(data), zlib.crc32(data)
    if damage == "crc":
        crc ^= 1
    elif damage == "short":
        raw = raw[: len(raw) // 2]
    elif damage == "long":
        size -= 1000
    elif damage == "garbage":
        raw = bytes(random.Random(3).getrandbits(8) for _ in range(5000))
    else:
        middle = len(raw) // 2
        raw = raw[:middle] + bytes([raw[middle] ^ 0x10]) + raw[middle + 1 :]
    assert inflate.inflate_member(raw, size, crc) is None


def test_a_bomb_is_not_inflated_past_its_declared_size(library: str) -> None:
    """A stream of 64 MB of zeros declaring 1,000 bytes is refused after 1,001."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    chunk = bytes(1024 * 1024)
    raw = b"".join(packer.compress(chunk) for _ in range(64)) + packer.flush()
    tracemalloc.start()
    try:
        assert inflate.inflate_member(raw, 1000, zlib.crc32(bytes(1000))) is None
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 1024


def test_the_history_is_the_same_whichever_library_inflates(tmp_path: Path) -> None:
    pytest.importorskip("isal.isal_zlib")
    manifest = write_export(
        runner(weeks=4, seed=5), tmp_path / "export.zip", hz=0.2, parts=2, corrupt=("bad_crc",)
    )
    histories = []
    for name in LIBRARIES:
        with pytest.MonkeyPatch.context() as patch:
            module = zlib if name == "zlib" else __import__("isal.isal_zlib").isal_zlib
            patch.setattr(inflate, "_LIBRARY", module)
            patch.setattr(inflate, "_ERRORS", (zlib.error, ValueError, module.error))
            history = read_history([manifest.path], IngestOptions(workers=1, use_cache=False))
        histories.append(
            (
                [activity_to_dict(a) for a in history.activities],
                [problem_to_dict(p) for p in history.problems],
            )
        )
    assert histories[0] == histories[1]
    assert histories[0][0] and any(p["kind"] == "bad_crc" for p in histories[0][1])
