"""Per-file read results in SQLite, keyed by content, so a warm run decodes only new files.

Keys come from the sources (zip members: CRC32 + size + name; files: size + mtime + the file's last
bytes, which hold FIT's own CRC, + path). Entries are versioned by a fingerprint of the reader code,
so a new reader never trusts old results. A corrupt or foreign cache file is deleted and rebuilt.
Writes happen in transactions; a run killed midway leaves a consistent cache.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import replace
from functools import cache
from importlib import resources
from pathlib import Path

from chainfix import __version__
from chainfix.fit import FitRead
from chainfix.model import Origin
from chainfix.serialize import (
    activity_from_dict,
    activity_to_dict,
    problem_from_dict,
    problem_to_dict,
)

APPLICATION_ID = 0x63667831  # "cfx1": marks the file as chainfix's cache
SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    key TEXT PRIMARY KEY,
    version TEXT NOT NULL,
    payload TEXT NOT NULL
);
"""
READER_MODULES = ("chainfix.fit", "chainfix.sources")


@cache
def reader_version() -> str:
    """chainfix's version plus a hash of the reader code: results of other readers are ignored."""
    digest = hashlib.sha256(__version__.encode())
    for package in READER_MODULES:
        for entry in sorted(resources.files(package).iterdir(), key=lambda e: e.name):
            if entry.name.endswith((".py", ".csv")):
                digest.update(entry.name.encode())
                digest.update(entry.read_bytes())
    return digest.hexdigest()[:16]


class ReadCache:
    """A SQLite cache of FitRead results. Use as a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.version = reader_version()
        self.hits = 0
        self.pending: list[tuple[str, str, str]] = []
        self.db = self._open()

    def _open(self) -> sqlite3.Connection:
        try:
            db = self._connect()
            return db
        except sqlite3.DatabaseError:
            self._discard()
            return self._connect()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None)
        try:
            app_id = db.execute("PRAGMA application_id").fetchone()[0]
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if app_id != APPLICATION_ID and tables:
                raise sqlite3.DatabaseError("not chainfix's cache")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(f"PRAGMA application_id={APPLICATION_ID}")
            db.executescript(SCHEMA)
            db.execute("SELECT count(*) FROM results").fetchone()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _discard(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)

    def get(self, key: str, origin: Origin) -> FitRead | None:
        """The cached result for ``key``, re-attached to ``origin``; None when absent or stale."""
        try:
            row = self.db.execute(
                "SELECT payload FROM results WHERE key = ? AND version = ?", (key, self.version)
            ).fetchone()
        except sqlite3.DatabaseError:
            return None
        if row is None:
            return None
        try:
            data = json.loads(row[0])
            result = FitRead(
                activities=[
                    replace(activity_from_dict(a), origin=origin) for a in data["activities"]
                ],
                problems=[
                    replace(problem_from_dict(p), file=origin.path, member=origin.member)
                    for p in data["problems"]
                ],
                file_type=data.get("file_type"),
                reader=data.get("reader", "fast"),
            )
        except (ValueError, KeyError, TypeError):
            return None
        self.hits += 1
        return result

    def put(self, key: str, result: FitRead) -> None:
        payload = json.dumps(
            {
                "activities": [activity_to_dict(a) for a in result.activities],
                "problems": [problem_to_dict(p) for p in result.problems],
                "file_type": result.file_type,
                "reader": result.reader,
            },
            allow_nan=False,
        )
        self.pending.append((key, self.version, payload))
        if len(self.pending) >= 500:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        try:
            with self.db:
                self.db.execute("BEGIN")
                self.db.executemany(
                    "INSERT OR REPLACE INTO results (key, version, payload) VALUES (?, ?, ?)",
                    self.pending,
                )
        except sqlite3.DatabaseError:
            pass  # the cache is an optimisation: never fail a read because of it
        self.pending.clear()

    def close(self) -> None:
        self.flush()
        self.db.close()

    def __enter__(self) -> ReadCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_cache(path: Path) -> ReadCache | None:
    """Open the cache, or None when it cannot be used at all (read-only home, ...)."""
    try:
        return ReadCache(path)
    except (sqlite3.DatabaseError, OSError):
        return None
