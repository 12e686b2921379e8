"""The use cases: read a history, analyse it, make or update the plan, deliver it.

Every command parses its options, calls one function here and renders what it returns; no command
rebuilds a flow of its own. The functions take and return domain values and never print.

- :func:`read` - the paths the user gave, read into one :class:`~chainfix.model.History`.
- :func:`analyse` - the muscle-load analysis, with the athlete profile's level, phase and flags.
- :func:`current_plan` - the plan for a history: the stored plan brought up to date, rebuilt
  from today when what it was built from changed (history, profile, self-tests, model), or new.
- :func:`deliver_files` / :func:`deliver_garmin` - the plan's sessions as FIT workout files or on
  Garmin Connect.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from chainfix import __version__
from chainfix.errors import ChainfixError, NothingToReadError
from chainfix.ingest import IngestOptions, read_history
from chainfix.model import History, Workout
from chainfix.paths import advice_path, assessments_path, checkins_path, plan_path
from chainfix.planning.inputs import (
    INPUT_NAMES,
    INPUT_WORDS,
    PlanInputs,
    digest,
    file_digest,
    plan_inputs,
    stored_inputs,
    with_inputs,
)
from chainfix.sources.base import Limits

if TYPE_CHECKING:
    from chainfix.analysis import Analysis
    from chainfix.analysis.summary import HistorySummary
    from chainfix.delivery.fit_workout import FitWorkoutFile
    from chainfix.delivery.sync_report import SyncAction, SyncReport
    from chainfix.planning.assessment import Assessment
    from chainfix.planning.checkin import CheckIn, CheckInReport
    from chainfix.planning.profile import AthleteProfile
    from chainfix.planning.state import TrackedPlan

DEFAULT_PLAN_WEEKS = 8


def today() -> date:
    """Today, as the plan sees it (one place, so tests can hold the calendar still)."""
    return date.today()


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReadSettings:
    """How to read a history (the shared reading options of every history command)."""

    source: str | None = None
    workers: int | None = None
    use_cache: bool = True
    limits: Limits = Limits()


def read(
    paths: Sequence[Path],
    settings: ReadSettings = ReadSettings(),
    *,
    on_progress: Callable[[int, int], None] | None = None,
    require_activities: bool = True,
) -> History:
    """Read ``paths`` as one history; raise :class:`NothingToReadError` when nothing was usable.

    The error carries the history, so a caller can still show each file's reason.
    """
    options = IngestOptions(
        source=settings.source,
        workers=settings.workers,
        limits=settings.limits,
        use_cache=settings.use_cache,
    )
    history = read_history(list(paths), options, on_progress=on_progress)
    if require_activities and not len(history):  # a remembered history is not decoded
        names = ", ".join(str(p) for p in paths)
        detail = f" ({len(history.errors)} file(s) could not be read)" if history.errors else ""
        raise NothingToReadError(f"no activities found in {names}{detail}", history=history)
    return history


# ---------------------------------------------------------------------------------------------
# Analysis
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnalysisRequest:
    """The analysis flags a user can give; the rest comes from the athlete profile."""

    weeks: int = 12
    since: date | None = None
    until: date | None = None
    level: str | None = None
    model: Path | None = None


def analyse(
    history: History,
    request: AnalysisRequest = AnalysisRequest(),
    profile: AthleteProfile | None = None,
    *,
    advise: bool = False,
    as_of: date | None = None,
) -> Analysis:
    """The analysis of ``history`` with the profile's level, phase, flags and sitting hours.

    ``profile`` defaults to the stored athlete profile; a level in ``request`` wins over it.
    ``advise``: the advice names the first exercises of the plan that :func:`current_plan` gives
    on ``as_of`` (default today), by the same flow but without storing it, so the two never
    disagree.
    """
    from chainfix.analysis import AnalysisOptions
    from chainfix.analysis.memo import analyze as run_analysis  # remembered when unchanged

    if profile is None:
        profile = _stored_profile()
    options = AnalysisOptions(
        weeks=request.weeks,
        since=request.since,
        until=request.until,
        level=request.level or profile.level,
        model=request.model,
        phase="race" if profile.phase == "race" else "base",
        flags=frozenset(profile.flags),
        sitting_hours=profile.sitting_hours,
    )
    analysis = run_analysis(history, options)
    if not advise:
        return analysis
    from chainfix.analysis import with_plan_start

    day = as_of or today()
    reuse = analysis if replace(request, level=None) == AnalysisRequest() else None
    return with_plan_start(analysis, _advice(history, PlanRequest(level=request.level), day, reuse))


def summary(history: History, model: Path | None = None) -> HistorySummary:
    """Time and counts by sport, week and month, and the strength sessions (``analyze
    --summary``), with the same model (and its overrides) as the analysis."""
    from chainfix.analysis.summary import summarize
    from chainfix.analysis.tables import load_model

    return summarize(history, load_model(model))


def _advice(
    history: History, request: PlanRequest, day: date, analysis: Analysis | None
) -> tuple[str, ...]:
    """The first exercises of the plan :func:`current_plan` would give on ``day`` (not stored).

    Remembered in the user folder by everything that plan is made from (the inputs' fingerprints,
    the stored plan, the day, the version), so a run with nothing changed builds no plan.
    """
    read = _read_plan_inputs(history, request, day, analysis, load_stored=False)
    inputs = [getattr(read.inputs, name) for name in INPUT_NAMES]
    key = digest([inputs, read.stored_digest, day.isoformat(), request.level, __version__])
    remembered = _remembered_advice(key)
    if remembered is not None:
        return remembered
    from chainfix.planning.generator import first_exercises  # the planner loads on a miss only

    read = replace(read, stored=_stored_plan_of(request))
    plan = _plan_outcome(history, request, day, analysis, save=False, read=read).plan
    exercises = first_exercises(plan, day)
    _remember_advice(key, exercises)
    return exercises


def _remembered_advice(key: str) -> tuple[str, ...] | None:
    try:
        data = json.loads(advice_path(create=False).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    names = data.get("exercises")
    if not isinstance(names, list):
        return None
    if not all(isinstance(n, str) for n in names):
        return None
    return tuple(names)


def _remember_advice(key: str, exercises: tuple[str, ...]) -> None:
    """Best effort: a user folder that cannot be written only costs the next run a plan."""
    from chainfix.atomic import write_atomic

    try:
        text = json.dumps({"key": key, "exercises": list(exercises)})
        write_atomic(advice_path(), text, mode=0o600)
    except (OSError, ChainfixError):
        pass


def recent_checkins(as_of: date | None = None) -> list[CheckInReport]:
    """The latest pain and soreness check-ins up to ``as_of`` (default today), newest first,
    each with what the plan does about it (for the reports)."""
    checkins = _stored_checkins()
    if not checkins:  # the dosing rules load when there is a check-in to weigh
        return []
    from chainfix.planning.checkin import recent_reports
    from chainfix.planning.dosing import load_dosing

    return recent_reports(checkins, as_of or today(), load_dosing())


def _stored_checkins() -> list[CheckIn]:
    """Every stored check-in, oldest first (their module loads only when there are some)."""
    if not checkins_path(create=False).is_file():
        return []
    from chainfix.planning.checkin import load_checkins

    return load_checkins()


def _stored_profile() -> AthleteProfile:
    """The stored athlete profile (an empty one when there is none yet)."""
    from chainfix.planning.profile import load_profile

    return load_profile()


# ---------------------------------------------------------------------------------------------
# The plan
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """What the user asked of the plan. Any of ``weeks``, ``start``, ``level``, ``sessions`` or
    ``catalogues`` (or ``fresh``) starts a new plan; ``keep`` holds the stored plan even when
    what it was built from has changed."""

    weeks: int | None = None
    start: date | None = None
    level: str | None = None
    sessions: int | None = None
    catalogues: tuple[Path, ...] = ()
    fresh: bool = False
    keep: bool = False

    @property
    def starts_afresh(self) -> bool:
        given = (self.weeks, self.start, self.level, self.sessions)
        return self.fresh or any(v is not None for v in given) or bool(self.catalogues)


@dataclass(frozen=True, slots=True)
class PlanOutcome:
    """The plan, the analysis it was built from, and one line on what happened to it."""

    plan: TrackedPlan
    analysis: Analysis
    change: str | None = None
    """E.g. ``history changed since 1 Dec: weeks 3-8 rebuilt``; None when nothing changed."""

    @property
    def change_sentence(self) -> str | None:
        """:attr:`change` as a sentence to print."""
        return None if self.change is None else self.change[0].upper() + self.change[1:] + "."


def current_plan(
    history: History, request: PlanRequest = PlanRequest(), *, as_of: date | None = None
) -> PlanOutcome:
    """The plan for ``history``, stored in the user folder.

    A stored plan whose inputs are unchanged is matched against the newly logged workouts
    (:func:`~chainfix.planning.reconcile`). When the history, the profile, the latest self-tests,
    the pain and soreness check-ins or the model changed, the sessions from today on are rebuilt
    from the new inputs and what was logged as done is kept (unless ``request.keep``). With no
    stored plan, or when the request asks for one, a new plan starts. ``as_of`` is the day the
    plan is made (default today).
    """
    return _plan_outcome(history, request, as_of or today(), None, save=True)


@dataclass(frozen=True, slots=True)
class _PlanInputsRead:
    """Everything :func:`current_plan`'s flow reads before it builds: the stored files and the
    analysis, and the fingerprints of what a plan is built from."""

    profile: AthleteProfile
    analysis: Analysis
    stored: TrackedPlan | None
    stored_digest: str
    assessment: Assessment | None
    checkins: tuple[CheckIn, ...]
    inputs: PlanInputs


def _read_plan_inputs(
    history: History,
    request: PlanRequest,
    day: date,
    analysis: Analysis | None,
    *,
    load_stored: bool = True,
) -> _PlanInputsRead:
    """``load_stored=False``: the stored plan's fingerprint only (its file's bytes), not the plan
    (all the advice memo's key needs)."""
    from chainfix.planning.profile import load_profile

    profile = load_profile()
    if request.level is not None:
        profile = profile.with_changes(level=request.level)
    if request.sessions is not None:
        profile = profile.with_changes(sessions_per_week=request.sessions)
    if analysis is None:
        analysis = analyse(history, AnalysisRequest(level=request.level), profile)
    plan_file = plan_path(create=False)
    has_plan = not request.fresh and plan_file.is_file()
    stored_digest = file_digest(plan_file) if has_plan else "none"
    stored = _stored_plan_of(request) if load_stored else None
    assessment = None
    if assessments_path(create=False).is_file():  # their module loads only when there are some
        from chainfix.planning.assessment import latest_assessment

        assessment = latest_assessment(on_or_before=max(request.start or day, day))
    checkins = tuple(_stored_checkins())
    inputs = plan_inputs(history, profile, assessment, analysis, checkins)
    return _PlanInputsRead(profile, analysis, stored, stored_digest, assessment, checkins, inputs)


def _stored_plan_of(request: PlanRequest) -> TrackedPlan | None:
    """The stored plan the request builds on (None when it asks for a fresh one)."""
    if request.fresh:
        return None
    from chainfix.planning.state import load_plan

    return load_plan()


def _plan_outcome(
    history: History,
    request: PlanRequest,
    day: date,
    analysis: Analysis | None,
    *,
    save: bool,
    read: _PlanInputsRead | None = None,
) -> PlanOutcome:
    """:func:`current_plan`'s flow on ``day``; ``analysis`` when the caller already made the one
    it would make, ``read`` when it already read the inputs; ``save`` stores the plan
    (``analyze`` only looks at it)."""
    from chainfix.analysis import with_plan_start
    from chainfix.planning.generator import first_exercises, make_plan
    from chainfix.planning.reconcile import reconcile
    from chainfix.planning.state import save_plan

    read = read or _read_plan_inputs(history, request, day, analysis)
    profile, analysis, stored = read.profile, read.analysis, read.stored
    assessment, checkins, inputs = read.assessment, read.checkins, read.inputs
    start = request.start or day

    def fresh_plan(first: date, weeks: int) -> TrackedPlan:
        made = make_plan(
            history,
            analysis,
            profile,
            first,
            weeks,
            assessment,
            catalogue_files=request.catalogues,
            model=analysis.model,
            checkins=checkins,
            checkins_as_of=max(first, day),
        )
        return with_inputs(made, inputs, day)

    change: str | None = None
    if stored is None or stored.state is None or request.starts_afresh:
        plan = fresh_plan(start, request.weeks or DEFAULT_PLAN_WEEKS)
    else:
        reconciled = reconcile(stored, history)
        before = stored_inputs(stored)
        changed = inputs.changed(before) if before is not None else ["history"]
        if not changed:
            plan = reconciled
        elif request.keep:
            plan = reconciled
            since = _made_on(stored)
            change = f"{_describe(changed)} changed since {since}: kept the plan (--keep)"
        else:
            fresh = fresh_plan(stored.start, stored.weeks)
            plan, rebuilt = _splice(reconciled, fresh, day)
            weeks = _week_span(rebuilt)
            what = f"weeks {weeks} rebuilt" if weeks else "no session left to rebuild"
            change = f"{_describe(changed)} changed since {_made_on(stored)}: {what}"
    if save:
        save_plan(plan)
    advised = with_plan_start(analysis, first_exercises(plan, day))
    return PlanOutcome(plan=plan, analysis=advised, change=change)


def stored_plan() -> TrackedPlan | None:
    """The plan kept in the user folder, or None (for reports that show it)."""
    from chainfix.planning.state import load_plan

    return load_plan()


def _made_on(plan: TrackedPlan) -> str:
    assert plan.state is not None
    raw = plan.state.context.get("inputs_on") or plan.start.isoformat()
    made = date.fromisoformat(str(raw))
    return f"{made.day} {made.strftime('%b')}"


def _describe(changed: list[str]) -> str:
    words = [INPUT_WORDS[c] for c in changed]
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " and " + words[-1]


def _splice(current: TrackedPlan, fresh: TrackedPlan, day: date) -> tuple[TrackedPlan, list[int]]:
    """``current`` before ``day`` and what was logged, ``fresh`` from ``day`` on.

    Returns the spliced plan (with ``fresh``'s notes and planning context, and ``current``'s
    records) and the week numbers that were rebuilt.
    """
    assert current.state is not None and fresh.state is not None
    records = current.state.records
    kept = [w for w in current.workouts if w.date < day or w.key in records]
    taken = {w.key for w in kept}
    new = [w for w in fresh.workouts if w.date >= day and w.key not in taken]
    workouts = tuple(sorted((*kept, *new), key=lambda w: (w.date, w.key)))
    dropped = {w.week for w in current.workouts if w.date >= day and w.key not in records}
    rebuilt = sorted({w.week for w in new} | dropped)
    state = replace(fresh.state, records=records, reconciled_until=current.state.reconciled_until)
    plan = replace(fresh, workouts=workouts, state=state)
    return plan, rebuilt


def _week_span(weeks: list[int]) -> str:
    if not weeks:
        return ""
    first, last = weeks[0], weeks[-1]
    return f"{first}" if first == last else f"{first}\u2013{last}"


# ---------------------------------------------------------------------------------------------
# Delivery
# ---------------------------------------------------------------------------------------------


def deliver_files(
    workouts: Sequence[Workout], folder: Path, *, dry_run: bool = False
) -> list[tuple[FitWorkoutFile, Path]]:
    """Every session as a validated FIT workout file in ``folder`` (or, with ``dry_run``,
    where each would go); nothing is written when any session is invalid."""
    from chainfix.delivery.fit_workout import planned_files, write_files

    files = planned_files(list(workouts))
    written = [folder / f.filename for f in files] if dry_run else write_files(files, folder)
    return list(zip(files, written, strict=True))


def deliver_garmin(
    workouts: Sequence[Workout],
    *,
    dry_run: bool = False,
    prune: bool = False,
    on_action: Callable[[SyncAction], None] | None = None,
) -> SyncReport:
    """Upload and schedule the sessions on Garmin Connect exactly once (``delivery.sync``)."""
    from chainfix.delivery.ledger import Ledger
    from chainfix.delivery.sync import sync_to_garmin

    workouts = list(workouts)
    with Ledger() as ledger:
        if dry_run:
            return sync_to_garmin(workouts, None, ledger, prune=prune, dry_run=True)
        from chainfix.garmin_client import GarminConnect

        client = GarminConnect.from_tokens()
        return sync_to_garmin(workouts, client, ledger, prune=prune, on_action=on_action)
