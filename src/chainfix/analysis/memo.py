"""The analysis of a history, remembered in the read cache by everything it is made from, so a
run with nothing changed analyses nothing (and decodes no activity of a remembered history).

An analysis is a function of:

* the history's content: its fingerprint (:mod:`chainfix.fingerprint`), known without working
  it out only for a history the reader remembered (:func:`~chainfix.fingerprint.known_digest`);
  any other history is analysed as always;
* the options (window, level, phase, profile flags, sitting hours);
* the model: the built-in tables and every override file's bytes;
* the code and data that make it: the ``chainfix.analysis`` modules and ``chainfix/data``, with
  the cache's own reader version (the domain types, the fingerprint) behind every entry;
* today, as an empty history's window ends today, and the Python version (fingerprints fold
  numbers with :func:`hash`).

One entry per set of options and model files (``analysis:<digest>``), replaced when anything
else changed; it begins with the digest of all of it, so another history's entry is told apart
without being parsed. A cache that cannot be opened only costs the analysis.

An analysis made afresh reads the tallies of the sets it already saw under the same model
(:mod:`chainfix.analysis.tally_memo`), and remembers the ones it worked out.
"""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from chainfix import __version__
from chainfix.analysis.coefficients import Model
from chainfix.analysis.result import Analysis, AnalysisOptions
from chainfix.analysis.stored import analysis_from_text, analysis_text
from chainfix.analysis.tables import load_model
from chainfix.bundled import package_files
from chainfix.cache import ReadCache, open_cache
from chainfix.fingerprint import known_digest
from chainfix.model import History
from chainfix.paths import UserFolderError, cache_path

if TYPE_CHECKING:
    from chainfix.analysis.strength import Tallies


def analyze(history: History, options: AnalysisOptions) -> Analysis:
    """:func:`chainfix.analysis.analyze` of ``history``, remembered when its fingerprint is
    known and the model is given by its tables (not as a loaded :class:`Model`)."""
    fingerprint = known_digest(history)
    if fingerprint is None or isinstance(options.model, Model):
        return _made(history, options)
    model = load_model(options.model)  # an override that cannot be read fails as it always did
    of_model = _model_digest(model)
    key, made_from = _keys(fingerprint, options, model, of_model)
    head = f"{made_from}\n"
    cache = _open()
    if cache is None:
        return _made(history, options)
    try:
        text = cache.get_text(key, starts=head)
        if text is not None:
            try:
                return analysis_from_text(text[len(head) :], options, model)
            except (ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError):
                pass  # made afresh and stored again below
        from chainfix.analysis import tally_memo  # loads on a miss only

        tallies_key = f"set-tallies:{of_model}"
        tallies = tally_memo.recall(cache, tallies_key, history, model)
        analysis = _made(history, options, tallies)
        try:
            cache.put_payload(key, head + analysis_text(analysis))
        except ValueError:
            pass  # a value that cannot be stored exactly: made again next time
        if tallies is not None:
            tally_memo.keep(cache, tallies_key, tallies)
        return analysis
    finally:
        cache.close()


def _made(history: History, options: AnalysisOptions, tallies: Tallies | None = None) -> Analysis:
    from chainfix.analysis.engine import analyze as run_analysis

    return run_analysis(history, options, tallies=tallies)


def _model_digest(model: Model) -> str:
    """A digest of the model an analysis is made under: its tables' files, the bytes of every
    override file, and the analysis code and built-in tables (:func:`code_version`)."""
    tables = [_file_digest(Path(f.path)) for f in model.files if f.origin != "built-in"]
    files = [[f.table, f.path, f.origin] for f in model.files]
    return _digest([files, list(model.ignored), tables, code_version()])


def _keys(
    fingerprint: str, options: AnalysisOptions, model: Model, of_model: str
) -> tuple[str, str]:
    """The entry's key (the options and model files) and the digest of everything the analysis
    is made from (``of_model``: :func:`_model_digest`)."""
    given = [
        options.weeks,
        _day(options.since),
        _day(options.until),
        options.level,
        None if options.model is None else str(options.model),
        options.phase,
        sorted(options.flags),
        options.sitting_hours,
        [[f.table, f.path, f.origin] for f in model.files],
        list(model.ignored),
    ]
    key = _digest(given)
    made_from = [key, fingerprint, of_model, _today().isoformat(), sys.version]
    return f"analysis:{key}", _digest(made_from)


def _today() -> date:
    return date.today()


def _day(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _digest(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:32]
    except OSError:
        return "unreadable"


@cache
def code_version() -> str:
    """chainfix's version and a hash of the analysis code and its built-in tables."""
    digest = hashlib.sha256(__version__.encode())
    for folder in ("analysis", "data"):
        for name, data in package_files(folder):
            digest.update(f"{folder}/{name}\0".encode())
            digest.update(data)
    return digest.hexdigest()[:16]


def _open() -> ReadCache | None:
    try:
        return open_cache(cache_path())
    except UserFolderError:
        return None
