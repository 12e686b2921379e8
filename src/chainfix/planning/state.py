"""Plan values with the planner's bookkeeping, and their JSON form.

:class:`PlannedStep` and :class:`TrackedPlan` are the model's :class:`~chainfix.model.WorkoutStep`
and :class:`~chainfix.model.Plan` with extra fields (ladder, pattern, progression counters,
executed records), so every layer that takes a ``Plan`` takes them unchanged. The plan and its
state are stored in ``<user dir>/plan.json``; :func:`reconcile` reads them back.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from chainfix.atomic import write_atomic
from chainfix.errors import DataFileError
from chainfix.model import Plan, Workout, WorkoutStep
from chainfix.paths import plan_path

SCHEMA = 1


@dataclass(frozen=True, slots=True)
class PlannedStep(WorkoutStep):
    """A workout step plus what the planner needs to progress it."""

    ladder: str = ""
    ladder_step: int = 0
    pattern: str = ""
    family: str = ""
    slot: str = "main"
    """``main`` (the ladder's current rung) or ``alt`` (a second exercise of the same ladder)."""
    base_sets: int = 0
    """Sets before a deload or taper cut."""
    load_step: int = 0
    """Load increases since the plan began (R7), for loads given as effort, not kilograms."""
    rpe: str = ""
    rep_range: tuple[int, int] | None = None
    extra_set_side: str | None = None
    """``left``/``right``: one extra set for the weaker side (self-test difference >= 15 %)."""
    cue: str = ""


@dataclass(frozen=True, slots=True)
class StepOutcome:
    """What was done for one planned step."""

    status: str
    """``met``, ``exceeded`` (>= 2 reps beyond the target, R7), ``below``, ``skipped`` or
    ``missed``."""
    sets_done: int = 0
    reps_done: tuple[int, ...] = ()
    weight_kg: float | None = None
    seconds_done: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class WorkoutRecord:
    """What happened to one planned workout."""

    status: str
    """``done``, ``missed``, ``moved`` (rescheduled to ``moved_to``) or ``dropped``."""
    activity_id: str | None = None
    done_on: date | None = None
    steps: tuple[StepOutcome, ...] = ()
    moved_to: date | None = None
    note: str = ""


@dataclass(frozen=True)
class PlanState:
    """Everything :func:`~chainfix.planning.reconcile` needs beside the workouts."""

    context: Mapping[str, Any]
    """The planning context (level, calendar, equipment, start rungs ...), as plain data."""
    records: Mapping[str, WorkoutRecord] = field(default_factory=dict)
    """Workout key -> what happened."""
    reconciled_until: date | None = None


@dataclass(frozen=True, slots=True)
class TrackedPlan(Plan):
    """A plan that knows how it was made and what was done so far."""

    state: PlanState | None = None


# ---------------------------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------------------------

_STEP_BASE = (
    "exercise_id",
    "name",
    "fit_exercise_category",
    "fit_exercise_name",
    "sets",
    "reps",
    "duration_s",
    "rest_s",
    "load",
    "weight_kg",
    "watch_title",
    "garmin_category",
    "garmin_exercise_name",
    "per_side",
    "notes",
)
_STEP_EXTRA = (
    "ladder",
    "ladder_step",
    "pattern",
    "family",
    "slot",
    "base_sets",
    "load_step",
    "rpe",
    "rep_range",
    "extra_set_side",
    "cue",
)


def step_to_dict(step: WorkoutStep) -> dict[str, Any]:
    """One step as JSON data: ``reps`` or ``duration_s`` (whichever applies), load guidance."""
    data: dict[str, Any] = {}
    for name in (*_STEP_BASE, *_STEP_EXTRA):
        if not hasattr(step, name):
            continue
        value = getattr(step, name)
        if name in ("reps", "duration_s") and value is None:
            continue
        if isinstance(value, tuple):
            value = list(value)
        data[name] = value
    return data


def step_from_dict(data: Mapping[str, Any]) -> PlannedStep:
    values = {k: data[k] for k in (*_STEP_BASE, *_STEP_EXTRA) if k in data}
    if values.get("rep_range") is not None:
        values["rep_range"] = tuple(values["rep_range"])
    return PlannedStep(**values)


def workout_to_dict(w: Workout) -> dict[str, Any]:
    return {
        "key": w.key,
        "date": w.date.isoformat(),
        "week": w.week,
        "kind": w.kind,
        "title": w.title,
        "notes": list(w.notes),
        "steps": [step_to_dict(s) for s in w.steps],
    }


def workout_from_dict(data: Mapping[str, Any]) -> Workout:
    return Workout(
        key=data["key"],
        title=data["title"],
        date=date.fromisoformat(data["date"]),
        steps=tuple(step_from_dict(s) for s in data["steps"]),
        week=int(data.get("week", 1)),
        kind=data.get("kind", "strength"),
        notes=tuple(data.get("notes", ())),
    )


def _outcome_to_dict(o: StepOutcome) -> dict[str, Any]:
    return {
        "status": o.status,
        "sets_done": o.sets_done,
        "reps_done": list(o.reps_done),
        "weight_kg": o.weight_kg,
        "seconds_done": list(o.seconds_done),
    }


def _outcome_from_dict(d: Mapping[str, Any]) -> StepOutcome:
    return StepOutcome(
        status=d["status"],
        sets_done=int(d.get("sets_done", 0)),
        reps_done=tuple(d.get("reps_done", ())),
        weight_kg=d.get("weight_kg"),
        seconds_done=tuple(d.get("seconds_done", ())),
    )


def record_to_dict(r: WorkoutRecord) -> dict[str, Any]:
    return {
        "status": r.status,
        "activity_id": r.activity_id,
        "done_on": r.done_on.isoformat() if r.done_on else None,
        "steps": [_outcome_to_dict(o) for o in r.steps],
        "moved_to": r.moved_to.isoformat() if r.moved_to else None,
        "note": r.note,
    }


def record_from_dict(d: Mapping[str, Any]) -> WorkoutRecord:
    return WorkoutRecord(
        status=d["status"],
        activity_id=d.get("activity_id"),
        done_on=date.fromisoformat(d["done_on"]) if d.get("done_on") else None,
        steps=tuple(_outcome_from_dict(o) for o in d.get("steps", ())),
        moved_to=date.fromisoformat(d["moved_to"]) if d.get("moved_to") else None,
        note=d.get("note", ""),
    )


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The plan as the ``--json`` object: ``sessions`` with dated, titled steps."""
    data: dict[str, Any] = {
        "start": plan.start.isoformat(),
        "weeks": plan.weeks,
        "level": plan.level,
        "notes": list(plan.notes),
        "sessions": [workout_to_dict(w) for w in plan.workouts],
    }
    state = getattr(plan, "state", None)
    if state is not None:
        data["records"] = {k: record_to_dict(v) for k, v in state.records.items()}
    return data


def plan_from_dict(data: Mapping[str, Any], state: Mapping[str, Any] | None = None) -> TrackedPlan:
    plan_state = None
    if state is not None:
        plan_state = PlanState(
            context=state["context"],
            records={k: record_from_dict(v) for k, v in state.get("records", {}).items()},
            reconciled_until=(
                date.fromisoformat(state["reconciled_until"])
                if state.get("reconciled_until")
                else None
            ),
        )
    return TrackedPlan(
        start=date.fromisoformat(data["start"]),
        weeks=int(data["weeks"]),
        level=data["level"],
        workouts=tuple(workout_from_dict(w) for w in data["sessions"]),
        notes=tuple(data.get("notes", ())),
        state=plan_state,
    )


def save_plan(plan: TrackedPlan, path: Path | None = None) -> Path:
    """Store the plan and its state atomically (JSON)."""
    target = path or plan_path()
    payload: dict[str, Any] = {"schema": SCHEMA, "plan": plan_to_dict(plan)}
    payload["plan"].pop("records", None)
    if plan.state is not None:
        payload["state"] = {
            "context": plan.state.context,
            "records": {k: record_to_dict(v) for k, v in plan.state.records.items()},
            "reconciled_until": (
                plan.state.reconciled_until.isoformat() if plan.state.reconciled_until else None
            ),
        }
    write_atomic(target, json.dumps(payload, indent=1, ensure_ascii=False) + "\n")
    return target


def load_plan(path: Path | None = None) -> TrackedPlan | None:
    """The stored plan, or None when there is none."""
    target = path or plan_path(create=False)
    if not target.is_file():
        return None
    try:
        payload = json.loads(target.read_text("utf-8"))
        if payload.get("schema") != SCHEMA:
            raise ValueError(f"unknown schema {payload.get('schema')!r}")
        return plan_from_dict(payload["plan"], payload.get("state"))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataFileError(
            f"{target}: cannot read the stored plan: {exc}",
            hint="Run `chainfix plan PATHS --new` to make a fresh plan.",
        ) from exc
