"""Which exercises an athlete can do (equipment, pain, level) and where each ladder starts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from chainfix.model import History
from chainfix.planning.catalogue import Catalogue, Exercise
from chainfix.planning.dosing import Dosing
from chainfix.planning.history import rungs_logged

if TYPE_CHECKING:
    from chainfix.planning.assessment import Assessment
    from chainfix.planning.context import PlanContext


def barbell_only(exercise: Exercise, barbell: Sequence[str]) -> bool:
    """True when some equipment item can only be met by a barbell or trap bar."""
    return any(all(o in barbell for o in item) for item in exercise.equipment)


def feasible(ex: Exercise, ctx: PlanContext, dosing: Dosing) -> bool:
    """Can this athlete do this exercise: equipment, pain flags, level (never power moves)."""
    if ex.role == "power":
        return False
    if not ex.needs(ctx.equipment):
        return False
    if set(ex.remove_if_pain) & set(ctx.pain):
        return False
    if ctx.level == "beginner":
        if ex.difficulty > dosing.beginner_max_difficulty:
            return False
        if barbell_only(ex, dosing.equipment_barbell):
            return False
    return True


def is_bodyweight(ex: Exercise) -> bool:
    """A move for the beginner ramp: bodyweight (or light band work), no external load."""
    return ex.load_type in ("bodyweight", "bodyweight_or_loaded", "band")


def loadable(ex: Exercise, ctx: PlanContext, dosing: Dosing) -> bool:
    """A bodyweight-or-loaded exercise the athlete can load with what they have."""
    if ex.load_type != "bodyweight_or_loaded":
        return False
    loading = set(dosing.equipment_loading)
    if ctx.level == "beginner":
        loading -= set(dosing.equipment_barbell)
    return bool(loading & set(ctx.equipment))


def start_rung(
    ladder: list[Exercise], step: int, ctx: PlanContext, dosing: Dosing
) -> Exercise | None:
    """The main rung at or below ``step`` (highest), else the lowest above, else a side option."""
    mains = [e for e in ladder if e.role == "main" and feasible(e, ctx, dosing)]
    at_or_below = [e for e in mains if e.step <= step]
    if at_or_below:
        return max(at_or_below, key=lambda e: e.step)
    if mains:
        return min(mains, key=lambda e: e.step)
    others = [
        e for e in ladder if e.role in ("alternative", "parallel") and feasible(e, ctx, dosing)
    ]
    return min(others, key=lambda e: e.step) if others else None


def start_steps(
    level: str,
    history: History,
    start: date,
    catalogue: Catalogue,
    dosing: Dosing,
    model: Any,
    calf_load_per_week: float,
    assessment: Assessment | None,
    notes: list[str],
) -> dict[str, int]:
    """The step each ladder starts at: the level's default, raised by what the history shows
    (not for a beginner) and by calf load from running, then set by the self-tests (a low score
    resets its ladders, a pass never lowers them). ``notes`` get the reasons a user should read.
    """
    steps = dict(dosing.start_steps[level])
    logged = rungs_logged(history, start, dosing.start_history_weeks, catalogue)
    if level != "beginner":  # a beginner's odd logged set is no reason to skip rungs
        for ladder, step in logged.items():
            if step > steps.get(ladder, 0):
                steps[ladder] = step
    if calf_load_per_week >= model.number("demand_reference_per_week") > 0:
        if steps.get("calf", 1) < dosing.running_calf_step:
            steps["calf"] = dosing.running_calf_step
            notes.append(
                "Your running already loads your calves hard every week: calf work starts "
                "single-leg."
            )
    if assessment is not None:
        for ladder, step in assessment.start_steps.items():
            if ladder in assessment.low_ladders:
                steps[ladder] = step  # a low score resets the ladders it measures
                if ladder in logged and logged[ladder] > step:
                    notes.append(
                        f"Your self-test puts {ladder.replace('_', ' ')} work back to an easier "
                        f"exercise than you logged: rebuild it from there."
                    )
            else:  # a pass never lowers what you already do
                steps[ladder] = max(step, steps.get(ladder, step))
    return steps
