"""One ``<Workout>`` element → a chainfix Activity, in SI units.

Both generations of the element are read: before iOS 16 the totals are attributes
(``totalDistance``, ``totalEnergyBurned`` and their units); from iOS 16 they are
``WorkoutStatistics`` children, whose distance type depends on the sport. Units come with every
value (``km``/``mi``, ``kcal``/``kJ``, ``min``/``s``/``h``, metadata such as ``"4210 cm"``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from chainfix_apple_health.scan import Element
from chainfix_apple_health.sports import GENERIC, slug, sport_for

DISTANCE_M = {"m": 1.0, "km": 1000.0, "mi": 1609.344, "ft": 0.3048, "yd": 0.9144, "cm": 0.01}
DURATION_S = {"s": 1.0, "sec": 1.0, "min": 60.0, "h": 3600.0, "hr": 3600.0, "ms": 0.001}
ENERGY_KJ = {"kcal": 4.184, "Cal": 4.184, "cal": 0.004184, "kJ": 1.0, "J": 0.001}
LENGTH_M = {"cm": 0.01, "m": 1.0, "km": 1000.0, "ft": 0.3048, "in": 0.0254, "mm": 0.001}
SPEED_CAPS_M_S = {"running": 15.0, "walking": 15.0, "hiking": 15.0, "swimming": 5.0}
EARLIEST_YEAR = 1989
PAUSES = {
    "HKWorkoutEventTypePause": "HKWorkoutEventTypeResume",
    "HKWorkoutEventTypeMotionPaused": "HKWorkoutEventTypeMotionResumed",
}
_DATE = re.compile(r"(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)$")
_QUANTITY = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*([A-Za-z/%]*)\s*$")
_DEVICE_NAME = re.compile(r"name:([^,>]+)")


class WorkoutError(Exception):
    """The workout cannot become an activity (no readable start, an impossible date)."""


@dataclass(frozen=True, slots=True)
class HealthWorkout:
    """What one Workout element says, in SI units (more than a chainfix Activity holds)."""

    health_type: str
    start: datetime
    """Aware, in the phone's offset at the time."""
    end: datetime | None
    duration_s: float | None
    distance_m: float | None
    energy_kj: float | None
    ascent_m: float | None
    descent_m: float | None
    indoor: bool | None
    swim_location: int | None
    avg_hr: float | None
    max_hr: float | None
    avg_power_w: float | None
    avg_cadence: float | None
    paused_s: float
    laps: int
    lap_durations_s: tuple[float, ...]
    """Each lap event's duration, in order (Apple Health laps hold no distance)."""
    segments: int
    route: str | None
    """The route's ``FileReference`` path (``/workout-routes/route_….gpx``), when it has one."""
    source_name: str | None
    device: str | None
    time_zone: str | None


def parse_date(text: str | None) -> datetime | None:
    """``2024-05-12 07:41:10 +0200`` → an aware datetime in that offset; None when unreadable."""
    if not text:
        return None
    m = _DATE.match(text.strip())
    if m is None:
        return None
    year, month, day, hour, minute, second, sign, oh, om = m.groups()
    offset = (int(oh) * 60 + int(om)) * 60 * (-1 if sign == "-" else 1)
    if abs(offset) > 14 * 3600:
        return None
    try:
        tz = UTC if offset == 0 else timezone(timedelta(seconds=offset))
        return datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=tz
        )
    except ValueError:
        return None


def number(text: str | None) -> float | None:
    """A finite float, or None."""
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def scaled(value: str | None, unit: str | None, table: dict[str, float]) -> float | None:
    """``value`` in ``unit`` converted by ``table``; None when either is unknown."""
    v = number(value)
    factor = table.get((unit or "").strip())
    return v * factor if v is not None and factor is not None else None


def quantity(text: str | None, table: dict[str, float]) -> float | None:
    """A metadata value that holds number and unit in one string: ``"4210 cm"`` → 42.1."""
    if not text:
        return None
    m = _QUANTITY.match(text)
    if m is None:
        return None
    return scaled(m.group(1), m.group(2) or "m", table)


def _metadata(element: Element) -> dict[str, str]:
    return {
        m.attrs.get("key", ""): m.attrs.get("value", "") for m in element.find_all("MetadataEntry")
    }


def _paused(events: list[Element]) -> float:
    """Seconds between each pause and its resume (manual and automatic pauses)."""
    total = 0.0
    open_at: dict[str, datetime] = {}
    for event in events:
        kind = event.attrs.get("type", "")
        when = parse_date(event.attrs.get("date"))
        if when is None:
            continue
        if kind in PAUSES:
            open_at.setdefault(kind, when)
        for pause, resume in PAUSES.items():
            if kind == resume and pause in open_at:
                total += max(0.0, (when - open_at.pop(pause)).total_seconds())
    return total


def read_workout(element: Element) -> HealthWorkout:
    """The workout an element describes; :class:`WorkoutError` without a readable start."""
    a = element.attrs
    health_type = a.get("workoutActivityType", "")
    start = parse_date(a.get("startDate"))
    if start is None:
        raise WorkoutError(f"its startDate {a.get('startDate')!r} cannot be read")
    end = parse_date(a.get("endDate"))
    meta = _metadata(element)
    stats = element.find_all("WorkoutStatistics")
    events = element.find_all("WorkoutEvent")

    distance = scaled(a.get("totalDistance"), a.get("totalDistanceUnit"), DISTANCE_M)
    energy = scaled(a.get("totalEnergyBurned"), a.get("totalEnergyBurnedUnit"), ENERGY_KJ)
    avg_hr = max_hr = power = cadence = None
    for s in stats:
        kind = s.attrs.get("type", "").removeprefix("HKQuantityTypeIdentifier")
        unit = s.attrs.get("unit")
        if kind.startswith("Distance"):
            value = scaled(s.attrs.get("sum"), unit, DISTANCE_M)
            if value is not None:
                distance = value if distance is None or "sum" in s.attrs else distance
        elif kind == "ActiveEnergyBurned":
            energy = scaled(s.attrs.get("sum"), unit, ENERGY_KJ) or energy
        elif kind == "HeartRate":
            avg_hr = number(s.attrs.get("average"))
            max_hr = number(s.attrs.get("maximum"))
        elif kind in ("RunningPower", "CyclingPower") and unit == "W":
            power = number(s.attrs.get("average"))
        elif kind == "CyclingCadence":
            cadence = number(s.attrs.get("average"))

    indoor_text = meta.get("HKIndoorWorkout")
    indoor = None if indoor_text is None else indoor_text.strip() in ("1", "true", "YES")
    swim = number(meta.get("HKSwimmingLocationType"))
    route = None
    for r in element.find_all("WorkoutRoute"):
        for ref in r.find_all("FileReference"):
            route = route or ref.attrs.get("path")
    device = a.get("device")
    device_name = None
    if device:
        m = _DEVICE_NAME.search(device)
        device_name = m.group(1).strip() if m else None
    return HealthWorkout(
        health_type=health_type,
        start=start,
        end=end,
        duration_s=scaled(a.get("duration"), a.get("durationUnit") or "min", DURATION_S),
        distance_m=distance,
        energy_kj=energy,
        ascent_m=quantity(meta.get("HKElevationAscended"), LENGTH_M),
        descent_m=quantity(meta.get("HKElevationDescended"), LENGTH_M),
        indoor=indoor,
        swim_location=int(swim) if swim is not None else None,
        avg_hr=avg_hr,
        max_hr=max_hr,
        avg_power_w=power,
        avg_cadence=cadence,
        paused_s=_paused(events),
        laps=sum(1 for e in events if e.attrs.get("type") == "HKWorkoutEventTypeLap"),
        lap_durations_s=tuple(
            d
            for e in events
            if e.attrs.get("type") == "HKWorkoutEventTypeLap"
            and (
                d := scaled(
                    e.attrs.get("duration"), e.attrs.get("durationUnit") or "min", DURATION_S
                )
            )
            and 0 < d <= 14 * 86400
        ),
        segments=sum(1 for e in events if e.attrs.get("type") == "HKWorkoutEventTypeSegment"),
        route=route,
        source_name=a.get("sourceName"),
        device=device_name,
        time_zone=meta.get("HKTimeZone"),
    )


@dataclass(frozen=True, slots=True)
class Fields:
    """The Activity fields of a workout, checked for sanity (see :func:`activity_fields`)."""

    sport: tuple[str, str]
    known_type: bool
    id: str
    start_utc: datetime
    utc_offset_s: int
    elapsed_s: float | None
    timer_s: float | None
    distance_m: float | None
    ascent_m: float | None
    descent_m: float | None
    avg_speed_m_s: float | None
    avg_hr: float | None
    max_hr: float | None
    avg_power_w: float | None
    avg_cadence: float | None
    device: str | None
    dropped: tuple[str, ...]
    """Values left out as impossible, in words (for a warning)."""


def _in(value: float | None, low: float, high: float) -> float | None:
    return value if value is not None and low <= value <= high else None


def activity_fields(w: HealthWorkout, now: datetime) -> Fields:
    """SI activity fields of a workout; :class:`WorkoutError` for an impossible start."""
    start_utc = w.start.astimezone(UTC)
    if start_utc.year < EARLIEST_YEAR or start_utc > now + timedelta(days=2):
        raise WorkoutError(f"its start {w.start.isoformat()} is impossible")
    offset = w.start.utcoffset()
    mapped = sport_for(w.health_type, w.indoor, w.swim_location)
    sport = mapped or GENERIC
    dropped: list[str] = []
    elapsed = (w.end - w.start).total_seconds() if w.end is not None else None
    elapsed = _in(elapsed, 0, 14 * 86400)
    timer = _in(w.duration_s, 0, 14 * 86400)
    if timer is None and elapsed is not None:
        timer = max(0.0, elapsed - w.paused_s)
    if elapsed is not None and timer is not None and timer > elapsed:
        elapsed = timer
    distance = _in(w.distance_m, 0, 5_000_000)
    moving = timer or elapsed
    if distance and moving and distance / moving > SPEED_CAPS_M_S.get(sport[0], 100.0):
        dropped.append(f"a distance of {distance:,.0f} m in {moving:,.0f} s")
        distance = None
    avg_hr, max_hr = _in(w.avg_hr, 20, 260), _in(w.max_hr, 20, 260)
    if avg_hr is not None and max_hr is not None and max_hr < avg_hr:
        max_hr = avg_hr
    speed = distance / moving if distance and moving else None
    return Fields(
        sport=sport,
        known_type=mapped is not None,
        id=f"{start_utc:%Y%m%dT%H%M%SZ}-{slug(w.health_type)}",
        start_utc=start_utc,
        utc_offset_s=int(offset.total_seconds()) if offset is not None else 0,
        elapsed_s=elapsed,
        timer_s=timer,
        distance_m=distance,
        ascent_m=_in(w.ascent_m, 0, 50_000),
        descent_m=_in(w.descent_m, 0, 50_000),
        avg_speed_m_s=speed,
        avg_hr=avg_hr,
        max_hr=max_hr,
        avg_power_w=_in(w.avg_power_w, 0, 3000),
        avg_cadence=_in(w.avg_cadence, 0, 400),
        device=w.device,
        dropped=tuple(dropped),
    )
