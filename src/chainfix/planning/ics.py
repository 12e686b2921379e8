"""The plan as iCalendar (RFC 5545, written by icalendar): one all-day VEVENT per workout,
with a stable ``UID`` per workout key and a ``DTSTAMP``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar

from chainfix import __version__
from chainfix.model import Plan, Workout, WorkoutStep


def _step_line(step: WorkoutStep) -> str:
    amount = f"{step.duration_s} s" if step.duration_s is not None else f"{step.reps}"
    side = " per side" if step.per_side else ""
    text = f"{step.name}: {step.sets} x {amount}{side}, rest {step.rest_s} s"
    if step.load:
        text += f" - {step.load}"
    if step.notes:
        text += f" ({step.notes})"
    return text


def describe(workout: Workout) -> str:
    """Plain-text description of a workout: one line per exercise, then the notes."""
    lines = [_step_line(s) for s in workout.steps]
    lines.extend(workout.notes)
    return "\n".join(lines)


def plan_to_ics(plan: Plan, *, stamp: datetime | None = None, domain: str = "chainfix") -> str:
    """The plan as an iCalendar file: one all-day event per workout (a ``str``, CRLF line ends)."""
    now = stamp or datetime.now(UTC)
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//chainfix//chainfix {__version__}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "chainfix strength plan")
    for workout in sorted(plan.workouts, key=lambda w: (w.date, w.key)):
        event = icalendar.Event()
        event.add("uid", f"{workout.key}@{domain}")
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", workout.date)
        event.add("dtend", workout.date + timedelta(days=1))
        event.add("summary", workout.title)
        event.add("description", describe(workout))
        event.add("categories", [workout.kind])
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")
