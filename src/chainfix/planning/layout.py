"""The weeks laid out: the days that carry a session and what each holds.

Days come from :mod:`~chainfix.planning.schedule`, patterns and sets from
:mod:`~chainfix.planning.allocation`; the same session plans are rebuilt from planned workouts
when a plan is re-prescribed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from chainfix.model import Workout
from chainfix.planning.allocation import allocate, needs_split, split_allocation, upper_slots
from chainfix.planning.catalogue import Catalogue
from chainfix.planning.context import PlanContext
from chainfix.planning.dosing import Dosing
from chainfix.planning.schedule import Calendar
from chainfix.planning.slots import (
    LETTERS,
    UPPER_PATTERNS,
    SessionPlan,
    SlotPlan,
    is_deload_week,
    workout_key,
)


def build_sessions(
    ctx: PlanContext, cat: Catalogue, dosing: Dosing, start: date, weeks: int
) -> tuple[list[SessionPlan], list[str]]:
    """Dated sessions with their slots for ``weeks`` weeks from ``start``; plus notes."""
    cal = Calendar(ctx, dosing)
    sessions: list[SessionPlan] = []
    notes: list[str] = []
    previous: list[date] = []
    short_weeks: list[int] = []
    split = ctx.focus and needs_split(cal, ctx, start, min(weeks, 3))
    """Strength focus whose sessions do not fit 2 days apart: split the series in two halves
    on alternating days, decided once for the whole plan."""
    half = 0
    whole_days: list[date] = []
    if split:
        notes.append(
            dosing.focus_split_note.format(n=ctx.sessions, gap=dosing.min_days_between_sessions)
        )
    for week in range(1, weeks + 1):
        days = [start + timedelta(days=7 * (week - 1) + i) for i in range(7)]
        ramp = None
        if ctx.level == "beginner" and week <= len(dosing.ramp):
            ramp = dosing.ramp[week - 1]
        split_week = split
        if split:
            # A half may follow the other half the next day, never a whole-series session.
            guard = [*previous[-4:], *(d + timedelta(days=1) for d in whole_days[-2:])]
            chosen = cal.pick_days(days, ctx.sessions, guard, gap=1)
            if len(chosen) < 2:  # one session: the whole series, 2 days from the last one
                whole = cal.pick_days(days, ctx.sessions, previous[-4:])
                if whole:
                    chosen, split_week = whole, False
                    whole_days.extend(i.day for i in whole)
        else:
            chosen = cal.pick_days(days, ctx.sessions, previous[-4:])
        deload = is_deload_week(week, ctx, dosing)
        if (
            not split
            and not ctx.addon
            and len(chosen) < ctx.sessions
            and not any(
                cal.info(d).reason.startswith(("taper", "rest after", "race")) for d in days
            )
        ):
            short_weeks.append(week)
        if not chosen:
            upper = cal.upper_day(days, previous[-4:])
            if upper is not None and not any(
                cal.info(d).reason.startswith("rest after") for d in days
            ):
                slots = upper_slots(ctx, cat, dosing)
                if slots:
                    sessions.append(
                        SessionPlan(
                            key=workout_key(upper.day, "a"),
                            day=upper.day,
                            week=week,
                            letter="a",
                            kind="deload" if deload else "strength",
                            slots=slots,
                            eccentric_ok=False,
                            ramp=ramp,
                            upper_only=True,
                            notes=[
                                "No day this week keeps the rest you need around your runs and "
                                "races: upper back and core only."
                            ],
                        )
                    )
                    previous.append(upper.day)
            continue
        if split_week:
            per_session = split_allocation(len(chosen), half, ctx, cat, dosing)
            half += len(chosen)
        else:
            per_session = allocate(
                len(chosen), ctx, cat, dosing, ramp, week - 1, fill=not ctx.addon
            )
        for i, (info, slots) in enumerate(zip(chosen, per_session, strict=True)):
            letter = LETTERS[i]
            kind = "taper" if info.taper else ("deload" if deload else "strength")
            to_race = None
            for race in cal.races:
                gap = (race.date - info.day).days
                if gap > 0 and (to_race is None or gap < to_race):
                    to_race = gap
            sessions.append(
                SessionPlan(
                    key=workout_key(info.day, letter),
                    day=info.day,
                    week=week,
                    letter=letter,
                    kind=kind,
                    slots=slots,
                    eccentric_ok=info.eccentric_ok,
                    ramp=ramp,
                    after_hard_run=info.hard,
                    days_to_race=to_race,
                )
            )
            previous.append(info.day)
    if short_weeks:
        listed = ", ".join(str(w) for w in short_weeks)
        gap = dosing.min_days_between_sessions
        weeks_word = "Week" if len(short_weeks) == 1 else "Weeks"
        notes.append(
            f"{weeks_word} {listed}: fewer than {ctx.sessions} sessions fit around your runs and "
            f"training days with at least {gap} days between sessions (the same muscles are "
            f"never trained on consecutive days), so the week's sets go into the sessions that "
            f"fit."
        )
    return sessions, notes


def sessions_from_workouts(
    workouts: Sequence[Workout], ctx: PlanContext, dosing: Dosing
) -> list[SessionPlan]:
    """Rebuild session plans (for :func:`prescribe`) from planned workouts."""
    cal = Calendar(ctx, dosing)
    out = []
    for w in workouts:
        info = cal.info(w.date)
        slots = []
        for st in w.steps:
            pattern = getattr(st, "pattern", "")
            ladder = getattr(st, "ladder", "")
            base = getattr(st, "base_sets", 0) or st.sets
            slots.append(SlotPlan(pattern, ladder, getattr(st, "slot", "main"), base))
        ramp = None
        if ctx.level == "beginner" and w.week <= len(dosing.ramp):
            ramp = dosing.ramp[w.week - 1]
        to_race = None
        for race in cal.races:
            gap = (race.date - w.date).days
            if gap > 0 and (to_race is None or gap < to_race):
                to_race = gap
        letter = w.key.rsplit("-", 1)[-1] if w.key.rsplit("-", 1)[-1] in LETTERS else "a"
        out.append(
            SessionPlan(
                key=w.key,
                day=w.date,
                week=w.week,
                letter=letter,
                kind=w.kind,
                slots=slots,
                eccentric_ok=info.eccentric_ok,
                ramp=ramp,
                upper_only=all(s.pattern in UPPER_PATTERNS for s in slots) and bool(slots),
                after_hard_run=info.hard,
                days_to_race=to_race,
                notes=list(w.notes),
            )
        )
    return out
