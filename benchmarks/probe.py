"""How fast this machine is right now: a fixed pure-Python workload, timed before each part.

The benchmark machine is a shared virtual machine whose speed drifts from one minute to the next;
the same code measured in a slow minute reads slower. The probe is printed beside the figures (and
kept in the ``--json`` file), so a slow phase can be told apart from a slower chainfix.
"""

from __future__ import annotations

import statistics
import time

LOOPS = 200_000


def probe_s(repeat: int = 5) -> float:
    """Median seconds of the fixed workload (lower is faster)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        _work()
        times.append(time.perf_counter() - started)
    return round(statistics.median(times), 4)


def _work() -> int:
    """Integer arithmetic, a dict of strings and a sort: what the reader's Python side does."""
    total = 0
    for i in range(LOOPS):
        total += i * i % 7
    table = {str(i): i for i in range(LOOPS // 4)}
    return total + len(sorted(table, reverse=True))
