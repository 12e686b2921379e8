"""The upload ledger: what chainfix has put on Garmin Connect, and every call it made.

A small SQLite file in the user directory (:func:`chainfix.paths.ledger_path`). Two tables:

``workouts``
    One row per planned session chainfix delivered: its key, title and date, the Garmin workout id,
    the content hash of the JSON on Garmin, and the calendar entry (schedule id and date).
``operations``
    One row per write call: the *intent* is committed before the call (status ``pending``), the
    result after it (``done`` or ``failed``). A row still ``pending`` means the process died
    during the call; the next sync reconciles it against Garmin (the marker in each workout's
    description says what really happened) and marks it ``reconciled``.

Each result is written in the same transaction as the ``workouts`` row it changes, so the two
tables never disagree.

A ledger that is damaged (not a database, truncated, a row that does not decode) is never trusted
and never fatal: it is set aside as ``ledger.sqlite.damaged-<time>`` (for inspection) and a new,
empty one takes its place (``Ledger.damaged``). The next sync rebuilds it from Garmin Connect
itself: every chainfix workout there carries its ``[chainfix:<key>:<hash>]`` marker, so it is
adopted, not uploaded again. The ledger is written with mode 0600.
"""

from __future__ import annotations

import sqlite3
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal

from chainfix.errors import DeliveryError
from chainfix.paths import UserFolderWarning

SCHEMA_VERSION = 1

OpStatus = Literal["pending", "done", "failed", "reconciled"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS workouts (
    key            TEXT PRIMARY KEY,
    title          TEXT NOT NULL,
    planned_date   TEXT NOT NULL,
    content_hash   TEXT,
    workout_id     INTEGER,
    schedule_id    INTEGER,
    scheduled_date TEXT,
    updated_at     TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id          TEXT PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    status      TEXT NOT NULL,
    message     TEXT
);
CREATE TABLE IF NOT EXISTS operations (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id       TEXT NOT NULL,
    action       TEXT NOT NULL,
    key          TEXT,
    target_id    INTEGER,
    content_hash TEXT,
    on_date      TEXT,
    status       TEXT NOT NULL,
    result_id    INTEGER,
    error        TEXT,
    started_at   TEXT NOT NULL,
    finished_at  TEXT
);
CREATE INDEX IF NOT EXISTS operations_status ON operations(status);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """What chainfix knows about one delivered session."""

    key: str
    title: str
    planned_date: date
    content_hash: str | None = None
    workout_id: int | None = None
    schedule_id: int | None = None
    scheduled_date: date | None = None
    updated_at: str = ""


@dataclass(frozen=True, slots=True)
class Operation:
    """One write call to Garmin Connect: intent, then result."""

    id: int
    run_id: str
    action: str
    key: str | None
    target_id: int | None
    content_hash: str | None
    on_date: date | None
    status: OpStatus
    result_id: int | None
    error: str | None
    started_at: str
    finished_at: str | None


@dataclass(frozen=True, slots=True)
class Run:
    """One ``chainfix sync`` against Garmin Connect."""

    id: str
    started_at: str
    finished_at: str | None
    status: str
    """``running`` (or interrupted), ``ok`` or ``failed``."""
    message: str | None


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


_DAMAGE_CODES = frozenset({11, 26})
"""SQLITE_CORRUPT, SQLITE_NOTADB: the file's content is damaged (not locked, not unwritable)."""


class _Damaged(Exception):
    """The ledger's content cannot be trusted."""


def _unusable(path: Path, exc: BaseException) -> DeliveryError:
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return DeliveryError(
        f"cannot use the upload ledger {path}: {reason}",
        hint="Make the chainfix user folder writable (and its disk not full), or point "
        "CHAINFIX_HOME at another folder.",
    )


def _private(path: Path) -> None:
    """Mode 0600 where the file system has modes."""
    try:
        path.chmod(0o600)
    except OSError:
        pass


class Ledger:
    """The SQLite upload ledger. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: Path | None = None) -> None:
        if path is None:
            from chainfix.paths import ledger_path

            path = ledger_path()
        self.path = Path(path)
        self.damaged: Path | None = None
        """Where a damaged ledger found at open was set aside (a new one replaced it)."""
        self.damage = ""
        """Why it was set aside."""
        try:
            self._db = self._open()
        except _Damaged as exc:
            self.damage = str(exc)
            self.damaged = self._set_aside()
            self._db = self._open()
            warnings.warn(
                UserFolderWarning(
                    f"the upload ledger was damaged ({self.damage}) and set aside as "
                    f"{self.damaged}; `chainfix sync garmin PATHS` rebuilds it from the "
                    "[chainfix:...] markers on Garmin Connect, without uploading twice"
                ),
                stacklevel=2,
            )

    def _open(self) -> sqlite3.Connection:
        """Open, check and migrate the ledger; _Damaged when its content cannot be trusted."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            new = not self.path.exists()
            db = sqlite3.connect(self.path, isolation_level=None, timeout=10)
            if new:
                _private(self.path)
        except (OSError, sqlite3.Error) as exc:
            raise _unusable(self.path, exc) from exc
        try:
            db.row_factory = sqlite3.Row
            # WAL: a committed intent survives a crash of this process; one fsync per checkpoint.
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            check = db.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise _Damaged(f"SQLite finds it damaged: {check}")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise DeliveryError(
                    f"the upload ledger {self.path} was written by a newer chainfix",
                    hint="Upgrade chainfix.",
                )
            db.executescript(_SCHEMA)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            for row in db.execute("SELECT * FROM workouts"):
                self._entry(row)
            for row in db.execute("SELECT * FROM operations"):
                self._op(row)
        except sqlite3.DatabaseError as exc:
            db.close()
            if getattr(exc, "sqlite_errorcode", None) in _DAMAGE_CODES:
                raise _Damaged(str(exc)) from exc
            raise _unusable(self.path, exc) from exc
        except (ValueError, TypeError, KeyError, IndexError) as exc:
            db.close()
            raise _Damaged(f"a row does not decode ({type(exc).__name__}: {exc})") from exc
        except BaseException:
            db.close()
            raise
        for suffix in ("-wal", "-shm"):
            _private(Path(str(self.path) + suffix))
        return db

    def _set_aside(self) -> Path:
        """Move the damaged ledger (and its WAL files) aside; its new name."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        try:
            for suffix in ("", "-wal", "-shm"):
                source = Path(str(self.path) + suffix)
                if source.exists():
                    source.replace(Path(str(target) + suffix))
        except OSError as exc:
            raise _unusable(self.path, exc) from exc
        return target

    def damaged_note(self, dry_run: bool) -> str:
        """What the user must know about a damaged ledger that was set aside, in sentences."""
        found = f"The upload ledger was damaged ({self.damage}); it was set aside as {self.damaged}"
        if dry_run:
            return (
                f"{found}. A dry run cannot see Garmin Connect, so every session is listed as "
                "new: `chainfix sync garmin PATHS` rebuilds the ledger from the [chainfix:...] "
                "markers on Garmin Connect, without uploading anything twice."
            )
        return (
            f"{found} and rebuilt from the [chainfix:...] markers on Garmin Connect: sessions "
            "already there were adopted, not uploaded again."
        )

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- workouts ---------------------------------------------------------------------------

    def get(self, key: str) -> LedgerEntry | None:
        row = self._db.execute("SELECT * FROM workouts WHERE key = ?", (key,)).fetchone()
        return self._entry(row) if row else None

    def entries(self) -> list[LedgerEntry]:
        rows = self._db.execute("SELECT * FROM workouts ORDER BY planned_date, key").fetchall()
        return [self._entry(r) for r in rows]

    def put(self, entry: LedgerEntry) -> None:
        """Insert or replace one session's row."""
        with self._tx() as db:
            self._put(db, entry)

    def remove(self, key: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM workouts WHERE key = ?", (key,))

    @staticmethod
    def _put(db: sqlite3.Connection, e: LedgerEntry) -> None:
        db.execute(
            "INSERT OR REPLACE INTO workouts (key, title, planned_date, content_hash, workout_id,"
            " schedule_id, scheduled_date, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                e.key,
                e.title,
                e.planned_date.isoformat(),
                e.content_hash,
                e.workout_id,
                e.schedule_id,
                e.scheduled_date.isoformat() if e.scheduled_date else None,
                _now(),
            ),
        )

    @staticmethod
    def _entry(row: sqlite3.Row) -> LedgerEntry:
        return LedgerEntry(
            key=row["key"],
            title=row["title"],
            planned_date=date.fromisoformat(row["planned_date"]),
            content_hash=row["content_hash"],
            workout_id=row["workout_id"],
            schedule_id=row["schedule_id"],
            scheduled_date=_d(row["scheduled_date"]),
            updated_at=row["updated_at"],
        )

    # -- runs -------------------------------------------------------------------------------

    def start_run(self) -> str:
        run_id = uuid.uuid4().hex[:12]
        with self._tx() as db:
            db.execute(
                "INSERT INTO runs (id, started_at, status) VALUES (?, ?, 'running')",
                (run_id, _now()),
            )
        return run_id

    def finish_run(self, run_id: str, status: str, message: str | None = None) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE runs SET finished_at = ?, status = ?, message = ? WHERE id = ?",
                (_now(), status, message, run_id),
            )

    def last_run(self) -> Run | None:
        row = self._db.execute(
            "SELECT * FROM runs ORDER BY started_at DESC, rowid DESC LIMIT 1"
        ).fetchone()
        return Run(**dict(row)) if row else None

    # -- operations -------------------------------------------------------------------------

    def record_intent(
        self,
        run_id: str,
        action: str,
        key: str | None,
        *,
        target_id: int | None = None,
        content_hash: str | None = None,
        on_date: date | None = None,
    ) -> int:
        """Commit the intent of one write call *before* making it; returns the operation id."""
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO operations (run_id, action, key, target_id, content_hash, on_date,"
                " status, started_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)",
                (
                    run_id,
                    action,
                    key,
                    target_id,
                    content_hash,
                    on_date.isoformat() if on_date else None,
                    _now(),
                ),
            )
            op_id = cur.lastrowid
        assert op_id is not None
        return op_id

    def record_result(
        self,
        op_id: int,
        *,
        result_id: int | None = None,
        entry: LedgerEntry | None = None,
        remove_key: str | None = None,
    ) -> None:
        """Commit the result of a call, together with the session row it changes."""
        with self._tx() as db:
            db.execute(
                "UPDATE operations SET status = 'done', result_id = ?, finished_at = ?"
                " WHERE id = ?",
                (result_id, _now(), op_id),
            )
            if entry is not None:
                self._put(db, entry)
            if remove_key is not None:
                db.execute("DELETE FROM workouts WHERE key = ?", (remove_key,))

    def record_failure(self, op_id: int, error: str, *, maybe_applied: bool) -> None:
        """The call failed. ``maybe_applied``: the server may have done it (no answer came back),
        so the operation stays open until the next sync reconciles it."""
        status = "pending" if maybe_applied else "failed"
        with self._tx() as db:
            db.execute(
                "UPDATE operations SET status = ?, error = ?, finished_at = ? WHERE id = ?",
                (status, error, _now(), op_id),
            )

    def open_operations(self) -> list[Operation]:
        """Calls whose outcome is unknown (interrupted, or no answer came back)."""
        rows = self._db.execute(
            "SELECT * FROM operations WHERE status = 'pending' ORDER BY id"
        ).fetchall()
        return [self._op(r) for r in rows]

    def mark_reconciled(self, op_ids: list[int], note: str) -> None:
        if not op_ids:
            return
        with self._tx() as db:
            db.executemany(
                "UPDATE operations SET status = 'reconciled', error = COALESCE(error, '') || ?,"
                " finished_at = COALESCE(finished_at, ?) WHERE id = ?",
                [(f" [{note}]", _now(), i) for i in op_ids],
            )

    def operations(self, run_id: str | None = None) -> list[Operation]:
        if run_id is None:
            rows = self._db.execute("SELECT * FROM operations ORDER BY id").fetchall()
        else:
            rows = self._db.execute(
                "SELECT * FROM operations WHERE run_id = ? ORDER BY id", (run_id,)
            ).fetchall()
        return [self._op(r) for r in rows]

    @staticmethod
    def _op(row: sqlite3.Row) -> Operation:
        return Operation(
            id=row["id"],
            run_id=row["run_id"],
            action=row["action"],
            key=row["key"],
            target_id=row["target_id"],
            content_hash=row["content_hash"],
            on_date=_d(row["on_date"]),
            status=row["status"],
            result_id=row["result_id"],
            error=row["error"],
            started_at=row["started_at"],
            finished_at=row["finished_at"],
        )
