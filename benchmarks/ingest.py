"""How fast ``chainfix`` reads a decade of history, against issue 16's targets.

    python benchmarks/ingest.py [--activities N] [--repeat 3] [--sample 30] [--tracks 500]
        [--only startup|export|folder|tracks ...] [--json FILE] [--markdown] [--from-json FILE]

Every figure is the real console script run as a subprocess (start-up, imports, reading, analysis
and report all count; :mod:`clirun`), medians of ``--repeat`` runs after one unmeasured run, each
cold run with an empty ``CHAINFIX_HOME``. Generated inputs are written once into
``$CHAINFIX_BENCH_DIR`` (else ``<tmp>/chainfix-bench``) and reused. The parts (``--only``):

* **export**: synthetic Garmin exports of one-hour 1 Hz activities
  (:func:`chainfix_synth.bench.big_export`) of 300, 1,000, 3,000 and 10,000 activities
  (``--activities N``: that size only): ``--no-cache``, cold and warm times, peak RSS of the
  process tree; baselines (python-fitparse, fitdecode, chainfix ``read_fit``) on ``--sample``
  of its FIT files, one core; analysis and plan on ten years (``--no-analysis`` skips it).
* **folder**: a plain folder of 3,000 real device files (``--activities N``: N), the real fixtures
  copied with shifted timestamps (:mod:`realfolder`, :mod:`fitshift`): cold, warm, and one new
  file after a warm run; baselines on the fixtures themselves. Skipped, with a note, without the
  fixtures (``$CHAINFIX_REAL_FIXTURES``, else ``../shared/fixtures/real``).
* **tracks**: a folder of ``--tracks`` GPX/TCX files (:mod:`tracks`): cold and warm, and how many
  processes did the work during the cold run.
* **startup**: ``chainfix --version`` and ``chainfix --help`` (:mod:`startup`).

Targets (printed as met / NOT MET, :mod:`report`): cold export of 3,000 activities <= 2 s on 2
cores; >= 250x python-fitparse per core end to end on it and >= 200x on the real folder; warm
<= 0.3 s for the export and the folder; ``--version`` <= 0.1 s, ``--help`` <= 0.2 s; one new
activity after a warm 3,000-file folder <= 0.4 s (a new export is a new zip, so this is measured on
the folder); peak RSS <= 150 MB at every size up to 10,000 activities (the issue's bound for
"flat"); GPX/TCX cached (warm <= 0.3 s) and read in the worker pool. Exports never reach past
``LAST_DAY`` (a reader drops activities dated in the future) and each is checked once to read
completely. Timings on a shared machine are noisy: the load average is printed
before and after, and a fixed workload is timed before each part (:mod:`probe`) to show how fast
the machine was meanwhile. ``--markdown`` prints the README's performance table from the results.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from baselines import reader_speeds
from clirun import BYTECODE, MB, Run, bench_dir, check_read, fresh_home, run_cli
from probe import probe_s
from realfolder import clean_fixtures, ensure_folder, measure_folder, real_dir
from report import FOLDER_SIZE, MAIN_SIZE, markdown, print_report, targets
from startup import measure_startup
from tracks import ensure_tracks, measure_tracks

import chainfix

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from chainfix_synth.bench import BENCH_START, bench_persona, big_export  # noqa: E402
from chainfix_synth.garmin_export import write_export  # noqa: E402

SIZES = (300, 1000, 3000, 10000)
DECADE = 3650
LAST_DAY = date(2025, 12, 31)
"""No benchmark export runs past this day (so none is ever in the future)."""
TRACKS = 500
PARTS = ("startup", "export", "folder", "tracks")


# ---------------------------------------------------------------------------------------------
# Machine and exports


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "chainfix": chainfix.__version__,
        "load_before": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


FINGERPRINT_ACTIVITIES = 60
"""Activities in the small export whose bytes stand for the generator's output."""


def generator_fingerprint(seed: int = 0) -> str:
    """A hash of what the generator writes: a small export made with the benchmark's options.

    The generator is deterministic, so equal bytes mean the big exports would come out equal too;
    a change to its code that leaves its output alone (an import moved) reuses them.
    """
    with tempfile.TemporaryDirectory(prefix="chainfix-fingerprint-") as tmp:
        sample = Path(tmp) / "sample.zip"
        big_export(sample, FINGERPRINT_ACTIVITIES, seed)
        return hashlib.sha256(sample.read_bytes()).hexdigest()[:10]


@dataclass(slots=True)
class Export:
    path: Path
    activities: int
    fit_bytes: int
    zip_bytes: int
    generated_s: float | None = None


def export_start(activities: int) -> date | None:
    """The first day of the benchmark export of ``activities``: :func:`big_export`'s own, unless
    its one activity a day would run past ``LAST_DAY``; then early enough to end there.

    A reader drops activities dated in the future (``chainfix.fit.sanity.plausible_time``), so an
    export running into the future would measure fewer activities than its name says."""
    if BENCH_START + timedelta(days=activities) <= LAST_DAY:
        return None
    first = LAST_DAY - timedelta(days=activities)
    return first - timedelta(days=first.weekday())  # a Monday, as the default start


def ensure_export(activities: int, seed: int, start: date | None = None) -> Export:
    """The benchmark export for these parameters, written once, checked once and reused.

    ``start``: the first day (default: :func:`export_start`). One activity a day, so a decade
    needs a start ten years back for every activity to lie in the past.
    """
    start = start or export_start(activities)
    since = f"-from{start:%Y%m%d}" if start else ""
    stem = f"export-{activities}a-seed{seed}{since}-1hz-{generator_fingerprint(seed)}"
    path = bench_dir() / f"{stem}.zip"
    meta = path.with_suffix(".json")
    if path.is_file() and meta.is_file():
        info = json.loads(meta.read_text())
        if not info.get("checked"):
            check_read(path, info["activities"], use_cache=False)
            meta.write_text(json.dumps({**info, "checked": True}))
        return Export(path, info["activities"], info["fit_bytes"], path.stat().st_size)
    print(f"generating {activities:,} activities -> {path} ...", flush=True)
    partial = path.with_suffix(".partial.zip")
    started = time.perf_counter()
    if start is None:
        manifest = big_export(partial, activities, seed)
    else:  # big_export's options, another start
        manifest = write_export(
            bench_persona(activities, seed, start),
            partial,
            hz=1.0,
            compresslevel=1,
            parts=2,
            corrupt=(),
            monitoring=False,
            json_only=False,
            duplicate=False,
            multisport=False,
            noise=True,
            seed=seed,
        )
    seconds = time.perf_counter() - started
    check_read(partial, manifest.expected_activity_count, use_cache=False)
    partial.replace(path)
    info = {
        "activities": manifest.expected_activity_count,
        "fit_bytes": manifest.bytes_fit,
        "checked": True,
    }
    meta.write_text(json.dumps(info))
    return Export(path, info["activities"], info["fit_bytes"], path.stat().st_size, seconds)


# ---------------------------------------------------------------------------------------------
# Export sizes


@dataclass(slots=True)
class SizeResult:
    activities: int
    fit_mb: float
    zip_mb: float
    nocache_s: float
    cold_s: float
    warm_s: float
    peak_rss_mb: float
    peak_tree_mb: float
    runs: dict[str, list[float]] = field(default_factory=dict)


def measure_size(export: Export, repeat: int, nocache: bool = True) -> SizeResult:
    """``--no-cache``, cold (empty home) and warm runs of ``chainfix analyze``; medians."""
    args = ["analyze", str(export.path), "-q"]
    with fresh_home() as home:
        run_cli([*args, "--no-cache"], home)  # warm-up: .pyc files, the page cache
    cold: list[Run] = []
    warm: list[Run] = []
    plain: list[Run] = []
    for _ in range(repeat):
        with fresh_home() as home:
            if nocache:
                plain.append(run_cli([*args, "--no-cache"], home))
            cold.append(run_cli(args, home))
            warm.append(run_cli(args, home))
            warm.append(run_cli(args, home))
    every = cold + warm + plain
    return SizeResult(
        activities=export.activities,
        fit_mb=export.fit_bytes / MB,
        zip_mb=export.zip_bytes / MB,
        nocache_s=statistics.median(r.seconds for r in plain) if plain else float("nan"),
        cold_s=statistics.median(r.seconds for r in cold),
        warm_s=statistics.median(r.seconds for r in warm),
        peak_rss_mb=max(r.peak_rss_mb for r in every),
        peak_tree_mb=max(r.peak_tree_mb for r in every),
        runs={
            "nocache_s": [round(r.seconds, 3) for r in plain],
            "cold_s": [round(r.seconds, 3) for r in cold],
            "warm_s": [round(r.seconds, 3) for r in warm],
        },
    )


# ---------------------------------------------------------------------------------------------
# Baselines: the same FIT files through python-fitparse, fitdecode and chainfix's reader


def sample_files(export: Export, count: int) -> list[bytes]:
    """``count`` FIT members spread evenly over the export (deterministic)."""
    out: list[bytes] = []
    with zipfile.ZipFile(export.path) as outer:
        parts = sorted(n for n in outer.namelist() if n.lower().endswith(".zip"))
        members: list[tuple[str, str]] = []
        for part in parts:
            with zipfile.ZipFile(outer.open(part)) as inner:
                members += [(part, n) for n in sorted(inner.namelist()) if n.endswith(".fit")]
        step = max(1, len(members) // count)
        chosen = members[::step][:count]
        for part in parts:
            names = [n for p, n in chosen if p == part]
            if names:
                with zipfile.ZipFile(io.BytesIO(outer.read(part))) as inner:
                    out += [inner.read(n) for n in names]
    return out


def baselines(export: Export, count: int, cores: int) -> dict[str, Any]:
    """Each reader on the same sample of the export, one core, extrapolated to the export."""
    out = reader_speeds(sample_files(export, count))
    for r in out["readers"].values():
        if "mb_s" in r:
            whole = export.fit_bytes / MB / r["mb_s"]
            r["whole_export_1_core_s"] = round(whole, 1)
            r[f"whole_export_{cores}_cores_s"] = round(whole / cores, 1)
    return out


# ---------------------------------------------------------------------------------------------
# Analysis and plan after ingest


def analysis_and_plan(export: Export, repeat: int) -> dict[str, Any]:
    """Time ``analyze`` (12 weeks and the whole decade) and ``make_plan`` on the read history."""
    try:
        from chainfix.analysis import AnalysisOptions, analyze
        from chainfix.planning import AthleteProfile, make_plan
    except ImportError as exc:
        return {"skipped": f"not importable yet: {exc}"}
    from chainfix.ingest import IngestOptions, read_history

    with fresh_home() as home:
        os.environ["CHAINFIX_HOME"] = str(home)
        try:
            history = read_history([export.path], IngestOptions())
        finally:
            os.environ.pop("CHAINFIX_HOME", None)
    first, last = history.activities[0].start_utc, history.activities[-1].start_utc
    years = (last - first).days / 365.25
    start = last.date() + timedelta(days=1)
    profile = AthleteProfile()

    def run(weeks: int) -> tuple[float, float]:
        t0 = time.perf_counter()
        result = analyze(history, AnalysisOptions(weeks=weeks))
        t1 = time.perf_counter()
        priorities = {g: float(s.priority) for g, s in result.muscles.items()}
        make_plan(history, priorities, profile, start)
        return t1 - t0, time.perf_counter() - t1

    out: dict[str, Any] = {"activities": len(history.activities), "years": round(years, 1)}
    for weeks in (12, 522):
        run(weeks)  # warm-up: tables, imports
        timings = [run(weeks) for _ in range(repeat)]
        analysis = statistics.median(t[0] for t in timings)
        plan = statistics.median(t[1] for t in timings)
        out[f"weeks_{weeks}"] = {
            "analysis_s": round(analysis, 3),
            "plan_s": round(plan, 3),
            "total_s": round(analysis + plan, 3),
        }
    out["analysis_plan_s"] = max(out["weeks_12"]["total_s"], out["weeks_522"]["total_s"])
    return out


# ---------------------------------------------------------------------------------------------
# The parts of a run


def export_part(args: argparse.Namespace, cores: int) -> dict[str, Any]:
    """The export scaling table, the baselines on a sample of the 3,000 export, the ratios."""
    sizes = [args.activities] if args.activities else list(SIZES)
    exports = {n: ensure_export(n, args.seed) for n in sizes}
    scaling: list[SizeResult] = []
    for n in sizes:
        print(f"measuring {n:,} activities ...", flush=True)
        scaling.append(measure_size(exports[n], args.repeat))
    # The targets speak of the 3,000-activity export; the larger sizes are the scaling rows.
    main_size = MAIN_SIZE if MAIN_SIZE in sizes else sizes[-1]
    main_run = scaling[sizes.index(main_size)]
    out: dict[str, Any] = {"main": asdict(main_run), "scaling": [asdict(s) for s in scaling]}
    out.update(
        cold_s=round(main_run.cold_s, 3),
        warm_s=round(main_run.warm_s, 3),
        nocache_s=round(main_run.nocache_s, 3),
        peak_rss_mb=round(main_run.peak_rss_mb, 1),
        peak_tree_mb=round(main_run.peak_tree_mb, 1),
        chainfix_mb_s=round(main_run.fit_mb / main_run.cold_s, 2),
        chainfix_mb_s_per_core=round(main_run.fit_mb / main_run.cold_s / cores, 2),
    )
    if not args.no_baselines:
        print("baselines (export sample) ...", flush=True)
        base = baselines(exports[main_size], args.sample, cores)
        out["baselines"] = base
        out.update(ratios(out["chainfix_mb_s_per_core"], base))
    return out


def ratios(per_core: float, base: dict[str, Any]) -> dict[str, Any]:
    """chainfix end to end (MB/s per core) and its reader against python-fitparse."""
    fitparse = base["readers"].get("python-fitparse", {})
    reader = base["readers"].get("chainfix read_fit", {})
    if "mb_s" not in fitparse:
        return {}
    return {
        "fitparse_mb_s": fitparse["mb_s"],
        "fitdecode_mb_s": base["readers"].get("fitdecode", {}).get("mb_s"),
        "ratio_vs_fitparse": round(per_core / fitparse["mb_s"], 1),
        "ratio_reader_vs_fitparse": round(reader["mb_s"] / fitparse["mb_s"], 1),
    }


def folder_part(args: argparse.Namespace, cores: int) -> dict[str, Any]:
    """The folder of shifted real device files: cold, warm, +1, against the same fixtures."""
    root = real_dir()
    if not root.is_dir():
        print(f"note: no real fixtures at {root}; the real-folder part is skipped", flush=True)
        return {"skipped": f"no real fixtures at {root}"}
    fixtures = clean_fixtures(root)
    folder = ensure_folder(args.activities or FOLDER_SIZE, fixtures)
    print(f"measuring a folder of {folder.files:,} real device files ...", flush=True)
    out = measure_folder(folder, args.repeat)
    out["fixtures"] = len(fixtures)
    out["chainfix_mb_s_per_core"] = round(out["fit_mb"] / out["cold_s"] / cores, 2)
    if not args.no_baselines:
        print("baselines (real fixtures) ...", flush=True)
        base = reader_speeds([p.read_bytes() for p, _ in fixtures])
        out["baselines"] = base
        out.update(ratios(out["chainfix_mb_s_per_core"], base))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--activities", type=int, help="one export size, and the folder's file count"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--sample", type=int, default=30, help="FIT files for the baselines")
    parser.add_argument("--tracks", type=int, default=TRACKS, help="GPX/TCX files")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--only", choices=PARTS, action="append", help="run only this part (repeatable)"
    )
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument(
        "--markdown", action="store_true", help="also print the README's performance table"
    )
    parser.add_argument(
        "--from-json", type=Path, help="measure nothing: report a --json file of an earlier run"
    )
    parser.add_argument("--no-baselines", action="store_true", help="skip fitparse/fitdecode")
    parser.add_argument("--no-analysis", action="store_true", help="skip analysis + plan")
    parser.add_argument(
        "--no-bytecode",
        action="store_true",
        help="run the CLI without a bytecode cache (compiles chainfix on every start)",
    )
    parser.add_argument(
        "--decade", type=int, default=DECADE, help="activities of the analysis history"
    )
    args = parser.parse_args(argv)

    if args.from_json:
        result = json.loads(args.from_json.read_text())
    else:
        result = measure(args)
    print_report(result)
    if args.markdown:
        print("\n" + markdown(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str) + "\n")
    return 0


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Run the chosen parts; every number in one dictionary."""
    BYTECODE["cache"] = not args.no_bytecode
    parts = set(args.only or PARTS)
    result: dict[str, Any] = {"machine": machine(), "bytecode_cache": BYTECODE["cache"]}
    probes = result["machine"]["probe_s"] = {"start": probe_s()}
    cores = os.cpu_count() or 1
    if "startup" in parts:
        print("start-up ...", flush=True)
        result["startup"] = measure_startup()
    if "export" in parts:
        probes["export"] = probe_s()
        result.update(export_part(args, cores))
    if "folder" in parts:
        probes["folder"] = probe_s()
        result["folder"] = folder_part(args, cores)
    if "tracks" in parts:
        probes["tracks"] = probe_s()
        count = min(args.tracks, args.activities) if args.activities else args.tracks
        folder, size = ensure_tracks(count)
        print(f"measuring {count:,} GPX/TCX files ...", flush=True)
        result["tracks"] = measure_tracks(folder, size, args.repeat)
    if "export" in parts and not args.no_analysis:
        print("analysis + plan ...", flush=True)
        today = datetime.now(UTC).date()
        first = date(today.year - 11, 1, 2)  # the decade ends about a year ago
        decade = ensure_export(args.decade, args.seed, first - timedelta(days=first.weekday()))
        result["analysis"] = analysis_and_plan(decade, 5)
    probes["end"] = probe_s()
    result["machine"]["load_after"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    result["targets"] = targets(result)
    return result


if __name__ == "__main__":
    sys.exit(main())
