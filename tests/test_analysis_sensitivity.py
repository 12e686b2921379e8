"""Sensitivity: the stability gate of the science reference (section 2 ruling, Dec 2026).

Noise is seeded, applied to every exposure coefficient and every strength credit, and clipped to
0..1. Calves, hamstrings and glute max are one tier for runners: under +-15 % multiplicative noise
the top priority is in that tier in >= 95 % of draws, no back group or glute med is ever top, and
the original top stays in the top two in >= 95 %. Additive +-0.15 noise moves small coefficients
by over 100 %; it is reported as a stress figure, not a gate.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from personas import history, road_runner, trail_runner

from chainfix.analysis import AnalysisOptions, Model, analyze, load_model
from chainfix.planning import AthleteProfile, make_plan, plan_to_dict

DRAWS = 300
TIER = {"calves", "hamstrings", "glute_max"}
NEVER_TOP = {"lower_back", "upper_back", "glute_med"}


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


def draws(relative: bool, runner: str = "road", seed: int = 2025) -> dict[str, float]:
    """Shares of draws: top in the tier, top never a back group/glute med, original top in top 2."""
    h = history(road_runner() if runner == "road" else trail_runner())
    base = load_model()
    original = analyze(h, AnalysisOptions(model=base)).ranked[0].group
    rng = np.random.default_rng(seed)
    tier = banned = kept = 0
    for _ in range(DRAWS):
        ranked = analyze(h, AnalysisOptions(model=perturbed(base, rng, 0.15, relative))).ranked
        tier += ranked[0].group in TIER
        banned += ranked[0].group in NEVER_TOP
        kept += original in {m.group for m in ranked[:2]}
    return {"tier": tier / DRAWS, "banned": banned / DRAWS, "kept": kept / DRAWS}


def test_runner_top_priority_passes_the_stability_gate() -> None:
    for runner in ("road", "trail"):
        shares = draws(relative=True, runner=runner)
        assert shares["tier"] >= 0.95, (runner, shares)
        assert shares["banned"] == 0, (runner, shares)
        assert shares["kept"] >= 0.95, (runner, shares)


def test_additive_noise_is_reported_as_a_stress_figure(record_property) -> None:  # noqa: ANN001
    shares = draws(relative=False)
    record_property("additive_noise_tier_share", shares["tier"])
    record_property("additive_noise_kept_share", shares["kept"])
    print(f"stress (+-0.15 additive): {shares}")  # a figure for the report, not a gate
    assert 0 <= shares["tier"] <= 1


def fast_hilly_runner(weeks: int = 12) -> list:
    """Fast hilly trail runs: hamstrings and glute max come within 0.1 of the calves."""
    from personas import days, run

    out = []
    for d in days(weeks):
        wd = d.weekday()
        if wd in (1, 3):
            out.append(run(d, 60, 15, 250, 250, "trail"))
        elif wd == 5:
            out.append(run(d, 150, 26, 1200, 1200, "trail"))
        elif wd == 0:
            out.append(run(d, 45, 12, 50, 50))
    return out


def test_a_near_tie_says_all_three_and_opens_with_calf_and_hip_extension() -> None:
    h = history(fast_hilly_runner())
    a = analyze(h)
    top = a.ranked[:3]
    assert {m.group for m in top} == TIER
    assert top[0].priority - top[2].priority <= 0.1
    assert any("all three need work" in e for e in a.explanations)
    from personas import END

    plan = plan_to_dict(make_plan(h, a, AthleteProfile(), END, 4))
    first = min(plan["sessions"], key=lambda s: s["date"])
    from test_planning_support import pattern_of

    pats = [pattern_of(x["exercise_id"]) for x in first["steps"]]
    assert "calves" in pats and "hinge_hip_extension" in pats, pats
