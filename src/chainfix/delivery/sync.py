"""Exactly-once delivery of planned sessions to Garmin Connect.

:func:`sync_to_garmin` makes Garmin Connect hold exactly one chainfix workout per planned session,
with the current content, on the calendar exactly once on its date:

1. **Look** (reads only): list the workout library and keep the workouts whose description ends
   with a chainfix marker ``[chainfix:<key>:<hash>]``: those are chainfix's; every other workout
   is the user's and is never updated, unscheduled or deleted. Read the calendar months that
   matter. Operations a previous run left open (it crashed, or no answer came back) are settled
   by what this look found, so a retry never uploads twice.
2. **Act**, one planned session at a time, in date order: create (POST) what is missing, update
   (PUT, same id, calendar entry kept) what changed, delete extra copies of the same session,
   then make sure the calendar has exactly one entry for it, on its date.
3. With ``prune``, delete chainfix workouts that are no longer in the plan.

Before every write the ledger commits the intent, after it the result. The first failure stops
the run (nothing is retried: a 429 must not be hammered) and is raised as a
:class:`~chainfix.errors.ChainfixError`; what succeeded stays recorded and the next run resumes.

``dry_run`` calls nothing at all: it compares the plan with the ledger and reports what would be
sent, JSON bodies included.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from typing import Any

from chainfix.delivery.garmin_json import (
    ExerciseCatalogue,
    parse_marker,
)
from chainfix.delivery.ledger import Ledger, LedgerEntry
from chainfix.delivery.sync_lock import sync_lock
from chainfix.delivery.sync_plan import _dry_run, _Planned, prepare
from chainfix.delivery.sync_report import ActionKind, SyncAction, SyncReport
from chainfix.errors import (
    ChainfixError,
    DeliveryError,
    GarminAuthError,
    GarminRateLimitError,
)
from chainfix.garmin_client import GarminClient, GarminNotFoundError
from chainfix.model import Plan, Workout


@dataclass(frozen=True, slots=True)
class _Remote:
    workout_id: int
    key: str
    content_hash: str
    name: str


@dataclass(frozen=True, slots=True)
class _Entry:
    schedule_id: int
    on_date: date


def sync_to_garmin(
    workouts: Plan | Iterable[Workout],
    client: GarminClient | None,
    ledger: Ledger,
    prune: bool = False,
    dry_run: bool = False,
    *,
    catalogue: ExerciseCatalogue | None = None,
    on_action: Callable[[SyncAction], None] | None = None,
) -> SyncReport:
    """Deliver the planned sessions to Garmin Connect exactly once; see the module docstring.

    ``client`` may be ``None`` only for a dry run. ``on_action`` is called after each action (the
    CLI prints progress with it, so what succeeded is on screen even when a later call fails).
    Raises :class:`GarminAuthError`, :class:`GarminRateLimitError`,
    :class:`GarminUnavailableError` or :class:`DeliveryError` on the first failed call.
    """
    planned = prepare(workouts, catalogue)
    if dry_run:
        report = _dry_run(planned, ledger, prune, on_action)
    else:
        if client is None:
            raise ValueError("a Garmin client is needed unless dry_run is set")
        with sync_lock(ledger.path.parent):
            report = _Sync(client, ledger, on_action).run(planned, prune)
    if ledger.damaged is not None:
        report.notes.append(ledger.damaged_note(dry_run))
    return report


# ---------------------------------------------------------------------------------------------
# The real thing
# ---------------------------------------------------------------------------------------------


class _Sync:
    def __init__(
        self,
        client: GarminClient,
        ledger: Ledger,
        on_action: Callable[[SyncAction], None] | None,
    ) -> None:
        self.client = client
        self.ledger = ledger
        self.on_action = on_action
        self.report = SyncReport()
        self.run_id = ""
        self.remote: dict[str, list[_Remote]] = {}
        self.calendar: dict[int, list[_Entry]] = {}

    def emit(self, action: SyncAction) -> None:
        self.report.actions.append(action)
        if self.on_action:
            self.on_action(action)

    def run(self, planned: Sequence[_Planned], prune: bool) -> SyncReport:
        self.report.sessions = len(planned)
        self.run_id = self.ledger.start_run()
        try:
            self._look(planned)
            for p in planned:
                self._deliver(p)
            self._leftovers({p.key for p in planned}, prune)
        except ChainfixError as exc:
            self.ledger.finish_run(self.run_id, "failed", exc.message)
            raise
        except BaseException as exc:
            self.ledger.finish_run(self.run_id, "failed", f"interrupted: {type(exc).__name__}")
            raise
        self.ledger.finish_run(self.run_id, "ok", self.report.summary())
        return self.report

    # -- 1. look -----------------------------------------------------------------------------

    def _look(self, planned: Sequence[_Planned]) -> None:
        for item in self.client.list_workouts():
            workout_id = item.get("workoutId")
            if not isinstance(workout_id, int):
                continue
            if "description" in item:
                description = item.get("description")
            elif _sport_key(item) in (None, "strength_training"):
                # The list may not carry descriptions: read the candidates one by one.
                description = self.client.get_workout(workout_id).get("description")
            else:
                continue
            marker = parse_marker(description)
            if marker is None:
                continue  # the user's own workout: never touched
            name = str(item.get("workoutName") or "")
            self.remote.setdefault(marker.key, []).append(
                _Remote(workout_id, marker.key, marker.content_hash, name)
            )
        months: set[tuple[int, int]] = {
            (p.workout.date.year, p.workout.date.month) for p in planned
        }
        for entry in self.ledger.entries():
            for day in (entry.scheduled_date, entry.planned_date):
                if day is not None:
                    months.add((day.year, day.month))
        ours = {r.workout_id for rs in self.remote.values() for r in rs}
        seen: set[int] = set()
        for year, month in sorted(months):
            for item in self.client.calendar_month(year, month):
                schedule_id, workout_id = item.get("id"), item.get("workoutId")
                if item.get("itemType") != "workout" or workout_id not in ours:
                    continue
                if not isinstance(schedule_id, int) or schedule_id in seen:
                    continue  # the month view spills into adjacent months
                try:
                    on = date.fromisoformat(str(item.get("date"))[:10])
                except ValueError:
                    continue
                seen.add(schedule_id)
                assert isinstance(workout_id, int)
                self.calendar.setdefault(workout_id, []).append(_Entry(schedule_id, on))
        # What the look found settles every operation a previous run left open.
        self.ledger.mark_reconciled(
            [op.id for op in self.ledger.open_operations()], "settled against Garmin Connect"
        )

    # -- 2. act ------------------------------------------------------------------------------

    def _write(
        self,
        action: str,
        key: str,
        call: Callable[[], Any],
        *,
        target_id: int | None = None,
        content_hash: str | None = None,
        on_date: date | None = None,
    ) -> tuple[int, Any]:
        """Commit the intent, make the call, record a failure; the caller records the result."""
        op = self.ledger.record_intent(
            self.run_id,
            action,
            key,
            target_id=target_id,
            content_hash=content_hash,
            on_date=on_date,
        )
        try:
            return op, call()
        except ChainfixError as exc:
            refused = isinstance(exc, GarminAuthError | GarminRateLimitError | GarminNotFoundError)
            refused = refused or (type(exc) is DeliveryError)
            self.ledger.record_failure(op, exc.message, maybe_applied=not refused)
            raise

    def _deliver(self, p: _Planned) -> None:
        w, doc = p.workout, p.json
        entry = self.ledger.get(w.key)
        copies = self.remote.get(w.key, [])
        primary = _pick(copies, entry, doc.content_hash)
        base = LedgerEntry(w.key, w.title, w.date)
        if entry is not None:
            base = replace(entry, title=w.title, planned_date=w.date)

        for extra in copies:
            if primary is not None and extra.workout_id == primary.workout_id:
                continue
            self._delete_workout(extra, w.title, "delete-duplicate", keep_entry=base)

        if primary is not None and primary.content_hash != doc.content_hash:
            try:
                op, _ = self._write(
                    "update",
                    w.key,
                    partial(self.client.update_workout, primary.workout_id, doc.payload),
                    target_id=primary.workout_id,
                    content_hash=doc.content_hash,
                )
            except GarminNotFoundError:
                primary = None  # deleted meanwhile: upload it again below
            else:
                base = replace(base, workout_id=primary.workout_id, content_hash=doc.content_hash)
                self.ledger.record_result(op, result_id=primary.workout_id, entry=base)
                self.emit(
                    SyncAction(
                        "update", w.key, w.title, w.date, primary.workout_id, payload=doc.payload
                    )
                )

        if primary is None:
            op, workout_id = self._write(
                "create",
                w.key,
                partial(self.client.upload_workout, doc.payload),
                content_hash=doc.content_hash,
            )
            base = replace(
                base,
                workout_id=workout_id,
                content_hash=doc.content_hash,
                schedule_id=None,
                scheduled_date=None,
            )
            self.ledger.record_result(op, result_id=workout_id, entry=base)
            self.emit(SyncAction("create", w.key, w.title, w.date, workout_id, payload=doc.payload))
            entries: list[_Entry] = []
        else:
            workout_id = primary.workout_id
            if primary.content_hash == doc.content_hash:
                known = entry is not None and entry.workout_id == workout_id
                base = replace(base, workout_id=workout_id, content_hash=doc.content_hash)
                self._save(entry, base)
                self.emit(
                    SyncAction(
                        "unchanged" if known else "adopt", w.key, w.title, w.date, workout_id
                    )
                )
            entries = self.calendar.get(workout_id, [])

        self._schedule(w, workout_id, entries, base)

    def _save(self, before: LedgerEntry | None, after: LedgerEntry) -> None:
        """Write ``after`` unless the ledger already says exactly that (no call involved)."""
        if before is None or replace(before, updated_at="") != replace(after, updated_at=""):
            self.ledger.put(after)

    def _unschedule(self, key: str, entry: _Entry) -> int | None:
        """Take one calendar entry off Garmin; the ledger operation, or None when it was gone."""
        try:
            op, _ = self._write(
                "unschedule",
                key,
                partial(self.client.unschedule_workout, entry.schedule_id),
                target_id=entry.schedule_id,
                on_date=entry.on_date,
            )
        except GarminNotFoundError:
            return None
        return op

    def _schedule(
        self, w: Workout, workout_id: int, entries: list[_Entry], base: LedgerEntry
    ) -> None:
        keep = next((e for e in entries if e.on_date == w.date), None)
        for e in entries:
            if keep is not None and e.schedule_id == keep.schedule_id:
                continue
            op = self._unschedule(w.key, e)
            if op is None:
                continue
            if base.schedule_id == e.schedule_id:
                base = replace(base, schedule_id=None, scheduled_date=None)
            self.ledger.record_result(op, entry=base)
            self.emit(
                SyncAction("unschedule", w.key, w.title, e.on_date, workout_id, e.schedule_id)
            )
        if keep is not None:
            before = self.ledger.get(w.key)
            base = replace(base, schedule_id=keep.schedule_id, scheduled_date=keep.on_date)
            self._save(before, base)
            self.emit(SyncAction("scheduled", w.key, w.title, w.date, workout_id, keep.schedule_id))
            return
        op, schedule_id = self._write(
            "schedule",
            w.key,
            partial(self.client.schedule_workout, workout_id, w.date),
            target_id=workout_id,
            on_date=w.date,
        )
        base = replace(base, schedule_id=schedule_id, scheduled_date=w.date)
        self.ledger.record_result(op, result_id=schedule_id, entry=base)
        self.emit(SyncAction("schedule", w.key, w.title, w.date, workout_id, schedule_id))

    def _delete_workout(
        self,
        remote: _Remote,
        title: str,
        kind: ActionKind,
        *,
        keep_entry: LedgerEntry | None,
    ) -> None:
        for e in self.calendar.get(remote.workout_id, []):
            op = self._unschedule(remote.key, e)
            if op is None:
                continue
            self.ledger.record_result(op)
            self.emit(
                SyncAction(
                    "unschedule", remote.key, title, e.on_date, remote.workout_id, e.schedule_id
                )
            )
        try:
            op, _ = self._write(
                "delete",
                remote.key,
                partial(self.client.delete_workout, remote.workout_id),
                target_id=remote.workout_id,
            )
        except GarminNotFoundError:
            return
        entry = self.ledger.get(remote.key)
        if keep_entry is None:
            self.ledger.record_result(op, remove_key=remote.key)
        elif entry is not None and entry.workout_id == remote.workout_id:
            self.ledger.record_result(
                op,
                entry=replace(keep_entry, workout_id=None, schedule_id=None, scheduled_date=None),
            )
        else:
            self.ledger.record_result(op)
        self.emit(SyncAction(kind, remote.key, title, None, remote.workout_id))

    # -- 3. leftovers ------------------------------------------------------------------------

    def _leftovers(self, wanted: set[str], prune: bool) -> None:
        for key in sorted(self.remote.keys() - wanted):
            for remote in self.remote[key]:
                entry = self.ledger.get(key)
                title = entry.title if entry else remote.name
                if prune:
                    self._delete_workout(remote, title, "delete", keep_entry=None)
                else:
                    self.emit(SyncAction("not-in-plan", key, title, None, remote.workout_id))
        # Ledger rows for sessions that are neither planned nor on Garmin any more.
        for entry in self.ledger.entries():
            if entry.key not in wanted and entry.key not in self.remote:
                self.ledger.remove(entry.key)


def _pick(copies: list[_Remote], entry: LedgerEntry | None, content_hash: str) -> _Remote | None:
    """The copy to keep: the one the ledger knows, else a current one, else the oldest."""
    if not copies:
        return None
    if entry is not None:
        for c in copies:
            if c.workout_id == entry.workout_id:
                return c
    current = [c for c in copies if c.content_hash == content_hash]
    return min(current or copies, key=lambda c: c.workout_id)


def _sport_key(item: dict[str, Any]) -> str | None:
    sport = item.get("sportType")
    return sport.get("sportTypeKey") if isinstance(sport, dict) else None
