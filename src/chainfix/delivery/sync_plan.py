"""The sessions a sync delivers, each with its Garmin Connect JSON (``prepare``), and the dry
run: what a sync would send, judged from the ledger alone, calling nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from chainfix.delivery.garmin_json import (
    ExerciseCatalogue,
    GarminWorkoutJson,
    load_garmin_catalogue,
    workout_json,
)
from chainfix.delivery.ledger import Ledger
from chainfix.delivery.sync_report import SyncAction, SyncReport
from chainfix.errors import (
    UsageError,
)
from chainfix.model import Plan, Workout


@dataclass(frozen=True, slots=True)
class _Planned:
    workout: Workout
    json: GarminWorkoutJson

    @property
    def key(self) -> str:
        return self.workout.key


def prepare(
    workouts: Plan | Iterable[Workout], catalogue: ExerciseCatalogue | None = None
) -> list[_Planned]:
    """Validate the sessions and build their JSON; raises before anything is sent."""
    items = list(workouts.workouts if isinstance(workouts, Plan) else workouts)
    keys = [w.key for w in items]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise UsageError(f"the plan has several sessions with the key {dupes[0]!r}")
    catalogue = catalogue or load_garmin_catalogue()
    planned = [_Planned(w, workout_json(w, catalogue)) for w in items]
    return sorted(planned, key=lambda p: (p.workout.date, p.key))


# ---------------------------------------------------------------------------------------------
# Dry run: the ledger is the only source, nothing is called
# ---------------------------------------------------------------------------------------------


def _dry_run(
    planned: Sequence[_Planned],
    ledger: Ledger,
    prune: bool,
    on_action: Callable[[SyncAction], None] | None,
) -> SyncReport:
    report = SyncReport(dry_run=True, sessions=len(planned))

    def add(action: SyncAction) -> None:
        report.actions.append(action)
        if on_action:
            on_action(action)

    for p in planned:
        w, entry = p.workout, ledger.get(p.key)
        if entry is None or entry.workout_id is None:
            add(SyncAction("create", w.key, w.title, w.date, payload=p.json.payload))
            add(SyncAction("schedule", w.key, w.title, w.date))
            continue
        if entry.content_hash != p.json.content_hash:
            add(
                SyncAction(
                    "update", w.key, w.title, w.date, entry.workout_id, payload=p.json.payload
                )
            )
        else:
            add(SyncAction("unchanged", w.key, w.title, w.date, entry.workout_id))
        if entry.schedule_id is not None and entry.scheduled_date == w.date:
            add(
                SyncAction("scheduled", w.key, w.title, w.date, entry.workout_id, entry.schedule_id)
            )
        else:
            if entry.schedule_id is not None:
                add(
                    SyncAction(
                        "unschedule",
                        w.key,
                        w.title,
                        entry.scheduled_date,
                        entry.workout_id,
                        entry.schedule_id,
                    )
                )
            add(SyncAction("schedule", w.key, w.title, w.date, entry.workout_id))
    wanted = {p.key for p in planned}
    for entry in ledger.entries():
        if entry.key in wanted or entry.workout_id is None:
            continue
        if not prune:
            add(SyncAction("not-in-plan", entry.key, entry.title, None, entry.workout_id))
            continue
        if entry.schedule_id is not None:
            add(
                SyncAction(
                    "unschedule",
                    entry.key,
                    entry.title,
                    entry.scheduled_date,
                    entry.workout_id,
                    entry.schedule_id,
                )
            )
        add(SyncAction("delete", entry.key, entry.title, None, entry.workout_id))
    return report
