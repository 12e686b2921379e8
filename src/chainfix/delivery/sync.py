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

import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, Literal

from chainfix.delivery.garmin_json import (
    ExerciseCatalogue,
    GarminWorkoutJson,
    load_garmin_catalogue,
    parse_marker,
    workout_json,
)
from chainfix.delivery.ledger import Ledger, LedgerEntry
from chainfix.errors import (
    ChainfixError,
    DeliveryError,
    GarminAuthError,
    GarminRateLimitError,
    UsageError,
)
from chainfix.garmin_client import GarminClient, GarminNotFoundError
from chainfix.model import Plan, Workout

ActionKind = Literal[
    "create",
    "update",
    "unchanged",
    "adopt",
    "delete-duplicate",
    "schedule",
    "unschedule",
    "scheduled",
    "delete",
    "not-in-plan",
]

WRITE_ACTIONS: frozenset[str] = frozenset(
    {"create", "update", "delete-duplicate", "schedule", "unschedule", "delete"}
)


@dataclass(frozen=True, slots=True)
class SyncAction:
    """One thing the sync did (or, in a dry run, would do)."""

    action: ActionKind
    key: str
    title: str
    on_date: date | None = None
    workout_id: int | None = None
    schedule_id: int | None = None
    detail: str = ""
    payload: dict[str, Any] | None = None
    """The JSON body sent (create/update), shown by ``--dry-run``."""

    @property
    def is_write(self) -> bool:
        return self.action in WRITE_ACTIONS

    def describe(self) -> str:
        """One line for the terminal."""
        verb = {
            "create": "upload",
            "update": "update",
            "unchanged": "unchanged",
            "adopt": "found on Garmin",
            "delete-duplicate": "delete duplicate",
            "schedule": "schedule",
            "unschedule": "unschedule",
            "scheduled": "already scheduled",
            "delete": "delete",
            "not-in-plan": "not in plan (kept)",
        }[self.action]
        when = f" {self.on_date.isoformat()}" if self.on_date else ""
        ids = f" [workout {self.workout_id}]" if self.workout_id else ""
        extra = f" ({self.detail})" if self.detail else ""
        return f"{verb:<18}{when} {self.title} <{self.key}>{ids}{extra}"

    def request(self) -> tuple[str, str, Any] | None:
        """``(method, path, JSON body)`` of the call this action makes; ``None`` when none.

        Paths are relative to the Connect API base URL, as garminconnect sends them.
        """
        new_id = self.workout_id if self.workout_id is not None else "<new workout id>"
        if self.action == "create":
            return "POST", "/workout-service/workout", self.payload
        if self.action == "update":
            body = dict(self.payload or {}) | {"workoutId": self.workout_id}
            return "PUT", f"/workout-service/workout/{self.workout_id}", body
        if self.action == "schedule":
            day = self.on_date.isoformat() if self.on_date else None
            return "POST", f"/workout-service/schedule/{new_id}", {"date": day}
        if self.action == "unschedule":
            return "DELETE", f"/workout-service/schedule/{self.schedule_id}", None
        if self.action in ("delete", "delete-duplicate"):
            return "DELETE", f"/workout-service/workout/{self.workout_id}", None
        return None

    def to_dict(self) -> dict[str, Any]:
        request = self.request()
        return {
            "action": self.action,
            "request": f"{request[0]} {request[1]}" if request else None,
            "key": self.key,
            "title": self.title,
            "date": self.on_date.isoformat() if self.on_date else None,
            "workout_id": self.workout_id,
            "schedule_id": self.schedule_id,
            "detail": self.detail,
            "payload": self.payload,
        }


@dataclass
class SyncReport:
    """Everything one sync did, in order."""

    dry_run: bool = False
    actions: list[SyncAction] = field(default_factory=list)
    sessions: int = 0
    notes: list[str] = field(default_factory=list)
    """Sentences the user must read beside the summary (a damaged ledger set aside ...)."""

    def count(self, action: str) -> int:
        return sum(1 for a in self.actions if a.action == action)

    @property
    def writes(self) -> int:
        return sum(1 for a in self.actions if a.is_write)

    def summary(self) -> str:
        """One sentence: what was (or would be) done."""
        would = "would be " if self.dry_run else ""
        unchanged = self.count("unchanged") + self.count("adopt")
        parts = [
            f"{self.sessions} planned session(s): {self.count('create')} {would}uploaded",
            f"{self.count('update')} {would}updated",
            f"{unchanged} unchanged",
            f"{self.count('schedule')} {would}scheduled",
        ]
        if self.count("unschedule"):
            parts.append(f"{self.count('unschedule')} calendar entr(ies) {would}removed")
        deleted = self.count("delete") + self.count("delete-duplicate")
        if deleted:
            parts.append(f"{deleted} {would}deleted")
        stale = self.count("not-in-plan")
        if stale:
            parts.append(f"{stale} chainfix workout(s) not in the plan kept (use --prune)")
        return " ".join([", ".join(parts) + ".", *self.notes])

    def to_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "sessions": self.sessions,
            "summary": self.summary(),
            "notes": list(self.notes),
            "actions": [a.to_dict() for a in self.actions],
        }


@dataclass(frozen=True, slots=True)
class _Planned:
    workout: Workout
    json: GarminWorkoutJson

    @property
    def key(self) -> str:
        return self.workout.key


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


LOCK_NAME = "sync.lock"
LOCK_WAIT_S = 5.0
"""How long a second sync waits for the first before giving up."""


class SyncBusyError(DeliveryError):
    """Another sync holds the user folder's lock."""

    hint = (
        "Wait for it to finish, then run the same command again: it resumes where that one stopped."
    )


@contextmanager
def sync_lock(folder: Path, wait_s: float | None = None) -> Iterator[None]:
    """Hold the user folder's sync lock: one sync at a time per user folder, so two at once never
    upload or schedule a session twice. Waits up to ``wait_s`` (default ``LOCK_WAIT_S``), then
    raises :class:`SyncBusyError`. The lock is an OS file lock: it dies with its process, so a
    killed sync never leaves the folder locked."""
    wait_s = LOCK_WAIT_S if wait_s is None else wait_s
    path = folder / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise DeliveryError(
            f"cannot create the sync lock {path}: {exc.strerror}",
            hint="Check that the chainfix user folder is writable (CHAINFIX_HOME).",
        ) from exc
    try:
        deadline = time.monotonic() + wait_s
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise SyncBusyError(
                    f"another chainfix sync is running on this user folder ({folder})"
                )
            time.sleep(0.1)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        return
    fcntl.flock(fd, fcntl.LOCK_UN)


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
