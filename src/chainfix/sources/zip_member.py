"""Reading one zip member straight from the file the zip lies in, in any process.

When an archive lies in a real file (:class:`Backing`: a zip on disk, or a zip *stored* inside one,
at any depth) its members are not read by the walk at all: each gets a :class:`ZipMemberLoad`, a
small picklable loader that any process can run to read, inflate and CRC-check the member straight
from the file. The ingest engine ships those loaders to its decoder processes, so the bytes are
read once, by the process that decodes them. A stored nested zip is opened through a
:class:`_Window` on the outer file, so its central directory is read in place. The one local-header
reader is :func:`member_data_start`.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chainfix.sources.base import BlobLoadError, Limits, PortableLoad
from chainfix.sources.inflate import inflate_member

_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_LOCAL_MAGIC = b"PK\x03\x04"
_UTF8_NAME = 0x800
_UNSUPPORTED_FLAGS = 0x01 | 0x20 | 0x40
"""Encrypted, compressed patched data, strong encryption: left to :mod:`zipfile` to refuse."""


@dataclass(frozen=True, slots=True)
class Backing:
    """Where a zip archive lies in a real file: ``length`` bytes of ``file`` from ``offset``."""

    file: str
    offset: int
    length: int


class _Window(io.RawIOBase):
    """A read-only, seekable view of ``length`` bytes of ``fh`` from ``offset``."""

    def __init__(
        self, fh: io.BufferedReader, offset: int, length: int, *, owns: bool = False
    ) -> None:
        super().__init__()
        self._fh, self._offset, self._length, self._owns = fh, offset, length, owns
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, pos: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            new = pos
        elif whence == io.SEEK_CUR:
            new = self._pos + pos
        elif whence == io.SEEK_END:
            new = self._length + pos
        else:
            raise ValueError(f"invalid whence {whence}")
        if new < 0:
            raise OSError("negative seek position")
        self._pos = new
        return new

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        want = min(len(view), self._length - self._pos)
        if want <= 0:
            return 0
        self._fh.seek(self._offset + self._pos)
        got = self._fh.readinto(view[:want]) or 0
        self._pos += got
        return got

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            size = self._length - self._pos
        size = max(0, min(size, self._length - self._pos))
        if not size:
            return b""
        self._fh.seek(self._offset + self._pos)
        data = self._fh.read(size)
        self._pos += len(data)
        return data

    def close(self) -> None:
        if self._owns and not self.closed:
            self._fh.close()
        super().close()


_HANDLES: dict[str, io.BufferedReader] = {}
_ZIPS: dict[tuple[str, int, int], zipfile.ZipFile] = {}


def _handle(path: str) -> io.BufferedReader:
    """A per-process open handle on ``path`` (see :func:`release_handles`)."""
    fh = _HANDLES.get(path)
    if fh is None or fh.closed:
        if len(_HANDLES) >= 16:
            release_handles()
        fh = _HANDLES[path] = open(path, "rb")  # noqa: SIM115 - closed by release_handles
    return fh


def release_handles() -> None:
    """Close the files this process opened for :class:`ZipMemberLoad` (call after a read)."""
    for zf in _ZIPS.values():
        zf.close()
    _ZIPS.clear()
    for fh in _HANDLES.values():
        fh.close()
    _HANDLES.clear()


def limits_tag(limits: Limits) -> str:
    """A short fingerprint of the limits: what a walk yields depends on them."""
    text = (
        f"{limits.max_member_bytes}/{limits.max_total_bytes}/{limits.max_ratio!r}/"
        f"{limits.max_depth}/{limits.max_members}"
    )
    return hashlib.sha1(text.encode()).hexdigest()[:10]


@dataclass(frozen=True, slots=True)
class ZipMemberLoad(PortableLoad):
    """Reads one member of a zip that lies in a real file, in whichever process calls it.

    The fast path reads the local header and the compressed bytes, inflates and checks the CRC
    (stored and deflated members; :mod:`chainfix.sources.inflate`). Anything unusual goes to
    :mod:`zipfile` on the same bytes, so results and errors are those of :func:`member_reader`.
    """

    backing: Backing
    header_offset: int
    name: str
    flag_bits: int
    compress_type: int
    compress_size: int
    file_size: int
    crc: int
    limit: int

    def __call__(self) -> bytes:
        data = self._fast()
        return data if data is not None else self._slow()

    def _fast(self) -> bytes | None:
        if self.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            return None
        if self.flag_bits & _UNSUPPORTED_FLAGS or self.file_size > self.limit:
            return None
        try:
            start = member_data_start(
                self.backing, self.header_offset, self.name, self.compress_size
            )
            if start is None:
                return None
            fh = _handle(self.backing.file)
            fh.seek(self.backing.offset + start)
            raw = fh.read(self.compress_size)
            if len(raw) != self.compress_size:
                return None
        except (OSError, ValueError, struct.error):
            return None
        if self.compress_type == zipfile.ZIP_DEFLATED:
            # never inflated past the declared size (a member that declares 1,000 bytes is not
            # inflated to the member limit)
            return inflate_member(raw, self.file_size, self.crc)
        if self.compress_size != self.file_size or zlib.crc32(raw) != self.crc:
            return None
        return raw

    def _slow(self) -> bytes:
        """Exactly the walk's own loader, on a fresh parse of the same archive."""
        where = (self.backing.file, self.backing.offset, self.backing.length)
        zf = _ZIPS.get(where)
        if zf is None:
            window = _Window(open(self.backing.file, "rb"), *where[1:], owns=True)  # noqa: SIM115
            try:
                zf = zipfile.ZipFile(window)
            except (zipfile.BadZipFile, ValueError, EOFError) as exc:
                window.close()
                raise BlobLoadError(
                    "bad_archive", f"the archive member cannot be read: {exc}"
                ) from exc
            except BaseException:
                window.close()
                raise
            if len(_ZIPS) >= 4:
                release_handles()
            _ZIPS[where] = zf
        for info in zf.infolist():
            if info.header_offset == self.header_offset and info.orig_filename == self.name:
                return member_reader(zf, info, self.limit)()
        raise BlobLoadError(
            "bad_archive", "the archive member cannot be read: it is no longer in the archive"
        )


def member_reader(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> Callable[[], bytes]:
    def load() -> bytes:
        try:
            with zf.open(info) as fh:
                data = fh.read(min(limit, info.file_size) + 1)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
            raise BlobLoadError("bad_archive", f"the archive member cannot be read: {exc}") from exc
        except Exception as exc:  # zlib.error and friends
            raise BlobLoadError("bad_archive", f"the archive member cannot be read: {exc}") from exc
        if len(data) > limit:
            raise BlobLoadError("unsafe_archive", f"member is larger than the {limit:,}-byte limit")
        return data

    return load


def nested_backing(backing: Backing, info: zipfile.ZipInfo) -> Backing | None:
    """Where a zip *stored* inside a backed zip sits in the real file, or None."""
    if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & _UNSUPPORTED_FLAGS:
        return None
    if info.compress_size != info.file_size:
        return None
    start = member_data_start(backing, info.header_offset, info.orig_filename, info.compress_size)
    if start is None:
        return None
    return Backing(backing.file, backing.offset + start, info.compress_size)


def member_data_start(backing: Backing, header_offset: int, name: str, size: int) -> int | None:
    """Where a member's data starts (from the start of ``backing``), read from its local header;
    None when the header is missing, names another member, or the data would run past the end.
    """
    try:
        fh = _handle(backing.file)
        fh.seek(backing.offset + header_offset)
        head = fh.read(_LOCAL_HEADER.size)
        if len(head) != _LOCAL_HEADER.size:
            return None
        fields = _LOCAL_HEADER.unpack(head)
        if fields[0] != _LOCAL_MAGIC:
            return None
        local = fh.read(fields[10]).decode("utf-8" if fields[3] & _UTF8_NAME else "cp437")
    except (OSError, ValueError, struct.error):
        return None
    start = header_offset + _LOCAL_HEADER.size + fields[10] + fields[11]
    if local != name or start + size > backing.length:
        return None
    return start


def open_backed(backing: Backing) -> zipfile.ZipFile:
    """Open a zip lying in a real file through a window: only its central directory is read."""
    window = _Window(open(backing.file, "rb"), backing.offset, backing.length, owns=True)  # noqa: SIM115
    try:
        return zipfile.ZipFile(window)
    except BaseException:
        window.close()
        raise
