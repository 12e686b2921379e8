"""The read cache: results in SQLite keyed by content (:mod:`~chainfix.cache.store`), written
as compact rows (:mod:`~chainfix.cache.rows`)."""

from chainfix.cache.rows import (
    BadEntry,
    CachedPart,
    CachedRead,
    activity_entry,
    activity_from_row,
    activity_row,
    compact_json,
    decode_part,
    encode_index,
    encode_part,
    encode_read,
    index_sub,
    is_volatile,
    part_entry,
    problem_entry,
    read_from_rows,
)
from chainfix.cache.store import FORMAT, ReadCache, open_cache, reader_version, storable

__all__ = [
    "FORMAT",
    "BadEntry",
    "CachedPart",
    "CachedRead",
    "ReadCache",
    "activity_entry",
    "activity_from_row",
    "activity_row",
    "compact_json",
    "decode_part",
    "encode_index",
    "encode_part",
    "encode_read",
    "index_sub",
    "is_volatile",
    "open_cache",
    "part_entry",
    "problem_entry",
    "read_from_rows",
    "reader_version",
    "storable",
]
