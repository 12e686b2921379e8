"""Pain and soreness check-ins (R15): recorded after a session, read by the next plan.

A check-in holds pain 0-10 per area (the ``[checkin] areas`` of ``dosing.toml``) and overall
soreness 0-10. They are stored in ``<user dir>/checkins.json`` (written atomically). The planner
reads the check-ins of the ``window_days`` before a plan: pain at or above ``regress_pain`` applies
that area's pain flag and starts its ladders one rung lower, as R15 says.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chainfix.atomic import write_atomic
from chainfix.errors import DataFileError, UsageError
from chainfix.paths import checkins_path

if TYPE_CHECKING:  # the dosing rules load when a check-in is there to weigh
    from chainfix.planning.dosing import Dosing


@dataclass(frozen=True, slots=True)
class CheckIn:
    """One check-in: pain 0-10 per area, soreness 0-10, the session it follows (optional)."""

    date: date
    pain: Mapping[str, float] = field(default_factory=dict)
    soreness: float | None = None
    session: str | None = None
    note: str = ""


def _score(value: Any, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"{what}: {value!r} is not a number from 0 to 10") from exc
    if not 0 <= number <= 10:
        raise UsageError(f"{what}: {number:g} is not between 0 and 10")
    return number


def make_checkin(
    day: date,
    pain: Mapping[str, Any],
    soreness: Any,
    areas: Iterable[str],
    session: str | None = None,
    note: str = "",
) -> CheckIn:
    """A validated check-in (areas must be known; scores 0-10)."""
    known = tuple(areas)
    clean: dict[str, float] = {}
    for area, value in pain.items():
        key = area.strip().lower().replace("-", "_").replace(" ", "_")
        if key not in known:
            raise UsageError(f"unknown pain area {area!r}", hint=f"Use one of {', '.join(known)}.")
        clean[key] = _score(value, f"pain in {key}")
    sore = None if soreness is None else _score(soreness, "soreness")
    return CheckIn(date=day, pain=clean, soreness=sore, session=session, note=note)


def to_dict(c: CheckIn) -> dict[str, Any]:
    return {
        "date": c.date.isoformat(),
        "pain": dict(c.pain),
        "soreness": c.soreness,
        "session": c.session,
        "note": c.note,
    }


def from_dict(data: Mapping[str, Any]) -> CheckIn:
    return CheckIn(
        date=date.fromisoformat(str(data["date"])),
        pain={str(k): float(v) for k, v in dict(data.get("pain") or {}).items()},
        soreness=None if data.get("soreness") is None else float(data["soreness"]),
        session=data.get("session"),
        note=str(data.get("note") or ""),
    )


def load_checkins(path: Path | None = None) -> list[CheckIn]:
    """Every stored check-in, oldest first."""
    target = path or checkins_path(create=False)
    if not target.is_file():
        return []
    try:
        items = json.loads(target.read_text("utf-8"))["checkins"]
        return sorted((from_dict(i) for i in items), key=lambda c: c.date)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataFileError(
            f"{target}: cannot read the stored check-ins: {exc}",
            hint="Move the file away and record the check-in again with `chainfix checkin`.",
        ) from exc


def save_checkin(checkin: CheckIn, path: Path | None = None) -> list[CheckIn]:
    """Store a check-in (replacing one of the same date and session); all check-ins back."""
    target = path or checkins_path()
    kept = [
        c for c in load_checkins(target) if (c.date, c.session) != (checkin.date, checkin.session)
    ]
    kept.append(checkin)
    kept.sort(key=lambda c: c.date)
    payload = {"schema": 1, "checkins": [to_dict(c) for c in kept]}
    write_atomic(target, json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    return kept


@dataclass(frozen=True, slots=True)
class CheckInEffect:
    """What the recent check-ins do to a plan."""

    pain_flags: tuple[str, ...] = ()
    step_down: Mapping[str, int] = field(default_factory=dict)
    """Ladder -> rungs to start lower."""
    notes: tuple[str, ...] = ()


def checkin_effect(checkins: Iterable[CheckIn], start: date, dosing: Dosing) -> CheckInEffect:
    """R15 from the check-ins of the ``window_days`` up to ``start`` (a check-in made that day,
    after its session, included; the worst score counts)."""
    since = start - timedelta(days=dosing.checkin_window_days)
    recent = [c for c in checkins if since <= c.date <= start]
    if not recent:
        return CheckInEffect()
    worst: dict[str, tuple[float, date]] = {}
    for c in recent:
        for area, value in c.pain.items():
            if value > worst.get(area, (-1.0, c.date))[0]:
                worst[area] = (value, c.date)
    flags: list[str] = []
    step_down: dict[str, int] = {}
    notes: list[str] = []
    for area, (value, when) in sorted(worst.items()):
        name = area.replace("_", " ")
        if value >= dosing.checkin_regress_pain:
            flags.append(area)
            for ladder in dosing.checkin_ladders.get(area, ()):
                step_down[ladder] = 1
            notes.append(
                f"Your check-in on {when:%d %b}: {name} pain {value:g}/10. That work starts one "
                f"step easier, and exercises that load the {name} hard are left out; stop any "
                "exercise that hurts, and see a professional if the pain persists."
            )
        elif value > 0:
            notes.append(
                f"Your check-in on {when:%d %b}: {name} pain {value:g}/10. Keep it pain-monitored: "
                f"stay below {dosing.checkin_regress_pain:g}/10 during the exercise and no worse "
                "the next morning."
            )
    sore = max((c.soreness for c in recent if c.soreness is not None), default=None)
    if sore is not None and sore >= dosing.checkin_heavy_soreness:
        notes.append(
            f"You reported soreness of {sore:g}/10: keep the first session light, far from "
            "failure, until it settles."
        )
    return CheckInEffect(pain_flags=tuple(flags), step_down=step_down, notes=tuple(notes))


REPORT_LAST = 5
"""How many of the latest check-ins the reports show."""


@dataclass(frozen=True, slots=True)
class CheckInReport:
    """A check-in as the reports show it: what the athlete felt and what the plan did about it."""

    checkin: CheckIn
    response: str
    """One plain sentence: what the plan did (or does) about it."""
    current: bool
    """Within the ``window_days`` the next plan reads."""


def response(c: CheckIn, dosing: Dosing) -> str:
    """What the planner does about one check-in (the thresholds of :func:`checkin_effect`)."""
    parts: list[str] = []
    high = [a for a, v in c.pain.items() if v >= dosing.checkin_regress_pain]
    some = [a for a, v in c.pain.items() if 0 < v < dosing.checkin_regress_pain]
    if high:
        names = _names(high)
        parts.append(
            f"{names} work starts one step easier and exercises that load the {names} hard "
            "are left out"
        )
    if some:
        parts.append(f"{_names(some)} kept pain-monitored")
    if c.soreness is not None and c.soreness >= dosing.checkin_heavy_soreness:
        parts.append("the first session kept light")
    if not parts:
        return "No change: no pain."
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def area_name(area: str) -> str:
    """An area as a report names it: ``lower back``, ``Achilles``."""
    words = area.replace("_", " ")
    return "Achilles" if words == "achilles" else words


def _names(areas: Iterable[str]) -> str:
    words = [area_name(a) for a in areas]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def recent_reports(
    checkins: Iterable[CheckIn], today: date, dosing: Dosing, last: int = REPORT_LAST
) -> list[CheckInReport]:
    """The ``last`` latest check-ins up to ``today``, newest first, with what the plan did."""
    since = today - timedelta(days=dosing.checkin_window_days)
    latest = sorted((c for c in checkins if c.date <= today), key=lambda c: c.date)[-last:]
    out = []
    for c in reversed(latest):
        current = c.date >= since
        said = response(c, dosing)
        if not current:
            days = dosing.checkin_window_days
            said = f"Older than {days} days: no longer changes the plan. While recent: {said}"
        out.append(CheckInReport(c, said, current))
    return out


def report_to_dict(r: CheckInReport) -> dict[str, Any]:
    """One reported check-in as JSON (``docs/analysis-json.md``, ``checkins[]``)."""
    return {**to_dict(r.checkin), "response": r.response, "current": r.current}
