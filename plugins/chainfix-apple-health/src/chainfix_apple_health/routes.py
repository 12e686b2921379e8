"""Climb and descent from a workout route (``workout-routes/*.gpx``, GPX 1.1).

Used only when the workout's metadata lacks ``HKElevationAscended`` or ``HKElevationDescended``.
The ``<ele>`` values are found with a byte pattern rather than an XML parser: a route holds
thousands of points with a dozen elements each, and elevations are all that is needed (nothing in
the file is expanded or fetched, so a hostile file can only give wrong numbers, which the activity
checks bound). Elevations are summed with a hysteresis of :data:`HYSTERESIS_M`, so GPS and
barometer noise of a metre or two on flat ground does not add up to a climb.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HYSTERESIS_M = 3.0
"""A change in elevation counts once it exceeds this (assumption: typical GPS/barometer noise)."""
_ELE = re.compile(rb"<ele>\s*([-+]?\d+(?:\.\d+)?)\s*</ele>")


class RouteError(Exception):
    """The route file cannot be read."""


@dataclass(frozen=True, slots=True)
class Climb:
    ascent_m: float
    descent_m: float
    points: int


def climb(data: bytes) -> Climb:
    """Ascent and descent of the route's elevations (:class:`RouteError` when it has none)."""
    if b"<gpx" not in data[:4096]:
        raise RouteError("not a GPX file")
    elevations = [float(m) for m in _ELE.findall(data)]
    if not elevations:
        raise RouteError("the route has no elevations")
    up = down = 0.0
    anchor = elevations[0]
    for ele in elevations[1:]:
        if ele - anchor >= HYSTERESIS_M:
            up += ele - anchor
            anchor = ele
        elif anchor - ele >= HYSTERESIS_M:
            down += anchor - ele
            anchor = ele
    return Climb(up, down, len(elevations))
