"""Read results in SQLite, keyed by content, so a warm run decodes (and opens) only what is new.

Two kinds of entries share one table:

* **Per file** (``FitBlob.key``; zip members: CRC32 + size + name; files: size + mtime + the file's
  last bytes, which hold FIT's own CRC, + path): what :func:`chainfix.fit.read_fit` gave.
* **Per part** (:class:`chainfix.sources.base.Container` keys: a zip file on disk, a zip nested
  in one by its CRC32 + size + path, a summary JSON): everything the part gave, in order, so a warm
  run does not even open it.

Entries are versioned by a fingerprint of the reader code (FIT reader, sources, this codec, the
engine and the model), so a new reader never trusts old results. An entry whose result depends on
the clock (readers refuse starts more than two days ahead, so a ``bad_value`` problem may go away
with time) is *volatile*: it is trusted only within the UTC hour it was written. A corrupt or
foreign cache file is deleted and rebuilt: when it is opened, or, for a damaged page that only a
query reads, when it is closed (that run reads the files instead). Writes happen in
transactions; a run killed midway leaves a consistent cache.

The file is written without waiting for the disk (``synchronous=OFF``): it holds nothing the
user's files cannot give again, a killed process loses nothing (the operating system has the
writes), and the damage a power cut could leave is found (SQLite's checks of each page it reads,
each entry's CRC-32) and rebuilt from the files. Waiting for the disk (``synchronous=NORMAL``
syncs when the log is copied into the file, which happens when the cache is closed) cost about
11 ms of every run that stores a result, such as one that adds an activity to a cached decade
(about 0.4 s in all).

Payloads are compact JSON rows (:mod:`chainfix.cache.rows`) behind the CRC-32 of their text: an
entry whose text is intact is exactly what the codec wrote, and decodes without checking each
value's type again (a warm run builds thousands of activities); one whose text changed is dropped.
The engine decodes fresh results through the same codec (the text its own workers encoded, so
without the checks too), so a warm run gives exactly what the cold run gave.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chainfix import __version__
from chainfix.bundled import package_files
from chainfix.cache.rows import (
    BadEntry,
    CachedPart,
    CachedRead,
    decode_part,
    encode_read,
    index_from_text,
    is_volatile,
    read_from_rows,
)
from chainfix.model import (
    Origin,
)

if TYPE_CHECKING:
    from chainfix.fit import FitRead

APPLICATION_ID = 0x63667831  # "cfx1": marks the file as chainfix's cache
SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    key TEXT PRIMARY KEY,
    version TEXT NOT NULL,
    payload TEXT NOT NULL
);
"""
FORMAT = "rows-7"
"""Payload layout; part of :func:`reader_version`."""
READER_FOLDERS = ("fit", "sources", "ingest", "cache")
READER_FILES = ("model.py", "fingerprint.py")
"""The folders and files of the ``chainfix`` package whose code shapes cached results."""
FLUSH_ROWS = 500


def storable(key: str) -> str:
    """``key`` as text SQLite can store: a file name that is not valid UTF-8 (lone surrogates)
    keeps its bytes as ``\\xNN`` escapes, so every name the OS gives has a key of its own."""
    if key.isascii():
        return key
    return key.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


@cache
def reader_version() -> str:
    """chainfix's version plus a hash of the reader code: results of other readers are ignored."""
    digest = hashlib.sha256(f"{__version__}:{FORMAT}".encode())
    for folder in READER_FOLDERS:
        for name, data in package_files(folder, (".py", ".csv")):
            digest.update(name.encode())
            digest.update(data)
    for name, data in package_files("", READER_FILES):
        digest.update(name.encode())
        digest.update(data)
    return digest.hexdigest()[:16]


# ---------------------------------------------------------------------------------------------
# The SQLite store

_DAMAGED = frozenset({None, 11, 26})
"""SQLITE_CORRUPT, SQLITE_NOTADB, and chainfix's own "not chainfix's cache" (no code)."""
_UNREADABLE: Any = object()
"""What :meth:`ReadCache._payload` gives for a stored payload that is not JSON."""


class ReadCache:
    """A SQLite cache of read results. Use as a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.version = reader_version()
        self.dropped = 0
        """Entries that did not decode, dropped this run."""
        self.pending: list[tuple[str, str, str]] = []
        self.empty = False
        """The cache held nothing when opened (a first run): every lookup is a miss, and is not
        even asked of SQLite."""
        self.damaged = False
        """A query found the file damaged (a page a power cut left unwritten, say): it is deleted
        when the cache is closed, so the next run rebuilds it instead of missing every time."""
        self.db = self._open()

    def _open(self) -> sqlite3.Connection:
        try:
            db = self._connect()
            return db
        except sqlite3.DatabaseError as exc:
            # Damaged or foreign: rebuilt. Read-only, full disk, locked: left alone, not used.
            if getattr(exc, "sqlite_errorcode", None) not in _DAMAGED:
                raise
            self._discard()
            return self._connect()

    def _connect(self) -> sqlite3.Connection:
        new = not self.path.exists()
        db = sqlite3.connect(self.path, isolation_level=None)
        if new:
            _private(self.path)
        try:
            app_id = db.execute("PRAGMA application_id").fetchone()[0]
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if app_id != APPLICATION_ID and tables:
                raise sqlite3.DatabaseError("not chainfix's cache")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=OFF")
            if app_id != APPLICATION_ID or "results" not in tables:  # a new cache: no write else
                db.execute(f"PRAGMA application_id={APPLICATION_ID}")
                db.executescript(SCHEMA)
            # count(*) reads the whole table: a damaged file shows here, and is rebuilt
            self.empty = db.execute("SELECT count(*) FROM results").fetchone()[0] == 0
        except sqlite3.DatabaseError:
            db.close()
            raise
        for suffix in ("", "-wal", "-shm"):  # a cache made by an older version too
            _private(Path(str(self.path) + suffix))
        return db

    def _discard(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)

    def _volatile_version(self) -> str:
        """The version volatile entries are written with: valid within this UTC hour."""
        return f"{self.version}@{datetime.now(UTC):%Y-%m-%dT%H}"

    def volatile_version(self) -> str:
        """The version (UTC hour) a volatile result written now is valid for."""
        return self._volatile_version()

    def _payload(self, key: str, starts: str = "", *, parse: bool = True) -> Any | None:
        """The parsed JSON of an intact entry (``parse=False``: its text); None when absent or
        stale (or its text does not start with ``starts``: not even checked); ``_UNREADABLE``
        when its text is not what was written (CRC-32) or not JSON."""
        if self.empty:
            return None
        where = (storable(key), self.version, self._volatile_version())
        try:
            if starts:  # another entry's head: a few bytes read, not megabytes
                row = self.db.execute(
                    "SELECT substr(payload, 10, ?) FROM results"
                    " WHERE key = ? AND version IN (?, ?)",
                    (len(starts), *where),
                ).fetchone()
                if row is None or row[0] != starts:
                    return None
            row = self.db.execute(
                "SELECT payload FROM results WHERE key = ? AND version IN (?, ?)", where
            ).fetchone()
        except sqlite3.DatabaseError as exc:
            self._notice(exc)
            return None
        if row is None:
            return None
        stored = row[0]
        if type(stored) is not str or stored[8:9] != "|":
            return _UNREADABLE
        if starts and not stored.startswith(starts, 9):
            return None
        text = stored[9:]
        if stored[:8] != _crc(text):
            return _UNREADABLE
        if not parse:
            return text
        try:
            return json.loads(text)
        except (ValueError, TypeError, RecursionError):
            return _UNREADABLE

    def forget(self, key: str) -> None:
        """Remove an entry found not to decode after it was handed out (written at once)."""
        self._drop(key)

    def _drop(self, key: str) -> None:
        """Forget an entry that does not decode: a miss now, read again and rewritten."""
        try:
            self.db.execute("DELETE FROM results WHERE key = ?", (storable(key),))
        except sqlite3.DatabaseError as exc:
            self._notice(exc)
        self.dropped += 1

    def get_read(self, key: str, origin: Origin) -> CachedRead | None:
        """The cached result of one file, attached to ``origin``; None when absent or stale, and
        when the entry does not decode (it is dropped: the file is read again)."""
        rows = self._payload(key)
        if rows is _UNREADABLE:
            self._drop(key)
            return None
        if rows is None:
            return None
        try:
            result = read_from_rows(rows, origin, check=False)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            self._drop(key)
            return None
        return result

    def get_part(self, key: str, label: str = "") -> CachedPart | None:
        """The recorded items of a part, decoded and attached to ``label``; None when absent or
        stale, and when any of it does not decode (the entry is dropped: the part is read again).
        """
        doc = self._payload(key)
        if doc is _UNREADABLE:
            self._drop(key)
            return None
        if doc is None:
            return None
        try:
            part = decode_part(doc, label, check=False)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            self._drop(key)
            return None
        return part

    def get_text(self, key: str, starts: str = "") -> str | None:
        """The text of an intact entry, not parsed; None when absent, stale or damaged (then
        dropped), and when it does not start with ``starts`` (then not even checked)."""
        text = self._payload(key, starts, parse=False)
        if text is _UNREADABLE:
            self._drop(key)
            return None
        return text

    def get_index(self, key: str) -> dict[str, str]:
        """The sub-parts of an index part (see :func:`encode_index`), each its text: it is
        parsed only when its key is asked for. Empty when absent, stale or damaged (then
        dropped)."""
        text = self._payload(key, parse=False)
        if text is None:
            return {}
        try:
            if text is _UNREADABLE:
                raise BadEntry("not the text written")
            return index_from_text(text)
        except BadEntry:
            self._drop(key)
            return {}

    def get(self, key: str, origin: Origin) -> CachedRead | None:
        """Alias of :meth:`get_read`."""
        return self.get_read(key, origin)

    def put(self, key: str, result: FitRead) -> None:
        """Store one file's read result (see :meth:`put_payload`)."""
        payload = encode_read(result)
        if payload is not None:
            self.put_payload(key, payload, volatile=is_volatile(result.problems))

    def put_payload(self, key: str, payload: str, *, volatile: bool = False) -> None:
        """Store an encoded entry (:func:`encode_read` or :func:`encode_part` text).

        ``volatile``: the result may change with the clock; trusted only this UTC hour.
        """
        version = self._volatile_version() if volatile else self.version
        self.pending.append((storable(key), version, f"{_crc(payload)}|{payload}"))
        if len(self.pending) >= FLUSH_ROWS:
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
        except sqlite3.DatabaseError as exc:  # the cache is an optimisation: never fail a read
            self._notice(exc)
        self.pending.clear()

    def _notice(self, exc: sqlite3.DatabaseError) -> None:
        """Remember a query that found the file damaged (SQLite checks a page when it reads it;
        opening checks only that the file is a database of this shape)."""
        code = getattr(exc, "sqlite_errorcode", None)
        if code is not None and code & 0xFF in _DAMAGED:
            self.damaged = True

    def close(self) -> None:
        self.flush()
        self.db.close()
        if self.damaged:
            self._discard()

    def __enter__(self) -> ReadCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _crc(text: str) -> str:
    """The CRC-32 of a payload's text, as 8 hex digits (payloads are ASCII)."""
    return f"{zlib.crc32(text.encode('ascii', 'surrogateescape')):08x}"


def _private(path: Path) -> None:
    """Mode 0600 where the file system has modes: read results name the user's files."""
    try:
        path.chmod(0o600)
    except OSError:
        pass


def open_cache(path: Path) -> ReadCache | None:
    """Open the cache, or None when it cannot be used at all (read-only home, ...)."""
    try:
        return ReadCache(path)
    except (sqlite3.DatabaseError, OSError):
        return None
