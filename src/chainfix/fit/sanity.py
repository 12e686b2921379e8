"""Plausibility limits for values read from FIT files: an impossible value becomes None.

A damaged or oddly written file can hold a 300 bpm average or a 40,000 km ride. Such values are
dropped one by one (the rest of the activity is kept) and reported by name, so the muscle-load
model never sees them. The limits are those of chainfix's source contract
(``chainfix.testing.contract``). A heart rate of 0 means "no sensor" and is dropped silently.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

EARLIEST = datetime(1989, 1, 1, tzinfo=UTC)
"""No FIT device recorded anything before FIT's epoch year."""

SESSION_LIMITS: dict[str, tuple[float, float]] = {
    "elapsed_s": (0, 14 * 24 * 3600.0),
    "timer_s": (0, 14 * 24 * 3600.0),
    "distance_m": (0, 5_000_000.0),
    "ascent_m": (0, 50_000.0),
    "descent_m": (0, 50_000.0),
    "avg_speed_m_s": (0, 100.0),
    "avg_hr": (20, 260),
    "max_hr": (20, 260),
    "avg_power_w": (0, 3_000),
    "avg_cadence": (0, 400),
}
SET_LIMITS: dict[str, tuple[float, float]] = {
    "duration_s": (0, 86_400),
    "weight_kg": (0, 1_000),
    "reps": (0, 10_000),
}
SPEED_CAPS_M_S = {"running": 15.0, "walking": 15.0, "hiking": 15.0, "swimming": 5.0}
"""Highest believable average speed by sport (100 m/s for the others)."""
_SILENT = {("avg_hr", 0.0), ("max_hr", 0.0)}


def plausible_time(value: datetime) -> bool:
    """After 1989 and at most two days ahead of this machine's clock."""
    return EARLIEST <= value <= datetime.now(UTC) + timedelta(days=2)


def _in_range(values: dict, limits: dict[str, tuple[float, float]], dropped: list[str]) -> None:
    for name, (low, high) in limits.items():
        value = values.get(name)
        if value is not None and not low <= value <= high:
            values[name] = None
            if (name, value) not in _SILENT:
                dropped.append(f"{name}={value:g}")


def _drop(values: dict, name: str, dropped: list[str]) -> None:
    dropped.append(f"{name}={values[name]:g}")
    values[name] = None


def check_session(sport: str, values: dict[str, float | None]) -> list[str]:
    """Set impossible session values to None in place; return them as ``name=value`` strings."""
    dropped: list[str] = []
    _in_range(values, SESSION_LIMITS, dropped)
    elapsed, timer = values["elapsed_s"], values["timer_s"]
    if elapsed and timer and timer > elapsed * 1.05 + 120:
        _drop(values, "timer_s", dropped)
    avg_hr, max_hr = values["avg_hr"], values["max_hr"]
    if avg_hr and max_hr and max_hr + 1 < avg_hr:
        _drop(values, "max_hr", dropped)
    duration = values["timer_s"] if values["timer_s"] is not None else values["elapsed_s"] or 0.0
    distance = values["distance_m"]
    if distance and duration > 0:
        if distance / duration > SPEED_CAPS_M_S.get(sport, 100.0):
            _drop(values, "distance_m", dropped)
        else:
            implied = distance / duration
            speed = values["avg_speed_m_s"]
            if speed and not implied / 3 - 0.5 <= speed <= implied * 3 + 0.5:
                _drop(values, "avg_speed_m_s", dropped)
    return dropped


def check_set(values: dict[str, float | None]) -> list[str]:
    """Set impossible set values to None in place; return them as ``name=value`` strings."""
    dropped: list[str] = []
    _in_range(values, SET_LIMITS, dropped)
    return dropped
