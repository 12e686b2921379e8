"""The athlete profile: level, equipment, days, races, phase, pain flags, sitting hours.

Stored as TOML at :func:`chainfix.paths.profile_path`. Read with :mod:`tomllib`; written with the
tomli-w (:func:`dumps_toml`), atomically: a temporary file in the same folder
is written, flushed to disk and renamed over the old one, so a crash never leaves half a profile.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from chainfix.atomic import write_atomic
from chainfix.errors import ProfileError, ProfileValueError
from chainfix.model import LEVELS
from chainfix.paths import profile_path
from chainfix.planning.rules import PHASES, words_of

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Weekday names as the profile stores them; index = ``date.weekday()``."""

RACE_PRIORITIES: tuple[str, ...] = ("A", "B")


@dataclass(frozen=True, slots=True)
class Race:
    """A race date. ``A`` races get a taper (R11); ``B`` races get the 48 h buffer (R10)."""

    date: date
    priority: str = "A"
    name: str = ""


@dataclass(frozen=True, slots=True)
class AthleteProfile:
    """What the athlete told chainfix. Every field may be unset."""

    level: str | None = None
    """``beginner``, ``intermediate`` or ``advanced``; None lets the history decide (R1)."""
    equipment: tuple[str, ...] = ()
    """Equipment at hand, catalogue names (``dumbbell``, ``bench`` ...)."""
    sessions_per_week: int | None = None
    days: tuple[str, ...] = ()
    """Weekdays available for strength (``mon`` ... ``sun``); empty means every day."""
    races: tuple[Race, ...] = ()
    phase: str = "base"
    """``base``, ``build``, ``race`` (in season) or ``off`` (off-season block)."""
    pain: tuple[str, ...] = ()
    """Pain flags (R15): ``lower_back``, ``hamstring``, ``achilles``, ``knee``, ``itb``."""
    sitting_hours: float | None = None
    """Typical sitting hours per working day (used by the analysis, science section 8)."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Keys chainfix does not know, kept so that writing the profile never loses them."""

    @property
    def flags(self) -> frozenset[str]:
        """Pattern flags the profile implies: ``hip_abduction`` for an ``itb`` pain flag (R3).

        The analysis reads this to give glute_med its flagged target.
        """
        if not self.pain:  # nothing to look up: the dosing rules stay unread
            return frozenset()
        from chainfix.planning.dosing import load_dosing

        if set(self.pain) & set(load_dosing().pain_flag_hip_abduction):
            return frozenset({"hip_abduction"})
        return frozenset()

    def weekday_numbers(self) -> frozenset[int]:
        """Available weekdays as ``date.weekday()`` numbers (all seven when unset)."""
        if not self.days:
            return frozenset(range(7))
        return frozenset(WEEKDAYS.index(d) for d in self.days)

    def with_changes(self, **changes: Any) -> AthleteProfile:
        return replace(self, **changes)


# ---------------------------------------------------------------------------------------------
# Parsing user words
# ---------------------------------------------------------------------------------------------


def parse_days(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """``"mon,tue"`` or ``["Monday", "tue"]`` -> ``("mon", "tue")`` in week order."""
    out: set[str] = set()
    for word in words_of(value):
        short = word[:3]
        if short not in WEEKDAYS or (len(word) > 3 and not _full_day(word)):
            raise ProfileValueError(
                f"{word!r} is not a weekday", hint=f"Use {','.join(WEEKDAYS)} (or full names)."
            )
        out.add(short)
    if not out and value:
        raise ProfileValueError("no weekday given", hint=f"Use {','.join(WEEKDAYS)}.")
    return tuple(d for d in WEEKDAYS if d in out)


def _full_day(word: str) -> bool:
    names = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    return word in names or word in ("tues", "thur", "thurs", "weds")


def parse_race(text: str) -> Race:
    """``2027-04-12``, ``2027-04-12:B`` or ``2027-04-12:A:City marathon``."""
    parts = text.strip().split(":", 2)
    try:
        day = date.fromisoformat(parts[0].strip())
    except ValueError:
        raise ProfileValueError(
            f"{parts[0]!r} is not a date", hint="Give races as YYYY-MM-DD, optionally :A or :B."
        ) from None
    priority = parts[1].strip().upper() if len(parts) > 1 and parts[1].strip() else "A"
    if priority not in RACE_PRIORITIES:
        raise ProfileValueError(f"race priority {priority!r} must be A or B")
    name = parts[2].strip() if len(parts) > 2 else ""
    return Race(date=day, priority=priority, name=name)


def parse_level(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    level = value.strip().lower()
    if level in ("auto", "none"):
        return None
    if level not in LEVELS:
        hint = f"Use one of {', '.join(LEVELS)}."
        raise ProfileValueError(f"{value!r} is not a level", hint=hint)
    return level


def parse_phase(value: str) -> str:
    phase = value.strip().lower()
    if phase not in PHASES:
        hint = f"Use one of {', '.join(PHASES)}."
        raise ProfileValueError(f"{value!r} is not a phase", hint=hint)
    return phase


def normalise_equipment(
    words: Iterable[str],
    aliases: Mapping[str, str],
    gym: Sequence[str],
    known: Iterable[str] | None = None,
) -> tuple[str, ...]:
    """Map the words people type (``dumbbells``, ``gym``) to catalogue equipment names.

    With ``known``, an unknown name raises :class:`ProfileError` listing the known names.
    """
    known_set = set(known) if known is not None else None
    out: list[str] = []
    for word in words_of(list(words)):
        name = aliases.get(word, word)
        names = list(gym) if name == "gym" else [name]
        for n in names:
            if known_set is not None and n not in known_set:
                raise ProfileValueError(
                    f"unknown equipment {word!r}",
                    hint=f"Known equipment: {', '.join(sorted(known_set | {'gym'}))}.",
                )
            if n not in out:
                out.append(n)
    return tuple(out)


def parse_pain(value: str | Sequence[str] | None, flags: Sequence[str]) -> tuple[str, ...]:
    out: list[str] = []
    for word in words_of(value):
        if word in ("none", "no"):
            continue
        if word not in flags:
            raise ProfileValueError(f"unknown pain flag {word!r}", hint=f"Use {', '.join(flags)}.")
        if word not in out:
            out.append(word)
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# TOML
# ---------------------------------------------------------------------------------------------


def dumps_toml(data: Mapping[str, Any]) -> str:
    """``data`` as TOML (tomli-w), leaving out ``None`` values, which TOML cannot hold."""
    import tomli_w  # writing only: a run that reads the profile does not load it

    return tomli_w.dumps(_without_none(data))


def _without_none(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_without_none(v) for v in value if v is not None]
    return value


# ---------------------------------------------------------------------------------------------
# Load and save
# ---------------------------------------------------------------------------------------------

_KNOWN_KEYS: tuple[str, ...] = (
    "level",
    "equipment",
    "sessions_per_week",
    "days",
    "races",
    "phase",
    "pain",
    "sitting_hours",
)


def profile_to_dict(profile: AthleteProfile) -> dict[str, Any]:
    """The profile as plain data (the TOML layout and the ``--json`` output)."""
    data: dict[str, Any] = {
        "level": profile.level,
        "equipment": list(profile.equipment),
        "sessions_per_week": profile.sessions_per_week,
        "days": list(profile.days),
        "phase": profile.phase,
        "pain": list(profile.pain),
        "sitting_hours": profile.sitting_hours,
    }
    for key, value in profile.extra.items():
        if key not in data:
            data[key] = value
    data["races"] = [
        {"date": r.date, "priority": r.priority, **({"name": r.name} if r.name else {})}
        for r in sorted(profile.races, key=lambda r: r.date)
    ]
    return data


def profile_from_dict(data: Mapping[str, Any], where: str = "profile") -> AthleteProfile:
    """Check and convert plain data (as read from TOML) into a profile."""

    def bad(key: str, why: str) -> ProfileError:
        return ProfileError(f"{where}: {key}: {why}")

    def word_list(key: str) -> tuple[str, ...]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad(key, "must be a list of words")
        return tuple(value)

    try:
        level = parse_level(data.get("level")) if data.get("level") is not None else None
        phase = parse_phase(str(data.get("phase", "base")))
        days = parse_days(word_list("days")) if data.get("days") else ()
    except ProfileError as exc:
        raise ProfileError(f"{where}: {exc.message}", hint=exc.hint) from None
    sessions = data.get("sessions_per_week")
    if sessions is not None and (
        isinstance(sessions, bool) or not isinstance(sessions, int) or not 1 <= sessions <= 7
    ):
        raise bad("sessions_per_week", f"{sessions!r} must be a whole number 1-7")
    sitting = data.get("sitting_hours")
    if sitting is not None and (
        isinstance(sitting, bool) or not isinstance(sitting, int | float) or not 0 <= sitting <= 24
    ):
        raise bad("sitting_hours", f"{sitting!r} must be hours 0-24")
    races = []
    raw_races = data.get("races", [])
    if not isinstance(raw_races, list):
        raise bad("races", "must be a list of [[races]] tables")
    for i, item in enumerate(raw_races, start=1):
        if not isinstance(item, Mapping):
            raise bad(f"races[{i}]", "must be a table with date and priority")
        day = item.get("date")
        if isinstance(day, datetime):
            day = day.date()
        if isinstance(day, str):
            try:
                day = date.fromisoformat(day)
            except ValueError:
                raise bad(f"races[{i}].date", f"{day!r} is not a date") from None
        if not isinstance(day, date):
            raise bad(f"races[{i}].date", "must be a date like 2027-04-12")
        priority = str(item.get("priority", "A")).upper()
        if priority not in RACE_PRIORITIES:
            raise bad(f"races[{i}].priority", f"{priority!r} must be A or B")
        races.append(Race(date=day, priority=priority, name=str(item.get("name", ""))))
    extra = {k: v for k, v in data.items() if k not in _KNOWN_KEYS}
    return AthleteProfile(
        level=level,
        equipment=word_list("equipment"),
        sessions_per_week=sessions,
        days=days,
        races=tuple(sorted(races, key=lambda r: r.date)),
        phase=phase,
        pain=word_list("pain"),
        sitting_hours=float(sitting) if sitting is not None else None,
        extra=extra,
    )


def load_profile(path: Path | None = None) -> AthleteProfile:
    """The stored profile, or an empty one when there is none yet."""
    target = path or profile_path(create=False)
    if not target.is_file():
        return AthleteProfile()
    try:
        data = tomllib.loads(target.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(f"{target}: cannot read the profile: {exc}") from exc
    return profile_from_dict(data, str(target))


def save_profile(profile: AthleteProfile, path: Path | None = None) -> Path:
    """Write the profile atomically; returns the path written."""
    target = path or profile_path()
    header = "# chainfix athlete profile. Edit with `chainfix profile set` or by hand.\n"
    write_atomic(target, header + dumps_toml(profile_to_dict(profile)))
    return target
