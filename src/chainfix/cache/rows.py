"""The cache's codec: activities, problems and read results as compact JSON rows.

One row per activity (positional, types checked in one pass with exact-type sets), one per
problem; a read result is its activities and problems, a part its items in order. The ingest
workers encode with it (:func:`encode_read`), so the main process stores their text as it is.
Versioned with the reader code (:func:`chainfix.cache.store.reader_version`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from itertools import starmap
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from chainfix.cache.builders import activity as _activity
from chainfix.cache.builders import lap as _lap
from chainfix.cache.builders import strength_set as _set
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

_dumps = json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode
"""ASCII JSON: a path the OS gave as bytes that are not UTF-8 (held as lone surrogates) is written
as ``\\udcXX`` escapes and read back exactly; SQLite could not store it as text."""
_fromiso = datetime.fromisoformat


def compact_json(value: Any) -> str:
    """``value`` as the compact JSON text of cache payloads (raises ValueError on NaN)."""
    return _dumps(value)


# ---------------------------------------------------------------------------------------------
# Codec: activities and problems as JSON rows


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def activity_row(a: Activity) -> list[Any]:
    """An activity without its origin, as a JSON-able row (see :func:`activity_from_row`)."""
    return _row(a, _sets_as_rows(a.sets), _laps_as_rows(a.laps))


def _row(a: Activity, sets: list[Any] | str, laps: list[Any] | str) -> list[Any]:
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
        sets,
        [
            [s.category, s.exercise, s.sets, s.reps, s.max_weight_kg, s.duration_s]
            for s in a.summary_sets
        ],
        laps,
    ]


def _sets_as_rows(sets: Iterable[StrengthSet]) -> list[Any]:
    return [
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
        for s in sets
    ]


def _laps_as_rows(laps: Iterable[Lap]) -> list[Any]:
    return [[lap.duration_s, lap.distance_m, lap.ascent_m, lap.descent_m] for lap in laps]


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


def _sets(rows: list[list[Any]]) -> tuple[StrengthSet, ...]:
    return tuple(
        _set(
            _when(s[0]) if s[0] is not None else None,
            s[1],
            s[2],
            s[3],
            s[4],
            tuple(s[5]),
            s[6],
            s[7],
        )
        for s in rows
    )


_SETS_SLOT = Activity.__dict__["sets"]
_LAPS_SLOT = Activity.__dict__["laps"]
_COMPARED = attrgetter(*(f.name for f in fields(Activity) if f.compare))


class RememberedActivity(Activity):
    """An activity of a remembered history: its sets and laps are made from their text (see
    :func:`history_row`) the first time they are read. The real-file decade of the benchmark
    holds 15,695 sets and 14,107 laps; a run that grows it by a new file reads none of them
    (the analysis and the planner ask the set tallies they remembered,
    :mod:`chainfix.analysis.tally_memo`); they stay text unless something reads them.

    Equal to the :class:`Activity` with the same fields, hashed alike, and used like one; made
    only from rows known intact (their entry's text matched its CRC-32). The text stays with it
    once read, so a history remembered again writes it as it is (:func:`history_row`), unless
    its sets or laps are replaced.

    The ingest workers write every file's activities this way too (:func:`encode_read`): a
    first read of 3,000 one-hour activities makes none of their 29,000 laps, and remembers the
    history without writing them again."""

    __slots__ = ("_set_rows", "_lap_rows")

    _set_rows: str
    _lap_rows: str

    @property  # type: ignore[override]
    def sets(self) -> tuple[StrengthSet, ...]:
        try:
            return _SETS_SLOT.__get__(self, Activity)  # type: ignore[no-any-return]
        except AttributeError:
            value = _sets(json.loads(self._set_rows))
            _SETS_SLOT.__set__(self, value)
            return value

    @sets.setter
    def sets(self, value: tuple[StrengthSet, ...]) -> None:  # __init__, replace(), copies
        _SETS_SLOT.__set__(self, value)
        _forget(self, _SET_ROWS)

    @property  # type: ignore[override]
    def laps(self) -> tuple[Lap, ...]:
        try:
            return _LAPS_SLOT.__get__(self, Activity)  # type: ignore[no-any-return]
        except AttributeError:
            value = tuple(starmap(_lap, json.loads(self._lap_rows)))
            _LAPS_SLOT.__set__(self, value)
            return value

    @laps.setter
    def laps(self, value: tuple[Lap, ...]) -> None:
        _LAPS_SLOT.__set__(self, value)
        _forget(self, _LAP_ROWS)

    def lap_values(self) -> tuple[tuple[float | None, ...], ...]:
        try:
            _LAPS_SLOT.__get__(self, Activity)
        except AttributeError:  # still text: its rows are the laps' fields, in field order
            return tuple(map(tuple, json.loads(self._lap_rows)))
        return super().lap_values()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Activity):
            return NotImplemented
        return bool(_COMPARED(self) == _COMPARED(other))

    __hash__ = Activity.__hash__


_SET_ROWS = RememberedActivity.__dict__["_set_rows"]
_LAP_ROWS = RememberedActivity.__dict__["_lap_rows"]


def _forget(a: RememberedActivity, slot: Any) -> None:
    """Let go of the text of sets or laps that were replaced."""
    try:
        slot.__delete__(a)
    except AttributeError:
        pass


def _kept(a: Activity, slot: Any) -> str | None:
    """The text a remembered activity still holds of its sets or laps (``slot``), else None."""
    if type(a) is not RememberedActivity:
        return None
    try:
        return slot.__get__(a, RememberedActivity)  # type: ignore[no-any-return]
    except AttributeError:
        return None


def history_row(a: Activity) -> list[Any]:
    """An activity as a row of a remembered history: :func:`activity_row` with the rows of its
    sets and of its laps each kept as JSON text. Parsing a decade's history reads over that text
    without making its values (22 -> 8 ms for the 2.7 MB of the benchmark's real-file decade),
    and the sets and laps nothing reads are never parsed: the analysis of a grown history reads
    the tallies it remembered of the sets it saw before (:mod:`chainfix.analysis.tally_memo`)."""
    sets = _kept(a, _SET_ROWS) or _text(_sets_as_rows(a.sets))
    laps = _kept(a, _LAP_ROWS) or _text(_laps_as_rows(a.laps))
    return _row(a, sets, laps)


def _text(rows: list[Any]) -> list[Any] | str:
    """Rows as their JSON text; none as an empty list."""
    return _dumps(rows) if rows else rows


def remembered_activity(r: list[Any], origin: Origin) -> Activity:
    """The activity of an intact :func:`history_row`, attached to ``origin``: what
    :func:`activity_from_row` gives for the :func:`activity_row`, its sets and laps made when
    first read (an activity with none has them at once)."""
    a = _from_row(r, origin, (), (), RememberedActivity)
    if r[19]:
        _SETS_SLOT.__delete__(a)
        _SET_ROWS.__set__(a, r[19])
    if r[21]:
        _LAPS_SLOT.__delete__(a)
        _LAP_ROWS.__set__(a, r[21])
    return a


def activity_from_row(r: list[Any], origin: Origin, *, check: bool = True) -> Activity:
    """The activity of :func:`activity_row`, attached to ``origin``; BadEntry (a ValueError) when
    the row is not of that shape, so a damaged entry never yields a half-typed activity.

    ``check=False`` for rows known intact (their entry's text matched its CRC-32)."""
    if check:
        _check_activity(r)
    sets = _sets(r[19]) if r[19] else ()
    laps = tuple(starmap(_lap, r[21])) if r[21] else ()
    return _from_row(r, origin, sets, laps, Activity)


def _from_row(
    r: list[Any],
    origin: Origin,
    sets: tuple[StrengthSet, ...],
    laps: tuple[Lap, ...],
    cls: type[Activity],
) -> Activity:
    # positional, in the field order of Activity (about a third faster than by keyword on
    # thousands of rows; the codec's round-trip tests hold every field)
    return _activity(
        r[0], r[1], origin, r[2], r[3], _when(r[4]), r[5], r[6], r[7], r[8], r[9], r[10],
        r[11], r[12], r[13], r[14], r[15], r[16], sets, r[17], r[18],
        tuple(starmap(ExerciseSummary, r[20])) if r[20] else (), laps,
        cls=cls,
    )  # fmt: skip


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
    """One file's read result as JSON text (origins left out), or None when it cannot be (NaN).
    Its activities are :func:`history_row` rows: a first read makes their sets and laps only when
    they are read, and remembers them as they came from the worker."""
    try:
        return _dumps(
            [
                result.file_type,
                result.reader,
                [history_row(a) for a in result.activities],
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
        activities = [activity_from_row(_parsed(r), origin) for r in rows[2]]
    else:
        activities = [remembered_activity(r, origin) for r in rows[2]]
    return CachedRead(
        activities,
        [
            ReadProblem(origin.path, origin.member, *_problem_body(p, check))  # type: ignore[arg-type]
            for p in rows[3]
        ],
        rows[0],
        rows[1],
    )


def _parsed(r: Any) -> Any:
    """A :func:`history_row` with the text of its sets and laps parsed, as :func:`activity_row`
    has them (BadEntry when that text is not a JSON list of rows)."""
    if type(r) is not list or len(r) != len(_ACTIVITY_TYPES):
        raise BadEntry("a row of the wrong length")
    out = list(r)
    for at in (19, 21):
        if type(out[at]) is str:
            try:
                out[at] = json.loads(out[at])
            except (ValueError, RecursionError) as exc:
                raise BadEntry("sets or laps that are not JSON") from exc
            if type(out[at]) is not list or not out[at]:
                raise BadEntry("sets or laps of the wrong shape")
    return out


def is_volatile(problems: Iterable[ReadProblem]) -> bool:
    """Whether a result may change with the clock: a ``bad_value`` problem may be a start time
    refused as in the future (more than two days ahead), which a later run accepts."""
    return any(p.kind == "bad_value" for p in problems)


def part_entry(kind: str, path: str | None, member: str | None, body: str) -> str:
    """One recorded item of a part as JSON text: ``kind`` f (a file's read), a (an activity) or
    p (a problem); ``path`` None when it is the part's label; ``body`` JSON text."""
    return f'["{kind}",{_dumps(path)},{_dumps(member)},{body}]'


def activity_body(a: Activity) -> str | None:
    """An activity's row as JSON text, made once for every part that records it; None when it
    cannot be JSON (NaN)."""
    try:
        return _dumps(activity_row(a))
    except (ValueError, TypeError):
        return None


def activity_entry(a: Activity, label: str, body: str) -> str:
    """An activity of a part labelled ``label``, from its :func:`activity_body`."""
    path = None if a.origin.path == label else a.origin.path
    return part_entry("a", path, a.origin.member, body)


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


INDEX_HEAD = "index\n"
"""How an index entry begins; then one line per sub-part: its key as JSON, a tab, its text."""


def encode_index(subs: dict[str, str]) -> str:
    """An index part's entry (see ``Container.index``): a line per sub-part, its key (JSON) and
    its :func:`index_sub` text, apart. Compact JSON holds no raw tab or newline, so each line
    splits without parsing, and the sub-parts kept from the last run are written back as the
    text they were read as (a folder of thousands of files is not encoded again for one more)."""
    return INDEX_HEAD + "".join(f"{_dumps(k)}\t{v}\n" for k, v in subs.items())


def index_from_text(text: str) -> dict[str, str]:
    """Each sub-part's text by its key, of :func:`encode_index`'s text (known intact: its CRC-32
    matched), not parsed; BadEntry when it is not of that shape."""
    if not text.startswith(INDEX_HEAD) or not text.endswith("\n"):
        raise BadEntry("an index entry of the wrong shape")
    lines = text[len(INDEX_HEAD) : -1].split("\n") if len(text) > len(INDEX_HEAD) else []
    pairs = [line.split("\t") for line in lines]
    if any(len(pair) != 2 for pair in pairs):
        raise BadEntry("an index line of the wrong shape")
    try:
        keys = json.loads("[" + ",".join(key for key, _ in pairs) + "]")
    except (ValueError, RecursionError) as exc:
        raise BadEntry("an index key that is not JSON") from exc
    if len(keys) != len(pairs) or not all(type(key) is str for key in keys):
        raise BadEntry("an index key that is not one text")
    return {key: sub for key, (_, sub) in zip(keys, pairs, strict=True)}


def index_sub(part_text: str, volatile_version: str | None) -> str:
    """One sub-part of an index: its :func:`encode_part` text and, when volatile, the version
    (UTC hour) it is valid for."""
    return f"[{_dumps(volatile_version)},{part_text}]"


def encode_activities(activities: Iterable[Activity]) -> str:
    """A whole history's activities as JSON text (see :func:`activities_from_doc`): the paths
    once, then each activity's path number, member and :func:`history_row`."""
    paths: dict[str, int] = {}
    rows = []
    for a in activities:
        number = paths.setdefault(a.origin.path, len(paths))
        rows.append([number, a.origin.member, history_row(a)])
    return _dumps({"paths": list(paths), "activities": rows})


def activities_from_doc(doc: Any) -> list[Activity]:
    """The activities of :func:`encode_activities`'s parsed text, known intact (its CRC-32
    matched); BadEntry when it is not of that shape."""
    if type(doc) is not dict or set(doc) != {"paths", "activities"}:
        raise BadEntry("a history entry of the wrong shape")
    paths, rows = doc["paths"], doc["activities"]
    if type(paths) is not list or type(rows) is not list:
        raise BadEntry("a history entry of the wrong shape")
    origins: dict[tuple[int, str | None], Origin] = {}
    activities = []
    rows.reverse()
    while rows:  # each row is let go once decoded (but the sets' and laps' rows, until read)
        number, member, row = rows.pop()
        origin = origins.get((number, member))
        if origin is None:
            origin = origins[number, member] = Origin(paths[number], member)
        activities.append(remembered_activity(row, origin))
    return activities


def problem_rows(problems: Iterable[ReadProblem]) -> list[list[Any]]:
    """Problems as JSON rows (see :func:`problems_from_rows`)."""
    return [[p.file, p.member, p.kind, p.message, p.severity] for p in problems]


def problems_from_rows(rows: Any) -> list[ReadProblem]:
    """The problems of :func:`problem_rows`; BadEntry when they are not of that shape."""
    if type(rows) is not list or not all(type(r) is list and len(r) == 5 for r in rows):
        raise BadEntry("problems of the wrong shape")
    return [ReadProblem(*r) for r in rows]
