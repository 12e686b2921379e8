"""The iCalendar writer: RFC 5545 lines, folding, escaping, and the icalendar library reads it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import icalendar

from chainfix.model import Plan, Workout, WorkoutStep
from chainfix.planning import AthleteProfile, make_plan, plan_to_ics

STAMP = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _plan() -> Plan:
    from chainfix.model import History

    return make_plan(
        History(()), {"calves": 0.7}, AthleteProfile(level="intermediate"), date(2026, 12, 7), 6
    )


def test_the_icalendar_library_reads_every_workout_back() -> None:
    plan = _plan()
    text = plan_to_ics(plan, stamp=STAMP)
    cal = icalendar.Calendar.from_ical(text)
    events = [c for c in cal.walk() if c.name == "VEVENT"]
    assert len(events) == len(plan.workouts)
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == len(uids)
    for event, workout in zip(events, sorted(plan.workouts, key=lambda w: w.date), strict=True):
        assert str(event["UID"]) == f"{workout.key}@chainfix"
        assert event.decoded("DTSTART") == workout.date
        assert str(event["SUMMARY"]) == workout.title
        assert event.decoded("DTSTAMP") == STAMP
        description = str(event["DESCRIPTION"])
        for step in workout.steps:
            assert step.name in description
            assert step.load in description


def test_lines_are_crlf_and_at_most_75_octets() -> None:
    text = plan_to_ics(_plan(), stamp=STAMP)
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75


def test_escaping_and_folding_of_awkward_text() -> None:
    step = WorkoutStep(
        "x", "Hip thrust, bench; banded \\ test", "hip_raise", "hip_raise", 3, reps=10
    )
    workout = Workout(
        key="2026-12-01-posterior-chain-a",
        title="Posterior chain A; with, commas",
        date=date(2026, 12, 1),
        steps=(step,),
        notes=("Line one\nline two — ünïcödé " * 5,),
    )
    plan = Plan(start=date(2026, 12, 1), weeks=1, level="beginner", workouts=(workout,))
    cal = icalendar.Calendar.from_ical(plan_to_ics(plan, stamp=STAMP))
    event = next(c for c in cal.walk() if c.name == "VEVENT")
    assert str(event["SUMMARY"]) == "Posterior chain A; with, commas"
    assert "Hip thrust, bench; banded \\ test: 3 x 10" in str(event["DESCRIPTION"])
    assert "ünïcödé" in str(event["DESCRIPTION"])
