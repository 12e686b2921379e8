"""Strength stimulus: logged sets -> families -> credited hard sets per muscle group.

A set counts as *hard* when it is active and has reps (or lasted long enough, for holds): watches
record no effort rating, so every logged working set is taken as hard (``analysis-rules.csv``).
Sets resolve to a family through ``fit-set-families.csv`` (first candidate category + exercise
name). The watch's "unknown" guess, and categories the rules do not know, become
``unknown_strength`` at its reduced credits, and are counted so the user sees how many there were.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from chainfix.analysis.coefficients import UNKNOWN_FAMILY, Model
from chainfix.model import Activity, StrengthSet


@dataclass(frozen=True, slots=True)
class StrengthCount:
    """What one activity's strength work adds up to, before credits are applied."""

    families: Counter[str]
    """Hard sets per family (logged and estimated)."""
    logged_sets: int
    """Hard sets recorded by the watch or a JSON summary."""
    unknown_sets: int
    """Logged hard sets that could not be classified (credited as ``unknown_strength``)."""
    estimated_sets: int
    """Sets assumed from the duration of a strength workout without set data."""
    basis: str
    """``sets``, ``summary``, ``duration`` or ``none``."""


def is_hard(s: StrengthSet, min_reps: float, min_duration_s: float) -> bool:
    """An active set with reps, or a hold of at least ``min_duration_s`` seconds."""
    if not s.is_active:
        return False
    if s.reps is not None and s.reps >= max(min_reps, 1):
        return True
    return s.duration_s is not None and s.duration_s >= max(min_duration_s, 0.001)


def count_activity(model: Model, a: Activity, is_strength_sport: bool) -> StrengthCount | None:
    """Hard sets per family for one activity, or None when it holds no strength work.

    Order of evidence: FIT sets, then the JSON summary's exercise sets, then (for a strength
    sport only) the workout's duration at ``strength_minutes_per_set``.
    """
    min_reps = model.number("hard_set_min_reps")
    min_dur = model.number("hard_set_min_duration_s")
    fams: Counter[str] = Counter()
    unknown = 0
    if a.sets:
        for s in a.sets:
            if not is_hard(s, min_reps, min_dur):
                continue
            fam, known = model.family_for(s.category, s.exercise)
            fams[fam] += 1
            unknown += not known
        if fams:
            return StrengthCount(fams, sum(fams.values()), unknown, 0, "sets")
    if a.summary_sets:
        for e in a.summary_sets:
            n = e.sets if e.sets > 0 else (1 if e.reps > 0 or (e.duration_s or 0) > 0 else 0)
            if n <= 0:
                continue
            fam, known = model.family_for(e.category, e.exercise)
            fams[fam] += n
            unknown += n if not known else 0
        if fams:
            return StrengthCount(fams, sum(fams.values()), unknown, 0, "summary")
    if is_strength_sport and a.duration_s > 0:
        n = max(1, round(a.duration_s / 60.0 / model.number("strength_minutes_per_set")))
        return StrengthCount(Counter({UNKNOWN_FAMILY: n}), 0, 0, n, "duration")
    return None
