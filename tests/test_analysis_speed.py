"""Analysis speed: ten years of history (about 3,500 activities) in well under half a second."""

from __future__ import annotations

import random
import time
from datetime import timedelta

from personas import END, HINGE_DAY, activity, history, lift, run

from chainfix.analysis import AnalysisOptions, analyze


def ten_years() -> list:
    rng = random.Random(10)
    first = END - timedelta(days=3650)
    acts = []
    for i in range(3650):
        d = first + timedelta(days=i)
        if rng.random() > 0.96:
            continue
        if d.weekday() in (1, 4):
            acts.append(lift(d, HINGE_DAY + [("unknown", None, 2), ("push_up", None, 3)]))
        elif d.weekday() == 6:
            acts.append(activity("cycling", "road", d, 120, km=55))
        else:
            km = rng.uniform(6, 18)
            acts.append(
                run(
                    d,
                    km * 5.5,
                    km,
                    rng.uniform(0, 400),
                    rng.uniform(0, 400),
                    rng.choice(["generic", "street", "trail"]),
                    hour=rng.uniform(5, 21),
                )
            )
    return acts[:3500]


def test_ten_years_under_half_a_second() -> None:
    h = history(ten_years())
    assert len(h) >= 3400
    analyze(h)  # warm caches (tables, imports)
    for opts in (AnalysisOptions(), AnalysisOptions(weeks=522)):
        best = min(_timed(h, opts) for _ in range(3))
        assert best < 0.5, f"{best:.3f} s for {len(h)} activities ({opts.weeks} weeks)"


def _timed(h, opts) -> float:  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    analyze(h, opts)
    return time.perf_counter() - t
