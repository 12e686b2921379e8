"""Self-tests (science section 5): results, what they mean for the plan, and their storage.

Screens, never diagnoses. Each result maps, through ``data/assessment.toml``, to starting ladder
steps (and, for a failed single-leg glute bridge, the beginner level); a unilateral test at least
15 % worse on one side is flagged and gives that side an extra set. Results are stored with their
date in ``<user dir>/assessments.json``; what they mean is worked out again on every load, so a
coach's change to the rules applies to old results too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from chainfix.atomic import write_atomic
from chainfix.errors import DataFileError, UsageError
from chainfix.paths import assessments_path
from chainfix.planning.assessment_rules import AssessmentRules, Outcome, load_assessment_rules

BRIDGE_RESULTS: tuple[str, ...] = ("30", "10", "fail")
"""Single-leg glute bridge answers: steady 30 s, steady 10 s only, or failed."""
_BRIDGE_SECONDS = {"30": 30.0, "10": 10.0, "fail": 0.0}


@dataclass(frozen=True, slots=True)
class SelfTestResults:
    """What the athlete entered. ``None`` means skipped."""

    date: date
    bridge_left: str | None = None
    bridge_right: str | None = None
    pelvis_drop: bool | None = None
    """True when the hips dropped or rotated in the bridge test (a failed pelvic-level test)."""
    heel_raise_left: int | None = None
    heel_raise_right: int | None = None
    sorensen_s: float | None = None
    """Sørensen hold in seconds; 0 = could not hold the start position, or it hurt."""
    hamstring_bridge_left: int | None = None
    hamstring_bridge_right: int | None = None

    def __post_init__(self) -> None:
        for side in (self.bridge_left, self.bridge_right):
            if side is not None and side not in BRIDGE_RESULTS:
                raise UsageError(
                    f"bridge result {side!r} must be one of {', '.join(BRIDGE_RESULTS)}"
                )
        for name in (
            "heel_raise_left",
            "heel_raise_right",
            "hamstring_bridge_left",
            "hamstring_bridge_right",
        ):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= 500:
                raise UsageError(f"{name.replace('_', ' ')}: {value} reps is not plausible")
        if self.sorensen_s is not None and not 0 <= self.sorensen_s <= 3600:
            raise UsageError(f"Sørensen hold of {self.sorensen_s} s is not plausible")

    @property
    def empty(self) -> bool:
        values = asdict(self)
        values.pop("date")
        return all(v is None for v in values.values())


@dataclass(frozen=True, slots=True)
class SideFlag:
    """A unilateral test clearly worse on one side."""

    test: str
    ladder: str
    weaker: str
    """``left`` or ``right``."""
    difference: float
    """(better - worse) / better, 0..1."""


@dataclass(frozen=True)
class Assessment:
    """What a set of results means for the plan."""

    results: SelfTestResults
    level: str | None
    """``beginner`` when a screen says so (failed bridge), else None (no limit)."""
    start_steps: Mapping[str, int]
    """Ladder -> starting step; the lowest step wins when several tests name a ladder."""
    low_ladders: tuple[str, ...]
    """Ladders whose test gave a low score (their groups' priority x1.25)."""
    side_flags: tuple[SideFlag, ...]
    flags: tuple[str, ...]
    """Pattern flags such as ``hip_abduction`` (hips dropped in the bridge test)."""
    retest_on: date
    explanations: tuple[str, ...] = field(default=())
    extra_sets: int = 1
    priority_factor: float = 1.25

    @property
    def date(self) -> date:
        return self.results.date

    @property
    def bridge_failed(self) -> bool:
        """The single-leg glute bridge was not held on at least one side."""
        return "fail" in (self.results.bridge_left, self.results.bridge_right)


def _side_difference(left: float | None, right: float | None) -> tuple[str, float] | None:
    if left is None or right is None:
        return None
    better = max(left, right)
    if better <= 0:
        return None
    diff = (better - min(left, right)) / better
    return ("left" if left < right else "right"), diff


def evaluate(results: SelfTestResults, rules: AssessmentRules | None = None) -> Assessment:
    """Turn results into starting steps, a level limit, low scores, side flags and a retest date."""
    rules = rules or load_assessment_rules()
    steps: dict[str, int] = {}
    low: list[str] = []
    level: str | None = None
    flags: list[str] = []
    why: list[str] = []

    def apply(outcome: Outcome, ladder: str, text: str) -> None:
        nonlocal level
        for lad, step in outcome.start.items():
            steps[lad] = min(step, steps.get(lad, step))
        if outcome.low and ladder not in low:
            low.append(ladder)
        if outcome.level is not None:
            level = outcome.level
        why.append(text)

    bridge = [r for r in (results.bridge_left, results.bridge_right) if r is not None]
    if bridge:
        worst = min(bridge, key=lambda r: _BRIDGE_SECONDS[r])
        outcome = rules.bridge_outcomes[worst]
        text = {
            "fail": "Single-leg glute bridge not held: bridges and knee-flexion work start from "
            "the first step; your level and other exercises stay as they are.",
            "10": "Single-leg glute bridge steady for 10 s but not 30 s: bridges start at the "
            "single-leg glute bridge.",
            "30": "Single-leg glute bridge steady for 30 s: bridges may start at the single-leg "
            "hip thrust.",
        }[worst]
        apply(outcome, rules.glute_bridge.ladder, text)
        if worst == "fail":
            for ladder in outcome.start:
                if ladder != rules.glute_bridge.ladder and ladder not in low:
                    low.append(ladder)
    if results.pelvis_drop:
        for flag in rules.pelvis_drop_flags:
            if flag not in flags:
                flags.append(flag)
        why.append("The hips dropped or rotated: hip-abduction work is added.")

    heel = [v for v in (results.heel_raise_left, results.heel_raise_right) if v is not None]
    if heel:
        worst_heel = min(heel)
        apply(
            rules.heel_raise.outcome_for(worst_heel),
            rules.heel_raise.ladder,
            f"Single-leg heel raise: {worst_heel} reps on the weaker side "
            f"(median 24 men, 21 women; runners aim for 25-30).",
        )
    ham = [
        v for v in (results.hamstring_bridge_left, results.hamstring_bridge_right) if v is not None
    ]
    if ham:
        worst_ham = min(ham)
        apply(
            rules.hamstring_bridge.outcome_for(worst_ham),
            rules.hamstring_bridge.ladder,
            f"Single-leg hamstring bridge: {worst_ham} reps on the weaker side "
            f"(about 26 in young footballers; below 20 is low).",
        )
    if results.sorensen_s is not None:
        if results.sorensen_s < rules.sorensen_fail_below_s:
            apply(
                rules.sorensen_fail,
                rules.sorensen.ladder,
                "Sørensen hold not possible or painful: back extensions start at the bird dog.",
            )
        else:
            why.append(
                f"Sørensen hold {results.sorensen_s:g} s: there is no reliable norm, so chainfix "
                f"tracks your own trend."
            )

    side_flags = []
    for test, ladder, left, right in (
        (
            "glute_bridge",
            rules.glute_bridge.ladder,
            _BRIDGE_SECONDS.get(results.bridge_left or ""),
            _BRIDGE_SECONDS.get(results.bridge_right or ""),
        ),
        (
            "heel_raise",
            rules.heel_raise.ladder,
            results.heel_raise_left,
            results.heel_raise_right,
        ),
        (
            "hamstring_bridge",
            rules.hamstring_bridge.ladder,
            results.hamstring_bridge_left,
            results.hamstring_bridge_right,
        ),
    ):
        side = _side_difference(
            float(left) if left is not None else None, float(right) if right is not None else None
        )
        if side is not None and side[1] >= rules.asymmetry_threshold:
            side_flags.append(SideFlag(test, ladder, side[0], round(side[1], 3)))
            why.append(
                f"{test.replace('_', ' ').capitalize()}: the {side[0]} side is "
                f"{side[1]:.0%} weaker: one extra set for it."
            )
    return Assessment(
        results=results,
        level=level,
        start_steps=steps,
        low_ladders=tuple(low),
        side_flags=tuple(side_flags),
        flags=tuple(flags),
        retest_on=results.date + timedelta(weeks=rules.retest_default_weeks),
        explanations=tuple(why),
        extra_sets=rules.asymmetry_extra_sets,
        priority_factor=rules.priority_factor,
    )


# ---------------------------------------------------------------------------------------------
# Storage
# ---------------------------------------------------------------------------------------------


def results_to_dict(results: SelfTestResults) -> dict[str, Any]:
    data = asdict(results)
    data["date"] = results.date.isoformat()
    return data


def results_from_dict(data: Mapping[str, Any]) -> SelfTestResults:
    values = dict(data)
    values["date"] = date.fromisoformat(str(values["date"]))
    known = set(SelfTestResults.__dataclass_fields__)
    return SelfTestResults(**{k: v for k, v in values.items() if k in known})


def assessment_to_dict(a: Assessment) -> dict[str, Any]:
    """Results and their meaning as plain data (``--json`` and the stored file)."""
    return {
        "date": a.date.isoformat(),
        "results": results_to_dict(a.results),
        "level": a.level,
        "start_steps": dict(a.start_steps),
        "low_ladders": list(a.low_ladders),
        "side_flags": [asdict(f) for f in a.side_flags],
        "flags": list(a.flags),
        "retest_on": a.retest_on.isoformat(),
        "explanations": list(a.explanations),
    }


def load_results(path: Path | None = None) -> list[SelfTestResults]:
    """Every stored set of results, oldest first."""
    target = path or assessments_path(create=False)
    if not target.is_file():
        return []
    try:
        data = json.loads(target.read_text("utf-8"))
        items = data["assessments"]
        return sorted((results_from_dict(i["results"]) for i in items), key=lambda r: r.date)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataFileError(
            f"{target}: cannot read the stored self-tests: {exc}",
            hint="Move the file away and run `chainfix assess` again.",
        ) from exc


def save_results(
    results: SelfTestResults, rules: AssessmentRules | None = None, path: Path | None = None
) -> Assessment:
    """Store results (replacing any of the same date) and return what they mean."""
    target = path or assessments_path()
    rules = rules or load_assessment_rules()
    kept = [r for r in load_results(target) if r.date != results.date]
    kept.append(results)
    kept.sort(key=lambda r: r.date)
    payload = {
        "schema": 1,
        "assessments": [assessment_to_dict(evaluate(r, rules)) for r in kept],
    }
    write_atomic(target, json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    return evaluate(results, rules)


def latest_assessment(
    rules: AssessmentRules | None = None, path: Path | None = None, on_or_before: date | None = None
) -> Assessment | None:
    """The newest stored assessment (optionally on or before a date), or None."""
    results = [r for r in load_results(path) if on_or_before is None or r.date <= on_or_before]
    if not results:
        return None
    return evaluate(results[-1], rules)
