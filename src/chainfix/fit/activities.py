"""From decoded FIT messages to Activities and ReadProblems, shared by both decoders.

The rules, in one place:

* **One Activity per session**, in file order, from every chained segment. ``leg`` is the index
  among the kept sessions (0 for a single-session file).
* **Summary sessions are not legs.** A session is dropped as a summary when at least two other
  sessions exist, its time span contains every one of them, and its timer time is at least 90 %
  of theirs together. A session's span is ``start_time`` + elapsed time, cut at its ``timestamp``
  when that falls strictly inside (the Fenix 2 multisport fixture writes a ``generic`` first leg
  whose ``start_time`` is 45 min late but whose ``timestamp`` ends exactly where the next leg
  starts: it is a real leg, not a summary, and is kept). Exact duplicate sessions (a chained copy
  of the same recording) are kept once, with an info ``duplicate`` problem.
* **Times** (:mod:`~chainfix.fit.raw_values`). FIT ``date_time`` values below 0x10000000 count
  seconds from device power-on. They are placed with ``activity.local_timestamp`` when the file has
  one (local time, stored as UTC, with ``utc_offset_s`` None); a session with no way to place its
  start is skipped (``bad_value``). ``utc_offset_s`` is ``local_timestamp - timestamp`` of the
  first ``activity`` message, rounded to 15 min, None when absent or beyond ±14 h (Zwift writes a
  local timestamp of 0).
* **Sports.** A session without sport or sub-sport takes them from the ``sport`` message of the
  same index (or the only one), else ``generic``. A number the profile does not know keeps it:
  ``sport_123``.
* **Impossible values** (see ``sanity``: a 300 bpm average, 40,000 km) become None, all listed in
  one ``bad_value`` warning; a heart rate of 0 ("no sensor") becomes None silently. A session that
  starts before 1989 or in the future is skipped (``bad_value``). NaN and infinities (a float type
  declared for an integer field) are no values at all; times beyond FIT's uint32 range and
  durations beyond ``sanity``'s limits never place a session. A wanted field the full decoder
  could only read as bytes (``Decoded.unreadable``) is named in one more ``bad_value`` problem.
* **Sets** (every ``set`` message, active and rest) go to the session whose span contains the set's
  start (the later-starting one at a boundary), else the nearest session. ``weight`` 0 or absent
  becomes None: watches write 0 for bodyweight and for "not entered" alike, and 0 kg is not a load.
  ``set_type`` 0 is ``rest``; anything else is ``active``. ``categories`` are the valid candidates
  as profile names (65534 is ``unknown``); ``exercise`` names the first candidate's
  ``category_subtype`` in its ``<category>_exercise_name`` type.
* **Laps** go to the session whose span contains the lap's start, like sets. An activity keeps
  its laps (timer time, distance, ascent, descent) only when it has two or more and one of them
  has a distance; a lap without a timer time, or with values beyond ``sanity``'s session limits,
  is left out.
* **No session** (the watch died before saving it, :mod:`~chainfix.fit.rebuild`): the file is read
  again with its laps and records, and one session per run of laps of the same sport is rebuilt
  from them (start, end, sport, timer and elapsed time, distance, ascent and descent; records after
  the last lap extend the last leg, and alone make one leg whose timer leaves out pauses over
  ``_PAUSE_S``), with a ``no_session`` warning "rebuilt from records".
* **Problems.** At most one problem explains where decoding stopped: ``warning`` when sessions were
  kept (the valid prefix of a truncated or corrupt file; every session of a file whose CRC fails,
  since its structure decoded cleanly: such values are unverified), ``error`` when nothing was
  kept. A clean activity file without sessions gives ``no_session``; a non-activity file gives
  ``not_activity`` (info) and nothing else.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from chainfix.fit import profile, sanity
from chainfix.fit.decoded import Decoded, RawFields, Stop
from chainfix.fit.raw_values import (
    Clock,
    clock_and_offset,
    enum8,
    raw_number,
)
from chainfix.fit.rebuild import rebuilt_sessions
from chainfix.model import Activity, Lap, Origin, ReadProblem, Severity, StrengthSet

_TOLERANCE = timedelta(seconds=2)
_SUMMARY_SHARE = 0.9
_SHOWN = 5


def _items(value: Any) -> tuple[Any, ...]:
    """An array raw value as a tuple (a one-element array arrives as a scalar)."""
    if value is None:
        return ()
    return value if isinstance(value, tuple) else (value,)


def _scaled(mesg: str, fields: RawFields, name: str) -> float | None:
    raw = raw_number(fields.get(name))
    if raw is None:
        return None
    scale, offset = profile.field_scales(mesg)[name]
    value = float(raw) / scale if scale else float(raw)
    return value - offset if offset else value


def _float(fields: RawFields, name: str) -> float | None:
    raw = raw_number(fields.get(name))
    return None if raw is None else float(raw)


@dataclass(slots=True)
class _Leg:
    index: int
    fields: RawFields
    start: datetime
    end: datetime
    sport: str
    sub_sport: str
    sets: list[StrengthSet] = field(default_factory=list)
    laps: list[tuple[datetime | None, Lap]] = field(default_factory=list)

    @property
    def timer(self) -> float:
        return (
            _scaled("session", self.fields, "total_timer_time")
            or _scaled("session", self.fields, "total_elapsed_time")
            or 0.0
        )


def _sports(index: int, fields: RawFields, sports: list[RawFields]) -> tuple[str, str]:
    fallback: RawFields = {}
    if len(sports) == 1:
        fallback = sports[0]
    elif index < len(sports):
        fallback = sports[index]
    sport = enum8(fields.get("sport"))
    if sport is None:
        sport = enum8(fallback.get("sport"))
    sub = enum8(fields.get("sub_sport"))
    if sub is None and enum8(fallback.get("sport")) == sport:
        sub = enum8(fallback.get("sub_sport"))
    return (
        profile.sport_name(int(sport)) if sport is not None else "generic",
        profile.sub_sport_name(int(sub)) if sub is not None else "generic",
    )


def _span_s(fields: RawFields, name: str) -> float | None:
    """A session duration usable to place the session in time; None when impossible (negative,
    beyond ``sanity``'s limit: a 64-bit value would overflow ``timedelta``)."""
    value = _scaled("session", fields, name)
    low, high = sanity.SESSION_LIMITS["elapsed_s"]
    return value if value is not None and low <= value <= high else None


def _make_leg(index: int, fields: RawFields, sports: list[RawFields], clock: Clock) -> _Leg | None:
    elapsed = _span_s(fields, "total_elapsed_time")
    timer = _span_s(fields, "total_timer_time")
    stamp = clock.utc(fields.get("timestamp"))
    start = clock.utc(fields.get("start_time"))
    if start is None and stamp is not None and elapsed is not None:
        start = stamp - timedelta(seconds=elapsed)
    if start is None or not sanity.plausible_time(start):
        return None
    end = start + timedelta(seconds=elapsed or timer or 0.0)
    if stamp is not None and start < stamp < end:
        end = stamp
    sport, sub_sport = _sports(index, fields, sports)
    return _Leg(index, fields, start, end, sport, sub_sport)


def _drop_summaries(legs: list[_Leg]) -> list[_Leg]:
    """The legs without summary sessions (see the module docstring); linear in the legs: a leg
    contains every other one when it reaches the earliest start and the latest end of the others,
    which are the overall extremes unless the leg itself holds them."""
    if len(legs) < 3:
        return legs
    by_start = sorted(range(len(legs)), key=lambda i: legs[i].start)[:2]
    by_end = sorted(range(len(legs)), key=lambda i: legs[i].end, reverse=True)[:2]
    total = sum(leg.timer for leg in legs)
    kept = []
    for index, leg in enumerate(legs):
        first = legs[by_start[1] if by_start[0] == index else by_start[0]].start
        last = legs[by_end[1] if by_end[0] == index else by_end[0]].end
        is_summary = (
            leg.start - _TOLERANCE <= first
            and last <= leg.end + _TOLERANCE
            and leg.timer >= _SUMMARY_SHARE * (total - leg.timer)
        )
        if not is_summary:
            kept.append(leg)
    return kept or legs


def _strength_set(fields: RawFields, clock: Clock, dropped: list[str]) -> StrengthSet:
    candidates = _items(fields.get("category"))
    subtypes = _items(fields.get("category_subtype"))
    exercise = None
    if candidates and isinstance(candidates[0], int) and subtypes and isinstance(subtypes[0], int):
        exercise = profile.exercise_name(candidates[0], subtypes[0])
    start = clock.utc(fields.get("start_time")) or clock.utc(fields.get("timestamp"))
    reps = raw_number(fields.get("repetitions"))
    values: dict[str, float | None] = {
        "duration_s": _scaled("set", fields, "duration"),
        "weight_kg": _scaled("set", fields, "weight") or None,  # 0 kg: bodyweight or not entered
        "reps": reps,
    }
    dropped.extend(sanity.check_set(values))
    step = raw_number(fields.get("wkt_step_index"))
    return StrengthSet(
        start=start if start is not None and sanity.plausible_time(start) else None,
        duration_s=values["duration_s"],
        reps=int(values["reps"]) if values["reps"] is not None else None,
        weight_kg=values["weight_kg"],
        set_type="rest" if raw_number(fields.get("set_type")) == 0 else "active",
        categories=tuple(profile.category_name(c) for c in candidates if isinstance(c, int)),
        exercise=exercise,
        workout_step_index=int(step) if step is not None else None,
    )


def _lap(fields: RawFields, clock: Clock) -> tuple[datetime | None, Lap] | None:
    """A lap's start and totals; None without a usable timer time."""
    values = {
        "timer_s": _scaled("lap", fields, "total_timer_time"),
        "distance_m": _scaled("lap", fields, "total_distance"),
        "ascent_m": _float(fields, "total_ascent"),
        "descent_m": _float(fields, "total_descent"),
    }
    for name, value in values.items():
        low, high = sanity.SESSION_LIMITS[name]
        if value is not None and not low <= value <= high:
            values[name] = None
    if not values["timer_s"]:
        return None
    start = clock.utc(fields.get("start_time"))
    if start is None:
        end = clock.utc(fields.get("timestamp"))
        start = end - timedelta(seconds=values["timer_s"]) if end is not None else None
    lap = Lap(values["timer_s"], values["distance_m"], values["ascent_m"], values["descent_m"])
    return start, lap


def _kept_laps(leg: _Leg) -> tuple[Lap, ...]:
    laps = tuple(lap for _, lap in leg.laps)
    if len(laps) < 2 or not any(lap.distance_m for lap in laps):
        return ()
    return laps


def _home_leg(item: StrengthSet | datetime | None, legs: list[_Leg]) -> _Leg:
    """The leg a set (or a lap, by its start) belongs to (see the module docstring)."""
    t = item.start if isinstance(item, StrengthSet) else item
    if t is None:
        for leg in legs:
            if leg.sub_sport == "strength_training" or leg.sport == "training":
                return leg
        return legs[0]
    containing = [leg for leg in legs if leg.start - _TOLERANCE <= t <= leg.end + _TOLERANCE]
    if containing:
        return max(containing, key=lambda leg: leg.start)

    def distance(leg: _Leg) -> timedelta:
        return leg.start - t if t < leg.start else t - leg.end

    return min(legs, key=distance)


def _device(file_ids: list[RawFields]) -> str | None:
    for fields in file_ids:
        maker = raw_number(fields.get("manufacturer"))
        if maker is not None:
            product = raw_number(fields.get("product"))
            return profile.device_name(int(maker), int(product) if product is not None else None)
    return None


def _metrics(fields: RawFields) -> dict[str, float | None]:
    """The session totals and averages in SI units, named like ``Activity`` fields."""
    speed = _scaled("session", fields, "enhanced_avg_speed")
    if speed is None:
        speed = _scaled("session", fields, "avg_speed")
    cadence = _float(fields, "avg_cadence")
    fraction = _scaled("session", fields, "avg_fractional_cadence")
    if cadence is not None and fraction is not None:
        cadence += fraction
    return {
        "elapsed_s": _scaled("session", fields, "total_elapsed_time"),
        "timer_s": _scaled("session", fields, "total_timer_time"),
        "distance_m": _scaled("session", fields, "total_distance"),
        "ascent_m": _float(fields, "total_ascent"),
        "descent_m": _float(fields, "total_descent"),
        "avg_speed_m_s": speed,
        "avg_hr": _float(fields, "avg_heart_rate"),
        "max_hr": _float(fields, "max_heart_rate"),
        "avg_power_w": _float(fields, "avg_power"),
        "avg_cadence": cadence,
    }


def _activity(
    leg: _Leg, position: int, origin: Origin, source: str, dropped: list[str], **common: Any
) -> Activity:
    metrics = _metrics(leg.fields)
    dropped.extend(f"{leg.sport} {v}" for v in sanity.check_session(leg.sport, metrics))
    return Activity(
        id=f"{leg.start:%Y%m%dT%H%M%SZ}-{leg.sport}",
        source=source,
        origin=origin,
        sport=leg.sport,
        sub_sport=leg.sub_sport,
        start_utc=leg.start,
        elapsed_s=metrics["elapsed_s"],
        timer_s=metrics["timer_s"],
        distance_m=metrics["distance_m"],
        ascent_m=metrics["ascent_m"],
        descent_m=metrics["descent_m"],
        avg_speed_m_s=metrics["avg_speed_m_s"],
        avg_hr=metrics["avg_hr"],
        max_hr=metrics["max_hr"],
        avg_power_w=metrics["avg_power_w"],
        avg_cadence=metrics["avg_cadence"],
        sets=tuple(leg.sets),
        laps=_kept_laps(leg),
        leg=position,
        **common,
    )


def _identity(fields: RawFields) -> Any:
    """A hashable key equal for equal sessions (a set finds duplicates in linear time)."""
    try:
        return frozenset(fields.items())
    except TypeError:  # an unhashable value: only the same object is the same session
        return id(fields)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _stop_sentence(stop: Stop, kept: int, rebuilt: bool = False) -> str:
    reason = stop.reason[:1].upper() + stop.reason[1:]
    if stop.kind == "not_fit":
        return f"Not a FIT file: {stop.reason}."
    if not kept:
        return f"{reason}; no session could be read."
    if rebuilt:
        return f"{reason}; kept what was recorded before it."
    if stop.kind == "bad_crc":
        return f"{reason}; kept the {_plural(kept, 'session')}, decoded cleanly but unverified."
    return f"{reason}; kept the {_plural(kept, 'session')} decoded before it."


@dataclass(slots=True)
class Built:
    """The activities, problems and ``file_id.type`` name of one file."""

    activities: list[Activity] = field(default_factory=list)
    problems: list[ReadProblem] = field(default_factory=list)
    file_type: str | None = None


def build(decoded: Decoded, origin: Origin, source: str = "fit") -> Built:
    """Turn one decoded file into Activities and problems (rules: see the module docstring)."""
    groups: dict[str, list[RawFields]] = {}
    for name, fields in decoded.messages:
        groups.setdefault(name, []).append(fields)
    file_ids = groups.get("file_id", [])
    types = [raw_number(f.get("type")) for f in file_ids]
    type_raw = next((t for t in types if t is not None), None)
    result = Built()
    result.file_type = profile.file_type_name(int(type_raw)) if type_raw is not None else None

    def problem(kind: Any, message: str, severity: Severity) -> ReadProblem:
        return ReadProblem(origin.path, origin.member, kind, message, severity)

    if result.file_type is not None and result.file_type != "activity":
        result.problems.append(
            problem("not_activity", f"A FIT {result.file_type} file, not an activity.", "info")
        )
        return result

    clock, utc_offset = clock_and_offset(groups.get("activity", []))
    sports = groups.get("sport", [])
    sessions: list[RawFields] = []
    extra: list[ReadProblem] = []
    seen: set[Any] = set()
    for fields in groups.get("session", []):
        key = _identity(fields)
        if key in seen:
            extra.append(
                problem(
                    "duplicate",
                    "The file holds the same session twice; the copy was ignored.",
                    "info",
                )
            )
        else:
            seen.add(key)
            sessions.append(fields)
    rebuilt = False
    if not sessions:
        sessions = rebuilt_sessions(groups.get("lap", []), groups.get("record", []))
        rebuilt = bool(sessions)
    legs: list[_Leg] = []
    unplaced = 0
    for index, fields in enumerate(sessions):
        leg = _make_leg(index, fields, sports, clock)
        if leg is None:
            unplaced += 1
        else:
            legs.append(leg)
    legs = _drop_summaries(legs) if legs else legs
    dropped: list[str] = []
    if legs:
        for fields in groups.get("set", []):
            item = _strength_set(fields, clock, dropped)
            _home_leg(item, legs).sets.append(item)
        for fields in groups.get("lap", []):
            lap = _lap(fields, clock)
            if lap is not None:
                home = legs[0] if len(legs) == 1 else _home_leg(lap[0], legs)
                home.laps.append(lap)

    device = _device(file_ids)
    activities = [
        _activity(leg, i, origin, source, dropped, utc_offset_s=utc_offset, device=device)
        for i, leg in enumerate(legs)
    ]
    collisions = Counter(a.id for a in activities)
    result.activities = [
        a if collisions[a.id] == 1 else replace(a, id=f"{a.id}-{a.leg}") for a in activities
    ]

    kept = len(result.activities)
    severity: Severity = "warning" if kept else "error"
    if decoded.stop is not None:
        result.problems.append(
            problem(decoded.stop.kind, _stop_sentence(decoded.stop, kept, rebuilt), severity)
        )
    if rebuilt and kept:
        result.problems.append(
            problem(
                "no_session",
                f"The activity holds no session message (the recording was never finished): "
                f"{_plural(kept, 'session')} rebuilt from records and laps (sport, start, times, "
                "distance, ascent and descent); averages are missing.",
                "warning",
            )
        )
    elif not sessions and decoded.stop is None:
        result.problems.append(
            problem(
                "no_session",
                "The activity holds no session message, so it has no sport or totals.",
                "error",
            )
        )
    if unplaced:
        result.problems.append(
            problem(
                "bad_value",
                f"Skipped {_plural(unplaced, 'session')} without a possible start time "
                "(device clock not set, or a date before 1989 or in the future).",
                severity,
            )
        )
    if dropped:
        shown = ", ".join(dropped[:_SHOWN]) + (
            f" and {len(dropped) - _SHOWN} more" if len(dropped) > _SHOWN else ""
        )
        result.problems.append(
            problem("bad_value", f"Ignored impossible values: {shown}.", "warning")
        )
    if decoded.unreadable:
        names = sorted(set(decoded.unreadable))
        shown = ", ".join(names[:_SHOWN]) + (
            f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else ""
        )
        result.problems.append(
            problem(
                "bad_value",
                f"Ignored {_plural(len(decoded.unreadable), 'value')} stored with a size or type "
                f"that holds no number: {shown}.",
                severity,
            )
        )
    result.problems.extend(extra)
    return result
