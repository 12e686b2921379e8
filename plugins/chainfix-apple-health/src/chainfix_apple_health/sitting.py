"""Evidence about sitting from the Apple Watch's stand hours.

The records are ``HKCategoryTypeIdentifierAppleStandHour``.

The watch records one value per hour it is worn: ``…Stood`` when the wearer stood and moved for at
least a minute in that hour, ``…Idle`` when not. An idle hour is an hour spent sitting (or lying)
throughout, so idle hours per working day are a *lower bound* on sitting hours: a stood hour can
still hold 59 minutes on a chair. chainfix never applies the estimate by itself; it shows it with
the ``chainfix profile set --sitting-hours N`` command that would.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date

from chainfix_apple_health.workouts import parse_date

STOOD = "HKCategoryValueAppleStandHourStood"
IDLE = "HKCategoryValueAppleStandHourIdle"
MIN_HOURS_WORN = 10
"""A day counts when the watch recorded at least this many hours (worn for most of the day)."""
MIN_DAYS = 14
"""Fewest such working days for an estimate."""
_ATTR = re.compile(rb'\s(startDate|value)="([^"]*)"')


@dataclass(frozen=True, slots=True)
class Estimate:
    """Idle hours per working day, from the days the watch was worn."""

    days: int
    """Working days (Monday to Friday) with at least MIN_HOURS_WORN hours recorded."""
    idle_hours: float
    """Median idle hours on those days."""
    stood_hours: float
    first: date
    last: date

    @property
    def sitting_hours(self) -> float:
        """The suggested profile value: median idle hours, to the nearest half hour."""
        return round(self.idle_hours * 2) / 2

    @property
    def command(self) -> str:
        return f"chainfix profile set --sitting-hours {self.sitting_hours:g}"

    def sentence(self) -> str:
        return (
            f"stand hours from {self.days} working days ({self.first} to {self.last}) show about "
            f"{self.idle_hours:g} h a day without standing (a lower bound on sitting); "
            f"not applied: to use it, run `{self.command}`"
        )


class StandHours:
    """Counts stood and idle hours per local day from the scan's stand-hour records."""

    def __init__(self) -> None:
        self.stood: Counter[date] = Counter()
        self.idle: Counter[date] = Counter()

    def add(self, record: bytes) -> None:
        attrs = dict(_ATTR.findall(record))
        when = parse_date(attrs.get(b"startDate", b"").decode("ascii", "replace"))
        value = attrs.get(b"value", b"").decode("ascii", "replace")
        if when is None:
            return
        if value == STOOD:
            self.stood[when.date()] += 1
        elif value == IDLE:
            self.idle[when.date()] += 1

    def estimate(self) -> Estimate | None:
        """The estimate over working days the watch was worn; None with too little data."""
        days = sorted(
            d
            for d in set(self.stood) | set(self.idle)
            if d.weekday() < 5 and self.stood[d] + self.idle[d] >= MIN_HOURS_WORN
        )
        if len(days) < MIN_DAYS:
            return None
        return Estimate(
            days=len(days),
            idle_hours=float(statistics.median(self.idle[d] for d in days)),
            stood_hours=float(statistics.median(self.stood[d] for d in days)),
            first=days[0],
            last=days[-1],
        )
