"""The baseline decoders both benchmarks measure chainfix against, each a full decode of one file.

Import from a benchmark script (``python benchmarks/<script>.py`` puts this folder on the path).
"""

from __future__ import annotations

import io
import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any


def fitparse_full(data: bytes) -> int:
    """python-fitparse's normal whole-file decode, every message to name/value pairs."""
    import fitparse

    messages = fitparse.FitFile(io.BytesIO(data), check_crc=True).get_messages()
    return sum(len(m.get_values()) >= 0 for m in messages)


def fitdecode_full(data: bytes) -> int:
    """fitdecode in strict mode, every data message to a dict of field values."""
    import fitdecode

    count = 0
    with fitdecode.FitReader(
        io.BytesIO(data),
        check_crc=fitdecode.CrcCheck.RAISE,
        error_handling=fitdecode.ErrorHandling.RAISE,
    ) as reader:
        for frame in reader:
            if isinstance(frame, fitdecode.FitDataMessage):
                _values = {f.name: f.value for f in frame.fields}
                count += 1
    return count


def chainfix_read(data: bytes) -> int:
    """chainfix's own reader, as ``chainfix analyze`` calls it: activities of one file."""
    from chainfix.fit import read_fit
    from chainfix.model import Origin

    return len(read_fit(data, Origin("bench.fit"), "bench").activities)


READERS: tuple[tuple[str, Callable[[bytes], object], int], ...] = (
    ("chainfix read_fit", chainfix_read, 5),
    ("python-fitparse", fitparse_full, 1),
    ("fitdecode", fitdecode_full, 1),
)
"""(name, full decode of one file, passes): fast readers report the median of several."""


def time_reader(func: Callable[[bytes], object], files: list[bytes], passes: int) -> float:
    """Median seconds of ``passes`` passes over ``files`` (after one unmeasured file)."""
    func(files[0])  # imports, profile tables
    times = []
    for _ in range(passes):
        started = time.perf_counter()
        for data in files:
            func(data)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def reader_speeds(files: list[bytes]) -> dict[str, Any]:
    """Seconds, MB/s and thousands of messages/s of each reader on ``files``, one core, in
    memory; ``{"skipped": why}`` for a reader that is not installed."""
    size = sum(map(len, files))
    messages = sum(fitdecode_full(f) for f in files)
    out: dict[str, Any] = {
        "files": len(files),
        "mb": round(size / 1e6, 2),
        "messages": messages,
        "readers": {},
    }
    for name, func, passes in READERS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                seconds = time_reader(func, files, passes)
            except ImportError as exc:
                out["readers"][name] = {"skipped": str(exc)}
                continue
        out["readers"][name] = {
            "seconds": round(seconds, 3),
            "mb_s": round(size / seconds / 1e6, 3),
            "k_msg_s": round(messages / seconds / 1e3, 1),
        }
    return out
