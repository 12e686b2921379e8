"""Activities from one item of Garmin Connect's activity list (the API, not the export).

The API's units differ from the Garmin export's ``summarizedActivities`` JSON, so this module has
its own reader rather than chainfix's export parser (``/work/shared/reference/exports.md``,
"Contrast: the Garmin Connect API"):

============================  =====================================  ===========================
field                         API (this module)                      export (not this module)
============================  =====================================  ===========================
``startTimeGMT``              string ``YYYY-MM-DD HH:MM:SS``, UTC     epoch ms (``startTimeGmt``)
``startTimeLocal``            string, local wall-clock time          epoch ms, shifted
``beginTimestamp``            epoch ms                               epoch ms
``duration`` (timer time)     seconds                                milliseconds
``elapsedDuration``           seconds                                milliseconds
``movingDuration``            seconds                                milliseconds
``distance``                  metres                                 centimetres
``elevationGain`` / ``Loss``  metres                                 centimetres
``averageSpeed``              m/s                                    (not used)
``averageHR`` / ``maxHR``     bpm                                    ``avgHr`` / ``maxHr``
``activityType``              object with ``typeKey``                string
============================  =====================================  ===========================

``summarizedExerciseSets`` is the same in both: ``maxWeight`` in grams, ``duration`` in ms.

Only the activity-type table (Garmin ``typeKey`` → FIT sport and sub-sport) is shared with
chainfix, because it is data about names, not units.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from chainfix.api import Activity, ExerciseSummary, Origin, ReadProblem, activity_types

EARLIEST = datetime(1989, 1, 1, tzinfo=UTC)
"""No GPS sports watch recorded activities before FIT's epoch year."""

PARENT_TYPES: dict[int, tuple[str, str]] = {
    1: ("running", "generic"),
    2: ("cycling", "generic"),
    3: ("hiking", "generic"),
    9: ("walking", "generic"),
    26: ("swimming", "generic"),
    29: ("training", "generic"),  # fitness_equipment: strength, cardio, yoga ...
}
"""Connect ``parentTypeId`` → FIT names, for a ``typeKey`` chainfix's table does not know."""

RANGES: dict[str, tuple[float, float]] = {
    "elapsed_s": (0, 14 * 24 * 3600),
    "timer_s": (0, 14 * 24 * 3600),
    "distance_m": (0, 5_000_000),
    "ascent_m": (0, 50_000),
    "descent_m": (0, 50_000),
    "avg_speed_m_s": (0, 100),
    "avg_hr": (20, 260),
    "max_hr": (20, 260),
    "avg_power_w": (0, 3_000),
}
"""Believable values; anything outside is dropped (and reported) rather than analysed."""

MAX_OFFSET_S = 14 * 3600


def sport_of(activity_type: Any) -> tuple[str, str]:
    """FIT (sport, sub_sport) for Connect's ``activityType`` object; ``generic`` when unknown."""
    if not isinstance(activity_type, Mapping):
        return "generic", "generic"
    key = activity_type.get("typeKey")
    table = activity_types()
    if isinstance(key, str) and key.lower() in table:
        return table[key.lower()]
    parent = activity_type.get("parentTypeId")
    if isinstance(parent, int) and parent in PARENT_TYPES:
        return PARENT_TYPES[parent]
    return "generic", "generic"


def number(value: Any) -> float | None:
    """A finite int or float as float; None for anything else (bool, str, NaN, None)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value):
        return None
    return float(value)


def parse_time(value: Any) -> datetime | None:
    """A Connect time string (``2025-12-22 16:16:20``, ``...T...``, ``....0``) as naive datetime."""
    if not isinstance(value, str) or not 10 <= len(value.strip()) <= 40:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def start_of(rec: Mapping[str, Any]) -> datetime | None:
    """The start in UTC: ``startTimeGMT``, else ``beginTimestamp`` (epoch ms)."""
    gmt = parse_time(rec.get("startTimeGMT"))
    if gmt is not None:
        return gmt.replace(tzinfo=UTC)
    ms = number(rec.get("beginTimestamp"))
    if ms is None:
        return None
    try:
        return datetime.fromtimestamp(ms / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def local_date_of(rec: Mapping[str, Any]) -> str | None:
    """The local start day (``YYYY-MM-DD``) Connect lists the activity under, if known."""
    local = parse_time(rec.get("startTimeLocal"))
    if local is not None:
        return local.date().isoformat()
    start = start_of(rec)
    return start.date().isoformat() if start is not None else None


def utc_offset_of(rec: Mapping[str, Any], start: datetime) -> int | None:
    """``startTimeLocal`` − start, rounded to 15 minutes; None when absent or absurd."""
    local = parse_time(rec.get("startTimeLocal"))
    if local is None:
        return None
    raw = (local - start.replace(tzinfo=None)).total_seconds()
    if abs(raw) > MAX_OFFSET_S:
        return None
    return int(round(raw / 900) * 900)


def exercise_sets(raw: Any) -> tuple[ExerciseSummary, ...]:
    """``summarizedExerciseSets``: weights in grams, durations in milliseconds."""
    if not isinstance(raw, list):
        return ()
    out: list[ExerciseSummary] = []
    for row in raw:
        if not isinstance(row, Mapping) or not isinstance(row.get("category"), str):
            continue
        sub = row.get("subCategory")
        weight_g = number(row.get("maxWeight"))
        duration_ms = number(row.get("duration"))
        sets = number(row.get("sets"))
        reps = number(row.get("reps"))
        out.append(
            ExerciseSummary(
                category=row["category"].lower(),
                exercise=sub.lower() if isinstance(sub, str) and sub else None,
                sets=int(sets) if sets is not None and 0 <= sets <= 10_000 else 0,
                reps=int(reps) if reps is not None and 0 <= reps <= 100_000 else 0,
                max_weight_kg=weight_g / 1000 if weight_g and 0 < weight_g <= 1_000_000 else None,
                duration_s=duration_ms / 1000
                if duration_ms and 0 < duration_ms <= 86_400_000
                else None,
            )
        )
    return tuple(out)


def summary_activity(
    rec: Any, file: str, *, now: datetime | None = None
) -> tuple[Activity | None, list[ReadProblem]]:
    """The activity one list item describes (``from_summary=True``), and what was wrong with it.

    ``file`` names the summary file for the activity's origin and the problems. Values outside
    :data:`RANGES` are dropped with a warning; a record without a usable start gives no activity.
    """
    if not isinstance(rec, Mapping):
        return None, [ReadProblem(file, None, "bad_json", "the summary is not a JSON object")]
    ident = rec.get("activityId", "?")
    start = start_of(rec)
    if start is None:
        return None, [
            ReadProblem(file, None, "bad_json", f"activity {ident} has no readable start time")
        ]
    latest = (now or datetime.now(UTC)) + timedelta(days=1)
    if not EARLIEST <= start <= latest:
        return None, [
            ReadProblem(
                file, None, "bad_value", f"activity {ident} starts {start:%Y-%m-%d}: impossible"
            )
        ]
    sport, sub_sport = sport_of(rec.get("activityType"))
    values: dict[str, float | None] = {
        "elapsed_s": number(rec.get("elapsedDuration")),
        "timer_s": number(rec.get("duration")),
        "distance_m": number(rec.get("distance")),
        "ascent_m": number(rec.get("elevationGain")),
        "descent_m": number(rec.get("elevationLoss")),
        "avg_speed_m_s": number(rec.get("averageSpeed")),
        "avg_hr": number(rec.get("averageHR")),
        "max_hr": number(rec.get("maxHR")),
        "avg_power_w": number(rec.get("avgPower")),
    }
    dropped = []
    for name, value in values.items():
        low, high = RANGES[name]
        if value is not None and not low <= value <= high:
            dropped.append(f"{name}={value:g}")
            values[name] = None
    if values["timer_s"] is None:
        values["timer_s"] = values["elapsed_s"]
    distance, timer = values["distance_m"], values["timer_s"]
    moving = number(rec.get("movingDuration"))
    if not values["avg_speed_m_s"] and distance and (moving or timer):
        values["avg_speed_m_s"] = distance / (moving or timer or 1.0)
    problems = []
    if dropped:
        problems.append(
            ReadProblem(
                file,
                None,
                "bad_value",
                f"activity {ident}: impossible values ignored ({', '.join(dropped)})",
                severity="warning",
            )
        )
    activity = Activity(
        id=f"{start:%Y%m%dT%H%M%SZ}-{sport}",
        source="garmin-connect",
        origin=Origin(file),
        sport=sport,
        sub_sport=sub_sport,
        start_utc=start,
        utc_offset_s=utc_offset_of(rec, start),
        elapsed_s=values["elapsed_s"],
        timer_s=values["timer_s"],
        distance_m=distance,
        ascent_m=values["ascent_m"],
        descent_m=values["descent_m"],
        avg_speed_m_s=values["avg_speed_m_s"],
        avg_hr=values["avg_hr"],
        max_hr=values["max_hr"],
        avg_power_w=values["avg_power_w"],
        from_summary=True,
        summary_sets=exercise_sets(rec.get("summarizedExerciseSets")),
    )
    return activity, problems
