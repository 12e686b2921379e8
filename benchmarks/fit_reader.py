"""Throughput of chainfix's FIT reader against python-fitparse and fitdecode, measured in one run.

    python benchmarks/fit_reader.py [--fixtures DIR] [--repeat 5] [--quick]

Reads every real fixture that all decoders accept without error (files in memory, one process),
and prints MB/s and messages per second for each reader plus its speed relative to
python-fitparse. chainfix rows: ``decode_fast`` (the record walker alone, with its definition cache
cleared before each pass, and warm), ``read_fit`` (walker + Activities), and ``decode_full``
(python-fitparse plus chainfix's selection: the fallback path). Baselines: python-fitparse
``FitFile`` full decode with every value, and fitdecode ``FitReader`` (strict CRC) with every
value. Fast readers report the median of ``--repeat`` passes; slow ones a single pass.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from baselines import fitdecode_full, fitparse_full

from chainfix.fit import fast as fast_module
from chainfix.fit import read_fit
from chainfix.fit.fast import decode_fast
from chainfix.fit.full import decode_full
from chainfix.model import Origin

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "real"


def fast_cold(data: bytes) -> object:
    return decode_fast(data)


def chainfix_read(data: bytes) -> object:
    return read_fit(data, Origin("bench.fit"))


def clean_files(folder: Path) -> list[bytes]:
    """Fixtures every reader accepts without error (the fast path reads them all)."""
    out = []
    for path in sorted(folder.rglob("*.fit")):
        data = path.read_bytes()
        try:
            decode_fast(data)
            fitdecode_full(data)
        except Exception:
            continue
        out.append(data)
    return out


def time_pass(func: Callable[[bytes], object], files: list[bytes], clear: bool) -> float:
    if clear:
        fast_module._DEFINITIONS.clear()
    start = time.perf_counter()
    for data in files:
        func(data)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--fixtures", type=Path, default=Path(os.environ.get("CHAINFIX_REAL_FIXTURES", DEFAULT_DIR))
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="files under 100 kB only")
    args = parser.parse_args()
    if not args.fixtures.is_dir():
        print(f"no fixtures at {args.fixtures}", file=sys.stderr)
        return 1
    warnings.simplefilter("ignore")
    files = clean_files(args.fixtures)
    if args.quick:
        files = [f for f in files if len(f) <= 100_000]
    total = sum(map(len, files))
    messages = sum(fitdecode_full(f) for f in files)
    print(f"{len(files)} files, {total / 1e6:.2f} MB, {messages:,} data messages\n")

    rows: list[tuple[str, Callable[[bytes], object], int, bool]] = [
        ("chainfix decode_fast (cold cache)", fast_cold, args.repeat, True),
        ("chainfix decode_fast (warm cache)", fast_cold, args.repeat, False),
        ("chainfix read_fit (fast path)", chainfix_read, args.repeat, False),
        ("chainfix decode_full (fallback)", decode_full, 1, False),
        ("python-fitparse FitFile, all values", fitparse_full, 1, False),
        ("fitdecode FitReader strict, all values", fitdecode_full, 1, False),
    ]
    results: dict[str, float] = {}
    for name, func, repeat, clear in rows:
        func(files[0])  # warm-up: imports, profile tables
        seconds = statistics.median(time_pass(func, files, clear) for _ in range(repeat))
        results[name] = seconds
    baseline = results["python-fitparse FitFile, all values"]
    print(f"{'reader':42} {'s/pass':>8} {'MB/s':>8} {'k msg/s':>9} {'x fitparse':>11}")
    for name, seconds in results.items():
        print(
            f"{name:42} {seconds:8.3f} {total / seconds / 1e6:8.1f} "
            f"{messages / seconds / 1e3:9.0f} {baseline / seconds:11.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
