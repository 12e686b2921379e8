"""A fingerprint of a history's content: every fact an activity is made with, not where it was
read from (the same history read from another place has the same fingerprint).

A plan stores it to see that the history changed (:mod:`chainfix.planning.inputs`). A history is
immutable, so a fingerprint worked out once for it holds while it lives: the reader, which
remembers whole histories with their fingerprint, hands it on with :func:`vouch` and a later
:func:`history_digest` of that very history costs nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import Field, fields
from operator import attrgetter
from typing import Any

from chainfix.model import Activity, ExerciseSummary, History, StrengthSet

WHERE_FROM = frozenset({"source", "origin", "device"})
"""Where an activity was read from: the same history read from another place is the same."""

_READ = [f for f in fields(Activity) if f.init and f.name not in WHERE_FROM]
"""Fields given when an activity is made (derived ones, such as its local date, follow)."""
NESTED = tuple(f.name for f in _READ if str(f.type).startswith("tuple["))
"""Sets, logged exercise summaries and laps: the nested records of an activity."""
_HASHABLE = re.compile(r"(int|float|bool|datetime|None|[ |])+")
"""Annotations whose values hash the same in every process (Python 3.12+, aware datetimes)."""


def _hashable(f: Field[Any]) -> bool:
    return _HASHABLE.fullmatch(str(f.type)) is not None


NUMBER_FIELDS = tuple(f.name for f in _READ if f.name not in NESTED and _hashable(f))
"""Numbers, flags and the (aware, UTC) start, folded with :func:`hash`: the same in every process
since Python 3.12 (an aware datetime hashes by its UTC instant; text, a date or a naive time would
not)."""
WORD_FIELDS = tuple(f.name for f in _READ if f.name not in NESTED + NUMBER_FIELDS)
"""Everything else (text, mostly), kept as its repr."""
WORDS = attrgetter(*WORD_FIELDS)
NUMBERS = attrgetter(*NUMBER_FIELDS)
SET_NUMBERS = attrgetter(*(f.name for f in fields(StrengthSet) if _hashable(f)))
SET_TEXT = attrgetter(*(f.name for f in fields(StrengthSet) if not _hashable(f)))
"""A set's numbers and (UTC) start, hashed like an activity's; the rest kept as its repr."""
SUMMARY = attrgetter(*(f.name for f in fields(ExerciseSummary)))


def history_digest(history: History) -> str:
    """A fingerprint of the history as a plan reads it (:func:`digest_of_prints` of its
    activities' :func:`activity_prints`)."""
    known = _VOUCHED.get(id(history))
    if known is not None and known[0] is history:
        return known[1]
    return digest_of_prints(activity_prints(history.activities))


def activity_prints(activities: Iterable[Activity]) -> list[str]:
    """What the fingerprint is made of, one text per activity.

    Text is kept as text; numbers, aware times and laps are folded with :func:`hash`, which is
    the same in every process for them (text hashes differently per process). Sets are split the
    same way; exercise summaries (rare) are kept as the repr of their values.
    """
    rows = [
        (
            WORDS(a),
            hash(NUMBERS(a)),
            hash(a.lap_values()),
            _sets_text(a.sets) if a.sets else "",
            hash(tuple(map(SET_NUMBERS, a.sets))),
            repr(tuple(map(SUMMARY, a.summary_sets))) if a.summary_sets else "",
        )
        for a in activities
    ]
    return list(map(repr, rows))


def digest_of_prints(prints: Sequence[str]) -> str:
    """The fingerprint of a history whose activities, in order, have these prints: the hash of
    the ``repr`` of the list of their rows, so a history's fingerprint can be worked out again
    from stored prints when activities are added (:mod:`chainfix.ingest.increment`)."""
    return hashlib.sha256(f"[{', '.join(prints)}]".encode()).hexdigest()[:16]


def _sets_text(sets: tuple[StrengthSet, ...]) -> str:
    """``repr`` of the sets' text fields, each distinct one written once (a history has a few
    dozen, over thousands of sets)."""
    known = _SET_TEXTS
    parts = []
    for text in map(SET_TEXT, sets):
        shown = known.get(text)
        if shown is None:
            shown = repr(text)
            if len(known) < SET_TEXTS_MAX and _plain_text(text):
                known[text] = shown
        parts.append(shown)
    return f"({parts[0]},)" if len(parts) == 1 else f"({', '.join(parts)})"


def _plain_text(values: tuple[object, ...]) -> bool:
    """Only text (or None): a value equal to it is written the same (``1 == 1.0 == True`` are
    not)."""
    return all(
        v is None or type(v) is str or (type(v) is tuple and all(type(part) is str for part in v))
        for v in values
    )


_SET_TEXTS: dict[tuple[object, ...], str] = {}
"""``repr`` of each set's text fields seen (a set type, its categories and exercise)."""
SET_TEXTS_MAX = 4096
_VOUCHED: dict[int, tuple[History, str, Sequence[str] | None]] = {}
"""Fingerprints already known, by ``id`` of their history (held, so the id is not reused), with
the activities' prints when they are known too."""
VOUCHED_MAX = 4


def known_digest(history: History) -> str | None:
    """``history``'s fingerprint when it is known without working it out (vouched), else None."""
    known = _VOUCHED.get(id(history))
    return known[1] if known is not None and known[0] is history else None


def known_prints(history: History) -> Sequence[str] | None:
    """The :func:`activity_prints` of ``history``'s activities, in order, when they were vouched
    for with its fingerprint, else None."""
    known = _VOUCHED.get(id(history))
    return known[2] if known is not None and known[0] is history else None


def vouch(history: History, fingerprint: str, prints: Sequence[str] | None = None) -> None:
    """Record ``history``'s fingerprint, known from where it was read (the reader's remembered
    history stores the fingerprint worked out when it was stored), and its activities' prints
    when they are at hand (one per activity, in order)."""
    while len(_VOUCHED) >= VOUCHED_MAX:
        del _VOUCHED[next(iter(_VOUCHED))]
    _VOUCHED[id(history)] = (history, fingerprint, prints)
