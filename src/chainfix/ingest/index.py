"""Index parts (a folder): their sub-parts are cached inside the index's own entry.

A source marks a folder with ``Container(key, label, index=True)`` and each file in it with a
sub-part ``Container`` keyed by what identifies the file without opening it (its path relative
to the folder, size, mtime, ctime). The engine loads the index once, when the folder opens; each
sub-part whose key is in it is replayed from memory (no lookup, no opening); the others are read,
recorded and added. When the folder closes, the index is rewritten only if a sub-part was added
or one went away (a file changed, was added or deleted), so a warm walk writes nothing.

A sub-part's key is only ever looked up in its index, never in the cache at large: keys need
only be unique within their folder. A damaged entry, or one of the wrong shape, is a miss.
"""

from __future__ import annotations

import json

from chainfix.cache import (
    CachedPart,
    ReadCache,
    decode_part,
    encode_index,
    index_sub,
)
from chainfix.sources.base import Container


class PartIndex:
    """The cached sub-parts of one index part, and the ones this run keeps or adds."""

    __slots__ = ("mark", "cache", "old", "kept", "fresh")

    def __init__(self, mark: Container, cache: ReadCache) -> None:
        self.mark = mark
        self.cache = cache
        self.old: dict[str, str] = cache.get_index(mark.key)
        self.kept: dict[str, str] = {}
        """Sub-parts replayed this run (their text, written back as it was)."""
        self.fresh: dict[str, str] = {}
        """Sub-parts read this run (their entry's JSON text)."""

    def lookup(self, sub: Container) -> CachedPart | None:
        """The cached items of a direct sub-part, attached to its label; None on a miss."""
        raw = self.old.get(sub.key)
        if raw is None:
            return None
        try:
            version, doc = json.loads(raw)
            if version is not None and version != self.cache.volatile_version():
                return None
            part = decode_part(doc, sub.label, check=False)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError):
            return None
        if sub.room is not None and part.used > sub.room:
            return None
        self.kept[sub.key] = raw
        return part

    def store(self, sub: Container, part_text: str, volatile: bool) -> None:
        """Add a sub-part read this run (:func:`chainfix.cache.encode_part` text)."""
        version = self.cache.volatile_version() if volatile else None
        self.fresh[sub.key] = index_sub(part_text, version)

    def save(self) -> None:
        """Write the index when it changed: a sub-part added, re-read or gone."""
        if not self.fresh and len(self.kept) == len(self.old):
            return
        self.cache.put_payload(self.mark.key, encode_index(self.kept | self.fresh))
