"""Strength stimulus: logged sets -> families -> credited hard sets per muscle group.

A set counts as *hard* when it is active and has reps (or lasted long enough, for holds): watches
record no effort rating, so every logged working set is taken as hard (``analysis-rules.csv``).
Sets resolve to a family through ``fit-set-families.csv`` (first candidate category + exercise
name). The watch's "unknown" guess, and categories the rules do not know, become
``unknown_strength`` at its reduced credits, and are counted so the user sees how many there were.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
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


@dataclass(frozen=True, slots=True)
class SetTally:
    """What an activity's logged sets give under a model: all the analysis reads of them."""

    active: bool
    """At least one active set (rule R1's strength workout)."""
    hard: tuple[tuple[str, int], ...]
    """Hard sets per family, in the order the families first appear."""
    unknown: int
    """Hard sets that could not be classified."""
    loaded: tuple[str, ...]
    """The families of the active sets with a logged load (kg), in order, each once."""


Tallies = Callable[[Activity], SetTally | None]
"""An activity's :class:`SetTally` under the model in use; None when it has no logged set."""


def tally_sets(model: Model, sets: Sequence[StrengthSet]) -> SetTally | None:
    """The tally of ``sets`` under ``model``; None when there are none."""
    if not sets:
        return None
    min_reps = model.number("hard_set_min_reps")
    min_dur = model.number("hard_set_min_duration_s")
    hard: Counter[str] = Counter()
    unknown = 0
    loaded: dict[str, None] = {}
    active = False
    for s in sets:
        if not s.is_active:
            continue
        active = True
        if s.weight_kg and s.weight_kg > 0:
            family, _ = model.family_for(s.categories[0] if s.categories else None, s.exercise)
            loaded[family] = None
        if not is_hard(s, min_reps, min_dur):
            continue
        fam, known = model.family_for(s.category, s.exercise)
        hard[fam] += 1
        unknown += not known
    return SetTally(active, tuple(hard.items()), unknown, tuple(loaded))


def tallies_of(model: Model) -> Tallies:
    """Each activity's tally under ``model``: the tallies last put in use for that model
    (:func:`use_tallies`), else worked out from its sets (:func:`tally_sets`)."""
    in_use = _IN_USE.get(id(model))
    if in_use is not None and in_use[0] is model:
        return in_use[1]
    return lambda a: tally_sets(model, a.sets)


def use_tallies(model: Model, tallies: Tallies) -> None:
    """Put ``tallies`` in use for ``model`` in this process: every later question about an
    activity's sets under it asks them (the planner asks which activities are strength workouts
    of the history the analysis just tallied). They must give what :func:`tally_sets` gives."""
    while len(_IN_USE) >= IN_USE_MAX:
        del _IN_USE[next(iter(_IN_USE))]
    _IN_USE[id(model)] = (model, tallies)


_IN_USE: dict[int, tuple[Model, Tallies]] = {}
"""The tallies in use, by ``id`` of their model (held, so the id is not reused)."""
IN_USE_MAX = 4


def count_activity(
    model: Model, a: Activity, is_strength_sport: bool, tally: SetTally | None
) -> StrengthCount | None:
    """Hard sets per family for one activity, or None when it holds no strength work.

    Order of evidence: FIT sets (``tally``, their :func:`tally_sets`), then the JSON summary's
    exercise sets, then (for a strength sport only) the workout's duration at
    ``strength_minutes_per_set``.
    """
    fams: Counter[str] = Counter()
    unknown = 0
    if tally is not None and tally.hard:
        fams.update(dict(tally.hard))
        return StrengthCount(fams, sum(fams.values()), tally.unknown, 0, "sets")
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
