"""GPX and TCX tracks → one summary each: start, times, distance, climb, heart rate.

GPX is parsed with `gpxpy <https://pypi.org/project/gpxpy/>`_, TCX with the standard library's
ElementTree hardened by `defusedxml <https://pypi.org/project/defusedxml/>`_. Both refuse any
document type declaration first (no entity expansion, no external entities), whichever XML parser
gpxpy picks. Parse failures raise :class:`TrackError` with a chainfix problem kind.

Derived values, the same for both formats:

- **distance**: the TCX laps' ``DistanceMeters`` (else the last trackpoint's), or the great-circle
  sum between GPS points;
- **timer**: the TCX laps' ``TotalTimeSeconds``; otherwise moving time: gaps over
  ``PAUSE_S`` and stretches slower than ``STOPPED_M_S`` do not count;
- **ascent / descent**: elevations smoothed by a centred moving average over ``SMOOTH_POINTS``
  points, then summed with a ``HYSTERESIS_M`` dead band, so GPS/barometer noise does not add up;
- **heart rate**: time-weighted mean (each sample weighs the time to the next, at most
  ``PAUSE_S``), and the maximum; the TCX laps' values when the points carry none.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from chainfix.api import ProblemKind

PAUSE_S = 60.0
"""A gap between two points longer than this is a pause (auto-pause, or the device stopped)."""
STOPPED_M_S = 0.3
"""Slower than this between two points counts as standing still."""
SMOOTH_POINTS = 5
HYSTERESIS_M = 1.0
EARTH_RADIUS_M = 6_371_008.8


class TrackError(Exception):
    """A track file that cannot be read; ``kind`` is a chainfix problem kind."""

    def __init__(self, kind: ProblemKind, message: str) -> None:
        super().__init__(message)
        self.kind: ProblemKind = kind
        self.message = message


@dataclass(frozen=True, slots=True)
class Point:
    time: datetime
    lat: float | None = None
    lon: float | None = None
    ele: float | None = None
    hr: float | None = None
    distance: float | None = None
    """Cumulative distance recorded by the device (TCX), metres."""
    cadence: float | None = None
    power: float | None = None


@dataclass(frozen=True, slots=True)
class Track:
    """What a track file says about its activity, in SI units."""

    kind: str
    """``gpx`` or ``tcx``."""
    start: datetime
    elapsed_s: float
    timer_s: float
    distance_m: float | None
    ascent_m: float | None
    descent_m: float | None
    avg_hr: float | None
    max_hr: float | None
    avg_cadence: float | None
    avg_power_w: float | None
    sport_hint: str | None
    """The file's own sport: TCX ``Activity/@Sport`` or GPX ``<type>``."""
    device: str | None
    points: int


# ---------------------------------------------------------------------------------------------
# Shared arithmetic
# ---------------------------------------------------------------------------------------------


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def smooth(values: Sequence[float], window: int = SMOOTH_POINTS) -> list[float]:
    """Centred moving average; the window shrinks at the ends."""
    half = window // 2
    out = []
    for i in range(len(values)):
        chunk = values[max(0, i - half) : i + half + 1]
        out.append(sum(chunk) / len(chunk))
    return out


def climb(elevations: Sequence[float]) -> tuple[float, float] | None:
    """(ascent, descent) in metres from a series of elevations, smoothed; None if too few."""
    if len(elevations) < 2:
        return None
    ascent = descent = 0.0
    smoothed = smooth(elevations)
    anchor = smoothed[0]
    for value in smoothed[1:]:
        delta = value - anchor
        if delta >= HYSTERESIS_M:
            ascent += delta
            anchor = value
        elif delta <= -HYSTERESIS_M:
            descent -= delta
            anchor = value
    return ascent, descent


def _segments(points: Sequence[Point]) -> Iterable[tuple[Point, Point, float, float | None]]:
    """(a, b, seconds, metres or None) between consecutive points."""
    for a, b in zip(points, points[1:], strict=False):
        dt = (b.time - a.time).total_seconds()
        if a.distance is not None and b.distance is not None:
            dist: float | None = max(0.0, b.distance - a.distance)
        elif None not in (a.lat, a.lon, b.lat, b.lon):
            dist = haversine_m(a.lat, a.lon, b.lat, b.lon)  # type: ignore[arg-type]
        else:
            dist = None
        yield a, b, dt, dist


def _weighted_mean(pairs: Iterable[tuple[float, float]]) -> float | None:
    total = weight = 0.0
    for value, w in pairs:
        total += value * w
        weight += w
    return total / weight if weight > 0 else None


def summarise(
    kind: str,
    points: Sequence[Point],
    *,
    sport_hint: str | None = None,
    device: str | None = None,
    lap_timer_s: float | None = None,
    lap_distance_m: float | None = None,
    lap_hr: tuple[float | None, float | None] = (None, None),
    start: datetime | None = None,
) -> Track:
    """The Track of a time-ordered list of points (and the TCX lap totals, when known)."""
    if not points:
        raise TrackError("no_session", f"the {kind.upper()} file holds no timed track points")
    points = sorted(points, key=lambda p: p.time)
    first_time = points[0].time
    start = min(start, first_time) if start is not None else first_time
    elapsed = (points[-1].time - start).total_seconds()
    moving = 0.0
    gps_distance = 0.0
    has_distance = False
    hr_pairs: list[tuple[float, float]] = []
    cadence_pairs: list[tuple[float, float]] = []
    power_pairs: list[tuple[float, float]] = []
    for a, _b, dt, dist in _segments(points):
        if dist is not None:
            has_distance = True
            gps_distance += dist
        if 0 < dt <= PAUSE_S and (dist is None or dist / dt >= STOPPED_M_S):
            moving += dt
        weight = min(max(dt, 0.0), PAUSE_S)
        if a.hr is not None:
            hr_pairs.append((a.hr, weight))
        if a.cadence is not None:
            cadence_pairs.append((a.cadence, weight))
        if a.power is not None:
            power_pairs.append((a.power, weight))
    last = points[-1]
    if last.hr is not None and not hr_pairs:
        hr_pairs.append((last.hr, 1.0))
    recorded = [p.distance for p in points if p.distance is not None]
    if lap_distance_m is not None and lap_distance_m > 0:
        distance: float | None = lap_distance_m
    elif recorded:
        distance = max(recorded)
    else:
        distance = gps_distance if has_distance else None
    climbed = climb([p.ele for p in points if p.ele is not None])
    hrs = [p.hr for p in points if p.hr is not None]
    avg_hr = _weighted_mean(hr_pairs)
    if avg_hr is None:
        avg_hr = lap_hr[0]
    max_hr = max(hrs) if hrs else lap_hr[1]
    timer = lap_timer_s if lap_timer_s is not None and lap_timer_s > 0 else moving
    return Track(
        kind=kind,
        start=start,
        elapsed_s=max(elapsed, timer, 0.0),
        timer_s=timer,
        distance_m=distance,
        ascent_m=climbed[0] if climbed else None,
        descent_m=climbed[1] if climbed else None,
        avg_hr=avg_hr,
        max_hr=max_hr,
        avg_cadence=_weighted_mean(cadence_pairs),
        avg_power_w=_weighted_mean(power_pairs),
        sport_hint=sport_hint,
        device=device,
        points=len(points),
    )


# ---------------------------------------------------------------------------------------------
# XML safety and sniffing
# ---------------------------------------------------------------------------------------------

_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def _prepare(data: bytes, kind: str, root_tag: bytes) -> bytes:
    """Strip what Strava puts before the XML declaration, refuse DTDs and non-XML content."""
    body = data.lstrip(b"\xef\xbb\xbf").lstrip()  # Strava's TCX files start with blanks
    if not body:
        raise TrackError("empty", f"the {kind.upper()} file is empty")
    head = body[:4096]
    lowered = head.lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<html" in lowered[:512]:
        raise TrackError("corrupt", f"not a {kind.upper()} file: it is an HTML page")
    if not body.startswith(b"<"):
        raise TrackError("corrupt", f"not a {kind.upper()} file (no XML at its start)")
    root_at = lowered.find(b"<" + root_tag.lower())
    prolog = body[: root_at if root_at >= 0 else len(body)]
    if _DTD.search(prolog):
        raise TrackError(
            "corrupt", f"the {kind.upper()} file declares a DTD; refused (XML entity attacks)"
        )
    if root_at < 0:
        raise TrackError("corrupt", f"not a {kind.upper()} file (no <{root_tag.decode()}> element)")
    return body


def _float(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1].split(":")[-1] if isinstance(tag, str) else ""


def _hr(value: float | None) -> float | None:
    return value if value is not None and 20 <= value <= 260 else None


# ---------------------------------------------------------------------------------------------
# GPX
# ---------------------------------------------------------------------------------------------


def _extension_values(elements: Iterable[Any]) -> dict[str, float]:
    """``hr``, ``cad`` and ``power`` from a GPX point's extension elements, any namespace."""
    found: dict[str, float] = {}
    for element in elements:
        for node in element.iter():
            name = _local(node.tag).lower()
            if name in ("hr", "heartrate", "cad", "cadence", "power", "watts"):
                value = _float(node.text)
                if value is not None:
                    key = {"heartrate": "hr", "cadence": "cad", "watts": "power"}.get(name, name)
                    found.setdefault(key, value)
    return found


def read_gpx(data: bytes) -> Track:
    """The Track of a GPX file (every timed point of every track segment)."""
    import gpxpy
    import gpxpy.gpx

    body = _prepare(data, "gpx", b"gpx")
    text = body.decode("utf-8", errors="replace")
    try:
        gpx = gpxpy.parse(text)
    except gpxpy.gpx.GPXException as exc:
        raise TrackError("corrupt", f"not a readable GPX file: {exc}") from exc
    except (ValueError, TypeError, AttributeError, ParseError) as exc:
        raise TrackError("corrupt", f"not a readable GPX file: {exc}") from exc
    points: list[Point] = []
    sport = None
    for track in gpx.tracks:
        sport = sport or track.type
        for segment in track.segments:
            for p in segment.points:
                when = p.time
                if when is None:
                    continue
                when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
                ext = _extension_values(p.extensions)
                points.append(
                    Point(
                        time=when,
                        lat=p.latitude,
                        lon=p.longitude,
                        ele=p.elevation,
                        hr=_hr(ext.get("hr")),
                        cadence=ext.get("cad"),
                        power=ext.get("power"),
                    )
                )
    creator = (gpx.creator or "").strip() or None
    return summarise("gpx", points, sport_hint=sport, device=creator)


# ---------------------------------------------------------------------------------------------
# TCX
# ---------------------------------------------------------------------------------------------


def _child(element: Element, name: str) -> Element | None:
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _child_text(element: Element, *path: str) -> str | None:
    node: Element | None = element
    for name in path:
        node = _child(node, name) if node is not None else None
    return node.text if node is not None else None


def read_tcx(data: bytes) -> Track:
    """The Track of a TCX file: every lap of every activity in it, as one activity."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    body = _prepare(data, "tcx", b"TrainingCenterDatabase")
    try:
        root = fromstring(body, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise TrackError("corrupt", f"the TCX file was refused for safety: {exc}") from exc
    except (ParseError, ValueError) as exc:
        raise TrackError("corrupt", f"not a readable TCX file: {exc}") from exc
    if _local(root.tag) != "TrainingCenterDatabase":
        raise TrackError("corrupt", "not a TCX file (its root is not <TrainingCenterDatabase>)")
    points: list[Point] = []
    lap_timer = lap_distance = 0.0
    hr_pairs: list[tuple[float, float]] = []
    lap_max: list[float] = []
    lap_starts: list[datetime] = []
    sport = device = None
    for activity in (e for e in root.iter() if _local(e.tag) == "Activity"):
        sport = sport or activity.get("Sport")
        device = device or _child_text(activity, "Creator", "Name")
        for lap in (e for e in activity if _local(e.tag) == "Lap"):
            started = _time(lap.get("StartTime"))
            if started is not None:
                lap_starts.append(started)
            seconds = _float(_child_text(lap, "TotalTimeSeconds"))
            if seconds is not None and seconds > 0:
                lap_timer += seconds
            metres = _float(_child_text(lap, "DistanceMeters"))
            if metres is not None and metres > 0:
                lap_distance += metres
            avg = _hr(_float(_child_text(lap, "AverageHeartRateBpm", "Value")))
            if avg is not None and seconds:
                hr_pairs.append((avg, seconds))
            peak = _hr(_float(_child_text(lap, "MaximumHeartRateBpm", "Value")))
            if peak is not None:
                lap_max.append(peak)
            for tp in (e for e in lap.iter() if _local(e.tag) == "Trackpoint"):
                point = _trackpoint(tp)
                if point is not None:
                    points.append(point)
    if not points and lap_starts and lap_timer > 0:  # laps without trackpoints: a summary file
        avg_hr = _weighted_mean(hr_pairs)
        return Track(
            kind="tcx",
            start=min(lap_starts),
            elapsed_s=lap_timer,
            timer_s=lap_timer,
            distance_m=lap_distance or None,
            ascent_m=None,
            descent_m=None,
            avg_hr=avg_hr,
            max_hr=max(lap_max) if lap_max else None,
            avg_cadence=None,
            avg_power_w=None,
            sport_hint=sport,
            device=device.strip() if device else None,
            points=0,
        )
    return summarise(
        "tcx",
        points,
        sport_hint=sport,
        device=device.strip() if device else None,
        lap_timer_s=lap_timer or None,
        lap_distance_m=lap_distance or None,
        lap_hr=(_weighted_mean(hr_pairs), max(lap_max) if lap_max else None),
        start=min(lap_starts) if lap_starts else None,
    )


def _trackpoint(tp: Element) -> Point | None:
    when = _time(_child_text(tp, "Time"))
    if when is None:
        return None
    position = _child(tp, "Position")
    lat = lon = None
    if position is not None:
        lat = _float(_child_text(position, "LatitudeDegrees"))
        lon = _float(_child_text(position, "LongitudeDegrees"))
    cadence = _float(_child_text(tp, "Cadence"))
    power = None
    extensions = _child(tp, "Extensions")
    if extensions is not None:
        for node in extensions.iter():
            name = _local(node.tag)
            if name == "Watts":
                power = _float(node.text)
            elif name == "RunCadence" and cadence is None:
                cadence = _float(node.text)
    return Point(
        time=when,
        lat=lat,
        lon=lon,
        ele=_float(_child_text(tp, "AltitudeMeters")),
        hr=_hr(_float(_child_text(tp, "HeartRateBpm", "Value"))),
        distance=_float(_child_text(tp, "DistanceMeters")),
        cadence=cadence,
        power=power,
    )
