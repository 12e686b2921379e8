"""The tallies of logged sets (:class:`~chainfix.analysis.strength.SetTally`) that analyses worked
out, remembered in the read cache by the model they were made under, so the analysis of a grown
history neither makes nor counts again the sets of the activities it already saw.

A strength session holds dozens of sets; the analysis reads them for the window's scores and for
rule R1's level (two years back). In the benchmark's real-file decade, a run that adds one
activity made 11,600 sets from their text and tallied them (about 27 ms of 0.37 s); with the
tallies remembered it makes none.

An activity is known by its fingerprint print (:func:`chainfix.fingerprint.activity_prints`):
every fact it is made of, its sets included, so a changed activity is a new one. Prints are at
hand for a history the reader read and remembered, or grew
(:func:`~chainfix.fingerprint.known_prints`); the sets of any other history are tallied as
always. One entry per model (``set-tallies:`` and a digest of the model's tables, their override
files, and the analysis code and data, as :mod:`chainfix.analysis.memo` keys an analysis), at most
``KEPT`` tallies in it, the newest kept.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from chainfix.analysis.coefficients import Model
from chainfix.analysis.strength import SetTally, tally_sets, use_tallies
from chainfix.cache import ReadCache
from chainfix.fingerprint import known_prints
from chainfix.model import Activity, History

KEPT = 20_000
"""Most tallies one entry keeps (a decade of strength sessions three times a week is 1,560)."""


class RememberedTallies:
    """The tallies of a history's activities (a :data:`~chainfix.analysis.strength.Tallies`):
    remembered ones where the activity's print is known and was tallied before under this model,
    else worked out from its sets (and kept to be remembered)."""

    def __init__(
        self,
        model: Model,
        activities: Sequence[Activity],
        prints: Sequence[str],
        known: dict[str, SetTally],
    ) -> None:
        self.model = model
        self._prints = {id(a): (a, p) for a, p in zip(activities, prints, strict=True)}
        """Each activity's print, by its ``id`` (the activity held, so the id stays its own)."""
        self.known = known
        self.fresh: dict[str, SetTally] = {}
        """Tallies worked out this run, by key."""
        self._answered: dict[int, SetTally | None] = {}
        """The tally given for each activity already asked about (the analysis, rule R1 and the
        planner each ask), by ``id``: its print is digested once."""

    def __call__(self, a: Activity) -> SetTally | None:
        known = self._prints.get(id(a))
        if known is None or known[0] is not a:
            return tally_sets(self.model, a.sets)
        if id(a) in self._answered:
            return self._answered[id(a)]
        key = print_key(known[1])
        tally = self.known.get(key) or self.fresh.get(key)
        if tally is None:
            tally = tally_sets(self.model, a.sets)
            if tally is not None:
                self.fresh[key] = tally
        self._answered[id(a)] = tally
        return tally


def print_key(printed: str) -> str:
    """An activity's key in the entry: a digest of its print."""
    return hashlib.blake2b(printed.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def recall(cache: ReadCache, key: str, history: History, model: Model) -> RememberedTallies | None:
    """The tallies remembered under ``key`` for ``history``'s activities, put in use for
    ``model`` (:func:`~chainfix.analysis.strength.use_tallies`: the planner asks them too); None
    when their prints are not known (then every set is tallied, as always)."""
    prints = known_prints(history)
    activities = history.activities
    if prints is None or len(prints) != len(activities):
        return None
    tallies = RememberedTallies(model, activities, prints, _decoded(cache.get_text(key)))
    use_tallies(model, tallies)
    return tallies


def keep(cache: ReadCache, key: str, tallies: RememberedTallies) -> None:
    """Remember the tallies worked out this run with those already remembered (the newest
    ``KEPT``); nothing is written when none was worked out."""
    if not tallies.fresh:
        return
    every = {**tallies.known, **tallies.fresh}
    kept = list(every.items())[-KEPT:]
    cache.put_payload(key, json.dumps({k: _row(t) for k, t in kept}, separators=(",", ":")))


def _row(t: SetTally) -> list[Any]:
    return [t.active, t.unknown, [list(pair) for pair in t.hard], list(t.loaded)]


def _decoded(text: str | None) -> dict[str, SetTally]:
    """The tallies of an entry's text; none when there is no entry or it is not of this shape
    (the tallies are then worked out again and the entry written afresh)."""
    if text is None:
        return {}
    try:
        doc = json.loads(text)
        return {key: _tally(row) for key, row in doc.items()}
    except (ValueError, TypeError, AttributeError, RecursionError):
        return {}


def _tally(row: Sequence[Any]) -> SetTally:
    active, unknown, hard, loaded = row
    pairs = tuple((family, count) for family, count in hard)
    if type(active) is not bool or type(unknown) is not int:
        raise TypeError("a tally of another shape")
    if not all(type(f) is str and type(n) is int for f, n in pairs):
        raise TypeError("a tally of another shape")
    if not all(type(f) is str for f in loaded):
        raise TypeError("a tally of another shape")
    return SetTally(active, pairs, unknown, tuple(loaded))
