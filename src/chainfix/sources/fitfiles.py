"""Built-in source: a single FIT file or gzipped FIT file, and the helpers every FIT-reading
source shares (suffixes, safe gunzip, cache keys, the folder walk)."""

from __future__ import annotations

import os
import stat as stat_mode
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from chainfix.model import Origin, ReadProblem
from chainfix.sources.base import (
    BlobLoadError,
    FitBlob,
    PortableLoad,
    ReadOptions,
    Source,
    SourceItem,
)

FIT_SUFFIXES = (".fit", ".fit.gz")
TRACK_SUFFIXES = (".tcx", ".gpx", ".tcx.gz", ".gpx.gz")


def has_suffix(name: str, suffixes: tuple[str, ...]) -> bool:
    """Case-insensitive suffix test (``.FIT.GZ`` counts)."""
    return name.lower().endswith(suffixes)


def looks_like_fit(path: Path) -> bool:
    """True when the file starts with a FIT header (``.FIT`` at offset 8)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(12)
    except OSError:
        return False
    return len(head) >= 12 and head[8:12] == b".FIT"


GUNZIP_CHUNK = 1024**2
"""Bytes of gzip input inflated per step."""


def gunzip_limited(data: bytes, limit: int) -> bytes:
    """Decompress gzip data, refusing output larger than ``limit`` bytes.

    Streams in steps, so a bomb costs at most the limit, never twice it. The gzip trailer
    declares the size (modulo 4 GiB): a declared size over the limit is refused before inflating
    anything, and the output is never inflated past the declared size (a liar is refused too).
    """
    declared = int.from_bytes(data[-4:], "little") if len(data) >= 18 else limit
    if declared > limit:
        raise ValueError(
            f"it declares {declared:,} bytes, more than the {limit:,}-byte limit (--max-member-mb)"
        )
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = bytearray()
    view = memoryview(data)
    pos = 0
    while not d.eof:
        chunk = d.unconsumed_tail or view[pos : pos + GUNZIP_CHUNK]
        if not d.unconsumed_tail:
            pos += len(chunk)
        if not chunk:
            raise EOFError("the gzip stream is truncated")
        out += d.decompress(chunk, declared + 1 - len(out))
        if len(out) > declared:
            if declared == limit:
                raise ValueError(f"it decompresses to more than the {limit:,}-byte limit")
            raise ValueError(f"it decompresses to more than the {declared:,} bytes it declares")
    return bytes(out)


@dataclass(frozen=True, slots=True)
class FileLoad(PortableLoad):
    """Reads a FIT file (``gz``: a gzipped one) from disk, in whichever process calls it."""

    path: str
    gz: bool = False
    limit: int = 0

    def __call__(self) -> bytes:
        raw = Path(self.path).read_bytes()
        if not self.gz:
            return raw
        try:
            return gunzip_limited(raw, self.limit)
        except (OSError, EOFError, ValueError, zlib.error) as exc:
            raise BlobLoadError("bad_archive", f"not a readable gzip file: {exc}") from exc


@dataclass(frozen=True, slots=True)
class GunzipLoad(PortableLoad):
    """Decompresses what another portable load returns (a ``.fit.gz`` member of a zip)."""

    inner: PortableLoad
    limit: int

    def __call__(self) -> bytes:
        return gunzip_limited(self.inner(), self.limit)


def file_key(path: Path, stat: os.stat_result) -> str:
    """A cache key for a file on disk: size, mtime, its last bytes (for FIT: its own CRC), path."""
    return f"{stat.st_size}:{stat.st_mtime_ns}:{_tail(path)}:{path.resolve()}"


def fit_file_item(
    path: Path,
    options: ReadOptions,
    display: str | None = None,
    *,
    stat: os.stat_result | None = None,
) -> SourceItem:
    """A FitBlob for one ``.fit`` or ``.fit.gz`` file on disk, or a ReadProblem.

    ``stat``: the file's stat when the caller has it already (a folder walk)."""
    return file_blob(path, options, display, stat=stat)


def file_blob(
    path: Path,
    options: ReadOptions,
    display: str | None = None,
    *,
    stat: os.stat_result | None = None,
    decoder: str | None = None,
    source: str = "fit",
) -> SourceItem:
    """A FitBlob for one file on disk (``.gz``: gunzipped within the limits), or a ReadProblem.

    Without ``decoder`` it is a FIT file for chainfix's reader. With ``decoder``
    (``"module:function"``, see :class:`~chainfix.sources.base.FitBlob`) it is any file that
    function decodes (GPX, TCX ...), in a decoder process, cached by the file's size, mtime,
    last bytes and path (and, as every decoder's result, by the decoder's code and arguments).
    ``stat``: when the caller has it already."""
    name = display or str(path)
    if stat is None:
        try:
            stat = path.stat()
        except OSError as exc:
            return ReadProblem(name, None, "io_error", f"cannot read the file: {exc.strerror}")
    if not stat_mode.S_ISREG(stat.st_mode):
        return ReadProblem(name, None, "io_error", "not a regular file (a pipe, a device); skipped")
    limit = options.limits.max_member_bytes
    if stat.st_size > limit:
        return ReadProblem(
            name,
            None,
            "unsupported",
            f"the file is {stat.st_size:,} bytes, more than the {limit:,}-byte limit "
            "(--max-member-mb)",
        )
    key = f"file:{file_key(path, stat)}"
    gz = has_suffix(path.name, (".gz",))
    load = FileLoad(os.path.abspath(path), gz, limit)
    return FitBlob(Origin(name), load, stat.st_size, key, source, decoder)


def _tail(path: Path, nbytes: int = 16) -> str:
    """The file's last bytes (for FIT: its own CRC) as hex, to verify a size+mtime cache key."""
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - nbytes))
            return fh.read().hex()
    except OSError:
        return ""


def walk_folder(root: Path) -> Iterator[Path]:
    """Every file under ``root``, sorted, not following symlinked folders."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for filename in sorted(filenames):
            yield Path(dirpath) / filename


_WALKED: dict[str, list[tuple[str, os.DirEntry[str]]]] | None = None
"""The folders walked in :func:`walks_shared`, by path as given; None outside it."""


@contextmanager
def walks_shared() -> Iterator[None]:
    """Within, each folder is walked once: a later :func:`scan_folder` of it is given the same
    entries, with the status each one already looked up (``os.DirEntry`` keeps it). For one read:
    its files are then seen as they were at the first walk, which is what the read is remembered
    by (:mod:`chainfix.ingest.snapshot`)."""
    global _WALKED
    outer, _WALKED = _WALKED, {}
    try:
        yield
    finally:
        _WALKED = outer


def scan_folder(root: Path) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """Every file under ``root`` as (its path, its directory entry), in :func:`walk_folder`'s
    order, one ``os.scandir`` per folder and no ``Path`` objects (a folder of thousands of files
    is walked in milliseconds). Symlinked folders are not followed; unreadable ones are skipped,
    as :func:`os.walk` does."""
    top = str(root)
    if _WALKED is None:
        yield from _scan(top, top != ".")
        return
    walked = _WALKED.get(top)
    if walked is None:
        walked = _WALKED[top] = list(_scan(top, top != "."))
    yield from walked


def _scan(top: str, join: bool) -> Iterator[tuple[str, os.DirEntry[str]]]:
    try:
        with os.scandir(top) as it:
            entries = list(it)
    except OSError:
        return
    files: list[os.DirEntry[str]] = []
    dirs: list[os.DirEntry[str]] = []
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        (dirs if is_dir else files).append(entry)
    files.sort(key=lambda e: e.name)
    for entry in files:
        yield (entry.path if join else entry.name), entry
    dirs.sort(key=lambda e: e.name)
    for entry in dirs:
        if not entry.is_symlink():
            yield from _scan(entry.path if join else entry.name, True)


def read_fit_file(path: Path, options: ReadOptions) -> Iterator[SourceItem]:
    yield fit_file_item(path, options)


def can_open_fit(path: Path) -> bool:
    return path.is_file() and (has_suffix(path.name, FIT_SUFFIXES) or looks_like_fit(path))


FIT_FILE = Source(
    name="fit",
    description="A single FIT activity file (.fit or .fit.gz).",
    can_open=can_open_fit,
    read=read_fit_file,
    advances_by_blobs=True,
)
