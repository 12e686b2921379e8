"""How fast ``chainfix analyze`` reads a decade of history, against the issue's targets.

    python benchmarks/ingest.py [--activities N] [--json FILE] [--repeat 3] [--sample 30]

Generates (once; reused by parameters and generator code) a Garmin export of one-hour 1 Hz
activities with :func:`chainfix_synth.bench.big_export` in a cache folder outside the repository
(``$CHAINFIX_BENCH_DIR``, else ``<tmp>/chainfix-bench``), then measures in one run:

* **chainfix, end to end**: the real CLI (``chainfix analyze EXPORT -q``) as a subprocess, so
  interpreter start, imports, ingest, analysis and report all count: ``--no-cache``; a real cold
  run with an empty ``CHAINFIX_HOME``; and the warm run after it. Medians of ``--repeat`` runs,
  after one unmeasured warm-up. The CLI runs from compiled bytecode, as an installed package does
  (a ``PYTHONPYCACHEPREFIX`` beside the exports, even under ``PYTHONDONTWRITEBYTECODE``);
  ``--no-bytecode`` measures compiling chainfix's modules on every start instead.
* **Peak RSS** of every process of the run (CLI, forkserver, decoder workers): the largest single
  process (``os.wait4`` maxrss and /proc samples) and the largest sum over the process tree.
* **Baselines** on ``--sample`` FIT files of the same export, in this process, one core:
  python-fitparse full decode and fitdecode (strict CRC), every value of every message; plus
  chainfix's ``read_fit`` on the same files. MB/s, messages/s, extrapolated to the whole export.
* **Scaling**: cold and warm time and peak RSS at 300, 1,000 and 3,000 activities
  (``--activities N``: that size only).
* **Analysis and plan** on ten years of history (3,650 activities) after ingest, when
  ``chainfix.analysis.analyze`` and ``chainfix.planning.make_plan`` import.

Targets (printed as met / not met): cold ``chainfix analyze`` of 3,000 activities <= 5 s wall;
>= 100x python-fitparse throughput per core; warm <= 1 s; peak RSS <= 300 MB and flat as the
history grows; analysis and plan on ten years <= 0.5 s. Timings on a shared machine are noisy:
the load average is printed with the results.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from baselines import fitdecode_full, fitparse_full

import chainfix

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from chainfix_synth.bench import bench_persona, big_export  # noqa: E402
from chainfix_synth.garmin_export import write_export  # noqa: E402

SIZES = (300, 1000, 3000)
MAIN_SIZE = 3000
DECADE = 3650
TARGETS = {"ratio_vs_fitparse": 100.0, "peak_rss_mb": 300.0, "analysis_plan_s": 0.5}
FLAT_GROWTH = 1.25
"""Peak RSS counts as flat when the biggest history needs at most this much of the smallest's."""
MB = 1e6


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


def bench_dir() -> Path:
    root = os.environ.get("CHAINFIX_BENCH_DIR")
    path = Path(root) if root else Path(tempfile.gettempdir()) / "chainfix-bench"
    path.mkdir(parents=True, exist_ok=True)
    return path


def generator_fingerprint() -> str:
    """A hash of the generator's code: a changed generator writes new exports."""
    digest = hashlib.sha256(chainfix.__version__.encode())
    synth = Path(__file__).resolve().parents[1] / "tests" / "chainfix_synth"
    for file in sorted(synth.glob("*.py")):
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:10]


@dataclass(slots=True)
class Export:
    path: Path
    activities: int
    fit_bytes: int
    zip_bytes: int
    generated_s: float | None = None


def ensure_export(activities: int, seed: int, start: date | None = None) -> Export:
    """The benchmark export for these parameters, written once and reused.

    ``start``: the first day (default: :func:`big_export`'s). One activity a day, so a decade
    needs a start ten years back for every activity to lie in the past.
    """
    since = f"-from{start:%Y%m%d}" if start else ""
    stem = f"export-{activities}a-seed{seed}{since}-1hz-{generator_fingerprint()}"
    path = bench_dir() / f"{stem}.zip"
    meta = path.with_suffix(".json")
    if path.is_file() and meta.is_file():
        info = json.loads(meta.read_text())
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
    partial.replace(path)
    info = {"activities": manifest.expected_activity_count, "fit_bytes": manifest.bytes_fit}
    meta.write_text(json.dumps(info))
    return Export(path, info["activities"], info["fit_bytes"], path.stat().st_size, seconds)


# ---------------------------------------------------------------------------------------------
# Running the CLI


def cli_command() -> list[str]:
    """The installed ``chainfix`` console script (so its start-up counts), else ``-m``."""
    script = Path(sys.executable).with_name("chainfix")
    if script.is_file():
        return [str(script)]
    found = shutil.which("chainfix")
    return [found] if found else [sys.executable, "-m", "chainfix"]


def _children(pid: int) -> list[int]:
    out: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError):
                text = Path(f"/proc/{pid}/task/{task}/children").read_text()
                out.extend(int(c) for c in text.split())
    return out


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


class TreeSampler:
    """Samples the RSS of a process and all its descendants (Linux /proc) in a thread."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid, self.interval = pid, interval
        self.max_single = 0
        self.max_total = 0
        self.processes = 1
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeSampler:
        if Path("/proc/self/statm").exists():
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            pids, todo = [], [self.pid]
            while todo:
                pid = todo.pop()
                pids.append(pid)
                todo.extend(_children(pid))
            sizes = [_rss(p) for p in pids]
            self.processes = max(self.processes, len(pids))
            self.max_single = max(self.max_single, *sizes)
            self.max_total = max(self.max_total, sum(sizes))
            self._stop.wait(self.interval)


@dataclass(slots=True)
class Run:
    seconds: float
    code: int
    peak_rss_mb: float
    """The largest single process: os.wait4 maxrss of the CLI, or any sampled process."""
    peak_tree_mb: float
    """The largest sampled sum over the whole process tree (counts shared pages twice)."""


BYTECODE = {"cache": True}
"""Whether the CLI runs with compiled bytecode (``--no-bytecode`` turns it off)."""


def run_cli(args: list[str], home: Path) -> Run:
    """Run ``chainfix ARGS`` with ``CHAINFIX_HOME=home``: wall time, exit code, memory.

    Like an installed package, chainfix runs from compiled bytecode: kept in a prefix folder
    beside the exports (never in the repository), even where ``PYTHONDONTWRITEBYTECODE`` is set.
    """
    env = dict(os.environ, CHAINFIX_HOME=str(home))
    env.pop("CHAINFIX_LOAD_PLUGINS", None)
    if BYTECODE["cache"]:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(bench_dir() / "pycache")
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*cli_command(), *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    with TreeSampler(proc.pid) as sampler:
        assert proc.stderr is not None
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 3):
        raise RuntimeError(f"chainfix {' '.join(args)} exited {proc.returncode}: {err.decode()}")
    maxrss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    return Run(
        seconds,
        proc.returncode,
        max(maxrss, sampler.max_single) / MB,
        max(maxrss, sampler.max_total) / MB,
    )


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
    with tempfile.TemporaryDirectory(prefix="chainfix-bench-home-") as home:
        run_cli([*args, "--no-cache"], Path(home))  # warm-up: .pyc files, the page cache
    cold: list[Run] = []
    warm: list[Run] = []
    plain: list[Run] = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="chainfix-bench-home-") as home:
            if nocache:
                plain.append(run_cli([*args, "--no-cache"], Path(home)))
            cold.append(run_cli(args, Path(home)))
            warm.append(run_cli(args, Path(home)))
            warm.append(run_cli(args, Path(home)))
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


def chainfix_read(data: bytes) -> int:
    from chainfix.fit import read_fit
    from chainfix.model import Origin

    return len(read_fit(data, Origin("bench.fit"), "bench").activities)


def time_reader(func: Callable[[bytes], object], files: list[bytes], passes: int) -> float:
    func(files[0])  # imports, profile tables
    times = []
    for _ in range(passes):
        started = time.perf_counter()
        for data in files:
            func(data)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def baselines(export: Export, count: int, cores: int) -> dict[str, Any]:
    """MB/s and messages/s of each reader on the same sample, one core, and extrapolations."""
    files = sample_files(export, count)
    size = sum(map(len, files))
    messages = sum(fitdecode_full(f) for f in files)
    out: dict[str, Any] = {
        "files": len(files),
        "mb": round(size / MB, 2),
        "messages": messages,
        "readers": {},
    }
    readers: list[tuple[str, Callable[[bytes], object], int]] = [
        ("chainfix read_fit", chainfix_read, 5),
        ("python-fitparse", fitparse_full, 1),
        ("fitdecode", fitdecode_full, 1),
    ]
    for name, func, passes in readers:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                seconds = time_reader(func, files, passes)
            except ImportError as exc:
                out["readers"][name] = {"skipped": str(exc)}
                continue
        mb_s = size / seconds / MB
        whole = export.fit_bytes / MB / mb_s
        out["readers"][name] = {
            "seconds": round(seconds, 3),
            "mb_s": round(mb_s, 3),
            "k_msg_s": round(messages / seconds / 1e3, 1),
            "whole_export_1_core_s": round(whole, 1),
            f"whole_export_{cores}_cores_s": round(whole / cores, 1),
        }
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

    with tempfile.TemporaryDirectory(prefix="chainfix-bench-home-") as home:
        os.environ["CHAINFIX_HOME"] = home
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
# Report


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def targets(result: dict[str, Any], scaling: list[SizeResult]) -> dict[str, dict[str, Any]]:
    """Each target with the measured value and whether it is met."""
    main = result["main"]
    at = "" if main["activities"] == MAIN_SIZE else f" (at {main['activities']:,} activities)"
    out: dict[str, dict[str, Any]] = {}

    def check(name: str, value: float, ok: bool) -> None:
        out[name] = {"value": value, "ok": ok}

    check(f"cold chainfix analyze <= 5 s{at}", result["cold_s"], result["cold_s"] <= 5.0)
    check("warm chainfix analyze <= 1 s", result["warm_s"], result["warm_s"] <= 1.0)
    ratio = result.get("ratio_vs_fitparse")
    if ratio is not None:
        check(">= 100x python-fitparse per core", ratio, ratio >= TARGETS["ratio_vs_fitparse"])
    rss = result["peak_rss_mb"]
    check("peak RSS <= 300 MB", rss, rss <= TARGETS["peak_rss_mb"])
    if len(scaling) > 1:
        growth = round(scaling[-1].peak_rss_mb / scaling[0].peak_rss_mb, 2)
        name = f"peak RSS flat ({scaling[0].activities:,} -> {scaling[-1].activities:,}, x)"
        check(name, growth, growth <= FLAT_GROWTH)
    plan = result.get("analysis") or {}
    if "analysis_plan_s" in plan:
        value = plan["analysis_plan_s"]
        check("analysis + plan on 10 years <= 0.5 s", value, value <= TARGETS["analysis_plan_s"])
    return out


def print_report(result: dict[str, Any], scaling: list[SizeResult]) -> None:
    m = result["machine"]
    print(
        f"\nmachine: {m['nproc']} cores, {m['cpu']}, Python {m['python']}, "
        f"load average before {fmt_load(m['load_before'])}, after {fmt_load(m['load_after'])}"
    )
    main = result["main"]
    print(
        f"export: {main['activities']:,} activities, {main['fit_mb']:.0f} MB of FIT "
        f"({main['zip_mb']:.0f} MB zip); CLI from "
        f"{'compiled bytecode' if result['bytecode_cache'] else 'source (no bytecode cache)'}\n"
    )
    print(
        f"{'activities':>10} {'FIT MB':>7} {'no-cache s':>10} {'cold s':>7} {'warm s':>7} "
        f"{'cold ms/act':>11} {'peak RSS MB':>11} {'tree MB':>8}"
    )
    for s in scaling:
        print(
            f"{s.activities:>10,} {s.fit_mb:>7.0f} {s.nocache_s:>10.2f} {s.cold_s:>7.2f} "
            f"{s.warm_s:>7.2f} {1000 * s.cold_s / s.activities:>11.2f} {s.peak_rss_mb:>11.0f} "
            f"{s.peak_tree_mb:>8.0f}"
        )
    base = result.get("baselines")
    if base:
        print(
            f"\nsame {base['files']} files ({base['mb']} MB, {base['messages']:,} messages), "
            "one core, in memory:"
        )
        print(f"{'reader':20} {'MB/s':>8} {'k msg/s':>8} {'whole export, 1 core':>21}")
        for name, r in base["readers"].items():
            if "skipped" in r:
                print(f"{name:20} skipped: {r['skipped']}")
                continue
            print(
                f"{name:20} {r['mb_s']:>8.2f} {r['k_msg_s']:>8.1f} "
                f"{r['whole_export_1_core_s']:>19.0f} s"
            )
        print(
            f"chainfix end to end (cold CLI): {result['chainfix_mb_s']:.1f} MB/s, "
            f"{result['chainfix_mb_s_per_core']:.1f} MB/s per core = "
            f"{result['ratio_vs_fitparse']:.0f}x python-fitparse per core "
            f"(reader alone: {result['ratio_reader_vs_fitparse']:.0f}x)"
        )
    plan = result.get("analysis")
    if plan:
        if "skipped" in plan:
            print(f"\nanalysis + plan: skipped ({plan['skipped']})")
        else:
            print(
                f"\nanalysis + plan after ingest, {plan['activities']:,} activities over "
                f"{plan['years']} years:"
            )
            for weeks in (12, 522):
                w = plan[f"weeks_{weeks}"]
                print(
                    f"  --weeks {weeks:>3}: analysis {w['analysis_s']:.3f} s + plan "
                    f"{w['plan_s']:.3f} s = {w['total_s']:.3f} s"
                )
    print("\ntargets:")
    for name, check in result["targets"].items():
        print(f"  {name:48} {check['value']!s:>8}  {verdict(check['ok'])}")


def fmt_load(load: Any) -> str:
    return "/".join(f"{x:.2f}" for x in load) if load else "n/a"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, help="one export size only (default: scaling)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--sample", type=int, default=30, help="FIT files for the baselines")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the results to this file")
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

    BYTECODE["cache"] = not args.no_bytecode
    result: dict[str, Any] = {"machine": machine(), "bytecode_cache": BYTECODE["cache"]}
    sizes = [args.activities] if args.activities else list(SIZES)
    exports = {n: ensure_export(n, args.seed) for n in sizes}
    cores = os.cpu_count() or 1
    scaling: list[SizeResult] = []
    for n in sizes:
        print(f"measuring {n:,} activities ...", flush=True)
        scaling.append(measure_size(exports[n], args.repeat))
    main_run = scaling[-1]
    result["main"] = asdict(main_run)
    result["scaling"] = [asdict(s) for s in scaling]
    result.update(
        cold_s=round(main_run.cold_s, 3),
        warm_s=round(main_run.warm_s, 3),
        nocache_s=round(main_run.nocache_s, 3),
        peak_rss_mb=round(main_run.peak_rss_mb, 1),
        peak_tree_mb=round(main_run.peak_tree_mb, 1),
        chainfix_mb_s=round(main_run.fit_mb / main_run.cold_s, 2),
        chainfix_mb_s_per_core=round(main_run.fit_mb / main_run.cold_s / cores, 2),
    )
    if not args.no_baselines:
        print("baselines ...", flush=True)
        base = baselines(exports[sizes[-1]], args.sample, cores)
        result["baselines"] = base
        fitparse = base["readers"].get("python-fitparse", {})
        reader = base["readers"].get("chainfix read_fit", {})
        if "mb_s" in fitparse:
            result["fitparse_mb_s"] = fitparse["mb_s"]
            result["fitdecode_mb_s"] = base["readers"].get("fitdecode", {}).get("mb_s")
            result["ratio_vs_fitparse"] = round(
                result["chainfix_mb_s_per_core"] / fitparse["mb_s"], 1
            )
            result["ratio_reader_vs_fitparse"] = round(reader["mb_s"] / fitparse["mb_s"], 1)
    if not args.no_analysis:
        print("analysis + plan ...", flush=True)
        today = datetime.now(UTC).date()
        first = date(today.year - 11, 1, 2)  # the decade ends about a year ago
        decade = ensure_export(args.decade, args.seed, first - timedelta(days=first.weekday()))
        result["analysis"] = analysis_and_plan(decade, 5)
    result["machine"]["load_after"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    result["targets"] = targets(result, scaling)
    print_report(result, scaling)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
