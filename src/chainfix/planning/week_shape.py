"""The shape of a plan's weeks: sessions a week (R2, R16) and which weeks deload.

A strength-focus block (more sessions) only for an experienced athlete who asks for it with
little running or in an off/base phase; deloads on the runner's own lighter weeks when the
history shows a cutback cycle (``dosing.toml``).
"""

from __future__ import annotations

from datetime import date, timedelta

from chainfix.model import History
from chainfix.planning.dosing import Dosing
from chainfix.planning.history import (
    TrainingPattern,
    cutback_cycle,
)


def sessions_per_week(
    level: str,
    phase: str,
    requested: int | None,
    pattern: TrainingPattern,
    dosing: Dosing,
    notes: list[str],
) -> tuple[int, bool]:
    """Sessions a week (R2, R16) and whether this is a strength-focus block; notes say why."""
    focus = False
    if level == "beginner":
        lo, hi = dosing.beginner_sessions
        sessions = min(hi, max(lo, requested or dosing.beginner_default_sessions))
        if phase == "race":
            sessions = lo
    elif phase == "race":
        sessions = dosing.in_season_sessions
    else:
        sessions = dosing.experienced_sessions
        wants_more = requested is not None and requested >= dosing.focus_sessions[0]
        low_running = pattern.running_hours_per_week <= dosing.focus_max_running_hours
        if wants_more and (low_running or phase in dosing.focus_phases):
            focus = True
            sessions = min(requested or 0, dosing.focus_sessions[1])
            notes.append(dosing.focus_warning.format(n=sessions))
        elif requested is not None and requested < sessions:
            sessions = requested
    if requested is not None and requested > sessions and not focus:
        notes.append(dosing.snack_note.format(cap=sessions))
    return sessions, focus


def deload_weeks_from_running(
    history: History, as_of: date, start: date, dosing: Dosing, notes: list[str]
) -> tuple[int, ...]:
    """Plan weeks on the runner's own lighter weeks (a note says so); none without a cycle."""
    cycle = cutback_cycle(history, as_of, dosing)
    if not cycle.interval_weeks or as_of < start - timedelta(weeks=1):
        return ()
    mondays = cycle.projected(start, 52)
    plan_weeks = sorted({(monday + timedelta(days=3) - start).days // 7 + 1 for monday in mondays})
    deload_weeks = tuple(w for w in plan_weeks if w >= dosing.first_deload_week)
    if deload_weeks:
        listed = ", ".join(str(w) for w in deload_weeks[:4])
        notes.append(
            f"Your running has a lighter week every {cycle.interval_weeks} weeks: the "
            f"strength deloads go on those weeks (plan weeks {listed}), so both ease off "
            "together."
        )
    return deload_weeks
