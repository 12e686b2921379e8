"""How names and numbers read in the reports' sentences, and the facts every report states.

The framing line, the scoring window (:func:`period`), whether the data is thin
(:func:`thin_data`), and the words for groups, patterns, days, hours and counts; shared by the
explanations (:mod:`~chainfix.analysis.explain`) and every renderer in ``report/``.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chainfix.analysis.result import Analysis

FRAMING = "A record of the work you logged, not a recovery score and not an injury prediction."
"""Said with every report: what the numbers are, and what they are not."""

NAMES: dict[str, str] = {
    "quads": "quads",
    "hamstrings": "hamstrings",
    "glute_max": "glutes",
    "glute_med": "side glutes (glute med)",
    "calves": "calves",
    "hip_flexors": "hip flexors",
    "lower_back": "lower back",
    "upper_back": "upper back",
}
"""How each group is named in sentences (glute max reads as "glutes")."""

PATTERN_NAMES: dict[str, str] = {
    "hinge_hip_extension": "hinge/hip extension",
    "knee_flexion": "knee flexion",
    "calves": "calves",
    "upper_back_pull": "upper-back pull",
    "hip_abduction": "hip abduction",
}


def day(d: date) -> str:
    """``3 March 2025``."""
    return f"{d.day} {d:%B %Y}"


def hours(minutes: float) -> str:
    return f"{minutes / 60:,.1f} h"


def km(x: float) -> str:
    return f"{x:,.0f} km" if x >= 10 else f"{x:,.1f} km"


def pct(x: float) -> str:
    return f"{x * 100:.0f} %"


def sets(x: float) -> str:
    return f"{x:,.1f}"


def plural(n: float, word: str, many: str | None = None) -> str:
    """``1 activity``, ``2 activities``, ``1,204 runs``."""
    if many is None:
        consonant_y = word.endswith("y") and word[-2:-1] not in "aeiou"
        many = word[:-1] + "ies" if consonant_y else word + "s"
    return f"{n:,.0f} {word if n == 1 else many}"


def join(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def period(a: Analysis) -> str:
    """``the last 4 weeks`` (or days), the scoring window."""
    n = a.score_days
    if n % 7 == 0:
        w = n // 7
        return "the last week" if w == 1 else f"the last {w} weeks"
    return f"the last {n} days"


def dominant(a: Analysis) -> tuple[str, str]:
    """("Your running", "running") when one sport gives >= 60 % of the exposure."""
    by = a.totals["exposure_by_sport"]
    total = sum(by.values())
    if total > 0:
        sport, value = next(iter(by.items()))
        if value / total >= 0.6:
            name = sport.replace("_", " ")
            return f"Your {name}", name
    return "Your endurance training", "endurance training"


def thin_data(a: Analysis) -> dict[str, Any]:
    """How much data the scores rest on, and whether it is too little to rank groups finely.

    "Too little" is set by ``thin_min_activities`` and ``thin_min_week_share`` of
    ``analysis-rules.csv``.

    The keys extend the JSON's ``data_gaps``: ``thin_data`` (bool), ``scored_activities``,
    ``scored_weeks`` and ``active_weeks`` (weeks of the scoring window holding an activity).
    """
    start = a.score_start.toordinal()
    days = a.activities["day"] if "day" in a.activities else []
    scored = int(sum(1 for d in days if int(d) >= start))
    weeks = max(1, -(-a.score_days // 7))
    active = len({(int(d) - start) // 7 for d in days if int(d) >= start})
    thin = scored < a.model.number("thin_min_activities") or active < (
        a.model.number("thin_min_week_share") * weeks
    )
    return {
        "thin_data": thin,
        "scored_activities": scored,
        "scored_weeks": weeks,
        "active_weeks": active,
    }


def level_word(priority: float) -> str:
    """``high`` (0.5 and above), ``medium`` (0.25), ``low`` (above 0) or ``none``."""
    if priority >= 0.5:
        return "high"
    if priority >= 0.25:
        return "medium"
    return "low" if priority > 0 else "none"


def window_flags(a: Analysis) -> list[Any]:
    """The descent-heavy activities inside the scoring window (the figures' own window)."""
    return [f for f in a.equ_flags if f.kind == "activity" and f.date >= a.score_start]
