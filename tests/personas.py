"""Small builders for Activity values and persona histories used by the analysis and report tests.

Each persona trains for ``weeks`` weeks ending on the Sunday before ``END`` (a Monday), so the
analysis window (the last activity) is predictable. Times are given in local time with an offset.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from chainfix.model import Activity, ExerciseSummary, History, Origin, StrengthSet

END = date(2025, 6, 2)
"""A Monday: personas' last training day is the Sunday before."""

_ORIGIN = Origin("persona.fit")
_counter = iter(range(10**9))


def at(day: date, hour: float = 7.0, offset_h: float = 1.0) -> tuple[datetime, int]:
    """UTC start and offset (s) for ``hour`` local time on ``day`` in a UTC``offset_h`` zone."""
    offset = round(offset_h * 3600)
    local = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=hour)
    return local - timedelta(seconds=offset), offset


def activity(
    sport: str,
    sub_sport: str,
    day: date,
    minutes: float,
    *,
    km: float | None = None,
    ascent: float | None = None,
    descent: float | None = None,
    speed: float | None = None,
    hour: float = 7.0,
    offset_h: float = 1.0,
    sets: tuple[StrengthSet, ...] = (),
    summary: tuple[ExerciseSummary, ...] = (),
) -> Activity:
    """One activity; ``speed`` defaults to distance / time when ``km`` is given."""
    start, offset = at(day, hour, offset_h)
    if speed is None and km:
        speed = km * 1000 / (minutes * 60)
    return Activity(
        id=f"a{next(_counter)}",
        source="test",
        origin=_ORIGIN,
        sport=sport,
        sub_sport=sub_sport,
        start_utc=start,
        utc_offset_s=offset,
        timer_s=minutes * 60,
        elapsed_s=minutes * 60,
        distance_m=km * 1000 if km is not None else None,
        ascent_m=ascent,
        descent_m=descent,
        avg_speed_m_s=speed,
        sets=sets,
        summary_sets=summary,
    )


def run(
    day: date,
    minutes: float,
    km: float,
    ascent: float = 0,
    descent: float = 0,
    sub_sport: str = "generic",
    **kw: object,
) -> Activity:
    return activity("running", sub_sport, day, minutes, km=km, ascent=ascent, descent=descent, **kw)  # type: ignore[arg-type]


def ride(day: date, minutes: float, km: float, **kw: object) -> Activity:
    return activity("cycling", "road", day, minutes, km=km, **kw)  # type: ignore[arg-type]


def strength_sets(
    spec: Iterable[tuple[str, str | None, int]], reps: int = 8
) -> tuple[StrengthSet, ...]:
    """Active sets (with rests between) from ``(category, exercise, n)`` triples."""
    out: list[StrengthSet] = []
    for category, exercise, n in spec:
        for _ in range(n):
            out.append(StrengthSet(None, 40.0, reps, 20.0, "active", (category,), exercise))
            out.append(StrengthSet(None, 90.0, None, None, "rest"))
    return tuple(out)


def lift(
    day: date, spec: Iterable[tuple[str, str | None, int]], minutes: float = 45, **kw: object
) -> Activity:
    return activity(
        "training", "strength_training", day, minutes, sets=strength_sets(spec), hour=18, **kw
    )  # type: ignore[arg-type]


HINGE_DAY = [
    ("deadlift", "romanian_deadlift", 3),
    ("hip_raise", "single_leg_hip_raise", 3),
    ("calf_raise", "single_leg_calf_raise", 3),
    ("row", "bent_over_row", 3),
]
"""A posterior-chain strength session: RDL, single-leg bridge, calf raise, row (3 sets each)."""


def days(weeks: int, end: date = END) -> list[date]:
    """Every day of ``weeks`` whole weeks (Monday first) ending the day before ``end``."""
    first = end - timedelta(days=7 * weeks)
    return [first + timedelta(days=i) for i in range(7 * weeks)]


def road_runner(weeks: int = 12, hours: float = 5.0) -> list[Activity]:
    """Five runs a week on roads: easy runs, a tempo on Thursday, a long run on Sunday."""
    out = []
    unit = hours * 60 / 5.5
    for d in days(weeks):
        wd = d.weekday()
        if wd in (0, 2):
            out.append(run(d, unit, unit * 60 * 2.8 / 1000, 30, 30, "street"))
        elif wd == 3:
            out.append(run(d, unit, unit * 60 * 3.9 / 1000, 40, 40, "street"))
        elif wd == 5:
            out.append(run(d, unit * 0.5, unit * 0.5 * 60 * 2.8 / 1000, 10, 10, "street"))
        elif wd == 6:
            out.append(run(d, unit * 2, unit * 2 * 60 * 2.9 / 1000, 80, 80, "street"))
    return out


def trail_runner(weeks: int = 12) -> list[Activity]:
    """Four trail runs a week with big descents, one long mountain run on Saturdays."""
    out = []
    for d in days(weeks):
        wd = d.weekday()
        if wd in (1, 3):
            out.append(run(d, 70, 11, 350, 350, "trail"))
        elif wd == 5:
            out.append(run(d, 200, 24, 1400, 1400, "trail"))
        elif wd == 6:
            out.append(run(d, 50, 8, 150, 150, "trail"))
    return out


def cyclist(weeks: int = 12, hours: float = 6.0) -> list[Activity]:
    """Four road rides a week, submaximal."""
    out = []
    for d in days(weeks):
        if d.weekday() in (1, 3, 5, 6):
            out.append(ride(d, hours * 60 / 4, hours / 4 * 28))
    return out


def hybrid(weeks: int = 12) -> list[Activity]:
    """The road runner plus two posterior-chain strength sessions a week (Tuesday, Friday)."""
    out = road_runner(weeks)
    for d in days(weeks):
        if d.weekday() in (1, 4):
            out.append(lift(d, HINGE_DAY))
    return out


def beginner_runner(weeks: int = 12) -> list[Activity]:
    """Three short easy runs a week, flat, no speed data on one of them."""
    out = []
    for d in days(weeks):
        wd = d.weekday()
        if wd in (1, 4):
            out.append(run(d, 30, 4.5))
        elif wd == 6:
            out.append(activity("running", "generic", d, 35, km=None))
    return out


def history(*groups: Iterable[Activity]) -> History:
    """A History of all activities, sorted by start."""
    acts = sorted((a for g in groups for a in g), key=lambda a: a.start_utc)
    return History(tuple(acts), files_read=len(acts))
