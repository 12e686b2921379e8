"""What the analysis finds: :class:`Analysis` and its parts, and the options that shaped it.

Reports render these (``chainfix.report``); :func:`chainfix.analysis.analyze` makes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from chainfix.analysis.coefficients import Model
from chainfix.analysis.frame import Frame
from chainfix.model import MUSCLE_GROUPS, POSTERIOR_CHAIN, MuscleScore


@dataclass(frozen=True, slots=True)
class AnalysisOptions:
    """What to analyse and how.

    ``weeks`` is the length of the weekly view; it ends at ``until`` or, by default, at the last
    activity in the history (so an old export still gets a useful report). ``since`` overrides
    the start. ``level`` is ``beginner``/``intermediate``/``advanced``; None derives it by rule R1.
    ``model`` is a table file or folder overriding the built-in coefficients, or a loaded
    :class:`~chainfix.analysis.coefficients.Model`.
    """

    weeks: int = 12
    since: date | None = None
    until: date | None = None
    level: str | None = None
    model: str | Path | Model | None = None
    phase: Literal["base", "race"] = "base"
    """``race`` uses the in-season weekly targets."""
    flags: frozenset[str] = frozenset()
    """Profile flags, e.g. ``hip_abduction`` (iliotibial band history or a failed pelvic test)."""
    sitting_hours: float | None = None
    """Typical sitting hours per working day, from the athlete profile (README section 8)."""


@dataclass(frozen=True, slots=True)
class GroupDetail:
    """The numbers behind one group's :class:`~chainfix.model.MuscleScore`."""

    exposure_window: float
    """Endurance exposure summed over the scoring window (coefficient-minutes)."""
    strength_window: float
    """Credited hard sets summed over the scoring window."""
    demand: float
    gap: float
    minimum: float | None
    target_source: str
    """``development``, ``in_season`` or ``none``."""
    score_if_targeted: float
    """The priority with gap 1: what the group would score with a target and no strength work."""
    factor: float = 1.0
    """Product of the README section 8 nudges applied (sitting, forward posture)."""


@dataclass(frozen=True, slots=True)
class PatternScore:
    """Weekly hard sets of one movement pattern against ``weekly-targets.csv``."""

    name: str
    sets_per_week: float
    minimum: float
    target: float


@dataclass(frozen=True, slots=True)
class Lifting:
    """The strength side of the scoring window."""

    workouts: int
    hard_sets: float
    modelled_sets: float
    unknown_sets: float
    estimated_sets: float
    estimated_workouts: int
    anterior: float
    posterior: float
    ap_ratio: float | None
    """Anterior:posterior ratio of credits; None when no strength work was recorded."""


@dataclass(frozen=True, slots=True)
class EquFlag:
    """A descent-heavy activity or week (rule R13)."""

    kind: Literal["activity", "week"]
    date: date
    equ: float
    descent_m: float
    sport: str = ""
    activity_id: str = ""
    baseline: float | None = None


@dataclass(frozen=True, eq=False)
class Analysis:
    """Everything the analysis found; reports render it, :meth:`to_json` serialises it."""

    level: str
    level_source: Literal["given", "derived"]
    level_reason: str
    window_start: date
    window_end: date
    score_start: date
    muscles: dict[str, MuscleScore]
    details: dict[str, GroupDetail]
    balance: float | None
    running_share: float | None
    totals: dict[str, Any]
    lifting: Lifting
    patterns: dict[str, PatternScore]
    equ_flags: list[EquFlag]
    data_gaps: dict[str, Any]
    weekly: Frame
    """One row per local week (Monday start) in the window; see ``docs/analysis-json.md``."""
    activities: Frame
    """Per-activity loads for the activities in the window."""
    explanations: list[str]
    options: AnalysisOptions
    model: Model = field(repr=False)
    activity_count: int = 0
    plan_start: tuple[str, ...] = ()
    """The first exercises of the plan made from this analysis (see :func:`with_plan_start`);
    the advice names them. Empty when no plan was made."""

    @property
    def score_days(self) -> int:
        return (self.window_end - self.score_start).days + 1

    @property
    def ranked(self) -> list[MuscleScore]:
        """Posterior-chain groups by priority, highest first."""
        return sorted(
            (self.muscles[g] for g in MUSCLE_GROUPS if g in POSTERIOR_CHAIN),
            key=lambda m: (-m.priority, MUSCLE_GROUPS.index(m.group)),
        )

    def glutes(self) -> dict[str, float]:
        """Glutes as one display group (``analysis-rules.csv`` ``glutes_display``)."""
        gmax, gmed = self.muscles["glute_max"], self.muscles["glute_med"]
        weighted = self.model.rules["glutes_display"] == "weighted"

        def mix(a: float, b: float) -> float:
            return 0.7 * a + 0.3 * b if weighted else max(a, b)

        return {
            "exposure": mix(gmax.exposure, gmed.exposure),
            "strength": mix(gmax.strength, gmed.strength),
            "priority": mix(gmax.priority, gmed.priority),
        }
