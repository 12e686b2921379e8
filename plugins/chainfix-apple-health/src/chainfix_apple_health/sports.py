"""HealthKit workout activity types → FIT sport and sub-sport names.

The table is ``data/activity-types.csv``. Its ``health_type`` is the name after the
``HKWorkoutActivityType`` prefix; its ``indoor_sub_sport`` is used when the workout's
``HKIndoorWorkout`` metadata is 1 (empty: the sport has no indoor kind). A type not in the table
is kept under its own name in the activity id and counted as ``generic``/``generic``, which
chainfix reports as unmodelled minutes rather than guessing.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

PREFIX = "HKWorkoutActivityType"
GENERIC = ("generic", "generic")


@dataclass(frozen=True, slots=True)
class SportRow:
    """One row of ``activity-types.csv``."""

    sport: str
    sub_sport: str
    indoor_sub_sport: str


@cache
def table() -> dict[str, SportRow]:
    """Health type (without prefix, lower-cased) → its row."""
    text = (
        resources.files("chainfix_apple_health.data")
        .joinpath("activity-types.csv")
        .read_text(encoding="utf-8")
    )
    return {
        row["health_type"].lower(): SportRow(
            row["sport"], row["sub_sport"], row["indoor_sub_sport"] or row["sub_sport"]
        )
        for row in csv.DictReader(io.StringIO(text))
    }


def short_name(health_type: str) -> str:
    """``HKWorkoutActivityTypeTraditionalStrengthTraining`` → ``TraditionalStrengthTraining``."""
    name = health_type.strip()
    return name[len(PREFIX) :] if name.startswith(PREFIX) else name


def slug(health_type: str) -> str:
    """A lower-case, underscore-separated name for ids: ``traditional_strength_training``."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", short_name(health_type))
    return re.sub(r"[^a-z0-9_]+", "_", words.lower()).strip("_") or "unknown"


def sport_for(
    health_type: str, indoor: bool | None, swim_location: int | None = None
) -> tuple[str, str] | None:
    """The FIT (sport, sub_sport) of a workout, or None when the type is not in the table."""
    row = table().get(short_name(health_type).lower())
    if row is None:
        return None
    if row.sport == "swimming" and swim_location in (1, 2):
        return ("swimming", "lap_swimming" if swim_location == 1 else "open_water")
    if row.sport == "rowing" and indoor:
        return ("fitness_equipment", "indoor_rowing")
    return (row.sport, row.indoor_sub_sport if indoor else row.sub_sport)
