"""Strava activity types → FIT sport and sub-sport names, from ``data/activity-types.csv``.

Types are matched ignoring case, spaces, hyphens and accents, so ``Trail Run``, ``TrailRun`` and
``trail_run`` (the API's spelling) are one type; the ``aliases`` column adds older spellings and the
translated names other-language accounts see.
"""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources

from chainfix_strava.activities_csv import normalise

GENERIC = ("generic", "generic")

TCX_SPORTS = {"running": ("running", "generic"), "biking": ("cycling", "generic")}
"""TCX ``Activity/@Sport`` values (the schema knows only these two and ``Other``)."""


@cache
def activity_types() -> dict[str, tuple[str, str]]:
    """Normalised Strava type or alias → (FIT sport, FIT sub_sport)."""
    text = (
        resources.files("chainfix_strava.data")
        .joinpath("activity-types.csv")
        .read_text(encoding="utf-8")
    )
    table: dict[str, tuple[str, str]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        pair = (row["sport"], row["sub_sport"])
        for name in [row["strava_type"], *row["aliases"].split("|")]:
            key = normalise(name)
            if key:
                table.setdefault(key, pair)
    return table


def sport_for(strava_type: str) -> tuple[str, str] | None:
    """The FIT (sport, sub_sport) of a Strava activity type, or None when unknown."""
    return activity_types().get(normalise(strava_type)) if strava_type.strip() else None


def sport_from_file(kind: str, value: str | None) -> tuple[str, str]:
    """Sport named inside a track file: TCX ``Sport`` attribute or GPX ``<type>``; else generic.

    GPX ``<type>`` holds a Strava type name (``running``, ``Ride``) or a number; numbers are
    Strava-internal and not mapped.
    """
    if not value:
        return GENERIC
    if kind == "tcx":
        return TCX_SPORTS.get(value.strip().lower(), GENERIC)
    text = value.strip()
    if text.isdigit():
        return GENERIC
    lowered = text.lower()
    for family in ("running", "cycling", "walking", "hiking", "swimming", "rowing"):
        if lowered == family:
            return family, "generic"
    return sport_for(text) or GENERIC
