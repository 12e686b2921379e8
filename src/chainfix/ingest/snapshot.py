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
(:class:`RememberedHistory`). A run whose analysis is remembered too, by the fingerprint, decodes
no activity at all.
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
from chainfix.errors import ChainfixError
from chainfix.fingerprint import history_digest, vouch
from chainfix.model import Activity, History, ReadProblem
from chainfix.sources.base import Limits, Source
from chainfix.sources.fitfiles import scan_folder
from chainfix.sources.folder import RACY_NS
from chainfix.sources.zip_member import limits_tag

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
    for path, source in zip(paths, chosen, strict=True):
        assert source is not None
        place = f"\0{path}\0{os.path.abspath(path)}\0{source.name}"
        key.update(place.encode("utf-8", "surrogateescape"))  # names that are not UTF-8 too
        try:
            files = _files(path)
        except OSError:
            return None
        sizes.append(sum(stat.st_size for _, stat in files if stat is not None))
        for name, stat in files:
            if stat is None:  # a broken link, say: it shows when it can be looked at again
                identity.update(f"{name}\0unreadable\n".encode("utf-8", "surrogateescape"))
                continue
            identity.update(
                f"{name}\0{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}:"
                f"{stat.st_ino}:{stat.st_dev}\n".encode("utf-8", "surrogateescape")
            )
            if stat.st_mtime_ns > recent or stat.st_ctime_ns > recent:
                settled = False
        identity.update(b"\1")
    plugins = [s for s in sources if s not in own]
    if plugins:  # a folder's GPX/TCX files are read by a plugin
        from chainfix.sources.decoders import sources_fingerprint

        identity.update(sources_fingerprint(plugins).encode())
    return Witness(
        f"history:{key.hexdigest()[:32]}", identity.hexdigest()[:32], settled, tuple(sizes)
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
    entry: it gives the activities should the entry's not decode."""
    text = cache.get_text(seen.key, starts=_head(seen))  # another identity: not even checked
    if text is None:
        return None
    outline, newline, activities = text.partition("\n")
    try:
        doc = json.loads(outline)
        problems = problems_from_rows(doc["problems"])
        fingerprint, files, count = doc["fingerprint"], doc["files"], doc["count"]
    except (BadEntry, ValueError, KeyError, TypeError, RecursionError):
        return None
    if not newline or doc.get("identity") != seen.identity or type(fingerprint) is not str:
        return None
    if type(files) is not int or type(count) is not int:
        return None
    recover = None if reread is None else _recovering(cache.path, seen.key, reread)
    history = RememberedHistory.of(activities, count, tuple(problems), files, recover)
    vouch(history, fingerprint)
    return history


def _recovering(
    path: Path, key: str, reread: Callable[[], History]
) -> Callable[[], tuple[Activity, ...]]:
    """Removes the entry, then reads the files again: their activities."""

    def recover() -> tuple[Activity, ...]:
        cache = open_cache(path)
        if cache is not None:
            cache.forget(key)
            cache.close()
        return reread().activities

    return recover


def remember(cache: ReadCache, seen: Witness, history: History) -> bool:
    """Store ``history`` under ``seen`` when reading again would give the same; whether it was."""
    if not seen.settled or any(p.kind in UNSETTLED_KINDS for p in history.problems):
        return False
    try:
        text = encode_activities(history.activities)
        problems = compact_json(problem_rows(history.problems))
    except (ValueError, TypeError):  # a value JSON cannot hold (NaN): read through the parts
        return False
    fingerprint = history_digest(history)
    vouch(history, fingerprint)  # the plan's check of this history needs it again
    outline = (
        f'{_head(seen)}"fingerprint":{compact_json(fingerprint)},"files":{history.files_read},'
        f'"count":{len(history.activities)},"problems":{problems}}}'
    )
    cache.put_payload(seen.key, f"{outline}\n{text}", volatile=is_volatile(history.problems))
    return True


_ACTIVITIES = History.__dict__["activities"]
"""The slot a history's activities are kept in."""


class RememberedHistory(History):
    """A remembered history: its problems and file count at hand, its activities decoded from
    the entry's text the first time they are asked for (a run whose analysis is remembered too
    never asks). Equal to the :class:`History` it was stored from, and used like one."""

    __slots__ = ("_text", "_count", "_recover")

    _text: str | None
    _count: int
    _recover: Callable[[], tuple[Activity, ...]] | None

    @classmethod
    def of(
        cls,
        text: str,
        count: int,
        problems: tuple[ReadProblem, ...],
        files: int,
        recover: Callable[[], tuple[Activity, ...]] | None = None,
    ) -> RememberedHistory:
        """The history whose ``count`` activities are :func:`encode_activities`' ``text``;
        ``recover`` gives them another way should the text not decode (its entry removed)."""
        history = object.__new__(cls)
        object.__setattr__(history, "problems", problems)
        object.__setattr__(history, "files_read", files)
        object.__setattr__(history, "_text", text)
        object.__setattr__(history, "_count", count)
        object.__setattr__(history, "_recover", recover)
        return history

    @property  # type: ignore[override]
    def activities(self) -> tuple[Activity, ...]:
        try:
            return _ACTIVITIES.__get__(self, History)  # type: ignore[no-any-return]
        except AttributeError:
            pass
        text = self._text
        assert text is not None
        try:  # intact (its CRC-32 matched) and of this version's writer: never fails but by a bug
            activities = tuple(activities_from_doc(json.loads(text)))
            if len(activities) != self._count:
                raise BadEntry("a remembered history with another count of activities")
        except (ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError) as exc:
            if self._recover is None:
                raise ChainfixError(
                    f"the cache's remembered history of these files does not decode ({exc})",
                    hint="Run the command again with --no-cache.",
                ) from exc
            activities = self._recover()  # the files read again, as a miss would have
        object.__setattr__(self, "activities", activities)  # the setter: decoded from now on
        return activities

    @activities.setter
    def activities(self, value: tuple[Activity, ...]) -> None:  # History.__init__, replace()
        _ACTIVITIES.__set__(self, value)
        object.__setattr__(self, "_text", None)
        object.__setattr__(self, "_count", len(value))

    @property
    def decoded(self) -> bool:
        """Whether its activities were asked for."""
        return self._text is None

    def __len__(self) -> int:
        return self._count

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, History):
            return NotImplemented
        mine = (self.activities, self.problems, self.files_read)
        return mine == (other.activities, other.problems, other.files_read)

    def __hash__(self) -> int:
        return hash((self.activities, self.problems, self.files_read))


def _head(seen: Witness) -> str:
    """How the entry for ``seen`` begins: its identity first, so another one is told apart
    without reading the rest."""
    return f'{{"identity":{compact_json(seen.identity)},'
