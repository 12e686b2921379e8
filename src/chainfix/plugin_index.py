"""The installed distributions' ``chainfix`` entry points, remembered between runs.

Finding them through :mod:`importlib.metadata` costs about 30 ms a run: the module loads the
``email`` package and every installed distribution is looked at. The list is kept in the user
folder (``plugins.json``, mode 0600) with what it depends on:

* the Python version and prefix;
* every ``sys.path`` entry and its modification time: installing, upgrading or removing a
  distribution adds or removes its ``.dist-info`` folder there, which changes the folder's time;
* each ``entry_points.txt`` that names a chainfix plugin, with its time and size (a file
  rewritten in place, as an old-style develop install does).

Anything different, a file modified within the last ``RACY_NS`` (a change in the same clock tick
could leave the times as they were), an unreadable or malformed list, or a user folder that
cannot be written: the entry points are found through :mod:`importlib.metadata` again.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chainfix.paths import UserFolderError, plugin_index_path

GROUP = "chainfix"
RACY_NS = 2_000_000_000
"""A folder or file modified this recently is not trusted to show the next change."""
SCHEMA = 1
KEPT_LISTS = 4
"""Lists kept, one per ``sys.path`` seen (the newest ones)."""


@dataclass(frozen=True, slots=True)
class PluginEntry:
    """One ``chainfix`` entry point: ``name = module:attr`` of a distribution."""

    name: str
    value: str
    distribution: str | None = None
    version: str | None = None

    def load(self) -> Any:
        """The object the entry point names (as :meth:`importlib.metadata.EntryPoint.load`)."""
        module, _, attrs = self.value.partition("[")[0].partition(":")
        obj: Any = importlib.import_module(module.strip())
        for attr in filter(None, attrs.strip().split(".")):
            obj = getattr(obj, attr)
        return obj


def plugin_entries() -> list[PluginEntry]:
    """The ``chainfix`` entry points of every installed distribution, in discovery order."""
    try:
        path = plugin_index_path()
    except UserFolderError:
        return _discover()[0]
    lists = _read(path)
    for kept in lists:
        remembered = _recall(kept)
        if remembered is not None:
            return remembered
    entries, files = _discover()
    stamp = _stamp(files)
    if stamp is not None and files is not None:
        _remember(path, lists, entries, files, stamp)
    return entries


def _discover() -> tuple[list[PluginEntry], list[str] | None]:
    """The entry points through importlib.metadata, and the files that list them (None when
    one cannot be told: then nothing is remembered)."""
    from importlib.metadata import entry_points

    entries: list[PluginEntry] = []
    files: list[str] | None = []
    for ep in entry_points(group=GROUP):
        dist = ep.dist
        entries.append(
            PluginEntry(
                ep.name,
                ep.value,
                dist.name if dist else None,
                dist.version if dist else None,
            )
        )
        folder = getattr(dist, "_path", None)  # a PathDistribution's .dist-info folder
        if folder is None or files is None:
            files = None
            continue
        files.append(os.fspath(folder / "entry_points.txt"))
    return entries, files


def _stamp(files: list[str] | None) -> list[Any] | None:
    """What the entry points depend on, as JSON; None when it cannot be trusted (a file that
    cannot be told apart, or one modified too recently)."""
    if files is None:
        return None
    recent = time.time_ns() - RACY_NS
    stamp: list[Any] = [SCHEMA, sys.version, sys.prefix]
    for name in [*sys.path, *sorted(set(files))]:
        try:
            st = os.stat(name or ".")
        except OSError:
            stamp.append([name, None])
            continue
        if st.st_mtime_ns > recent or st.st_ctime_ns > recent:
            return None
        stamp.append([name, st.st_mtime_ns, st.st_ctime_ns, st.st_size])
    return stamp


def _read(path: Path) -> list[Any]:
    """The lists remembered, one per ``sys.path`` (``python -m chainfix`` and the ``chainfix``
    script see different ones); empty when there are none or the file is damaged."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return []
    lists = data.get("lists") if isinstance(data, dict) else None
    return lists if isinstance(lists, list) else []


def _recall(kept: Any) -> list[PluginEntry] | None:
    """The entry points of one remembered list, when what it depends on is unchanged (a list of
    another ``sys.path`` is passed over without looking at any file)."""
    try:
        if kept["path"] != sys.path or _stamp(kept["files"]) != kept["stamp"]:
            return None
        return [_entry(row) for row in kept["entries"]]
    except (ValueError, KeyError, TypeError, IndexError):
        return None


def _entry(row: Any) -> PluginEntry:
    name, value, distribution, version = row
    if not isinstance(name, str) or not isinstance(value, str):
        raise TypeError("an entry point without a name or value")
    if not all(v is None or isinstance(v, str) for v in (distribution, version)):
        raise TypeError("an entry point of the wrong shape")
    return PluginEntry(name, value, distribution, version)


def _remember(
    path: Path, lists: list[Any], entries: list[PluginEntry], files: list[str], stamp: list[Any]
) -> None:
    """Keep this list (replacing the one for the same ``sys.path``, at most ``KEPT_LISTS``).
    Best effort: a user folder that cannot be written only costs the next run a search."""
    from chainfix.atomic import write_atomic

    rows = [[e.name, e.value, e.distribution, e.version] for e in entries]
    others = [k for k in lists if isinstance(k, dict) and k.get("path") != sys.path]
    kept = [
        *others[-(KEPT_LISTS - 1) :],
        {"path": sys.path, "stamp": stamp, "files": files, "entries": rows},
    ]
    try:
        write_atomic(path, json.dumps({"schema": SCHEMA, "lists": kept}), mode=0o600)
    except OSError:
        pass
