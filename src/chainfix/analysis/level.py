"""Rule R1, computed once: is an activity a strength workout, and what is the athlete's level.

Both ``analyze`` and the planner use :func:`athlete_level`; every threshold comes from
``analysis-rules.csv`` (the ``level_*`` rows), so a coach changes them in one place.

* Beginner: no strength workout in the lookback window.
* Intermediate: at least ``level_intermediate_per_week`` strength workouts a week averaged over
  the last ``level_intermediate_weeks`` weeks, or over the span the history really covers when it
  is shorter (never fewer than ``level_min_span_weeks``); or logged loads (kg) on hinges, rows or
  calf raises in at least ``level_loaded_per_week`` workouts a week over that span.
* Advanced: at least ``level_advanced_per_week`` a week for ``level_advanced_weeks`` weeks; with
  ``level_advanced_needs_screens`` = 1 a level read from a history stops at intermediate.

A self-test never changes the level (science section 5 ruling): a failed single-leg glute bridge
resets the hip-bridge and knee-flexion ladders only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from chainfix.analysis.coefficients import Model
from chainfix.analysis.strength import Tallies, tallies_of
from chainfix.model import Activity


def is_strength_workout(model: Model, a: Activity, tallies: Tallies | None = None) -> bool:
    """Logged active sets, a summary of sets, or a sport whose exposure row is ``per_set``
    (``tallies``: the tally of its sets, default worked out from them)."""
    tally = (tallies or tallies_of(model))(a)
    if (tally is not None and tally.active) or a.summary_sets:
        return True
    _, rows = model.exposure_rows(a.sport.lower(), a.sub_sport.lower())
    return "per_set" in rows and (a.duration_s or 0) > 0


def _loaded_evidence(model: Model, a: Activity, tallies: Tallies) -> bool:
    """A set with a logged load in one of the ``level_loaded_families`` families."""
    families = set(model.rules.get("level_loaded_families", "").split("|")) - {""}
    tally = tallies(a)
    if tally is not None and not families.isdisjoint(tally.loaded):
        return True
    for summary in a.summary_sets:
        if summary.max_weight_kg and summary.max_weight_kg > 0:
            family, _ = model.family_for(summary.category, summary.exercise)
            if family in families:
                return True
    return False


@dataclass(frozen=True, slots=True)
class Level:
    """The athlete's level, where it came from, and one sentence saying why."""

    name: str
    source: str
    """``given`` (profile or option) or ``derived`` (from the history)."""
    reason: str
    per_week: float = 0.0
    """Strength workouts a week over the span used."""
    span_weeks: float = 0.0


def _plural(n: float, word: str) -> str:
    return f"{n:g} {word}" if n == 1 else f"{n:g} {word}s"


def athlete_level(
    model: Model,
    activities: Iterable[Activity],
    until: date,
    given: str | None = None,
    tallies: Tallies | None = None,
) -> Level:
    """R1 from the activities that start before ``until`` (``given`` wins when set;
    ``tallies``: the tally of each one's sets, default worked out from them)."""
    if given is not None:
        return Level(given, "given", f"Level {given}, as you set it.")
    tallies = tallies or tallies_of(model)
    acts = [a for a in activities if a.local_date < until]
    w_int = int(model.number("level_intermediate_weeks"))
    w_adv = int(model.number("level_advanced_weeks"))
    min_span = model.number("level_min_span_weeks")
    first = min((a.local_date for a in acts), default=until)
    covered = max((until - first).days / 7, 0.0)
    span = min(float(w_int), max(covered, min_span))
    since = until - timedelta(days=round(span * 7))
    adv_since = until - timedelta(weeks=w_adv)
    counted = min(since, adv_since)  # the days either rate counts: older ones are not looked at
    strength_days = {
        a.local_date
        for a in acts
        if a.local_date >= counted and is_strength_workout(model, a, tallies)
    }
    recent = {d for d in strength_days if d >= since}
    loaded_days = {
        a.local_date
        for a in acts
        if a.local_date >= since
        and is_strength_workout(model, a, tallies)
        and _loaded_evidence(model, a, tallies)
    }
    rate = len(recent) / span if span else 0.0
    loaded_rate = len(loaded_days) / span if span else 0.0
    span_text = (
        f"the last {w_int} weeks" if span >= w_int else f"the {span:.0f} weeks your history covers"
    )
    adv_rate = len({d for d in strength_days if d >= adv_since}) / w_adv
    if covered >= w_adv - 0.5 and adv_rate >= model.number("level_advanced_per_week"):
        if model.number("level_advanced_needs_screens") >= 1:
            return Level(
                "intermediate",
                "derived",
                f"Level intermediate, from your history: {adv_rate:.1f} strength workouts a week "
                f"for {w_adv // 52} years meets the advanced mark, but advanced also needs the "
                "self-test screens, which a history cannot show; set the level to advanced "
                "once you pass them.",
                adv_rate,
                float(w_adv),
            )
        return Level(
            "advanced",
            "derived",
            f"Level advanced, from your history: {adv_rate:.1f} strength workouts a week for "
            f"{w_adv // 52} years.",
            adv_rate,
            float(w_adv),
        )
    if not recent:
        return Level(
            "beginner",
            "derived",
            f"Level beginner, from your history: no strength workout logged in {span_text}.",
            0.0,
            span,
        )
    need = model.number("level_intermediate_per_week")
    if rate >= need:
        return Level(
            "intermediate",
            "derived",
            f"Level intermediate, from your history: {rate:.1f} strength workouts a week over "
            f"{span_text}.",
            rate,
            span,
        )
    if loaded_rate >= model.number("level_loaded_per_week"):
        return Level(
            "intermediate",
            "derived",
            f"Level intermediate, from your history: {_plural(len(loaded_days), 'workout')} in "
            f"{span_text} with logged loads on hinges, rows or calf raises.",
            rate,
            span,
        )
    return Level(
        "beginner",
        "derived",
        f"Level beginner, from your history: {_plural(len(recent), 'strength workout')} in "
        f"{span_text}, fewer than {need:g} a week.",
        rate,
        span,
    )
