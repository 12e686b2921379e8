"""Add-ons for an athlete who already lifts: a few moves for their own sessions, not a second plan.

Someone who logs strength work ``addon_min_per_week`` times a week or more (``dosing.toml``) gets
only the weekly sets their own sessions do not already cover, as at most ``addon_max_moves``
patterns, the highest-priority first, on the days they already lift.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from chainfix.model import History
from chainfix.planning.dosing import Dosing
from chainfix.planning.history import lifting_habit

PATTERN_WORDS: dict[str, str] = {
    "hinge_hip_extension": "hinge",
    "knee_flexion": "knee-flexion",
    "calves": "calf",
    "upper_back_pull": "upper-back",
    "hip_abduction": "hip-abduction",
}
"""How a pattern reads in the add-on note ("your hinge and calf work is covered")."""


@dataclass(frozen=True, slots=True)
class AddOn:
    """What the add-on plan holds, and the note that explains it."""

    covered: tuple[str, ...]
    """Patterns the athlete's own sessions already cover."""
    targets: dict[str, int]
    """Weekly sets still to add, per pattern kept."""
    left_out: tuple[str, ...]
    """Patterns needing work but beyond ``addon_max_moves``."""
    lifting_days: tuple[int, ...]
    """Weekdays the athlete lifts on (0 = Monday)."""
    note: str


def _words(patterns: list[str] | tuple[str, ...]) -> str:
    words = [PATTERN_WORDS.get(p, p) for p in patterns]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def add_on(
    history: History,
    as_of: date,
    dosing: Dosing,
    model: Any,
    level: str,
    pattern_sets: Mapping[str, float],
    targets: Mapping[str, int],
    pattern_priority: Mapping[str, float],
) -> AddOn | None:
    """The add-on for an athlete who lifts often enough, else None.

    ``pattern_sets`` are the hard sets a week the analysis credits to each pattern; ``targets``
    the plan's weekly sets per pattern before the athlete's own work is counted.
    """
    per_week, lifting_days = lifting_habit(history, as_of, dosing, model)
    if per_week < dosing.addon_min_per_week:
        return None
    covered: list[str] = []
    needed: dict[str, int] = {}
    for name, target in targets.items():
        logged = pattern_sets.get(name, 0.0)
        if logged >= target:
            covered.append(name)
        else:
            needed[name] = max(dosing.dose[level].sets[0], math.ceil(target - logged))
    order = list(needed)
    by_priority = sorted(order, key=lambda p: (-pattern_priority.get(p, 0.0), order.index(p)))
    left_out = tuple(by_priority[dosing.addon_max_moves :])
    kept = {name: sets for name, sets in needed.items() if name not in left_out}
    moves = f"{dosing.addon_max_moves} move{'' if dosing.addon_max_moves == 1 else 's'}"
    lead = f"Your {_words(covered)} work is covered" if covered else "You already lift"
    note = (
        f"{lead}: you lift about {per_week:.0f} times a week, so this plan adds "
        + (f"{_words(list(kept))} work to your own sessions" if kept else "nothing")
        + " instead of a second programme."
        + (
            f" At most {moves} a session: {_words(left_out)} work, which matters least for you, "
            "is left out."
            if left_out
            else ""
        )
    )
    return AddOn(tuple(covered), kept, left_out, tuple(sorted(lifting_days)), note)
