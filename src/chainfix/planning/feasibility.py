"""Which exercises an athlete can do (equipment, pain, level) and where on a ladder they start."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from chainfix.planning.catalogue import Exercise
from chainfix.planning.dosing import Dosing

if TYPE_CHECKING:
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
