"""Prescribed versus executed: match logged strength workouts to the plan and re-plan the rest.

A logged strength activity within ``match_days`` of a planned workout is matched to it. Its sets
are matched to the planned steps by ``wkt_step_index`` when the watch followed the workout (the
only way to tell chainfix's Nordic from a plain leg curl, science section 7), else by FIT pair,
else by stimulus family. Each step's outcome (met, exceeded by 2+ reps, below, skipped) moves the
progression: add reps, then load, then the next rung; hold after a miss; step down after two
failed workouts. A planned workout with no match is missed: it moves to a free day before the
next planned workout that keeps every buffer, or it is dropped; two are never stacked on a day.
Past workouts keep what was prescribed; future ones are prescribed again from the new state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from chainfix.errors import UsageError
from chainfix.model import Activity, History, Plan, StrengthSet, Workout, WorkoutStep
from chainfix.planning.catalogue import Catalogue, load_catalogue
from chainfix.planning.context import PlanContext
from chainfix.planning.dosing import Dosing, load_dosing
from chainfix.planning.history import is_strength, strength_model
from chainfix.planning.layout import sessions_from_workouts
from chainfix.planning.prescription import prescribe
from chainfix.planning.schedule import Calendar
from chainfix.planning.slots import SessionPlan, workout_key
from chainfix.planning.state import (
    PlanState,
    StepOutcome,
    TrackedPlan,
    WorkoutRecord,
    load_plan,
)


def fit_step_layout(workout: Workout) -> list[int]:
    """For each FIT ``workout_step`` message index, the position of the exercise it belongs to.

    The layout Garmin Connect writes for strength workouts (and chainfix's workout files):
    per exercise the exercise step, a rest step when there is rest, then a repeat step.
    """
    layout: list[int] = []
    for position, step in enumerate(workout.steps):
        size = 3 if step.rest_s > 0 else 2
        layout.extend([position] * size)
    return layout


def _pair(s: StrengthSet) -> tuple[str, str]:
    return s.category, s.exercise or ""


def match_sets(
    workout: Workout,
    activity: Activity,
    catalogue: Catalogue,
    family_of: Mapping[tuple[str, str], str],
) -> dict[int, list[StrengthSet]]:
    """Logged sets per planned step position."""
    layout = fit_step_layout(workout)
    by_step: dict[int, list[StrengthSet]] = {}
    for s in activity.active_sets:
        position: int | None = None
        if s.workout_step_index is not None and 0 <= s.workout_step_index < len(layout):
            position = layout[s.workout_step_index]
        if position is None:
            for i, step in enumerate(workout.steps):
                if (step.fit_exercise_category, step.fit_exercise_name) == _pair(s):
                    position = i
                    break
        if position is None:
            for i, step in enumerate(workout.steps):
                ex = catalogue.exercises.get(step.exercise_id)
                if ex is not None and _pair(s) in ex.fit_alternatives:
                    position = i
                    break
        if position is None:
            family = family_of.get(_pair(s))
            for i, step in enumerate(workout.steps):
                if family and getattr(step, "family", "") == family:
                    position = i
                    break
        if position is not None:
            by_step.setdefault(position, []).append(s)
    return by_step


def _summary_sets(workout: Workout, activity: Activity) -> dict[int, list[StrengthSet]]:
    """Per-exercise totals from a JSON summary, spread into equal sets."""
    out: dict[int, list[StrengthSet]] = {}
    for summary in activity.summary_sets:
        for i, step in enumerate(workout.steps):
            keys = ((step.garmin_category or "").lower(), (step.garmin_exercise_name or "").lower())
            if (summary.category.lower(), (summary.exercise or "").lower()) == keys:
                n = max(1, summary.sets)
                reps = summary.reps // n if summary.reps else None
                out[i] = [
                    StrengthSet(
                        start=None,
                        duration_s=summary.duration_s / n if summary.duration_s else None,
                        reps=reps,
                        weight_kg=summary.max_weight_kg,
                        set_type="active",
                    )
                    for _ in range(n)
                ]
                break
    return out


def step_outcome(step: WorkoutStep, sets: Sequence[StrengthSet], exceed_reps: int) -> StepOutcome:
    """Compare what was logged with what was prescribed."""
    if not sets:
        return StepOutcome("skipped")
    reps = tuple(int(s.reps) for s in sets if s.reps)
    seconds = tuple(float(s.duration_s) for s in sets if s.duration_s)
    weights = [s.weight_kg for s in sets if s.weight_kg]
    weight = max(weights) if weights else None
    done = len(sets)
    enough_sets = done >= step.sets
    if step.duration_s is not None:
        ok = enough_sets and (not seconds or min(seconds) >= step.duration_s * 0.9)
        return StepOutcome("met" if ok else "below", done, reps, weight, seconds)
    if step.reps is None or not reps:
        return StepOutcome("met" if enough_sets else "below", done, reps, weight, seconds)
    # R8 (issue 13): only reps below the bottom of the prescribed range are a failed workout; a
    # logged 3 x 10 against a projected 3 x 12 inside a 10-25 range is done, at 10.
    floor = getattr(step, "rep_range", None)
    bottom = floor[0] if floor else step.reps
    if not enough_sets or min(reps) < min(bottom, step.reps):
        return StepOutcome("below", done, reps, weight, seconds)
    status = "exceeded" if reps[-1] >= step.reps + exceed_reps else "met"
    return StepOutcome(status, done, reps, weight, seconds)


def _record(
    workout: Workout,
    activity: Activity,
    catalogue: Catalogue,
    family_of: Mapping[tuple[str, str], str],
    dosing: Dosing,
) -> WorkoutRecord:
    by_step = match_sets(workout, activity, catalogue, family_of)
    if not by_step and activity.summary_sets:
        by_step = _summary_sets(workout, activity)
    outcomes = tuple(
        step_outcome(step, by_step.get(i, []), dosing.exceed_reps)
        for i, step in enumerate(workout.steps)
    )
    if not activity.active_sets and not activity.summary_sets:
        # A strength session without set data: done, but nothing to compare.
        outcomes = tuple(StepOutcome("met") for _ in workout.steps)
    done = sum(1 for o in outcomes if o.status != "skipped")
    return WorkoutRecord(
        status="done",
        activity_id=activity.id,
        done_on=activity.local_date,
        steps=outcomes,
        note=f"{done} of {len(outcomes)} exercises logged",
    )


def _free_day(
    session: SessionPlan,
    after: date,
    others: Sequence[date],
    cal: Calendar,
    dosing: Dosing,
    week_end: date,
) -> date | None:
    """A future day (after ``after``) in the same plan week, before the next planned session,
    that keeps every rule and is at least ``min_days_between_sessions`` from every other
    session: a missed workout is never stacked onto another.
    """
    later = sorted(d for d in others if d > session.day)
    limit = week_end + timedelta(days=1)
    if later:
        limit = min(limit, later[0])
    day = max(after, session.day) + timedelta(days=1)
    while day < limit:
        info = cal.info(day)
        gaps = [abs((day - o).days) for o in others]
        if (
            info.available
            and info.lower_ok
            and not info.taper
            and all(g >= dosing.min_days_between_sessions for g in gaps)
        ):
            return day
        day += timedelta(days=1)
    return None


def reconcile(
    plan: Plan,
    history: History,
    *,
    as_of: date | None = None,
    catalogue: Catalogue | None = None,
    dosing: Dosing | None = None,
) -> TrackedPlan:
    """Match ``history`` against ``plan`` and return the plan with records and new prescriptions.

    ``as_of`` is the last day the history covers (default: the newest activity's date); a planned
    workout more than ``match_days`` before it without a logged strength workout is missed. A
    plain :class:`~chainfix.model.Plan` is matched with the stored plan of the same start.
    """
    tracked = plan if isinstance(plan, TrackedPlan) and plan.state is not None else None
    if tracked is None:
        stored = load_plan()
        if stored is None or stored.start != plan.start or stored.state is None:
            raise UsageError(
                "this plan has no stored state to reconcile against",
                hint="Make the plan with `chainfix plan` (it stores its state) and try again.",
            )
        tracked = stored
    assert tracked.state is not None
    dosing = dosing or load_dosing()
    ctx = PlanContext.from_dict(tracked.state.context)
    if catalogue is None:
        catalogue = load_catalogue([Path(p) for p in ctx.catalogue_files])
    family_of: dict[tuple[str, str], str] = {}
    for e in catalogue:
        family_of.setdefault(e.fit_pair, e.family)
        for pair in e.fit_alternatives:
            family_of.setdefault(pair, e.family)
    activities = [
        a for a in history if a.local_date >= tracked.start - timedelta(days=dosing.match_days)
    ]
    if as_of is None:
        as_of = max((a.local_date for a in history), default=tracked.start - timedelta(days=1))
    records: dict[str, WorkoutRecord] = dict(tracked.state.records)
    used = {r.activity_id for r in records.values() if r.activity_id}
    model = strength_model()
    strength = sorted(
        (
            a
            for a in activities
            if is_strength(a, model) and a.local_date <= as_of and a.id not in used
        ),
        key=lambda a: a.start_utc,
    )
    workouts = sorted(tracked.workouts, key=lambda w: (w.date, w.key))
    notes: list[str] = []
    open_workouts = [
        w
        for w in workouts
        if w.key not in records and w.date <= as_of + timedelta(days=dosing.match_days)
    ]
    pairs = sorted(
        (
            (abs((a.local_date - w.date).days), w.date, a.start_utc, i, j)
            for i, w in enumerate(open_workouts)
            for j, a in enumerate(strength)
            if abs((a.local_date - w.date).days) <= dosing.match_days
        ),
    )
    taken_w: set[int] = set()
    taken_a: set[int] = set()
    for _, _, _, i, j in pairs:  # nearest pairs first: each workout and activity once
        if i in taken_w or j in taken_a:
            continue
        taken_w.add(i)
        taken_a.add(j)
        w = open_workouts[i]
        records[w.key] = _record(w, strength[j], catalogue, family_of, dosing)
    for w in open_workouts:
        if w.key not in records and w.date + timedelta(days=dosing.match_days) < as_of:
            records[w.key] = WorkoutRecord(status="missed")

    # Missed workouts: move to a free day before the next one, or drop. Never stack.
    cal = Calendar(ctx, dosing)
    kept: list[Workout] = []
    moved: list[SessionPlan] = []
    planned_days = [w.date for w in workouts]
    for w in workouts:
        rec = records.get(w.key)
        if rec is None or rec.status != "missed":
            kept.append(w)
            continue
        session = sessions_from_workouts([w], ctx, dosing)[0]
        others = [d for d in planned_days if d != w.date] + [m.day for m in moved]
        week_end = tracked.start + timedelta(days=7 * w.week - 1)
        day = _free_day(session, as_of, others, cal, dosing, week_end)
        if day is not None and w.kind != "taper":
            info = cal.info(day)
            session.day = day
            session.key = workout_key(day, session.letter)
            session.eccentric_ok = info.eccentric_ok
            session.after_hard_run = info.hard
            moved.append(session)
            records[w.key] = WorkoutRecord(status="moved", moved_to=day, note=w.title)
        else:
            records[w.key] = WorkoutRecord(status="dropped", note=w.title)

    # Say what happened to every missed workout so far; two in a row repeat the week (R15).
    history_of = sorted(records.items(), key=lambda item: item[0])
    streak = 0
    repeated = False
    for key, rec in history_of:
        when = key[:10]
        if rec.status == "moved" and rec.moved_to is not None:
            notes.append(f"Missed {when} ({rec.note}): moved to {rec.moved_to.isoformat()}.")
        elif rec.status == "dropped":
            notes.append(f"Missed {when} ({rec.note}): dropped, not stacked.")
        streak = streak + 1 if rec.status in ("moved", "dropped") else 0
        if streak >= 2 and not repeated:
            repeated = True
            notes.append("Two missed workouts in a row: the week is repeated.")

    sessions = sessions_from_workouts(kept, ctx, dosing) + moved
    sessions.sort(key=lambda s: (s.day, s.key))
    frozen = {w.key: w for w in kept if w.date <= as_of}
    new_workouts, prog = prescribe(ctx, catalogue, dosing, sessions, records, frozen)
    done = sum(1 for r in records.values() if r.status == "done")
    word = "workout" if done == 1 else "workouts"
    summary = f"Matched {done} logged {word} up to {as_of.isoformat()}."
    past_weeks = {w.week for w in workouts if records.get(w.key) is not None}
    events = [text for week, text in prog.events if week in past_weeks]
    if events:
        summary += " What changes: " + " ".join(events)
    end = tracked.start + timedelta(weeks=tracked.weeks)
    if as_of >= end - timedelta(days=1):
        notes.append(
            f"This plan ended on {(end - timedelta(days=1)).isoformat()}: make the next one with "
            f"`chainfix plan PATHS --new`."
        )
    auto = ("Matched ", "Missed ", "Two missed", "This plan ended")
    base_notes = [n for n in tracked.notes if not n.startswith(auto)]
    return replace(
        tracked,
        workouts=tuple(sorted(new_workouts, key=lambda w: (w.date, w.key))),
        notes=tuple([*base_notes, summary, *notes]),
        state=PlanState(context=tracked.state.context, records=records, reconciled_until=as_of),
    )
