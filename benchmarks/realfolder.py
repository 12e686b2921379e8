"""A plain folder of real device files: the real fixtures copied with shifted timestamps.

Only fixtures that chainfix reads as activities without any problem are copied (decided by running
``chainfix.fit.read_fit`` on each). Copy ``i`` is fixture ``i % n`` moved back by
``i // n + 1`` days (:mod:`fitshift`), so every copy is a distinct activity. The folder is written
once into the bench folder and reused while the fixtures and this code are unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clirun import Run, bench_dir, check_read, fresh_home, median_s, run_cli, seconds_list
from fitshift import TimePlan

DAY_S = 86_400
"""The shift between rounds of copies (a multiple of 32 s, as compressed timestamps need)."""
EXTRA_NAME = "zz-new-activity.fit"
SETTLE_S = 2.5
"""How long a new file waits before the settled +1 run: past chainfix's racy window (2 s)."""


def real_dir() -> Path:
    """``$CHAINFIX_REAL_FIXTURES``, else ``../shared/fixtures/real`` from the repository root."""
    env = os.environ.get("CHAINFIX_REAL_FIXTURES")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared/fixtures/real"


def clean_fixtures(root: Path) -> list[tuple[Path, int]]:
    """(file, activities) of each real FIT file chainfix reads as activities with no problem."""
    from chainfix.fit import read_fit
    from chainfix.model import Origin

    out = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix.lower() == ".fit":
            read = read_fit(path.read_bytes(), Origin(str(path)))
            if read.activities and not read.problems:
                out.append((path, len(read.activities)))
    return out


@dataclass(slots=True)
class Folder:
    path: Path
    files: int
    fit_bytes: int
    activities: int
    extra: bytes
    """One more distinct activity (the next copy), for the +1 measurement of a file just written."""
    extra_settled: bytes
    """Another (the copy after it), for the +1 measurement of a file older than the racy window."""


def _copy(plans: list[TimePlan], index: int) -> bytes:
    return plans[index % len(plans)].shifted(-(index // len(plans) + 1) * DAY_S)


def ensure_folder(count: int, fixtures: list[tuple[Path, int]]) -> Folder:
    """The folder of ``count`` shifted copies, written once (and checked by reading it)."""
    digest = hashlib.sha256()
    for file in (Path(__file__), Path(__file__).with_name("fitshift.py")):
        digest.update(file.read_bytes())
    for path, _ in fixtures:
        digest.update(path.name.encode() + path.read_bytes())
    target = bench_dir() / f"realfolder-{count}f-{digest.hexdigest()[:10]}"
    plans = [TimePlan.of(p.read_bytes()) for p, _ in fixtures]
    meta = target.with_suffix(".json")
    if not (target.is_dir() and meta.is_file()):
        print(f"writing {count:,} shifted real FIT files -> {target} ...", flush=True)
        partial = target.with_name(target.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        size = 0
        for i in range(count):
            data = _copy(plans, i)
            size += len(data)
            (partial / f"{i:05d}-{fixtures[i % len(fixtures)][0].name}").write_bytes(data)
        expected = sum(fixtures[i % len(fixtures)][1] for i in range(count))
        check_read(partial, expected)
        partial.rename(target)
        meta.write_text(json.dumps({"files": count, "fit_bytes": size, "activities": expected}))
    info = json.loads(meta.read_text())
    return Folder(
        target,
        info["files"],
        info["fit_bytes"],
        info["activities"],
        _copy(plans, count),
        _copy(plans, count + 1),
    )


def measure_folder(folder: Folder, repeat: int) -> dict[str, Any]:
    """Cold (empty cache), warm (nothing changed) and +1: one new file after a warm run.

    +1 is measured twice, each time with a file the cache has never seen. *Settled*, the usual
    case (a file synced from the watch, analysed a few seconds later or more), is the target:
    the file is older than the racy window (``RACY_NS``), so the run also adds it to the folder's
    index and remembers the new history. *Just written*: the run starts right after the file is
    written, so the file stays out of the index and the history is not remembered (nothing is
    written but the file's own entry)."""
    args = ["analyze", str(folder.path), "-q"]
    extra = folder.path / EXTRA_NAME
    extra.unlink(missing_ok=True)  # left by a stopped run: the folder holds only its copies
    with fresh_home() as home:
        run_cli([*args, "--no-cache"], home)  # warm-up: .pyc files, the page cache
    cold: list[Run] = []
    warm: list[Run] = []
    plus_one: list[Run] = []
    just_written: list[Run] = []
    for _ in range(repeat):
        with fresh_home() as home:
            cold.append(run_cli(args, home))
            warm += [run_cli(args, home), run_cli(args, home)]
            extra.write_bytes(folder.extra)
            try:
                just_written.append(run_cli(args, home))
            finally:
                extra.unlink()
            extra.write_bytes(folder.extra_settled)
            try:
                time.sleep(SETTLE_S)
                plus_one.append(run_cli(args, home))
            finally:
                extra.unlink()
    every = cold + warm + plus_one + just_written
    return {
        "files": folder.files,
        "activities": folder.activities,
        "fit_mb": round(folder.fit_bytes / 1e6, 1),
        "cold_s": round(median_s(cold), 3),
        "warm_s": round(median_s(warm), 3),
        "plus_one_s": round(median_s(plus_one), 3),
        "plus_one_just_written_s": round(median_s(just_written), 3),
        "peak_rss_mb": round(max(r.peak_rss_mb for r in every), 1),
        "runs": {
            "cold_s": seconds_list(cold),
            "warm_s": seconds_list(warm),
            "plus_one_s": seconds_list(plus_one),
            "plus_one_just_written_s": seconds_list(just_written),
        },
    }
