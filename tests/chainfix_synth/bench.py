"""A large synthetic Garmin Connect export for benchmarks: one-hour activities at 1 Hz.

``big_export(path)`` writes about 300 MB of FIT (3,000 activities x 3,601 records) streamed into
nested zips, one file in memory at a time. Run it as a script to time it::

    python -m chainfix_synth.bench /tmp/big-export.zip --activities 3000
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

from chainfix_synth.garmin_export import ExportManifest, write_export
from chainfix_synth.personas import Persona, _Planner

__all__ = ["big_export", "bench_persona"]

HOUR_S = 3600
BENCH_START = date(2017, 3, 6)
"""The first day of a benchmark history (one activity a day from there)."""


def bench_persona(activities: int = 3000, seed: int = 0, start: date = BENCH_START) -> Persona:
    """One one-hour activity a day: 60% road runs, 25% rides, 15% trail runs, no pauses."""
    persona = Persona(
        key="bench",
        display_name="Bench Athlete",
        user="bench.athlete",
        city="Leipzig",
        home_lat=51.3397,
        home_lon=12.3731,
        weight_kg=70.0,
        resting_hr=50,
        max_hr=188,
    )
    pl = _Planner(persona, seed, start)
    for i in range(activities):
        week, weekday = divmod(i, 7)
        local = pl.when(week, weekday, "06:45", jitter_min=600)
        roll = pl.rng.random()
        if roll < 0.6:
            a = pl.run("easy", local, 11.0, 330, 60, 0.6)
        elif roll < 0.85:
            a = pl.ride("ride", local, 30.0, 29, 300, 190)
        else:
            a = pl.run("trail", local, 8.0, 450, 450, 0.65, "trail", pl.rng.choice((1.0, 1.5)))
        speed = (a.distance_m or 0.0) / a.timer_s
        a.timer_s = a.elapsed_s = HOUR_S
        a.distance_m = round(speed * HOUR_S, 2)
    return pl.done()


def big_export(
    path: str | Path,
    activities: int = 3000,
    seed: int = 0,
    *,
    hz: float = 1.0,
    compresslevel: int = 1,
    parts: int = 2,
    folder: bool = False,
) -> ExportManifest:
    """Write a benchmark export of ``activities`` one-hour activities; returns its manifest.

    No corrupt, duplicate, monitoring or JSON-only extras, so every FIT member is one activity.
    """
    return write_export(
        bench_persona(activities, seed),
        path,
        folder=folder,
        hz=hz,
        compresslevel=compresslevel,
        parts=parts,
        corrupt=(),
        monitoring=False,
        json_only=False,
        duplicate=False,
        multisport=False,
        noise=True,
        seed=seed,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--activities", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--compresslevel", type=int, default=1)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    manifest = big_export(args.path, args.activities, args.seed, compresslevel=args.compresslevel)
    seconds = time.perf_counter() - t0
    mb = manifest.bytes_fit / 1e6
    summary = {
        "activities": manifest.expected_activity_count,
        "fit_mb": round(mb, 1),
        "zip_mb": round(args.path.stat().st_size / 1e6, 1),
        "seconds": round(seconds, 1),
        "fit_mb_per_s": round(mb / seconds, 1),
    }
    json.dump(summary, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
