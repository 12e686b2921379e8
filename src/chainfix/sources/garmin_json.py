"""Activities from the Garmin Connect export's ``*summarizedActivities*.json`` files.

Units follow the export (see ``docs/sources.md``): epoch milliseconds, durations in ms, distances
and elevations in centimetres, ``startTimeLocal`` already shifted by the local offset, strength
``maxWeight`` in grams. Multisport parents are dropped (their legs are listed separately).

Nothing in a document can stop the reading of the others. A document that is not JSON, or not a
list of summaries, is one ``bad_json`` problem; a record without a usable start time is skipped
with a ``bad_json`` or ``bad_value`` problem (starts are held to the FIT reader's rule: 1989 to
two days ahead). Values that are absent stay None silently; values that are present but impossible
(negative, NaN, not a number, beyond the limits of :mod:`chainfix.fit.sanity`) become None and are
listed in one ``bad_value`` warning per record, the activity kept.
Problem messages quote numbers and field names only: never an activity's name or position.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache
from typing import Any

from chainfix.bundled import data_text
from chainfix.fit import sanity
from chainfix.model import Activity, ExerciseSummary, Origin, ReadProblem


@cache
def activity_types() -> dict[str, tuple[str, str]]:
    """Garmin Connect ``activityType`` key → (FIT sport, FIT sub_sport), from the data file."""
    text = data_text("garmin-activity-types.csv")
    return {
        row["type_key"]: (row["sport"], row["sub_sport"])
        for row in csv.DictReader(text.splitlines())
    }


def sport_for(type_key: Any, sport_type: Any) -> tuple[str, str]:
    """Map Garmin's typeKey to FIT names; unknown keys fall back on ``sportType`` or ``generic``."""
    table = activity_types()
    if isinstance(type_key, str) and type_key.lower() in table:
        return table[type_key.lower()]
    family = sport_type.lower() if isinstance(sport_type, str) else ""
    if family in {"running", "cycling", "swimming", "training", "walking", "hiking"}:
        return family, "generic"
    return "generic", "generic"


def _num(value: Any) -> float | None:
    """A finite JSON number as float; None for anything else (absent, text, bool, NaN ...)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)  # an integer beyond float's range raises OverflowError
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _show(value: Any) -> str:
    """An offending value for a problem message: numbers as they are, anything else by its JSON
    type only (text could be a name or a place)."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        try:
            return f"{value:g}"
        except OverflowError:
            return "<integer too large>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "<text>"
    return "<list>" if isinstance(value, list) else "<object>" if isinstance(value, dict) else "?"


def _measure(
    rec: dict[str, Any], key: str, divisor: float, name: str, dropped: list[str]
) -> float | None:
    """``rec[key] / divisor``; None when absent, and listed in ``dropped`` when present but not a
    finite, non-negative number."""
    raw = rec.get(key)
    if raw is None:
        return None
    value = _num(raw)
    if value is None or value < 0:
        dropped.append(f"{name}={_show(raw / divisor if value is not None else raw)}")
        return None
    return value / divisor


def _records(doc: Any) -> tuple[list[Any], int] | None:
    """Activity objects from ``[{"summarizedActivitiesExport": [...]}]`` or a bare list, and how
    many top-level items were neither; None when the document has another shape altogether."""
    if isinstance(doc, dict):
        doc = [doc]
    if not isinstance(doc, list):
        return None
    out: list[Any] = []
    ignored = 0
    for item in doc:
        if isinstance(item, dict) and "summarizedActivitiesExport" in item:
            inner = item["summarizedActivitiesExport"]
            if not isinstance(inner, list):
                return None
            out.extend(inner)
        elif isinstance(item, dict) and ("activityId" in item or "activityType" in item):
            out.append(item)
        else:
            ignored += 1
    return out, ignored


_SET_LIMITS: dict[str, tuple[float, float]] = {
    "sets": (0, 10_000),
    "reps": (0, 10_000),
    "maxWeight": (0, sanity.SET_LIMITS["weight_kg"][1] * 1000),
    "duration": (0, sanity.SET_LIMITS["duration_s"][1] * 1000),
}
"""Plausible raw values of a ``summarizedExerciseSets`` row (grams and milliseconds)."""


def _exercise_sets(raw: Any, dropped: list[str]) -> tuple[ExerciseSummary, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        dropped.append(f"summarizedExerciseSets={_show(raw)}")
        return ()
    out = []
    for index, row in enumerate(raw):
        where = f"summarizedExerciseSets[{index}]"
        if not isinstance(row, dict) or not isinstance(row.get("category"), str):
            dropped.append(f"{where} (no exercise category)")
            continue
        values: dict[str, float | None] = {}
        for key, (low, high) in _SET_LIMITS.items():
            value = _num(row.get(key))
            if row.get(key) is not None and (value is None or not low <= value <= high):
                dropped.append(f"{where}.{key}={_show(row.get(key))}")
                value = None
            values[key] = value
        sub = row.get("subCategory")
        weight, duration = values["maxWeight"], values["duration"]
        out.append(
            ExerciseSummary(
                category=row["category"].lower(),
                exercise=sub.lower() if isinstance(sub, str) else None,
                sets=int(values["sets"] or 0),
                reps=int(values["reps"] or 0),
                max_weight_kg=weight / 1000 if weight else None,
                duration_s=duration / 1000 if duration else None,
            )
        )
    return tuple(out)


def parse_summaries(data: bytes, file: str, member: str | None) -> Iterator[Activity | ReadProblem]:
    """Activities from one summarizedActivities JSON document; bad records become problems."""
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        yield ReadProblem(file, member, "bad_json", f"invalid JSON: {exc}")
        return
    except RecursionError:
        yield ReadProblem(file, member, "bad_json", "invalid JSON: nested too deeply to read")
        return
    found = _records(doc)
    if found is None or (found[1] and not found[0]):
        yield ReadProblem(
            file, member, "bad_json", "not a list of activity summaries (unexpected JSON shape)"
        )
        return
    records, ignored = found
    if ignored:
        yield ReadProblem(
            file,
            member,
            "bad_json",
            f"{ignored} item(s) of the list are not activity summaries; ignored",
            severity="warning",
        )
    for index, rec in enumerate(records):
        if not isinstance(rec, dict):
            yield ReadProblem(file, member, "bad_json", f"summary #{index} is not an object")
            continue
        try:
            yield from _summary_activity(rec, file, member, index)
        except Exception as exc:  # noqa: BLE001 - one bad summary never costs the others
            yield ReadProblem(
                file,
                member,
                "bad_json",
                f"summary {_ident(rec, index)} cannot be read ({type(exc).__name__}); skipped",
            )


def _ident(rec: dict[str, Any], index: int) -> str:
    """The record's activityId for messages, when it is a plain id; else its position."""
    value = rec.get("activityId")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and 0 < len(value) <= 24 and value.isprintable():
        return value
    return f"#{index}"


def _summary_activity(
    rec: dict[str, Any], file: str, member: str | None, index: int
) -> Iterator[Activity | ReadProblem]:
    """The record's activity (and a warning listing dropped values), or why it was skipped.

    The start must be plausible as for FIT files (``sanity.plausible_time``: from 1989 to two
    days ahead of this machine's clock)."""
    type_key = rec.get("activityType")
    if isinstance(type_key, dict):  # the API shape, tolerated
        type_key = type_key.get("typeKey")
    if rec.get("parent") is True or type_key == "multi_sport":
        return
    ident = _ident(rec, index)
    start_ms = _num(rec.get("startTimeGmt"))
    if start_ms is None:
        start_ms = _num(rec.get("beginTimestamp"))
    if start_ms is None:
        yield ReadProblem(file, member, "bad_json", f"activity {ident} has no start time; skipped")
        return
    try:
        start = datetime.fromtimestamp(start_ms / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        start = None
    if start is None or not sanity.plausible_time(start):
        when = f" (year {start.year})" if start is not None else ""
        yield ReadProblem(
            file,
            member,
            "bad_value",
            f"activity {ident} has an impossible start time{when}; skipped",
        )
        return
    local_ms = _num(rec.get("startTimeLocal"))
    offset = None
    if local_ms is not None:
        raw = (local_ms - start_ms) / 1000
        if abs(raw) <= 14 * 3600:
            offset = int(round(raw / 900) * 900)
    sport, sub_sport = sport_for(type_key, rec.get("sportType"))
    dropped: list[str] = []
    values: dict[str, float | None] = {
        "timer_s": _measure(rec, "duration", 1000, "timer_s", dropped),
        "elapsed_s": _measure(rec, "elapsedDuration", 1000, "elapsed_s", dropped),
        "distance_m": _measure(rec, "distance", 100, "distance_m", dropped),
        "ascent_m": _measure(rec, "elevationGain", 100, "ascent_m", dropped),
        "descent_m": _measure(rec, "elevationLoss", 100, "descent_m", dropped),
        "avg_hr": _measure(rec, "avgHr", 1, "avg_hr", dropped),
        "max_hr": _measure(rec, "maxHr", 1, "max_hr", dropped),
        "avg_power_w": _measure(rec, "avgPower", 1, "avg_power_w", dropped),
        "avg_cadence": None,
    }
    moving = _measure(rec, "movingDuration", 1000, "moving_s", dropped)
    if values["timer_s"] is None:
        values["timer_s"] = values["elapsed_s"]
    distance, basis = values["distance_m"], moving or values["timer_s"]
    values["avg_speed_m_s"] = distance / basis if distance and basis else None
    dropped.extend(sanity.check_session(sport, values))
    summary_sets = _exercise_sets(rec.get("summarizedExerciseSets"), dropped)
    if dropped:
        more = f" and {len(dropped) - 5} more" if len(dropped) > 5 else ""
        shown = ", ".join(dropped[:5]) + more
        yield ReadProblem(
            file,
            member,
            "bad_value",
            f"activity {ident}: ignored impossible values: {shown}",
            severity="warning",
        )
    yield Activity(
        id=f"{start:%Y%m%dT%H%M%SZ}-{sport}",
        source="garmin-export",
        origin=Origin(file, member),
        sport=sport,
        sub_sport=sub_sport,
        start_utc=start,
        utc_offset_s=offset,
        elapsed_s=values["elapsed_s"],
        timer_s=values["timer_s"],
        distance_m=values["distance_m"],
        ascent_m=values["ascent_m"],
        descent_m=values["descent_m"],
        avg_speed_m_s=values["avg_speed_m_s"],
        avg_hr=values["avg_hr"],
        max_hr=values["max_hr"],
        avg_power_w=values["avg_power_w"],
        device=None,
        from_summary=True,
        summary_sets=summary_sets,
    )
