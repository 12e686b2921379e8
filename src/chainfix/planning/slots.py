"""A planned session before it is prescribed: its slots, day, week and kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from chainfix.planning.context import PlanContext
from chainfix.planning.dosing import Dosing, RampWeek

LETTERS = "abcdefg"
UPPER_PATTERNS = frozenset({"upper_back_pull", "trunk"})
"""Patterns that are not lower-body work (R9: may go on an easy day)."""


@dataclass
class SlotPlan:
    """One exercise slot of a session before an exercise is chosen."""

    pattern: str
    ladder: str
    variant: str = "main"
    sets: int = 3


@dataclass
class SessionPlan:
    """A dated session: kind and slots; exercises come from the progression state."""

    key: str
    day: date
    week: int
    letter: str
    kind: str
    slots: list[SlotPlan]
    eccentric_ok: bool = True
    ramp: RampWeek | None = None
    upper_only: bool = False
    after_hard_run: bool = False
    days_to_race: int | None = None
    notes: list[str] = field(default_factory=list)


def is_deload_week(week: int, ctx: PlanContext, dosing: Dosing) -> bool:
    """R12: the runner's own cutback weeks when the history shows a cycle, else every 4th."""
    if ctx.deload_weeks:
        return week in ctx.deload_weeks
    return week % dosing.deload_every == 0


def workout_key(day: date, letter: str) -> str:
    return f"{day.isoformat()}-posterior-chain-{letter}"
