"""Sessions rebuilt from laps and records when a watch died before writing its session.

One session per run of laps of the same sport; records after the last lap extend it, and
records alone make one session whose timer leaves out pauses over ``_PAUSE_S``.
"""

from __future__ import annotations

from typing import Any

from chainfix.fit import profile
from chainfix.fit.decoded import Decoded, RawFields
from chainfix.fit.raw_values import enum8, raw_number, raw_time

_TOTALS = ("total_elapsed_time", "total_timer_time", "total_distance")
_CLIMB = ("total_ascent", "total_descent")
_PAUSE_S = 30
"""A gap between records longer than this is a pause: not counted in a rebuilt timer time."""
_MIN_REBUILT_S = 60
"""Records alone (no lap) moving for less than this rebuild nothing (a watch started and
stopped at once, a file cut after its first records)."""


def needs_recovery(decoded: Decoded) -> bool:
    """True for a decoded activity (or file of unknown type) without any session message, read
    without its laps and records: read it again with them to rebuild its sessions."""
    names = {name for name, _ in decoded.messages}
    if "session" in names or "record" in names:  # laps alone are read in the first pass too
        return False
    for name, fields in decoded.messages:
        if name == "file_id":
            kind = raw_number(fields.get("type"))
            if kind is not None:
                return profile.file_type_name(int(kind)) == "activity"
    return True


def _sum(laps: list[RawFields], name: str) -> int | float | None:
    values = [v for lap in laps if (v := raw_number(lap.get(name))) is not None and v >= 0]
    return sum(values) if values else None


def rebuilt_sessions(laps: list[RawFields], records: list[RawFields]) -> list[RawFields]:
    """Session fields (raw units: laps and sessions share scales) rebuilt from laps and records:
    one per run of consecutive laps of the same sport; records after the last lap extend it."""
    times = sorted(t for r in records if (t := raw_time(r.get("timestamp"))) is not None)
    distances = [d for r in records if (d := raw_number(r.get("distance"))) is not None and d >= 0]
    groups: list[list[RawFields]] = []
    for lap in laps:
        if raw_time(lap.get("start_time")) is None and raw_time(lap.get("timestamp")) is None:
            continue
        sport = (enum8(lap.get("sport")), enum8(lap.get("sub_sport")))
        if (
            groups
            and (enum8(groups[-1][0].get("sport")), enum8(groups[-1][0].get("sub_sport"))) == sport
        ):
            groups[-1].append(lap)
        else:
            groups.append([lap])
    sessions: list[RawFields] = []
    for group in groups:
        fields: dict[str, Any] = {
            "start_time": raw_time(group[0].get("start_time")),
            "timestamp": raw_time(group[-1].get("timestamp")),
            "sport": group[0].get("sport"),
            "sub_sport": group[0].get("sub_sport"),
        }
        for name in (*_TOTALS, *_CLIMB):
            fields[name] = _sum(group, name)
        sessions.append(fields)
    last_end = sessions[-1]["timestamp"] if sessions else None
    tail = [t for t in times if last_end is None or t > last_end]
    if len(tail) < 2 and not (tail and sessions):
        return sessions
    begin = last_end if last_end is not None else tail[0]
    span = tail[-1] - begin
    moving = sum(b - a for a, b in zip([begin, *tail], tail, strict=False) if b - a <= _PAUSE_S)
    if not sessions:
        if moving < _MIN_REBUILT_S:
            return []
        sessions.append({"start_time": begin, "timestamp": tail[-1]})
        for name in _TOTALS:
            sessions[-1][name] = 0
    last = sessions[-1]
    last["timestamp"] = tail[-1]
    last["total_elapsed_time"] = (last.get("total_elapsed_time") or 0) + span * 1000
    last["total_timer_time"] = (last.get("total_timer_time") or 0) + moving * 1000
    if distances:
        before = sum(s.get("total_distance") or 0 for s in sessions[:-1])
        last["total_distance"] = max(last.get("total_distance") or 0, max(distances) - before)
    return sessions
