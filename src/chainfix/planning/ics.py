"""A small iCalendar (RFC 5545) writer for plans: one all-day VEVENT per workout.

CRLF line ends, lines folded at 75 octets (never inside a UTF-8 character), TEXT values escaped
(backslash, semicolon, comma, newline), a stable ``UID`` per workout key and a ``DTSTAMP``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chainfix import __version__
from chainfix.model import Plan, Workout, WorkoutStep

MAX_OCTETS = 75


def escape_text(value: str) -> str:
    """RFC 5545 3.3.11 TEXT escaping."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> list[str]:
    """Split a content line into physical lines of at most 75 octets (RFC 5545 3.1)."""
    data = line.encode("utf-8")
    if len(data) <= MAX_OCTETS:
        return [line]
    out: list[str] = []
    start = 0
    limit = MAX_OCTETS
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1  # do not split a multi-byte character
        out.append(data[start:end].decode("utf-8"))
        start = end
        limit = MAX_OCTETS - 1  # continuation lines begin with one space
    return [out[0], *(" " + part for part in out[1:])]


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


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _vevent(workout: Workout, stamp: datetime, domain: str) -> list[str]:
    end = workout.date + timedelta(days=1)
    return [
        "BEGIN:VEVENT",
        f"UID:{escape_text(workout.key)}@{domain}",
        f"DTSTAMP:{_stamp(stamp)}",
        f"DTSTART;VALUE=DATE:{workout.date.strftime('%Y%m%d')}",
        f"DTEND;VALUE=DATE:{end.strftime('%Y%m%d')}",
        f"SUMMARY:{escape_text(workout.title)}",
        f"DESCRIPTION:{escape_text(describe(workout))}",
        f"CATEGORIES:{escape_text(workout.kind)}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]


def plan_to_ics(plan: Plan, *, stamp: datetime | None = None, domain: str = "chainfix") -> str:
    """The plan as an iCalendar file (a ``str`` with CRLF line ends)."""
    now = stamp or datetime.now(UTC)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//chainfix//chainfix {__version__}//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:chainfix strength plan",
    ]
    for workout in sorted(plan.workouts, key=lambda w: (w.date, w.key)):
        lines.extend(_vevent(workout, now, domain))
    lines.append("END:VCALENDAR")
    physical: list[str] = []
    for line in lines:
        physical.extend(fold(line))
    return "\r\n".join(physical) + "\r\n"
