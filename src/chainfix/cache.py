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
foreign cache file is deleted and rebuilt. Writes happen in transactions; a run killed midway
leaves a consistent cache.

Payloads are compact JSON rows (see :func:`encode_read`) behind the CRC-32 of their text: an entry
whose text is intact is exactly what this codec wrote, and decodes without checking each value's
type again (a warm run builds thousands of activities); one whose text changed is dropped. The
engine decodes fresh results through the same codec (the text its own workers encoded, so without
the checks too), so a warm run gives exactly what the cold run gave.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chainfix import __version__
from chainfix.model import (
    PROBLEM_KINDS,
    Activity,
    ExerciseSummary,
    Lap,
    Origin,
    ReadProblem,
    StrengthSet,
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
FORMAT = "rows-4"
"""Payload layout; part of :func:`reader_version`."""
READER_MODULES = ("chainfix.fit", "chainfix.sources", "chainfix.ingest")
READER_FILES = ("cache.py", "model.py")
"""Modules of the ``chainfix`` package whose code shapes cached results."""
FLUSH_ROWS = 500

_dumps = json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode
"""ASCII JSON: a path the OS gave as bytes that are not UTF-8 (held as lone surrogates) is written
as ``\\udcXX`` escapes and read back exactly; SQLite could not store it as text."""
_fromiso = datetime.fromisoformat


def storable(key: str) -> str:
    """``key`` as text SQLite can store: a file name that is not valid UTF-8 (lone surrogates)
    keeps its bytes as ``\\xNN`` escapes, so every name the OS gives has a key of its own."""
    if key.isascii():
        return key
    return key.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def compact_json(value: Any) -> str:
    """``value`` as the compact JSON text of cache payloads (raises ValueError on NaN)."""
    return _dumps(value)


@cache
def reader_version() -> str:
    """chainfix's version plus a hash of the reader code: results of other readers are ignored."""
    digest = hashlib.sha256(f"{__version__}:{FORMAT}".encode())
    for package in READER_MODULES:
        for entry in sorted(resources.files(package).iterdir(), key=lambda e: e.name):
            if entry.name.endswith((".py", ".csv")):
                digest.update(entry.name.encode())
                digest.update(entry.read_bytes())
    root = resources.files("chainfix")
    for name in READER_FILES:
        digest.update(name.encode())
        digest.update((root / name).read_bytes())
    return digest.hexdigest()[:16]


# ---------------------------------------------------------------------------------------------
# Codec: activities and problems as JSON rows


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def activity_row(a: Activity) -> list[Any]:
    """An activity without its origin, as a JSON-able row (see :func:`activity_from_row`)."""
    return [
        a.id,
        a.source,
        a.sport,
        a.sub_sport,
        a.start_utc.isoformat(),
        a.utc_offset_s,
        a.elapsed_s,
        a.timer_s,
        a.distance_m,
        a.ascent_m,
        a.descent_m,
        a.avg_speed_m_s,
        a.avg_hr,
        a.max_hr,
        a.avg_power_w,
        a.avg_cadence,
        a.device,
        a.leg,
        a.from_summary,
        [
            [
                _iso(s.start),
                s.duration_s,
                s.reps,
                s.weight_kg,
                s.set_type,
                list(s.categories),
                s.exercise,
                s.workout_step_index,
            ]
            for s in a.sets
        ],
        [
            [s.category, s.exercise, s.sets, s.reps, s.max_weight_kg, s.duration_s]
            for s in a.summary_sets
        ],
        [[lap.duration_s, lap.distance_m, lap.ascent_m, lap.descent_m] for lap in a.laps],
    ]


class BadEntry(ValueError):
    """A cache entry that is valid JSON but not of the shape the codec writes."""


Types = tuple[frozenset[type], ...]
"""The allowed exact types of each value of a row."""
_NONE: type = type(None)
_STR: frozenset[type] = frozenset((str,))
_INT: frozenset[type] = frozenset((int,))
_BOOL: frozenset[type] = frozenset((bool,))
_LIST: frozenset[type] = frozenset((list,))
_OPT_NUM: frozenset[type] = frozenset((int, float, _NONE))
_OPT_STR: frozenset[type] = frozenset((str, _NONE))
_OPT_INT: frozenset[type] = frozenset((int, _NONE))
_ACTIVITY_TYPES: Types = (
    _STR, _STR, _STR, _STR, _STR, _OPT_INT, *[_OPT_NUM] * 10, _OPT_STR, _INT, _BOOL,
    _LIST, _LIST, _LIST,
)  # fmt: skip
_SET_TYPES: Types = (_OPT_STR, _OPT_NUM, _OPT_INT, _OPT_NUM, _STR, _LIST, _OPT_STR, _OPT_INT)
_SUMMARY_TYPES: Types = (_STR, _OPT_STR, _INT, _INT, _OPT_NUM, _OPT_NUM)
_PROBLEM_TYPES: Types = (_STR, _STR, _STR)
_NUM: frozenset[type] = frozenset((int, float))
_LAP_TYPES: Types = (_NUM, _OPT_NUM, _OPT_NUM, _OPT_NUM)
_READ_TYPES: Types = (_OPT_STR, _STR, _LIST, _LIST)
_ITEM_TYPES: Types = (_STR, _OPT_STR, _OPT_STR, _LIST)
_SEVERITIES = frozenset(("error", "warning", "info"))
_has = frozenset.__contains__


def _check(row: Any, types: Types) -> list[Any]:
    """``row`` when it is a list whose values have exactly these types (JSON gives no subclasses;
    a bool is no number here); else BadEntry."""
    if type(row) is not list or len(row) != len(types):
        raise BadEntry("a row of the wrong length")
    if not all(map(_has, types, map(type, row))):
        raise BadEntry("a value of the wrong type")
    return row


def _when(text: str) -> datetime:
    value = _fromiso(text)
    if value.tzinfo is None:
        raise BadEntry("a time without its UTC offset")
    return value


def _problem_body(body: Any, check: bool = True) -> list[Any]:
    if not check:
        return body
    _check(body, _PROBLEM_TYPES)
    if body[0] not in PROBLEM_KINDS or body[2] not in _SEVERITIES:
        raise BadEntry("an unknown problem kind or severity")
    return body


def activity_from_row(r: list[Any], origin: Origin, *, check: bool = True) -> Activity:
    """The activity of :func:`activity_row`, attached to ``origin``; BadEntry (a ValueError) when
    the row is not of that shape, so a damaged entry never yields a half-typed activity.

    ``check=False`` for rows known intact (their entry's text matched its CRC-32)."""
    if check:
        _check_activity(r)
    return Activity(
        id=r[0],
        source=r[1],
        origin=origin,
        sport=r[2],
        sub_sport=r[3],
        start_utc=_when(r[4]),
        utc_offset_s=r[5],
        elapsed_s=r[6],
        timer_s=r[7],
        distance_m=r[8],
        ascent_m=r[9],
        descent_m=r[10],
        avg_speed_m_s=r[11],
        avg_hr=r[12],
        max_hr=r[13],
        avg_power_w=r[14],
        avg_cadence=r[15],
        device=r[16],
        leg=r[17],
        from_summary=r[18],
        sets=tuple(
            StrengthSet(
                start=_when(s[0]) if s[0] is not None else None,
                duration_s=s[1],
                reps=s[2],
                weight_kg=s[3],
                set_type=s[4],
                categories=tuple(s[5]),
                exercise=s[6],
                workout_step_index=s[7],
            )
            for s in r[19]
        )
        if r[19]
        else (),
        summary_sets=tuple(ExerciseSummary(*s) for s in r[20]) if r[20] else (),
        laps=tuple(Lap(*lap) for lap in r[21]) if r[21] else (),
    )


def _check_activity(r: Any) -> None:
    _check(r, _ACTIVITY_TYPES)
    for s in r[19]:
        _check(s, _SET_TYPES)
        if s[4] not in ("active", "rest") or not all(isinstance(c, str) for c in s[5]):
            raise BadEntry("a set of the wrong shape")
    for s in r[20]:
        _check(s, _SUMMARY_TYPES)
    for lap in r[21]:
        _check(lap, _LAP_TYPES)


def encode_read(result: FitRead) -> str | None:
    """One file's read result as JSON text (origins left out), or None when it cannot be (NaN)."""
    try:
        return _dumps(
            [
                result.file_type,
                result.reader,
                [activity_row(a) for a in result.activities],
                [[p.kind, p.message, p.severity] for p in result.problems],
            ]
        )
    except (ValueError, TypeError):
        return None


@dataclass(slots=True)
class CachedRead:
    """A decoded per-file entry: what ``read_fit`` gave, attached to the file's origin."""

    activities: list[Activity]
    problems: list[ReadProblem]
    file_type: str | None = None
    reader: str = "fast"


def read_from_rows(rows: list[Any], origin: Origin, *, check: bool = True) -> CachedRead:
    """Decode the parsed JSON of :func:`encode_read`, attached to ``origin`` (BadEntry when it is
    not of that shape; ``check=False``: known intact)."""
    if check:
        _check(rows, _READ_TYPES)
    return CachedRead(
        [activity_from_row(r, origin, check=check) for r in rows[2]],
        [
            ReadProblem(origin.path, origin.member, *_problem_body(p, check))  # type: ignore[arg-type]
            for p in rows[3]
        ],
        rows[0],
        rows[1],
    )


def is_volatile(problems: Iterable[ReadProblem]) -> bool:
    """Whether a result may change with the clock: a ``bad_value`` problem may be a start time
    refused as in the future (more than two days ahead), which a later run accepts."""
    return any(p.kind == "bad_value" for p in problems)


def part_entry(kind: str, path: str | None, member: str | None, body: str) -> str:
    """One recorded item of a part as JSON text: ``kind`` f (a file's read), a (an activity) or
    p (a problem); ``path`` None when it is the part's label; ``body`` JSON text."""
    return f'["{kind}",{_dumps(path)},{_dumps(member)},{body}]'


def activity_entry(a: Activity, label: str) -> str | None:
    path = None if a.origin.path == label else a.origin.path
    try:
        return part_entry("a", path, a.origin.member, _dumps(activity_row(a)))
    except (ValueError, TypeError):
        return None


def problem_entry(p: ReadProblem, label: str) -> str:
    path = None if p.file == label else p.file
    return part_entry("p", path, p.member, _dumps([p.kind, p.message, p.severity]))


def encode_part(used: int, state: dict[str, int], entries: Iterable[str]) -> str:
    return f'{{"used":{int(used)},"state":{_dumps(state)},"items":[{",".join(entries)}]}}'


PartItem = tuple[str, Origin, "CachedRead | Activity | ReadProblem", Any]
"""A decoded item of a part: kind (f, a or p), its origin, the decoded value, the JSON body."""


@dataclass(slots=True)
class CachedPart:
    """A decoded per-part entry (see :meth:`ReadCache.get_part`)."""

    used: int
    state: dict[str, int]
    items: list[PartItem] = field(default_factory=list)
    """Every recorded item, decoded, in source order."""


def decode_part(doc: Any, label: str, *, check: bool = True) -> CachedPart:
    """The parsed JSON of :func:`encode_part`, every item decoded and attached to ``label``;
    BadEntry (a ValueError) when any part of it is not of the shape written (``check=False``:
    known intact, the values' types are not checked again)."""
    if type(doc) is not dict or set(doc) != {"used", "state", "items"}:
        raise BadEntry("a part entry of the wrong shape")
    used, state, rows = doc["used"], doc["state"], doc["items"]
    if type(used) is not int or type(state) is not dict or type(rows) is not list:
        raise BadEntry("a part entry of the wrong shape")
    if not all(type(v) is int for v in state.values()):
        raise BadEntry("a part state of the wrong shape")
    items: list[PartItem] = []
    for row in rows:
        kind, path, member, body = _check(row, _ITEM_TYPES) if check else row
        origin = Origin(path if path is not None else label, member)
        value: CachedRead | Activity | ReadProblem
        if kind == "f":
            value = read_from_rows(body, origin, check=check)
        elif kind == "a":
            value = activity_from_row(body, origin, check=check)
        elif kind == "p":
            value = ReadProblem(origin.path, member, *_problem_body(body, check))  # type: ignore[arg-type]
        else:
            raise BadEntry("an item of an unknown kind")
        items.append((kind, origin, value, body))
    return CachedPart(used, state, items)


def encode_index(subs: dict[str, str]) -> str:
    """An index part's entry (see ``Container.index``): each sub-part's key and its
    ``[volatile version or null, encode_part text]`` as JSON text."""
    return '{"index":{' + ",".join(f"{_dumps(k)}:{v}" for k, v in subs.items()) + "}}"


def index_sub(part_text: str, volatile_version: str | None) -> str:
    """One sub-part of an index: its :func:`encode_part` text and, when volatile, the version
    (UTC hour) it is valid for."""
    return f"[{_dumps(volatile_version)},{part_text}]"


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
            db.execute("PRAGMA synchronous=NORMAL")
            if app_id != APPLICATION_ID or "results" not in tables:  # a new cache: no write else
                db.execute(f"PRAGMA application_id={APPLICATION_ID}")
                db.executescript(SCHEMA)
            # count(*) reads the whole table: a damaged file shows here, and is rebuilt
            self.empty = db.execute("SELECT count(*) FROM results").fetchone()[0] == 0
        except sqlite3.DatabaseError:
            db.close()
            raise
        for suffix in ("-wal", "-shm"):
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

    def _payload(self, key: str) -> Any | None:
        """The parsed JSON of an intact entry; None when absent or stale; ``_UNREADABLE`` when
        its text is not what was written (CRC-32) or not JSON."""
        if self.empty:
            return None
        try:
            row = self.db.execute(
                "SELECT payload FROM results WHERE key = ? AND version IN (?, ?)",
                (storable(key), self.version, self._volatile_version()),
            ).fetchone()
        except sqlite3.DatabaseError:
            return None
        if row is None:
            return None
        stored = row[0]
        if type(stored) is not str or stored[8:9] != "|":
            return _UNREADABLE
        text = stored[9:]
        if stored[:8] != _crc(text):
            return _UNREADABLE
        try:
            return json.loads(text)
        except (ValueError, TypeError, RecursionError):
            return _UNREADABLE

    def _drop(self, key: str) -> None:
        """Forget an entry that does not decode: a miss now, read again and rewritten."""
        try:
            self.db.execute("DELETE FROM results WHERE key = ?", (storable(key),))
        except sqlite3.DatabaseError:
            pass
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

    def get_index(self, key: str) -> dict[str, Any]:
        """The sub-parts of an index part (see :func:`encode_index`), undecoded: each decodes
        only when its key is asked for. Empty when absent, stale or damaged (then dropped)."""
        doc = self._payload(key)
        if doc is None:
            return {}
        subs = doc.get("index") if type(doc) is dict and len(doc) == 1 else None
        if type(subs) is not dict:
            self._drop(key)
            return {}
        return subs

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
