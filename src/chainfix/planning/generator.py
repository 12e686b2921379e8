"""Plan generation: weeks of posterior-chain strength sessions around the athlete's running.

:func:`make_plan` decides the context once (:mod:`~chainfix.planning.context`), lays out the
weeks (:func:`~chainfix.planning.layout.build_sessions`: days by
:mod:`~chainfix.planning.schedule`, patterns and sets per session by
:mod:`~chainfix.planning.allocation`) and then prescribes every session from the progression
state (:func:`~chainfix.planning.prescription.prescribe`), moving the state on at the end of each
week. Reconciling a plan with newer history (:mod:`~chainfix.planning.reconcile`) runs
``prescribe`` again with the recorded outcomes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chainfix.errors import UsageError
from chainfix.model import History, Plan
from chainfix.planning.catalogue import Catalogue, load_catalogue
from chainfix.planning.checkin import CheckIn, load_checkins
from chainfix.planning.context import PlanContext, build_context
from chainfix.planning.dosing import Dosing, load_dosing
from chainfix.planning.layout import build_sessions
from chainfix.planning.prescription import (
    prescribe,
)
from chainfix.planning.profile import AthleteProfile
from chainfix.planning.slots import (
    SessionPlan,
)
from chainfix.planning.state import (
    PlanState,
    TrackedPlan,
)

if TYPE_CHECKING:  # loaded only when there are self-test results (see chainfix.app)
    from chainfix.planning.assessment import Assessment


def _plan_notes(ctx: PlanContext, sessions: Sequence[SessionPlan], dosing: Dosing) -> list[str]:
    notes = [ctx.level_reason, *ctx.notes]
    if ctx.retest_on:
        retest = date.fromisoformat(ctx.retest_on)
        deload_starts = sorted(
            {s.day - timedelta(days=s.day.weekday()) for s in sessions if s.kind == "deload"}
        )
        near = [d for d in deload_starts if abs((d - retest).days) <= 7]
        if near:
            retest = near[0] - timedelta(days=1)
            notes.append(
                f"Retest your self-tests around {retest.isoformat()}, just before a deload week "
                f"(`chainfix assess`)."
            )
        else:
            notes.append(f"Retest your self-tests around {retest.isoformat()} (`chainfix assess`).")
    else:
        notes.append("Run `chainfix assess` so the self-tests can set your starting rungs.")
    return notes


def make_plan(
    history: History,
    priorities: Mapping[str, float] | Any,
    profile: AthleteProfile,
    start: date,
    weeks: int = 8,
    assessment: Assessment | None = None,
    *,
    catalogue: Catalogue | None = None,
    catalogue_files: Sequence[Path] = (),
    dosing: Dosing | None = None,
    model: Any = None,
    checkins: Sequence[CheckIn] | None = None,
    checkins_as_of: date | None = None,
) -> TrackedPlan:
    """A plan of posterior-chain strength sessions for ``weeks`` weeks from ``start``.

    ``priorities`` is the analysis result (:class:`~chainfix.analysis.engine.Analysis`: its
    priorities and its level are used, so R1 is computed once), or a plain mapping muscle group ->
    0..1 (then the level comes from the same R1 function, run here); missing groups count as 0,
    which keeps their patterns at the weekly minimum. ``profile`` gives
    level, equipment, days, sessions, races, phase and pain flags; ``assessment`` the latest
    self-tests. ``catalogue``/``dosing``/``model`` override the built-in data (``model`` is the
    analysis model, :class:`~chainfix.analysis.coefficients.Model`, for the weekly targets).
    ``checkins`` are the pain and soreness check-ins; None reads the stored ones
    (``chainfix checkin``); those before ``checkins_as_of`` (default ``start``) count.
    """
    if weeks < 1 or weeks > 52:
        raise UsageError(f"a plan needs 1-52 weeks, not {weeks}")
    dosing = dosing or load_dosing()
    if model is None:
        from chainfix.analysis.tables import load_model

        model = load_model()
    if catalogue is None:
        families = {f.family: f.pattern for f in model.families.values()}
        catalogue = load_catalogue(catalogue_files, families=families)
    analysis_level: tuple[str, str] | None = None
    calf_load: float | None = None
    descent_week: tuple[date, float, float] | None = None
    pattern_sets: Mapping[str, float] | None = None
    scores: Mapping[str, float]
    if isinstance(priorities, Mapping):
        scores = priorities
    else:  # the analysis result: its priorities and its level (R1 is computed once, there)
        scores = {g: float(m.priority) for g, m in priorities.muscles.items()}
        analysis_level = (priorities.level, priorities.level_reason)
        calf_load = float(priorities.muscles["calves"].exposure)
        pattern_sets = {n: float(p.sets_per_week) for n, p in priorities.patterns.items()}
        weeks_flagged = [f for f in priorities.equ_flags if f.kind == "week"]
        if weeks_flagged:
            last = max(weeks_flagged, key=lambda f: f.date)
            descent_week = (last.date, float(last.equ), float(last.baseline or 0.0))
    ctx = build_context(
        history,
        scores,
        profile,
        start,
        assessment,
        catalogue,
        dosing,
        model,
        catalogue_files,
        analysis_level=analysis_level,
        calf_load_per_week=calf_load,
        descent_week=descent_week,
        pattern_sets=pattern_sets,
        checkins=load_checkins() if checkins is None else checkins,
        checkins_as_of=checkins_as_of,
    )
    sessions, notes = build_sessions(ctx, catalogue, dosing, start, weeks)
    workouts, _ = prescribe(ctx, catalogue, dosing, sessions)
    plan_notes = _plan_notes(ctx, sessions, dosing) + notes
    return TrackedPlan(
        start=start,
        weeks=weeks,
        level=ctx.level,
        workouts=tuple(workouts),
        notes=tuple(plan_notes),
        state=PlanState(
            context={
                **ctx.to_dict(),
                "start": start.isoformat(),
                "weeks": weeks,
            }
        ),
    )


def first_exercises(plan: Plan, since: date | None = None, count: int = 3) -> tuple[str, ...]:
    """The first ``count`` exercise names of the plan's first week (the week of its first session
    on or after ``since``), in the order the sessions hold them, each once."""
    workouts = sorted(
        (w for w in plan.workouts if since is None or w.date >= since), key=lambda w: w.date
    )
    if not workouts:
        return ()
    names: list[str] = []
    for w in workouts:
        if w.week != workouts[0].week:
            break
        names.extend(s.name for s in w.steps if s.name not in names)
    return tuple(names[:count])
