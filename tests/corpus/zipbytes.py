"""Building zip archives and editing their headers in place, for the bad-input corpus.

:func:`build` writes entries with fixed timestamps; :func:`patch` rewrites fields of one member's
central-directory record (and the matching local header), to make archives that lie: declared
sizes, encryption flags, compression methods, symbolic-link attributes.
"""

from __future__ import annotations

import io
import struct
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

__all__ = [
    "Entry",
    "build",
    "central_records",
    "nested",
    "patch",
    "rename_local",
    "streamed",
    "zip64",
]

_CENTRAL = b"PK\x01\x02"
_STAMP = (2026, 1, 1, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class Entry:
    """One member to write: its name, bytes, compression and Unix mode (``None``: a plain file)."""

    name: str
    data: bytes
    compress: int = zipfile.ZIP_DEFLATED
    mode: int | None = None


def build(entries: Sequence[Entry]) -> bytes:
    """A zip holding ``entries`` in order (duplicate names allowed, as some tools write them)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name": intended by some cases
        for entry in entries:
            info = zipfile.ZipInfo(entry.name, date_time=_STAMP)
            info.compress_type = entry.compress
            if entry.mode is not None:
                info.external_attr = entry.mode << 16
            zf.writestr(info, entry.data)
    return buf.getvalue()


def nested(levels: int, leaf: Entry, name: str = "level{}.zip") -> bytes:
    """A zip holding a zip holding ... ``levels`` archives deep, ``leaf`` in the innermost."""
    data = build([leaf])
    for level in range(levels - 1, 0, -1):
        data = build([Entry(name.format(level), data)])
    return data


def central_records(data: bytes) -> Iterator[tuple[int, str]]:
    """(offset, name) of every central-directory record."""
    pos = data.find(_CENTRAL)
    while pos >= 0:
        (length,) = struct.unpack_from("<H", data, pos + 28)
        yield pos, data[pos + 46 : pos + 46 + length].decode("utf-8", "replace")
        pos = data.find(_CENTRAL, pos + 46 + length)


def patch(
    data: bytes,
    name: str,
    *,
    flags: int = 0,
    method: int | None = None,
    file_size: int | None = None,
    compress_size: int | None = None,
    mode: int | None = None,
    version: int | None = None,
) -> bytes:
    """Rewrite the named member's headers: OR ``flags`` into the general-purpose flags, set the
    compression ``method``, the declared sizes, the Unix ``mode`` (central directory only), or
    the ``version`` needed to extract (63 is 6.3)."""
    out = bytearray(data)
    hits = [pos for pos, found in central_records(data) if found == name]
    if not hits:
        raise ValueError(f"no member named {name!r}")
    for pos in hits:
        (local,) = struct.unpack_from("<I", out, pos + 42)
        for base, flag_at, method_at, csize_at, usize_at in (
            (pos, 8, 10, 20, 24),
            (local, 6, 8, 18, 22),
        ):
            (old_flags,) = struct.unpack_from("<H", out, base + flag_at)
            struct.pack_into("<H", out, base + flag_at, old_flags | flags)
            if method is not None:
                struct.pack_into("<H", out, base + method_at, method)
            if compress_size is not None:
                struct.pack_into("<I", out, base + csize_at, compress_size)
            if file_size is not None:
                struct.pack_into("<I", out, base + usize_at, file_size)
            if version is not None:
                struct.pack_into("<H", out, base + flag_at - 2, version)
        if mode is not None:
            struct.pack_into("<I", out, pos + 38, mode << 16)
    return bytes(out)


class _Unseekable(io.RawIOBase):
    """A write-only stream :mod:`zipfile` cannot seek in: it then writes data descriptors."""

    def __init__(self) -> None:
        super().__init__()
        self.buffer = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.buffer += data
        return len(data)


def streamed(entries: Sequence[Entry]) -> bytes:
    """A zip written as a streaming zipper writes it: sizes and CRC in data descriptors after
    each member (flag bit 3), zeros in the local headers."""
    sink = _Unseekable()
    with zipfile.ZipFile(sink, "w") as zf:
        for entry in entries:
            info = zipfile.ZipInfo(entry.name, date_time=_STAMP)
            info.compress_type = entry.compress
            with zf.open(info, "w") as fh:
                fh.write(entry.data)
    return bytes(sink.buffer)


def zip64(entries: Sequence[Entry]) -> bytes:
    """A zip whose members carry ZIP64 extra fields, as tools write for files over 4 GiB."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for entry in entries:
            info = zipfile.ZipInfo(entry.name, date_time=_STAMP)
            info.compress_type = entry.compress
            with zf.open(info, "w", force_zip64=True) as fh:
                fh.write(entry.data)
    return buf.getvalue()


def rename_local(data: bytes, name: str, new: str) -> bytes:
    """Change a member's name in its local header only (same length), so the two disagree."""
    if len(new.encode()) != len(name.encode()):
        raise ValueError("the new name must have the same length")
    out = bytearray(data)
    for pos, found in central_records(data):
        if found == name:
            (local,) = struct.unpack_from("<I", out, pos + 42)
            out[local + 30 : local + 30 + len(new)] = new.encode()
    return bytes(out)
