"""A folder of GPX and TCX files (as Strava exports them), read cold and warm.

The files come from the chainfix-strava plugin's test generator (``gpx_text``/``tcx_text`` in
``plugins/chainfix-strava/tests/exportgen.py``): one-hour activities a day apart, a point every
5 s, alternately GPX runs and TCX rides. Written once into the bench folder.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from clirun import Run, bench_dir, fresh_home, median_s, run_cli, seconds_list

GENERATOR = Path(__file__).resolve().parents[1] / "plugins/chainfix-strava/tests/exportgen.py"
FIRST = datetime(2023, 1, 2, 6, 30, tzinfo=UTC)


def ensure_tracks(count: int) -> tuple[Path, int]:
    """The folder of ``count`` GPX/TCX files and its size in bytes, written once."""
    digest = hashlib.sha256(Path(__file__).read_bytes() + GENERATOR.read_bytes())
    target = bench_dir() / f"tracks-{count}f-{digest.hexdigest()[:10]}"
    meta = target.with_suffix(".json")
    if not (target.is_dir() and meta.is_file()):
        print(f"writing {count:,} GPX/TCX files -> {target} ...", flush=True)
        sys.path.insert(0, str(GENERATOR.parent))
        from exportgen import Planned, gpx_text, tcx_text

        partial = target.with_name(target.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        size = 0
        for i in range(count):
            start = FIRST + timedelta(days=i, minutes=7 * (i % 5))
            run = i % 2 == 0
            plan = Planned(
                str(i), start, f"Activity {i}", "Run" if run else "Ride", 3600, 3500,
                10_000.0 if run else 30_000.0, ascent_m=50.0 + i % 40, avg_hr=140.0 + i % 20,
            )  # fmt: skip
            text = gpx_text(plan) if run else tcx_text(plan, "Biking")
            path = partial / f"{i:05d}.{'gpx' if run else 'tcx'}"
            path.write_text(text, encoding="utf-8")
            size += path.stat().st_size
        partial.rename(target)
        meta.write_text(json.dumps({"files": count, "bytes": size}))
    return target, json.loads(meta.read_text())["bytes"]


def measure_tracks(folder: Path, size: int, repeat: int) -> dict[str, Any]:
    """Cold and warm ``chainfix analyze FOLDER -q``, and how many processes did the reading."""
    args = ["analyze", str(folder), "-q"]
    with fresh_home() as home:
        run_cli([*args, "--no-cache"], home)  # warm-up
    cold: list[Run] = []
    warm: list[Run] = []
    for _ in range(repeat):
        with fresh_home() as home:
            cold.append(run_cli(args, home))
            warm += [run_cli(args, home), run_cli(args, home)]
    return {
        "files": len(list(folder.iterdir())),
        "mb": round(size / 1e6, 1),
        "cold_s": round(median_s(cold), 3),
        "warm_s": round(median_s(warm), 3),
        "cold_busy_processes": max(r.busy for r in cold),
        "cold_processes": max(r.processes for r in cold),
        "runs": {"cold_s": seconds_list(cold), "warm_s": seconds_list(warm)},
    }
