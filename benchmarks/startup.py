"""Start-up: ``chainfix --version`` and ``chainfix --help``, the real console script."""

from __future__ import annotations

import statistics
from typing import Any

from clirun import fresh_home, run_cli

RUNS = 9


def measure_startup(runs: int = RUNS) -> dict[str, Any]:
    """Medians of ``runs`` runs of each (after one unmeasured run), same env as the others."""
    out: dict[str, Any] = {}
    with fresh_home() as home:
        for name, args in (("version", ["--version"]), ("help", ["--help"])):
            run_cli(args, home)
            times = [run_cli(args, home).seconds for _ in range(runs)]
            out[f"{name}_s"] = round(statistics.median(times), 3)
            out[f"{name}_runs"] = [round(t, 3) for t in times]
    return out
