"""Issue 16's targets, checked against one run's results; the text report and the README table."""

from __future__ import annotations

from typing import Any

MAIN_SIZE = 3000
FOLDER_SIZE = 3000
TARGETS = {
    "cold_s": 2.0,
    "ratio_vs_fitparse": 250.0,
    "folder_ratio_vs_fitparse": 200.0,
    "warm_s": 0.3,
    "version_s": 0.1,
    "help_s": 0.2,
    "plus_one_s": 0.4,
    "peak_rss_mb": 150.0,
    "tracks_warm_s": 0.3,
    "analysis_plan_s": 0.5,
}


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def targets(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each issue-16 target that was measured: its value and whether it is met."""
    t = TARGETS
    out: dict[str, dict[str, Any]] = {}

    def check(name: str, value: Any, ok: bool) -> None:
        out[name] = {"value": value, "ok": bool(ok)}

    main = result.get("main")
    if main:
        n = main["activities"]
        at = "" if n == MAIN_SIZE else f" (at {n:,})"
        check(
            f"cold export <= {t['cold_s']} s{at}", result["cold_s"], result["cold_s"] <= t["cold_s"]
        )
        ratio = result.get("ratio_vs_fitparse")
        if ratio is not None:
            name = f">= {t['ratio_vs_fitparse']:.0f}x python-fitparse/core, export{at}"
            check(name, ratio, ratio >= t["ratio_vs_fitparse"])
        check(
            f"warm export <= {t['warm_s']} s{at}", result["warm_s"], result["warm_s"] <= t["warm_s"]
        )
        scaling = result["scaling"]
        rss = max(s["peak_rss_mb"] for s in scaling)
        largest = scaling[-1]["activities"]
        check(
            f"peak RSS <= {t['peak_rss_mb']:.0f} MB, every size to {largest:,}",
            round(rss),
            rss <= t["peak_rss_mb"],
        )
    folder = result.get("folder")
    if folder and "skipped" not in folder:
        n = folder["files"]
        at = "" if n == FOLDER_SIZE else f" (at {n:,})"
        ratio = folder.get("ratio_vs_fitparse")
        if ratio is not None:
            name = f">= {t['folder_ratio_vs_fitparse']:.0f}x python-fitparse/core, folder{at}"
            check(name, ratio, ratio >= t["folder_ratio_vs_fitparse"])
        w = folder["warm_s"]
        check(f"warm real folder <= {t['warm_s']} s{at}", w, w <= t["warm_s"])
        p = folder["plus_one_s"]
        name = f"+1 activity (folder, file settled) <= {t['plus_one_s']} s{at}"
        check(name, p, p <= t["plus_one_s"])
    start = result.get("startup")
    if start:
        v, h = start["version_s"], start["help_s"]
        check(f"chainfix --version <= {t['version_s']} s", v, v <= t["version_s"])
        check(f"chainfix --help <= {t['help_s']} s", h, h <= t["help_s"])
    tracks = result.get("tracks")
    if tracks:
        w = tracks["warm_s"]
        check(f"GPX/TCX cached: warm <= {t['tracks_warm_s']} s", w, w <= t["tracks_warm_s"])
        busy = tracks["cold_busy_processes"]
        check("GPX/TCX read in the pool (busy processes)", busy, busy > 1)
    plan = result.get("analysis") or {}
    if "analysis_plan_s" in plan:
        v = plan["analysis_plan_s"]
        check(
            f"analysis + plan on 10 years <= {t['analysis_plan_s']} s", v, v <= t["analysis_plan_s"]
        )
    return out


def fmt_load(load: Any) -> str:
    return "/".join(f"{x:.2f}" for x in load) if load else "n/a"


def _readers(base: dict[str, Any], whole: bool) -> None:
    print(
        f"same {base['files']} files ({base['mb']} MB, {base['messages']:,} messages), "
        "one core, in memory:"
    )
    print(
        f"{'reader':20} {'MB/s':>8} {'k msg/s':>8}"
        + (f" {'whole export, 1 core':>21}" if whole else "")
    )
    for name, r in base["readers"].items():
        if "skipped" in r:
            print(f"{name:20} skipped: {r['skipped']}")
            continue
        tail = f" {r['whole_export_1_core_s']:>19.0f} s" if whole else ""
        print(f"{name:20} {r['mb_s']:>8.2f} {r['k_msg_s']:>8.1f}{tail}")


def print_report(result: dict[str, Any]) -> None:
    m = result["machine"]
    print(
        f"\nmachine: {m['nproc']} cores, {m['cpu']}, Python {m['python']}, chainfix "
        f"{m['chainfix']}; load average before {fmt_load(m['load_before'])}, "
        f"after {fmt_load(m['load_after'])}; CLI from "
        f"{'compiled bytecode' if result['bytecode_cache'] else 'source (no bytecode cache)'}"
    )
    probes = m.get("probe_s")
    if probes:  # runs before this probe have none
        shown = ", ".join(f"{part} {seconds:.3f}" for part, seconds in probes.items())
        print(f"machine speed probe, s (lower is faster; see benchmarks/probe.py): {shown}")
    if result.get("main"):
        print("\nGarmin export (zip), chainfix analyze EXPORT -q:")
        print(
            f"{'activities':>10} {'FIT MB':>7} {'no-cache s':>10} {'cold s':>7} {'warm s':>7} "
            f"{'cold ms/act':>11} {'peak RSS MB':>11} {'tree MB':>8}"
        )
        for s in result["scaling"]:
            print(
                f"{s['activities']:>10,} {s['fit_mb']:>7.0f} {s['nocache_s']:>10.2f} "
                f"{s['cold_s']:>7.2f} {s['warm_s']:>7.2f} "
                f"{1000 * s['cold_s'] / s['activities']:>11.2f} {s['peak_rss_mb']:>11.0f} "
                f"{s['peak_tree_mb']:>8.0f}"
            )
        if len(result["scaling"]) > 1:
            first, last = result["scaling"][0], result["scaling"][-1]
            per_k = (last["peak_rss_mb"] - first["peak_rss_mb"]) / (
                (last["activities"] - first["activities"]) / 1000
            )
            print(
                f"peak RSS grows {per_k:.1f} MB per 1,000 activities "
                f"({first['activities']:,} -> {last['activities']:,}): the history held in memory"
                " and the cache entries written at the end of a cold run"
            )
        base = result.get("baselines")
        if base:
            print()
            _readers(base, whole=True)
            print(
                f"chainfix end to end (cold CLI): {result['chainfix_mb_s']:.1f} MB/s, "
                f"{result['chainfix_mb_s_per_core']:.1f} MB/s per core = "
                f"{result['ratio_vs_fitparse']:.0f}x python-fitparse per core "
                f"(reader alone: {result['ratio_reader_vs_fitparse']:.0f}x)"
            )
        print(
            "+1 activity: a new export is a new zip, so adding one activity is measured on the "
            "real folder below."
        )
    folder = result.get("folder")
    if folder:
        print("\nplain folder of real device files (shifted copies), chainfix analyze FOLDER -q:")
        if "skipped" in folder:
            print(f"  skipped: {folder['skipped']}")
        else:
            print(
                f"  {folder['files']:,} files ({folder['fixtures']} fixtures), "
                f"{folder['activities']:,} activities, {folder['fit_mb']:.0f} MB: cold "
                f"{folder['cold_s']:.2f} s, warm {folder['warm_s']:.2f} s, +1 new file "
                f"{folder['plus_one_s']:.2f} s settled{_just_written(folder)}, "
                f"peak RSS {folder['peak_rss_mb']:.0f} MB"
            )
            base = folder.get("baselines")
            if base:
                _readers(base, whole=False)
                print(
                    f"chainfix end to end (cold CLI): {folder['chainfix_mb_s_per_core']:.1f} MB/s "
                    f"per core = {folder['ratio_vs_fitparse']:.0f}x python-fitparse per core "
                    f"(reader alone: {folder['ratio_reader_vs_fitparse']:.0f}x)"
                )
    tracks = result.get("tracks")
    if tracks:
        print(
            f"\nGPX/TCX folder: {tracks['files']} files, {tracks['mb']:.0f} MB: cold "
            f"{tracks['cold_s']:.2f} s ({tracks['cold_busy_processes']} busy of "
            f"{tracks['cold_processes']} processes), warm {tracks['warm_s']:.2f} s "
            f"({tracks['cold_s'] / tracks['warm_s']:.1f}x faster)"
        )
    start = result.get("startup")
    if start:
        print(
            f"\nstart-up (median of {len(start['version_runs'])}): chainfix --version "
            f"{start['version_s']:.3f} s, chainfix --help {start['help_s']:.3f} s"
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
    probes = m.get("probe_s") or {}
    speed = ""
    if "end" in probes:
        speed = f"; speed probe {probes['start']:.3f} -> {probes['end']:.3f} s"
    print(f"\ntargets (load average after: {fmt_load(m['load_after'])}{speed}):")
    for name, check in result["targets"].items():
        print(f"  {name:52} {check['value']!s:>8}  {verdict(check['ok'])}")


def _s(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds >= 1 else f"{seconds:.2f} s"


def _just_written(folder: dict[str, Any]) -> str:
    """The +1 run on a file just written (runs of earlier versions measured only that one)."""
    seconds = folder.get("plus_one_just_written_s")
    return "" if seconds is None else f"; {_s(seconds)} when run right after it is written"


def markdown(result: dict[str, Any]) -> str:
    """The README's "Performance" table (and the other inputs' figures) from one run."""
    m = result["machine"]
    lines = [
        f"<!-- benchmarks/ingest.py: {m['nproc']} cores, {m['cpu']}, Python {m['python']}, "
        f"load average {fmt_load(m['load_before'])} -> {fmt_load(m['load_after'])} -->",
        "",
        "| Activities | FIT data | First run (empty cache) | Later runs (cached) | Peak memory |",
        "|-----------:|---------:|------------------------:|--------------------:|------------:|",
    ]
    for s in result.get("scaling", []):
        lines.append(
            f"| {s['activities']:<10,} | {s['fit_mb']:>4.0f} MB | {_s(s['cold_s']):>23} | "
            f"{_s(s['warm_s']):>19} | {s['peak_rss_mb']:>8.0f} MB |"
        )
    rows = []
    folder = result.get("folder")
    if folder and "skipped" not in folder:
        rows.append(
            f"| Folder of {folder['files']:,} real device files | {_s(folder['cold_s'])} | "
            f"{_s(folder['warm_s'])} | {_s(folder['plus_one_s'])}{_just_written(folder)} |"
        )
    tracks = result.get("tracks")
    if tracks:
        rows.append(
            f"| Folder of {tracks['files']:,} GPX/TCX files | {_s(tracks['cold_s'])} | "
            f"{_s(tracks['warm_s'])} | |"
        )
    if rows:
        lines += [
            "",
            "| Input | First run | Later runs | One new activity |",
            "|-------|----------:|-----------:|-----------------:|",
            *rows,
        ]
    start = result.get("startup")
    if start:
        lines += [
            "",
            f"`chainfix --version` takes {_s(start['version_s'])}, `chainfix --help` "
            f"{_s(start['help_s'])}.",
        ]
    if "ratio_vs_fitparse" in result:
        text = (
            f"End to end, {result['ratio_vs_fitparse']:.0f}x python-fitparse per core on the export"
        )
        if folder and "ratio_vs_fitparse" in folder:
            text += f" and {folder['ratio_vs_fitparse']:.0f}x on the folder of real device files"
        lines += ["", text + "."]
    return "\n".join(lines)
