"""The whole history some paths gave, remembered by what identifies their files without opening
them: a run with nothing changed reads one cache entry instead of replaying every part.

A :class:`Witness` holds, for the paths in order, each path as given and as an absolute path,
the source chosen for it, and the identity of every file at or under it: size, mtime, ctime,
inode and device, what the folder index keys a file by (ctime changes whenever a file's bytes do,
and no user can set it). With them go the read options, the Python version and the installed
plugin sources' code; chainfix's own code is the cache's reader version, which every entry is
stored under.

A history is remembered only when reading it again would give the same:

* every path is read by one of chainfix's own sources (a plugin's source may read from
  elsewhere than the path);
* no file was modified in the last ``RACY_NS`` (a change in the same clock tick could leave
  size and times as they were);
* no problem may go away on its own: an I/O error or a failing plugin.

A history with a value refused as in the future (``bad_value``, which a later run may accept) is
remembered for the UTC hour only, as the cache's parts are.

Anything else is a miss: the history is read through the parts as before, and remembered anew.
One entry per set of paths and options, replaced when their files change. Its first line holds
the history's content fingerprint (:mod:`chainfix.fingerprint`), the file count and the problems;
the activities follow, and are decoded only when something asks for them
(:class:`~chainfix.ingest.remembered.RememberedHistory`). A run whose analysis is remembered too,
by the fingerprint, decodes no activity at all.

Beside it, what growing it by added files needs (:class:`Stored`: the witness's lines, each
activity's fingerprint print, the summaries' start seconds), and once it has grown
(:mod:`chainfix.ingest.increment`), a growth entry on top of it (:class:`Growth`).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chainfix.cache import (
    BadEntry,
    ReadCache,
    activities_from_doc,
    compact_json,
    encode_activities,
    is_volatile,
    open_cache,
    problem_rows,
    problems_from_rows,
)
from chainfix.fingerprint import activity_prints, digest_of_prints, history_digest, vouch
from chainfix.ingest.remembered import RememberedHistory
from chainfix.model import Activity, History
from chainfix.sources.base import Limits, Source
from chainfix.sources.fitfiles import scan_folder
from chainfix.sources.folder import RACY_NS
from chainfix.sources.zip_member import limits_tag

GROWTH_MAX = 256
"""Activities a growth entry holds at most (a year of daily ones) before the whole history is
remembered afresh: a growth is decoded on every run that needs the activities."""
UNSETTLED_KINDS = frozenset(("io_error", "plugin_error"))
"""Problems that may not happen next time: a history holding one is not remembered."""


@dataclass(frozen=True, slots=True)
class Witness:
    """What a history is remembered by: its entry's key (the paths, their sources and the
    options) and the identity of everything read (the files and the plugin sources' code)."""

    key: str
    identity: str
    settled: bool
    """False when a file changed too recently to be told apart from a change to come."""
    sizes: tuple[int, ...] = ()
    """Bytes on disk at or under each path (the progress bar's total, without another walk)."""
    files: tuple[tuple[str, ...], ...] = ()
    """For each path, the line of each file at or under it (its name and identity), in walk
    order: what ``identity`` is the hash of, with ``plugins``."""
    plugins: str = ""
    """The code of the plugin sources a folder's GPX/TCX files are read by."""


def witness(
    paths: Sequence[Path],
    chosen: Sequence[Source | None],
    sources: Sequence[Source],
    forced: str | None,
    limits: Limits,
) -> Witness | None:
    """The witness of reading ``paths`` with the ``chosen`` sources; None when the history of
    these paths cannot be remembered (a plugin's source reads one, a path cannot be looked at)."""
    own = _own_sources()
    if any(source not in own for source in chosen):
        return None
    # the Python version too: the stored fingerprint folds numbers and times with hash()
    key = hashlib.sha256(f"{forced}\0{limits_tag(limits)}\0{sys.version}".encode())
    identity = hashlib.sha256()
    recent = time.time_ns() - RACY_NS
    settled = True
    sizes = []
    lines = []
    for path, source in zip(paths, chosen, strict=True):
        assert source is not None
        place = f"\0{path}\0{os.path.abspath(path)}\0{source.name}"
        key.update(place.encode("utf-8", "surrogateescape"))  # names that are not UTF-8 too
        try:
            files = _files(path)
        except OSError:
            return None
        sizes.append(sum(stat.st_size for _, stat in files if stat is not None))
        mine = []
        for name, stat in files:
            if stat is None:  # a broken link, say: it shows when it can be looked at again
                mine.append(f"{name}\0unreadable\n")
                continue
            mine.append(file_line(name, stat))
            if stat.st_mtime_ns > recent or stat.st_ctime_ns > recent:
                settled = False
        identity.update("".join(mine).encode("utf-8", "surrogateescape"))
        identity.update(b"\1")
        lines.append(tuple(mine))
    plugins = [s for s in sources if s not in own]
    tag = ""
    if plugins:  # a folder's GPX/TCX files are read by a plugin
        from chainfix.sources.decoders import sources_fingerprint

        tag = sources_fingerprint(plugins)
        identity.update(tag.encode())
    return Witness(
        f"history:{key.hexdigest()[:32]}",
        identity.hexdigest()[:32],
        settled,
        tuple(sizes),
        tuple(lines),
        tag,
    )


def file_line(name: str, stat: os.stat_result) -> str:
    """What identifies a file in a witness: its name, size, times, inode and device."""
    return (
        f"{name}\0{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}:"
        f"{stat.st_ino}:{stat.st_dev}\n"
    )


def _own_sources() -> tuple[Source, ...]:
    from chainfix.sources.fitfiles import FIT_FILE
    from chainfix.sources.folder import FIT_FOLDER
    from chainfix.sources.garmin_export import GARMIN_EXPORT, ZIP_ARCHIVE

    return (FIT_FILE, GARMIN_EXPORT, ZIP_ARCHIVE, FIT_FOLDER)


def _files(path: Path) -> list[tuple[str, os.stat_result | None]]:
    """Every file at or under ``path`` with its status (None for one in a folder that cannot be
    looked at), in the folder source's walk order; OSError when ``path`` itself cannot be."""
    if not os.path.isdir(path):
        return [("", os.stat(path))]
    return [(name, _status(entry)) for name, entry in scan_folder(path)]


def _status(entry: os.DirEntry[str]) -> os.stat_result | None:
    try:
        return entry.stat()
    except OSError:
        return None


def recall(
    cache: ReadCache, seen: Witness, reread: Callable[[], History] | None = None
) -> History | None:
    """The history remembered for ``seen``, its activities decoded when first asked for; None
    when there is none, or it was of other files. ``reread`` reads the files again without the
    entry: it gives the activities should the entry's not decode.

    A history grown by added files (:mod:`chainfix.ingest.increment`) is its base entry and the
    growth entry on top of it."""
    growth = _growth(cache, seen.key, seen.identity)
    base = _base(cache, seen.key, seen.identity if growth is None else growth.base)
    if base is None:
        return None
    doc, activities = base
    problems = tuple(problems_from_rows(doc["problems"]))
    recover = None if reread is None else _recovering(cache.path, seen.key, reread)
    if growth is None:
        history = RememberedHistory.of(activities, doc["count"], problems, doc["files"], recover)
        vouch(history, doc["fingerprint"])
    else:
        history = RememberedHistory.of(
            activities, growth.count, problems, growth.files, recover, growth.activities
        )
        vouch(history, growth.fingerprint)
    return history


def _base(cache: ReadCache, key: str, identity: str) -> tuple[dict[str, Any], str] | None:
    """The outline and the activities' text of the entry remembered under ``key`` for the
    files of ``identity``; None when there is none, it is of other files or of another shape."""
    text = cache.get_text(key, starts=_head(identity))  # another identity: not even checked
    if text is None:
        return None
    outline, newline, activities = text.partition("\n")
    try:
        doc = json.loads(outline)
        problems_from_rows(doc["problems"])
        fingerprint, files, count = doc["fingerprint"], doc["files"], doc["count"]
    except (BadEntry, ValueError, KeyError, TypeError, RecursionError):
        return None
    if not newline or doc.get("identity") != identity or type(fingerprint) is not str:
        return None
    if type(files) is not int or type(count) is not int:
        return None
    return doc, activities


def _recovering(
    path: Path, key: str, reread: Callable[[], History]
) -> Callable[[], tuple[Activity, ...]]:
    """Removes the entries, then reads the files again: their activities."""

    def recover() -> tuple[Activity, ...]:
        cache = open_cache(path)
        if cache is not None:
            cache.forget(key)
            cache.forget(growth_key(key))
            cache.close()
        return reread().activities

    return recover


def remember(
    cache: ReadCache,
    seen: Witness,
    history: History,
    summaries: Sequence[int] = (),
    prints: list[str] | None = None,
) -> bool:
    """Store ``history`` under ``seen`` when reading again would give the same; whether it was.

    With it goes what growing it by added files needs (:class:`Stored`): the witness's lines,
    the activities' fingerprint prints (``prints``, when already worked out) and the start
    second of every summary the read linked or kept (``summaries``)."""
    if not seen.settled or any(p.kind in UNSETTLED_KINDS for p in history.problems):
        return False
    try:
        text = encode_activities(history.activities)
        problems = compact_json(problem_rows(history.problems))
    except (ValueError, TypeError):  # a value JSON cannot hold (NaN): read through the parts
        return False
    if prints is None:
        prints = activity_prints(history.activities)
    fingerprint = digest_of_prints(prints)
    vouch(history, fingerprint, prints)  # the plan and the analysis need them again
    outline = (
        f'{_head(seen.identity)}"fingerprint":{compact_json(fingerprint)},'
        f'"files":{history.files_read},"count":{len(history.activities)},"problems":{problems}}}'
    )
    volatile = is_volatile(history.problems)
    side = {
        "identity": seen.identity,
        "lines": seen.files,
        "plugins": seen.plugins,
        "prints": prints,
        "summaries": sorted(set(summaries)),
    }
    cache.put_payload(seen.key, f"{outline}\n{text}", volatile=volatile)
    cache.put_payload(_side_key(seen.key), compact_json(side), volatile=volatile)
    cache.forget(growth_key(seen.key))
    return True


@dataclass(frozen=True, slots=True)
class Growth:
    """The activities added on top of a remembered history (its growth entry)."""

    identity: str
    """The witness identity of the files, the added ones with them."""
    base: str
    """The witness identity of the base entry it grows."""
    fingerprint: str
    files: int
    count: int
    """Activities in all, the base's and the added ones."""
    activities: str
    """:func:`encode_activities` text of the added activities, in start order."""
    prints: tuple[str, ...]
    """Their fingerprint prints, in the same order."""
    lines: tuple[tuple[str, ...], ...]
    """The added files' witness lines, for each path."""


@dataclass(frozen=True, slots=True)
class Stored:
    """Everything remembered under a witness key, as growing it needs: the base history (its
    activities still text), what the base was read from, and the growth on top of it."""

    identity: str
    """The witness identity of the base entry."""
    history: RememberedHistory
    """The base alone."""
    lines: tuple[frozenset[str], ...]
    """For each path, the witness lines of the files read (the base's and the growth's)."""
    plugins: str
    prints: tuple[str, ...]
    """The base activities' fingerprint prints, in order."""
    summaries: tuple[int, ...]
    """The start second of every summary the base was read with, in order."""
    growth: Growth | None
    growth_activities: tuple[Activity, ...] = ()

    @property
    def volatile(self) -> bool:
        return is_volatile(self.history.problems)

    @property
    def files_read(self) -> int:
        """Files read for the base and its growth."""
        return self.growth.files if self.growth is not None else self.history.files_read


def stored(cache: ReadCache, seen: Witness) -> Stored | None:
    """What is remembered under ``seen``'s key, whatever files it was of; None when nothing is,
    or any part of it does not agree with the rest."""
    side_text = cache.get_text(_side_key(seen.key))
    if side_text is None:
        return None
    try:
        side = json.loads(side_text)
        identity, lines, plugins = side["identity"], side["lines"], side["plugins"]
        prints, summaries = tuple(side["prints"]), tuple(side["summaries"])
        growth = _growth(cache, seen.key, None)
        base = _base(cache, seen.key, identity)
        if base is None or (growth is not None and growth.base != identity):
            return None
        doc, text = base
        if len(prints) != doc["count"] or len(lines) != len(seen.files):
            return None
        if not (_all(str, prints) and _all(int, summaries) and _all(list, lines)):
            return None
        history = RememberedHistory.of(
            text, doc["count"], tuple(problems_from_rows(doc["problems"])), doc["files"]
        )
        known = [set(mine) for mine in lines]
        added: tuple[Activity, ...] = ()
        if growth is not None:
            if len(growth.lines) != len(known):
                return None
            for mine, more in zip(known, growth.lines, strict=True):
                mine.update(more)
            added = tuple(activities_from_doc(json.loads(growth.activities)))
            if len(added) != len(growth.prints) or growth.count != len(prints) + len(added):
                return None
        return Stored(
            identity,
            history,
            tuple(map(frozenset, known)),
            plugins,
            prints,
            summaries,
            growth,
            added,
        )
    except (BadEntry, ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError):
        return None


def grow(
    cache: ReadCache,
    seen: Witness,
    old: Stored,
    added: Sequence[tuple[Activity, str]],
    lines: Sequence[Sequence[str]],
    history: History,
    prints: list[str],
) -> None:
    """Remember ``history``: the stored one grown by the ``added`` activities (each with its
    fingerprint print) of the files of ``lines`` (for each path); ``prints``: every activity's,
    in order. The growth entry is rewritten; once it would hold more than ``GROWTH_MAX``
    activities, the whole history is remembered afresh instead."""
    grown = old.growth.prints if old.growth else ()
    pairs = sorted(
        [*zip(old.growth_activities, grown, strict=True), *added],
        key=lambda pair: pair[0].start_utc,
    )
    if len(pairs) > GROWTH_MAX:
        remember(cache, seen, history, old.summaries, prints)
        return
    before = old.growth.lines if old.growth else tuple(() for _ in lines)
    outline = {
        "identity": seen.identity,
        "base": old.identity,
        "fingerprint": history_digest(history),  # vouched by the caller: not worked out again
        "files": history.files_read,
        "count": len(history),
        "prints": [p for _, p in pairs],
        "lines": [[*mine, *more] for mine, more in zip(before, lines, strict=True)],
    }
    try:
        text = encode_activities(a for a, _ in pairs)
    except (ValueError, TypeError):
        return
    volatile = old.volatile
    cache.put_payload(growth_key(seen.key), f"{compact_json(outline)}\n{text}", volatile=volatile)


def _growth(cache: ReadCache, key: str, identity: str | None) -> Growth | None:
    """The growth entry under ``key`` (when ``identity`` is given: only for those files)."""
    text = cache.get_text(growth_key(key), starts=_head(identity) if identity else "")
    if text is None:
        return None
    outline, newline, activities = text.partition("\n")
    try:
        doc = json.loads(outline)
        growth = Growth(
            doc["identity"],
            doc["base"],
            doc["fingerprint"],
            doc["files"],
            doc["count"],
            activities,
            tuple(doc["prints"]),
            tuple(tuple(mine) for mine in doc["lines"]),
        )
    except (ValueError, KeyError, TypeError, RecursionError):
        return None
    fields = (growth.identity, growth.base, growth.fingerprint)
    if not newline or not all(type(f) is str for f in fields):
        return None
    if type(growth.files) is not int or type(growth.count) is not int:
        return None
    if not _all(str, growth.prints):
        return None
    return growth


def _all(kind: type, values: Sequence[object]) -> bool:
    return all(type(v) is kind for v in values)


def growth_key(key: str) -> str:
    """The key of the growth entry on top of the history remembered under ``key``."""
    return f"history-growth:{key.removeprefix('history:')}"


def _side_key(key: str) -> str:
    """The key of what growing the history remembered under ``key`` needs (:class:`Stored`)."""
    return f"history-lines:{key.removeprefix('history:')}"


def _head(identity: str) -> str:
    """How an entry for the files of ``identity`` begins: its identity first, so another one is
    told apart without reading the rest."""
    return f'{{"identity":{compact_json(identity)},'
