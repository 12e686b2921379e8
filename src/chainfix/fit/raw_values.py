"""Raw FIT field values: numbers, sport enums and times (aware datetimes, a file's UTC offset).

Values below 0x10000000 count seconds from device power-on and are placed with the file's
``activity.local_timestamp``; the offset is rounded to 15 min and dropped beyond ±14 h.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from chainfix.fit.decoded import RawFields

FIT_EPOCH = datetime(1989, 12, 31, tzinfo=UTC)
MIN_ABSOLUTE = 0x10000000
MAX_DATE_TIME = 0xFFFFFFFF
"""FIT ``date_time`` is a uint32: a larger value (a field declared as 64-bit) is no time."""
_QUARTER_HOUR = 900
_MAX_OFFSET_S = 14 * 3600


def raw_number(value: Any) -> int | float | None:
    """A scalar raw value: the first element of an array; None for anything non-numeric and for
    NaN and infinities (a float base type declared for an integer field can carry them)."""
    if isinstance(value, tuple):
        value = value[0] if value else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass(frozen=True, slots=True)
class Clock:
    """Turns raw FIT times into aware datetimes; ``anchor`` places device-relative times."""

    anchor: int | None = None

    def utc(self, raw: Any) -> datetime | None:
        value = raw_number(raw)
        if value is None or isinstance(value, float) or not 0 <= value <= MAX_DATE_TIME:
            return None
        if value >= MIN_ABSOLUTE:
            return FIT_EPOCH + timedelta(seconds=value)
        if self.anchor is not None:
            return FIT_EPOCH + timedelta(seconds=value + self.anchor)
        return None


def clock_and_offset(activities: list[RawFields]) -> tuple[Clock, int | None]:
    for fields in activities:
        stamp, local = (
            raw_number(fields.get("timestamp")),
            raw_number(fields.get("local_timestamp")),
        )
        if not isinstance(stamp, int) or not isinstance(local, int) or local < MIN_ABSOLUTE:
            continue
        if stamp < MIN_ABSOLUTE:
            return Clock(anchor=local - stamp), None
        offset = round((local - stamp) / _QUARTER_HOUR) * _QUARTER_HOUR
        return Clock(), offset if abs(offset) <= _MAX_OFFSET_S else None
    return Clock(), None


def raw_time(value: Any) -> int | None:
    number = raw_number(value)
    return number if isinstance(number, int) and 0 <= number <= MAX_DATE_TIME else None


def enum8(value: Any) -> int | float | None:
    """A ``sport``/``sub_sport`` value, or None when it cannot be one (the profile's enums are
    uint8, 0..254; a field declared with another base type can carry anything)."""
    number = raw_number(value)
    return number if number is not None and 0 <= number <= 254 else None
