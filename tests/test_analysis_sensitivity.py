"""Sensitivity: does a typical runner's top priority survive noise on every coefficient?

The science README asks for this check before the coefficients are called validated. Noise is
seeded, applied to every exposure coefficient and every strength credit, and clipped to 0..1.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from personas import history, road_runner

from chainfix.analysis import AnalysisOptions, Model, analyze, load_model

DRAWS = 300


def perturbed(model: Model, rng: np.random.Generator, amount: float, relative: bool) -> Model:
    """A copy of ``model`` with every coefficient moved by up to ``amount`` (x or +)."""

    def noisy(values: tuple[float, ...]) -> tuple[float, ...]:
        v = np.asarray(values, dtype=float)
        step = rng.uniform(-amount, amount, v.shape)
        return tuple(np.clip(v * (1 + step) if relative else v + step, 0.0, 1.0))

    exposure = {
        key: {
            var: dataclasses.replace(row, coefficients=noisy(row.coefficients))
            for var, row in rows.items()
        }
        for key, rows in model.exposure.items()
    }
    families = {
        name: dataclasses.replace(f, credits=noisy(f.credits)) for name, f in model.families.items()
    }
    return dataclasses.replace(model, exposure=exposure, families=families, _family_cache={})


def stability(relative: bool, seed: int = 2025) -> tuple[str, float]:
    h = history(road_runner())
    base = load_model()
    top = analyze(h, AnalysisOptions(model=base)).ranked[0].group
    rng = np.random.default_rng(seed)
    same = sum(
        analyze(h, AnalysisOptions(model=perturbed(base, rng, 0.15, relative))).ranked[0].group
        == top
        for _ in range(DRAWS)
    )
    return top, same / DRAWS


def test_top_priority_survives_15_percent_noise() -> None:
    top, share = stability(relative=True)
    assert top == "calves"
    assert share >= 0.95, f"calves stayed on top in only {share:.1%} of draws"


@pytest.mark.xfail(
    strict=True,
    reason="measured 90 % (seed 2025, 300 draws): with +-0.15 absolute noise the hamstrings "
    "coefficient can come within reach of calves (0.55 vs 0.90 base) and overtake it; "
    "reported to the science lead",
)
def test_top_priority_survives_absolute_noise() -> None:
    top, share = stability(relative=False)
    assert share >= 0.95
