"""Every generated plan obeys the dosing and scheduling rules (independent checker, hypothesis).

Personas (their usual running week, history, strength history), levels, equipment, days,
sessions, phases, pain flags and races are generated; the plan is checked by the rule checker in
``test_planning_support`` which shares no code with the planner.
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_planning_support import (
    EQUIPMENT,
    EXERCISES,
    GROUPS,
    PAIN,
    Calendar,
    check_plan,
    persona_history,
    personas,
)

from chainfix.planning import AthleteProfile, Race, make_plan, plan_to_dict
from chainfix.planning.profile import WEEKDAYS


@st.composite
def scenarios(draw: st.DrawFn) -> dict:
    persona = draw(personas())
    weeks = draw(st.integers(4, 12))
    level = draw(st.sampled_from([None, "beginner", "intermediate", "advanced"]))
    equipment = draw(st.sets(st.sampled_from(EQUIPMENT), max_size=8))
    if draw(st.integers(0, 5)) == 0:
        equipment = {"gym"}
    days = draw(st.one_of(st.just(()), st.sets(st.integers(0, 6), min_size=3, max_size=7)))
    races = []
    for _ in range(draw(st.integers(0, 2))):
        offset = draw(st.integers(3, weeks * 7 + 10))
        races.append(
            Race(persona.start + timedelta(days=offset), draw(st.sampled_from(["A", "B"])))
        )
    by_date = {r.date: r for r in races}
    profile = AthleteProfile(
        level=level,
        equipment=tuple(sorted(equipment)),
        sessions_per_week=draw(st.one_of(st.none(), st.integers(1, 4))),
        days=tuple(WEEKDAYS[d] for d in sorted(days)),
        races=tuple(sorted(by_date.values(), key=lambda r: r.date)),
        phase=draw(st.sampled_from(["base", "build", "race", "off"])),
        pain=tuple(sorted(draw(st.sets(st.sampled_from(PAIN), max_size=2)))),
    )
    priorities = draw(
        st.one_of(
            st.just({}),
            st.fixed_dictionaries({g: st.floats(0, 1) for g in GROUPS}),
        )
    )
    return {"persona": persona, "weeks": weeks, "profile": profile, "priorities": priorities}


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenarios())
def test_every_plan_obeys_the_rules(scenario: dict) -> None:
    persona = scenario["persona"]
    profile: AthleteProfile = scenario["profile"]
    weeks = scenario["weeks"]
    plan = make_plan(
        persona_history(persona), scenario["priorities"], profile, persona.start, weeks
    )
    data = plan_to_dict(plan)
    cal = Calendar(
        persona,
        races={r.date: r.priority for r in profile.races},
        days=profile.weekday_numbers(),
    )
    flagged = "itb" in profile.pain
    problems = check_plan(data, cal, plan.level, weeks, flagged)
    assert not problems, "\n".join(problems[:20])
    # Pain flags remove the exercises the catalogue names (R15).
    for s in data["sessions"]:
        for step in s["steps"]:
            removed = set(EXERCISES[step["exercise_id"]]["remove_if_pain"].split(";")) - {""}
            assert not removed & set(profile.pain), (s["key"], step["exercise_id"])
    # A beginner starts with one or two bodyweight moves a week.
    if plan.level == "beginner":
        first = [s for s in data["sessions"] if s["week"] == 1]
        moves = {step["exercise_id"] for s in first for step in s["steps"]}
        assert len(moves) <= 2, moves
        assert len(first) <= 2
        for s in first:
            for step in s["steps"]:
                assert step["weight_kg"] is None
                kind = EXERCISES[step["exercise_id"]]["load_type"]
                assert kind in ("bodyweight", "bodyweight_or_loaded", "band"), step
    # Deload weeks are present whenever a 4th week has sessions.
    fourth = [s for s in data["sessions"] if ((_day(s) - persona.start).days // 7 + 1) % 4 == 0]
    if fourth:
        assert any(s["kind"] in ("deload", "taper") for s in fourth)


def _day(session: dict):  # noqa: ANN202
    from datetime import date

    return date.fromisoformat(session["date"])
