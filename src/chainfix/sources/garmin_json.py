"""Activities from the Garmin Connect export's ``*summarizedActivities*.json`` files.

Units follow the export (see ``docs/sources.md``): epoch milliseconds, durations in ms, distances
and elevations in centimetres, ``startTimeLocal`` already shifted by the local offset, strength
``maxWeight`` in grams. Multisport parents are dropped (their legs are listed separately).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any

from chainfix.model import Activity, ExerciseSummary, Origin, ReadProblem

EARLIEST_YEAR = 1989  # FIT's epoch; no GPS sports watch recorded activities before it


@cache
def activity_types() -> dict[str, tuple[str, str]]:
    """Garmin Connect ``activityType`` key → (FIT sport, FIT sub_sport), from the data file."""
    text = resources.files("chainfix.data").joinpath("garmin-activity-types.csv").read_text()
    return {
        row["type_key"]: (row["sport"], row["sub_sport"])
        for row in csv.DictReader(text.splitlines())
    }


def sport_for(type_key: str | None, sport_type: str | None) -> tuple[str, str]:
    """Map Garmin's typeKey to FIT names; unknown keys fall back on ``sportType`` or ``generic``."""
    table = activity_types()
    if type_key and type_key.lower() in table:
        return table[type_key.lower()]
    family = (sport_type or "").lower()
    if family in {"running", "cycling", "swimming", "training", "walking", "hiking"}:
        return family, "generic"
    return "generic", "generic"


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if math.isnan(value) or math.isinf(value):
        return None
    return float(value)


def _scaled(value: Any, divisor: float, *, allow_negative: bool = False) -> float | None:
    v = _num(value)
    if v is None or (v < 0 and not allow_negative):
        return None
    return v / divisor


def _records(doc: Any) -> list[Any] | None:
    """Activity objects from ``[{"summarizedActivitiesExport": [...]}]`` or a bare list."""
    if isinstance(doc, dict):
        doc = [doc]
    if not isinstance(doc, list):
        return None
    out: list[Any] = []
    for item in doc:
        if isinstance(item, dict) and "summarizedActivitiesExport" in item:
            inner = item["summarizedActivitiesExport"]
            if not isinstance(inner, list):
                return None
            out.extend(inner)
        elif isinstance(item, dict) and ("activityId" in item or "activityType" in item):
            out.append(item)
    return out


def _exercise_sets(raw: Any) -> tuple[ExerciseSummary, ...]:
    if not isinstance(raw, list):
        return ()
    out = []
    for row in raw:
        if not isinstance(row, dict) or not isinstance(row.get("category"), str):
            continue
        sub = row.get("subCategory")
        weight = _num(row.get("maxWeight"))
        duration = _num(row.get("duration"))
        out.append(
            ExerciseSummary(
                category=row["category"].lower(),
                exercise=sub.lower() if isinstance(sub, str) else None,
                sets=int(_num(row.get("sets")) or 0),
                reps=int(_num(row.get("reps")) or 0),
                max_weight_kg=weight / 1000 if weight and weight > 0 else None,
                duration_s=duration / 1000 if duration and duration > 0 else None,
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
    records = _records(doc)
    if records is None:
        yield ReadProblem(
            file, member, "bad_json", "not a list of activity summaries (unexpected JSON shape)"
        )
        return
    now_year = datetime.now(UTC).year
    for index, rec in enumerate(records):
        if not isinstance(rec, dict):
            yield ReadProblem(file, member, "bad_json", f"summary #{index} is not an object")
            continue
        act = _summary_activity(rec, file, member, index, now_year)
        if act is not None:
            yield act


def _summary_activity(
    rec: dict[str, Any], file: str, member: str | None, index: int, now_year: int
) -> Activity | ReadProblem | None:
    type_key = rec.get("activityType")
    if isinstance(type_key, dict):  # the API shape, tolerated
        type_key = type_key.get("typeKey")
    if rec.get("parent") is True or type_key == "multi_sport":
        return None
    ident = rec.get("activityId", f"#{index}")
    start_ms = _num(rec.get("startTimeGmt"))
    if start_ms is None:
        start_ms = _num(rec.get("beginTimestamp"))
    if start_ms is None:
        return ReadProblem(file, member, "bad_json", f"activity {ident} has no start time; skipped")
    try:
        start = datetime.fromtimestamp(start_ms / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return ReadProblem(
            file, member, "bad_value", f"activity {ident} has an impossible start time"
        )
    if not EARLIEST_YEAR <= start.year <= now_year + 1:
        return ReadProblem(
            file,
            member,
            "bad_value",
            f"activity {ident} starts in {start.year}; skipped as impossible",
        )
    local_ms = _num(rec.get("startTimeLocal"))
    offset = None
    if local_ms is not None:
        raw = (local_ms - start_ms) / 1000
        if abs(raw) <= 14 * 3600:
            offset = int(round(raw / 900) * 900)
    sport, sub_sport = sport_for(
        type_key if isinstance(type_key, str) else None, rec.get("sportType")
    )
    timer = _scaled(rec.get("duration"), 1000)
    elapsed = _scaled(rec.get("elapsedDuration"), 1000)
    moving = _scaled(rec.get("movingDuration"), 1000)
    distance = _scaled(rec.get("distance"), 100)
    speed_basis = moving or timer
    avg_speed = distance / speed_basis if distance and speed_basis else None
    return Activity(
        id=f"{start:%Y%m%dT%H%M%SZ}-{sport}",
        source="garmin-export",
        origin=Origin(file, member),
        sport=sport,
        sub_sport=sub_sport,
        start_utc=start,
        utc_offset_s=offset,
        elapsed_s=elapsed,
        timer_s=timer if timer is not None else elapsed,
        distance_m=distance,
        ascent_m=_scaled(rec.get("elevationGain"), 100),
        descent_m=_scaled(rec.get("elevationLoss"), 100),
        avg_speed_m_s=avg_speed,
        avg_hr=_num(rec.get("avgHr")),
        max_hr=_num(rec.get("maxHr")),
        avg_power_w=_num(rec.get("avgPower")),
        device=None,
        from_summary=True,
        summary_sets=_exercise_sets(rec.get("summarizedExerciseSets")),
    )
