"""Prescribed versus executed: a generated follow-up history moves the plan on (or holds it)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_planning_support import (
    EQUIPMENT,
    Calendar,
    Persona,
    check_plan,
    persona_history,
    personas,
)

from chainfix.model import Activity, History, Origin, Plan, StrengthSet, Workout
from chainfix.planning import (
    AthleteProfile,
    load_catalogue,
    load_plan,
    make_plan,
    plan_to_dict,
    save_plan,
)
from chainfix.planning.reconcile import fit_step_layout, match_sets, reconcile

START = date(2026, 12, 7)
RUNNER = Persona(
    start=START,
    long_run=6,
    hard=frozenset({1, 3}),
    easy=frozenset({2, 5}),
    strength_days=frozenset({0}),
    strength_weeks=30,
    history_weeks=30,
)
PROFILE = AthleteProfile(level="intermediate", equipment=("dumbbell", "bench"))
PRIORITIES = {"hamstrings": 0.6, "calves": 0.7, "glute_max": 0.5, "upper_back": 0.2}


def logged(
    w: Workout, n: int, reps_delta: int, weight: float | None = None, by_index: bool = True
) -> Activity:
    """A strength activity that did ``w`` with ``reps_delta`` reps more (or fewer) per set."""
    when = datetime(w.date.year, w.date.month, w.date.day, 18, 30, tzinfo=UTC)
    layout = fit_step_layout(w)
    sets = []
    for position, step in enumerate(w.steps):
        index = layout.index(position)
        for _ in range(step.sets):
            sets.append(
                StrengthSet(
                    start=when,
                    duration_s=float(step.duration_s) if step.duration_s else 40.0,
                    reps=None if step.reps is None else max(1, step.reps + reps_delta),
                    weight_kg=weight if step.weight_kg or "load you could" in step.load else None,
                    set_type="active",
                    categories=(step.fit_exercise_category,),
                    exercise=step.fit_exercise_name,
                    workout_step_index=index if by_index else None,
                )
            )
    return Activity(
        id=f"done-{n}",
        source="test",
        origin=Origin(f"done-{n}.fit"),
        sport="training",
        sub_sport="strength_training",
        start_utc=when,
        utc_offset_s=0,
        timer_s=2400.0,
        sets=tuple(sets),
    )


def follow_up(plan: Plan, weeks: int, reps_delta: int, weight: float | None = None) -> History:
    base = persona_history(RUNNER)
    done = [
        logged(w, i, reps_delta, weight)
        for i, w in enumerate(plan.workouts)
        if w.week <= weeks and w.kind == "strength"
    ]
    end = START + timedelta(weeks=weeks)
    runs = persona_history(replace(RUNNER, start=end, history_weeks=weeks, strength_weeks=0))
    acts = sorted((*base.activities, *runs.activities, *done), key=lambda a: a.start_utc)
    return History(activities=tuple(acts))


def progress_key(step) -> tuple:  # noqa: ANN001
    amount = step.reps if step.reps is not None else step.duration_s
    return (step.ladder_step, step.load_step, step.weight_kg or 0.0, amount)


def future(plan: Plan, after: date) -> dict[str, tuple]:
    """Per ladder, the highest progression key in the first strength week after ``after``."""
    out: dict[str, tuple] = {}
    weeks = sorted({w.week for w in plan.workouts if w.date > after and w.kind == "strength"})
    for w in plan.workouts:
        if w.week == weeks[0] and w.kind == "strength":
            for st in w.steps:
                out[st.ladder] = max(out.get(st.ladder, progress_key(st)), progress_key(st))
    return out


def test_doing_more_than_prescribed_advances_the_progression() -> None:
    plan = make_plan(persona_history(RUNNER), PRIORITIES, PROFILE, START, 8)
    history = follow_up(plan, 2, reps_delta=4, weight=30.0)
    new = reconcile(plan, history)
    assert new.state is not None
    records = new.state.records
    done = [w for w in plan.workouts if w.week <= 2 and w.kind == "strength"]
    assert all(records[w.key].status == "done" for w in done)
    assert all(o.status == "exceeded" for w in done for o in records[w.key].steps if o.reps_done)
    before = future(plan, START + timedelta(weeks=2))
    after = future(new, START + timedelta(weeks=2))
    assert set(before) == set(after)
    assert all(after[k] >= before[k] for k in before), (before, after)
    assert any(after[k] > before[k] for k in before), (before, after)
    # The loads the athlete used are the new prescription, in kilograms.
    loaded = [
        st
        for w in new.workouts
        if w.date > START + timedelta(weeks=2)
        for st in w.steps
        if st.exercise_id == "db_rdl" and w.kind == "strength"
    ]
    assert loaded and all(st.weight_kg and st.weight_kg >= 30.0 for st in loaded)
    # Past workouts keep what was prescribed.
    for w in done:
        assert next(x for x in new.workouts if x.key == w.key).steps == w.steps
    assert any(n.startswith("Matched 4 logged workouts") for n in new.notes)


def test_falling_short_holds_and_then_steps_down() -> None:
    plan = make_plan(persona_history(RUNNER), PRIORITIES, PROFILE, START, 8)
    history = follow_up(plan, 3, reps_delta=-3)
    new = reconcile(plan, history)
    before = future(plan, START + timedelta(weeks=3))
    after = future(new, START + timedelta(weeks=4))
    assert all(after[k] <= before[k] for k in after if k in before), (before, after)
    assert any("two failed workouts" in n for n in new.notes)


def test_missed_sessions_move_or_drop_but_never_stack() -> None:
    plan = make_plan(persona_history(RUNNER), PRIORITIES, PROFILE, START, 8)
    first, second = [w for w in plan.workouts if w.week == 1]
    # Only the second session of week 1 was done; the history runs to the Friday of week 1.
    history = History(
        activities=tuple(
            sorted(
                (*persona_history(RUNNER).activities, logged(second, 1, 0)),
                key=lambda a: a.start_utc,
            )
        )
    )
    new = reconcile(plan, history, as_of=START + timedelta(days=4))
    assert new.state is not None
    record = new.state.records[first.key]
    assert record.status in ("moved", "dropped")
    assert new.state.records[second.key].status == "done"
    days = [w.date for w in new.workouts]
    assert len(days) == len(set(days)), "two sessions on one day"
    if record.status == "moved":
        assert record.moved_to is not None and record.moved_to > START + timedelta(days=4)
        assert any(w.date == record.moved_to for w in new.workouts)
    else:
        assert all(w.key != first.key for w in new.workouts)
    assert len(new.workouts) <= len(plan.workouts)


def test_a_week_missed_entirely_is_dropped_and_holds() -> None:
    plan = make_plan(persona_history(RUNNER), PRIORITIES, PROFILE, START, 8)
    history = follow_up(plan, 0, reps_delta=0)
    new = reconcile(plan, history, as_of=START + timedelta(days=13))
    assert new.state is not None
    missed = [w for w in plan.workouts if w.week == 1]
    assert all(new.state.records[w.key].status in ("moved", "dropped") for w in missed)
    assert any("Two missed workouts in a row" in n for n in new.notes)
    # Nothing was done, so week 3 asks no more than week 1 did.
    first = {st.exercise_id: progress_key(st) for w in missed for st in w.steps}
    for w in new.workouts:
        if w.week == 3:
            for st in w.steps:
                if st.exercise_id in first:
                    assert progress_key(st) <= first[st.exercise_id]


def test_plan_state_round_trips_and_a_plain_plan_reconciles() -> None:
    plan = make_plan(persona_history(RUNNER), PRIORITIES, PROFILE, START, 8)
    save_plan(plan)
    stored = load_plan()
    assert stored is not None
    assert stored.workouts == plan.workouts
    assert stored.state is not None and plan.state is not None
    assert dict(stored.state.context) == dict(plan.state.context)
    plain = Plan(start=plan.start, weeks=plan.weeks, level=plan.level, workouts=plan.workouts)
    history = follow_up(plan, 1, reps_delta=0)
    new = reconcile(plain, history)
    assert new.state is not None and new.state.records


def test_workout_step_index_tells_a_nordic_from_a_leg_curl() -> None:
    catalogue = load_catalogue()
    plan = make_plan(
        History(()),
        {"hamstrings": 1.0},
        AthleteProfile(level="advanced", equipment=("anchor", "pad", "machine", "dumbbell")),
        START,
        12,
    )
    workout = next(
        w
        for w in plan.workouts
        if any(st.exercise_id in ("nordic", "nordic_assisted") for st in w.steps)
    )
    position = next(
        i for i, st in enumerate(workout.steps) if st.exercise_id in ("nordic", "nordic_assisted")
    )
    index = fit_step_layout(workout).index(position)
    s = StrengthSet(
        start=None,
        duration_s=30.0,
        reps=5,
        weight_kg=None,
        set_type="active",
        categories=("leg_curl",),
        exercise="leg_curl",
        workout_step_index=index,
    )
    activity = Activity(
        id="x",
        source="test",
        origin=Origin("x.fit"),
        sport="training",
        sub_sport="strength_training",
        start_utc=datetime(2027, 1, 1, tzinfo=UTC),
        sets=(s,),
    )
    assert match_sets(workout, activity, catalogue, {}) == {position: [s]}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    persona=personas(),
    level=st.sampled_from(["beginner", "intermediate", "advanced"]),
    equipment=st.sets(st.sampled_from(EQUIPMENT), max_size=6),
)
def test_exceeding_never_slows_the_plan_and_keeps_the_rules(
    persona: Persona, level: str, equipment: set[str]
) -> None:
    profile = AthleteProfile(level=level, equipment=tuple(sorted(equipment)))
    history = persona_history(persona)
    plan = make_plan(history, PRIORITIES, profile, persona.start, 8)
    done = [
        logged(w, i, 3, None, by_index=bool(i % 2))
        for i, w in enumerate(plan.workouts)
        if w.week <= 2 and w.kind == "strength"
    ]
    done = [
        replace(a, sets=tuple(replace(s, weight_kg=st_.weight_kg) for s, st_ in _pairs(a, w)))
        for a, w in zip(
            done, [w for w in plan.workouts if w.week <= 2 and w.kind == "strength"], strict=True
        )
    ]
    end = persona.start + timedelta(weeks=2)
    runs = persona_history(replace(persona, start=end, history_weeks=2, strength_weeks=0))
    follow = History(
        activities=tuple(
            sorted((*history.activities, *runs.activities, *done), key=lambda a: a.start_utc)
        )
    )
    new = reconcile(plan, follow, as_of=end - timedelta(days=1))
    if not done:
        return
    before = future(plan, end - timedelta(days=1))
    after = future(new, end - timedelta(days=1))
    for ladder in set(before) & set(after):
        assert after[ladder] >= before[ladder], (ladder, before[ladder], after[ladder])
    cal = Calendar(persona, races={}, days=profile.weekday_numbers())
    problems = check_plan(plan_to_dict(new), cal, new.level, 8, False)
    assert not problems, problems[:10]


def _pairs(activity: Activity, workout: Workout) -> list[tuple[StrengthSet, object]]:
    """Each logged set with the planned step it was made from (same order as ``logged``)."""
    steps = [st_ for st_ in workout.steps for _ in range(st_.sets)]
    return list(zip(activity.sets, steps, strict=True))


def test_reconciling_twice_changes_nothing() -> None:
    plan = make_plan(persona_history(RUNNER), PRIORITIES, PROFILE, START, 8)
    history = follow_up(plan, 2, reps_delta=1)
    once = reconcile(plan, history)
    twice = reconcile(once, history)
    assert once.workouts == twice.workouts
    assert once.state is not None and twice.state is not None
    assert once.state.records == twice.state.records
