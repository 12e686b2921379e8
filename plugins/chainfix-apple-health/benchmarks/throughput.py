"""Benchmark: read a generated Apple Health export; print MB/s of XML, peak RSS, and the targets.

Issue 17's targets: at least 50 MB/s of XML on one core, and a peak RSS under 200 MB whatever the
size. The export is generated as a stream (tests/healthgen.py) into a temporary folder, then read
by a child process through the plugin's source (``read``), so the RSS measured is the reader's
alone (Python, chainfix and the plugin imported, plus what reading costs).

    python benchmarks/throughput.py                  # 64 MB of XML (CI size)
    python benchmarks/throughput.py --size-mb 3000   # a multi-gigabyte export
    CHAINFIX_BENCH_MB=3000 python benchmarks/throughput.py --zip

``--zip`` also reads the export zipped (export.xml deflated inside export.zip), as the Health app
writes it; MB/s is then of the XML inflated and scanned, and times ``chainfix activities`` on the
zip twice with an empty cache (cold, then warm: the whole export replayed from chainfix's cache),
beside ``chainfix --version`` (the cost of starting the command at all).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET_MB_S = 50.0
TARGET_RSS_MB = 200.0


def measure(path: Path) -> dict[str, float]:
    """Read ``path`` through the source (in this process); seconds, activities, peak RSS."""
    from chainfix.api import Activity, ReadOptions

    from chainfix_apple_health.export import read

    started = time.perf_counter()
    activities = problems = 0
    for item in read(path, ReadOptions()):
        if isinstance(item, Activity):
            activities += 1
        else:
            problems += 1
    seconds = time.perf_counter() - started
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "activities": activities, "problems": problems, "rss_mb": rss_mb}


def measure_baseline(path: Path) -> dict[str, float]:
    """The usual way, for comparison: the standard library's iterparse over every element, each
    cleared once read (what most export readers do), counting the Workout elements."""
    import xml.etree.ElementTree as ET

    started = time.perf_counter()
    workouts = 0
    for _event, element in ET.iterparse(path, events=("end",)):
        if element.tag == "Workout":
            workouts += 1
        if element.tag != "HealthData":
            element.clear()
    seconds = time.perf_counter() - started
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "activities": workouts, "problems": 0, "rss_mb": rss_mb}


def run_child(path: Path, flag: str = "--measure") -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, flag, str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, float] = json.loads(out)
    return result


def timed_cli(args: list[str], home: Path) -> float:
    """Wall seconds of one ``chainfix`` command in a fresh process."""
    env = {**os.environ, "CHAINFIX_HOME": str(home)}
    started = time.perf_counter()
    subprocess.run(["chainfix", *args], check=False, capture_output=True, env=env)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--size-mb",
        type=int,
        default=int(os.environ.get("CHAINFIX_BENCH_MB", "64")),
        help="Size of the generated export.xml in MB (default 64, or $CHAINFIX_BENCH_MB).",
    )
    parser.add_argument("--zip", action="store_true", help="Also read the export zipped.")
    parser.add_argument(
        "--baseline-mb",
        type=int,
        default=256,
        help="Also time stdlib iterparse when the export is at most this size (default 256).",
    )
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--measure-baseline", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return 0
    if args.measure_baseline:
        print(json.dumps(measure_baseline(args.measure_baseline)))
        return 0

    sys.path.insert(0, str(HERE.parent / "tests"))
    from healthgen import default_plan, write_export

    plan = default_plan()
    with tempfile.TemporaryDirectory(prefix="chainfix-ah-bench-") as tmp:
        started = time.perf_counter()
        folder = write_export(
            Path(tmp) / "folder", plan, zipped=False, filler_bytes=args.size_mb * 1024**2
        )
        xml = folder / "apple_health_export" / "export.xml"
        size = xml.stat().st_size
        print(
            f"generated {size / 1024**2:,.0f} MB of export.xml with {len(plan.workouts)} "
            f"workouts in {time.perf_counter() - started:.1f} s"
        )
        cases = [("export.xml", xml)]
        if args.zip:
            started = time.perf_counter()
            zipped = write_export(
                Path(tmp) / "export.zip", plan, filler_bytes=args.size_mb * 1024**2
            )
            print(
                f"zipped: {zipped.stat().st_size / 1024**2:,.0f} MB on disk "
                f"({time.perf_counter() - started:.1f} s)"
            )
            cases.append(("export.zip", zipped))
        ok = True
        for name, path in cases:
            r = run_child(path)
            rate = size / 1024**2 / r["seconds"]
            fast, lean = rate >= TARGET_MB_S, r["rss_mb"] < TARGET_RSS_MB
            ok = ok and fast and lean
            print(
                f"{name:11} {size / 1024**2:8,.0f} MB in {r['seconds']:6.2f} s = {rate:7,.0f} MB/s "
                f"({'met' if fast else 'NOT met'}: >= {TARGET_MB_S:g} MB/s); peak RSS "
                f"{r['rss_mb']:5.0f} MB ({'met' if lean else 'NOT met'}: < {TARGET_RSS_MB:g} MB); "
                f"{r['activities']:.0f} activities"
            )
            if r["activities"] != len(plan.workouts):
                print(f"  expected {len(plan.workouts)} activities")
                ok = False
            if name == "export.xml" and size <= args.baseline_mb * 1024**2:
                b = run_child(path, "--measure-baseline")
                base_rate = size / 1024**2 / b["seconds"]
                print(
                    f"{'  baseline':11} {size / 1024**2:8,.0f} MB in {b['seconds']:6.2f} s = "
                    f"{base_rate:7,.0f} MB/s (stdlib iterparse, every element, cleared); peak RSS "
                    f"{b['rss_mb']:5.0f} MB; the scan is {rate / base_rate:,.0f}x faster"
                )
        if args.zip:
            home = Path(tmp) / "home"
            zipped = Path(tmp) / "export.zip"
            command = ["activities", str(zipped), "--json", "--workers", "1", "--quiet"]
            startup = timed_cli(["--version"], home)
            cold, warm = timed_cli(command, home), timed_cli(command, home)
            print(
                f"chainfix activities export.zip: cold {cold:.2f} s, warm {warm:.2f} s "
                f"(chainfix --version alone: {startup:.2f} s; warm beyond start-up: "
                f"{max(warm - startup, 0):.2f} s, {'met' if warm - startup < 1 else 'NOT met'}: "
                "< 1 s)"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
