"""What a sync did, or would do: one action per call made (or planned, in a dry run), with its
outcome and JSON body, and the report that collects them for the terminal and ``--json``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

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
