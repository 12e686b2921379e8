"""A remembered history grown by the files added since: only the new files are read.

When the files at and under the paths are those of the remembered history
(:mod:`chainfix.ingest.snapshot`) plus new ones, with none gone or changed, reading everything
again would give the remembered history with the new files' activities each in its place, as
long as:

* every new file is a FIT file in a folder (a zip or a GPX/TCX file is read as a whole part,
  through the parts as before);
* reading the new files gives activities only: no problem, no JSON summary (a summary links to a
  recording by time);
* no new activity starts in the same second as another activity, old or new, nor within
  ``LINK_SECONDS`` of a summary the history was read with.

Then :func:`chainfix.ingest.merge.merge` would find no new duplicate and link no summary to a new
activity: the old activities stay as they were, each new one goes in its place in time order,
and the problems are the ones remembered. The fingerprint is worked out from the stored prints of
the old activities and the new ones' (:func:`chainfix.fingerprint.digest_of_prints`). Anything
else is read through the parts, as before. A settled history is remembered as its base entry and
a growth entry (:func:`chainfix.ingest.snapshot.grow`).
"""

from __future__ import annotations

import os
from bisect import bisect_left
from collections.abc import Callable, Sequence
from typing import NamedTuple

from chainfix.cache import ReadCache
from chainfix.errors import ChainfixError
from chainfix.fingerprint import activity_prints, digest_of_prints, vouch
from chainfix.ingest import snapshot
from chainfix.ingest.merge import LINK_SECONDS
from chainfix.ingest.printable import _printable_activity
from chainfix.ingest.remembered import places, spliced
from chainfix.model import Activity, History, ReadProblem
from chainfix.sources.folder import file_kind


class AddedRead(NamedTuple):
    """What reading the added files gave, as the engine collected it."""

    recorded: list[Activity]
    summaries: list[Activity]
    problems: list[ReadProblem]
    files: int
    """FIT files read (the history's ``files_read`` grows by as many)."""


ReadAdded = Callable[[list[tuple[str, os.stat_result]]], AddedRead]
"""Reads FIT files of a folder, each given by its name and status, as the folder source would."""


def extend(cache: ReadCache, seen: snapshot.Witness, read_added: ReadAdded) -> History | None:
    """The history remembered under ``seen``'s key grown by the files added since, reading only
    them (with ``read_added``); None when it cannot be told to equal reading everything again.
    Remembered when ``seen`` is settled."""
    old = snapshot.stored(cache, seen)
    if old is None or old.plugins != seen.plugins:
        return None
    lines = _added_lines(seen, old)
    if lines is None:
        return None
    files = _files_to_read(lines)
    if not files:
        return None
    read = read_added(files)
    if read.summaries or read.problems:
        return None
    try:
        base = old.history.activities
    except ChainfixError:  # a base that does not decode: read through the parts
        return None
    growth_prints = old.growth.prints if old.growth is not None else ()
    where = places(base, old.growth_activities)
    before = spliced(base, old.growth_activities, where)
    before_prints = spliced(old.prints, growth_prints, where)
    added = sorted(map(_printable_activity, read.recorded), key=lambda a: (a.start_utc, a.leg))
    if not _apart(before, added, old.summaries):
        return None
    added_prints = activity_prints(added)
    where = places(before, added)
    prints = spliced(before_prints, added_prints, where)
    history = History(
        activities=tuple(spliced(before, added, where)),
        problems=old.history.problems,
        files_read=old.files_read + read.files,
    )
    vouch(history, digest_of_prints(prints), prints)
    if seen.settled:
        pairs = list(zip(added, added_prints, strict=True))
        snapshot.grow(cache, seen, old, pairs, lines, history, prints)
    return history


def _added_lines(seen: snapshot.Witness, old: snapshot.Stored) -> list[list[str]] | None:
    """For each path, the witness lines of the files added since; None when a file went away
    or changed (its old line is missing)."""
    added = []
    for now, known in zip(seen.files, old.lines, strict=True):
        fresh = [line for line in now if line not in known]
        if len(now) - len(fresh) != len(known):
            return None
        added.append(fresh)
    return added


def _files_to_read(lines: list[list[str]]) -> list[tuple[str, os.stat_result]] | None:
    """The added FIT files, each with its status (a file a folder does not read is passed
    over); None when another kind of file was added, or a file changed since it was seen."""
    files = []
    for mine in lines:
        for line in mine:
            name = line.partition("\0")[0]
            kind = file_kind(os.path.basename(name))
            if kind is None:
                continue
            if kind != "fit" or not name:
                return None
            try:
                stat = os.stat(name)
            except OSError:
                return None
            if snapshot.file_line(name, stat) != line:
                return None
            files.append((name, stat))
    return files


def _apart(before: Sequence[Activity], added: Sequence[Activity], summaries: Sequence[int]) -> bool:
    """Whether every added activity starts in a second of its own, and not within
    ``LINK_SECONDS`` of a summary's start (``summaries``: sorted seconds)."""
    taken = {int(a.start_utc.timestamp()) for a in before}
    seconds = [int(a.start_utc.timestamp()) for a in added]
    if len(set(seconds)) != len(seconds) or not taken.isdisjoint(seconds):
        return False
    for second in seconds:
        near = bisect_left(summaries, second - LINK_SECONDS)
        if near < len(summaries) and summaries[near] <= second + LINK_SECONDS:
            return False
    return True
