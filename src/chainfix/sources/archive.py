"""Safe, streaming walks through (nested) zip archives.

Members are read into memory one at a time, never extracted to disk, and their names are never
used as paths. Nested zips are opened in place when stored, read into memory when small, and
spilled to a private temporary file otherwise. Limits on size, ratio, depth and member count
come from :class:`chainfix.sources.base.Limits`.

When an archive lies in a real file (:class:`Backing`: a zip on disk, or a zip *stored* inside one,
at any depth) its members are not read by the walk at all: each gets a :class:`ZipMemberLoad`, a
small picklable loader that any process can run to read, inflate and CRC-check the member straight
from the file. The ingest engine ships those loaders to its decoder processes, so the bytes are
read once, by the process that decodes them. A stored nested zip is opened through a
:class:`_Window` on the outer file, so its central directory is read in place.

With ``containers=True`` the walk also yields a :class:`Container` mark before each nested zip
(and the closing mark after it), so a consumer with a cache can skip the whole nested zip.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from chainfix.model import ReadProblem
from chainfix.sources.base import BlobLoadError, Limits

IN_MEMORY_NESTED_BYTES = 64 * 1024**2
"""Nested zips up to this size are held in memory; larger ones go to a private temp file."""


@dataclass(slots=True)
class Member:
    """A file inside an archive (possibly nested)."""

    path: str
    """Display path inside the outer archive, nested archives joined with ``!/``."""
    name: str
    size: int
    compress_size: int
    crc: int
    load: Callable[[], bytes]
    weight: float
    """Share of the outer archive's on-disk bytes this member accounts for (progress)."""


class _Budget:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.total = 0


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


class PortableLoad:
    """Base of picklable ``FitBlob.load`` callables that work in any process.

    The ingest engine runs these in its decoder processes instead of loading the bytes itself.
    They must behave exactly like a load in the main process: same bytes, same exceptions.
    """

    __slots__ = ()

    def __call__(self) -> bytes:  # pragma: no cover - abstract
        raise NotImplementedError


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
    (stored and deflated members). Anything unusual goes to :mod:`zipfile` on the same bytes, so
    results and errors are those of :func:`_reader`.
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
            if self.compress_type == zipfile.ZIP_STORED:
                data = raw if self.compress_size == self.file_size else None
            else:
                inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                # stop one byte past the declared size: a member that declares 1,000 bytes is
                # never inflated to the member limit
                data = inflater.decompress(raw, self.file_size + 1)
                if not inflater.eof:
                    return None
        except (OSError, ValueError, zlib.error, struct.error):
            return None
        if data is None or len(data) != self.file_size or zlib.crc32(data) != self.crc:
            return None
        return data

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
                return _reader(zf, info, self.limit)()
        raise BlobLoadError(
            "bad_archive", "the archive member cannot be read: it is no longer in the archive"
        )


@dataclass(slots=True, eq=False)
class Container:
    """A mark around a part of a source's output that can be cached as a whole.

    A source yields the opening mark, then (unless a consumer set ``skip``) everything the part
    gives, then the closing mark from :meth:`closing`. ``key`` must identify the part's content
    and every setting its output depends on; every item inside refers to ``label`` as its file.
    A consumer that knows the result sets ``skip`` and ``used`` before the source resumes; one
    that does not know marks simply ignores them.
    """

    key: str
    label: str
    weight: float = 1.0
    """Share of the outer file's on-disk bytes (the source advances progress by it on a skip)."""
    room: int | None = None
    """Uncompressed bytes left in the archive's total budget when the part starts."""
    end: bool = False
    complete: bool = True
    """On the closing mark: False when the part was cut short by a limit shared with the rest."""
    used: int = 0
    """Uncompressed bytes of the archive's total budget the part uses."""
    skip: bool = False
    state: dict[str, int] = field(default_factory=dict)
    """Counters the source carries past the part (e.g. track files seen): stored with the
    closing mark, handed back on the opening mark of a skipped part."""
    opening: Container | None = field(default=None, repr=False)
    index: bool = False
    """An *index* part (a folder): it is never skipped whole; its direct sub-parts are cached
    inside its own entry, keyed relative to it (e.g. by a file's name, size and mtime), so a
    warm walk costs one cache lookup, and only the sub-parts whose keys changed are read."""

    def closing(self, used: int = 0, complete: bool = True) -> Container:
        """The mark that ends this part."""
        return Container(
            self.key,
            self.label,
            self.weight,
            self.room,
            True,
            complete,
            used,
            opening=self,
            index=self.index,
        )


def _check_name(name: str) -> str | None:
    """Why a member name is unsafe, or None. Names are only ever used as labels."""
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "has an absolute path"
    parts = name.replace("\\", "/").split("/")
    if ".." in parts:
        return "climbs out of the archive with '..'"
    if "\x00" in name:
        return "contains a NUL byte"
    return None


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return (info.external_attr >> 16) & 0o170000 == 0o120000


def _reader(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> Callable[[], bytes]:
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


class PartsReader:
    """A source's ``read`` whose output can be cached part by part.

    Called like any ``Source.read``, it yields only Activities, FitBlobs and ReadProblems (the
    source contract). chainfix's ingest engine calls :meth:`with_parts` instead, which also yields
    the :class:`Container` marks so that cached parts are skipped.
    """

    def __init__(self, func: Callable[..., Iterator[Any]]) -> None:
        self.func = func
        self.__name__ = getattr(func, "__name__", "read")
        self.__doc__ = func.__doc__

    def __call__(self, path: Any, options: Any) -> Iterator[Any]:
        for item in self.func(path, options):
            if not isinstance(item, Container):
                yield item

    def with_parts(self, path: Any, options: Any) -> Iterator[Any]:
        """The same items, plus :class:`Container` marks around cacheable parts."""
        return self.func(path, options)


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


SPILL_PREFIX = "chainfix-"


def spill_dir() -> tempfile.TemporaryDirectory[str]:
    """A private temporary folder for spilled nested zips, named after this process
    (``chainfix-<pid>-...``) so a later run can tell a killed run's leftovers."""
    return tempfile.TemporaryDirectory(prefix=f"{SPILL_PREFIX}{os.getpid()}-")


def remove_stale_spills(root: str | None = None) -> int:
    """Remove spill folders that runs killed before they could clean up left in the temporary
    folder (their process is gone); how many were removed. Never raises."""
    removed = 0
    try:
        names = os.listdir(root or tempfile.gettempdir())
    except OSError:
        return 0
    for name in names:
        match = _SPILL.fullmatch(name)
        if match is None or int(match.group(1)) == os.getpid():
            continue
        path = os.path.join(root or tempfile.gettempdir(), name)
        try:
            if os.stat(path).st_uid != os.getuid() or _alive(int(match.group(1))):
                continue
            shutil.rmtree(path)
            removed += 1
        except (OSError, AttributeError):
            continue
    return removed


_SPILL = re.compile(rf"{SPILL_PREFIX}(\d+)-[A-Za-z0-9_]+")


def _alive(pid: int) -> bool:
    """Whether a process with this id exists (a zombie counts as gone where /proc tells)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().split(b") ", 1)[-1][:1] != b"Z"
    except FileNotFoundError:
        return False
    except OSError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def open_nested(zf: zipfile.ZipFile, info: zipfile.ZipInfo, tmpdir: str) -> zipfile.ZipFile:
    """Open a zip stored inside another zip without extracting its members."""
    if info.compress_type == zipfile.ZIP_STORED:
        handle: IO[bytes] = zf.open(info)
    elif info.file_size <= IN_MEMORY_NESTED_BYTES:
        with zf.open(info) as fh:
            handle = io.BytesIO(fh.read())
    else:
        spill = tempfile.NamedTemporaryFile(dir=tmpdir, suffix=".zip", delete=True)  # noqa: SIM115
        with zf.open(info) as fh:
            shutil.copyfileobj(fh, spill, 1024 * 1024)
        spill.seek(0)
        handle = spill
    return zipfile.ZipFile(handle)


def walk_zip(
    zf: zipfile.ZipFile,
    label: str,
    limits: Limits,
    tmpdir: str,
    *,
    prefix: str = "",
    depth: int = 1,
    weight: float = 1.0,
    budget: _Budget | None = None,
    backing: Backing | None = None,
    containers: bool = False,
) -> Iterator[Member | ReadProblem | Container]:
    """Yield every regular member of ``zf`` (recursing into nested zips) or a ReadProblem.

    ``label`` is the outer archive's path for problems; ``weight`` the share of on-disk bytes.
    ``backing`` says where ``zf``'s bytes lie in a real file: its members then load through
    :class:`ZipMemberLoad`. With ``containers``, each nested zip is wrapped in
    :class:`Container` marks (see there) and skipped when the consumer says so.
    """
    budget = budget or _Budget(limits)
    infos = [i for i in zf.infolist() if not i.is_dir()]
    if len(infos) > limits.max_members:
        yield ReadProblem(
            label,
            prefix.rstrip("/!") or None,
            "unsafe_archive",
            f"holds {len(infos):,} members, more than the limit of {limits.max_members:,}",
        )
        return
    total_csize = sum(i.compress_size for i in infos) or 1
    seen: set[str] = set()
    tag = limits_tag(limits) if containers else ""
    for info in sorted(infos, key=lambda i: i.header_offset):
        member_path = prefix + info.filename
        share = weight * info.compress_size / total_csize

        def problem(kind: str, message: str, _path: str = member_path) -> ReadProblem:
            return ReadProblem(label, _path, kind, message)  # type: ignore[arg-type]

        why = _check_name(info.filename)
        if why:
            yield problem("unsafe_archive", f"member name {why}; ignored")
            continue
        if _is_symlink(info):
            yield problem("unsafe_archive", "member is a symbolic link; ignored")
            continue
        if info.filename in seen:
            yield problem(
                "duplicate", "the archive holds this member name twice; the first is read"
            )
            continue
        seen.add(info.filename)
        if info.flag_bits & 0x1:
            yield problem("bad_archive", "member is encrypted; chainfix cannot read it")
            continue
        if info.file_size > limits.max_member_bytes:
            yield problem(
                "unsafe_archive",
                f"member declares {info.file_size:,} bytes, more than the limit of "
                f"{limits.max_member_bytes:,}",
            )
            continue
        if info.compress_size and info.file_size / info.compress_size > limits.max_ratio:
            yield problem(
                "unsafe_archive",
                f"member expands {info.file_size / info.compress_size:,.0f}:1, more than the "
                f"ratio limit of {limits.max_ratio:,.0f}:1 (a zip bomb?)",
            )
            continue
        budget.total += info.file_size
        if budget.total > limits.max_total_bytes:
            yield problem(
                "unsafe_archive",
                f"the archive expands to more than the total limit of {limits.max_total_bytes:,} "
                "bytes; the rest is not read",
            )
            return
        if info.filename.lower().endswith(".zip"):
            if depth >= limits.max_depth:
                yield problem(
                    "unsafe_archive", f"zip nested deeper than {limits.max_depth} levels; ignored"
                )
                continue
            mark: Container | None = None
            if containers:
                mark = Container(
                    f"zip:{info.CRC:08x}:{info.file_size}:{info.compress_size}:{depth}:{tag}:"
                    f"{member_path}",
                    label,
                    weight=share,
                    room=limits.max_total_bytes - budget.total,
                )
                yield mark
                if mark.skip:
                    budget.total += mark.used
                    continue
            before = budget.total
            inner_backing = nested_backing(backing, info) if backing is not None else None
            try:
                if inner_backing is not None:
                    inner = open_backed(inner_backing)
                else:
                    inner = open_nested(zf, info, tmpdir)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
                yield problem("bad_archive", f"nested zip cannot be opened: {exc}")
                if mark is not None:  # an OSError (disk full ...) may not happen next time
                    yield mark.closing(complete=not isinstance(exc, OSError))
                continue
            except Exception as exc:  # zlib.error
                yield problem("bad_archive", f"nested zip cannot be opened: {exc}")
                if mark is not None:
                    yield mark.closing()
                continue
            yield from walk_zip(
                inner,
                label,
                limits,
                tmpdir,
                prefix=member_path + "!/",
                depth=depth + 1,
                weight=share,
                budget=budget,
                backing=inner_backing,
                containers=containers,
            )
            if mark is not None:
                used = budget.total - before
                yield mark.closing(used, complete=budget.total <= limits.max_total_bytes)
            continue
        if backing is not None:
            load: Callable[[], bytes] = ZipMemberLoad(
                backing,
                info.header_offset,
                info.orig_filename,
                info.flag_bits,
                info.compress_type,
                info.compress_size,
                info.file_size,
                info.CRC,
                limits.max_member_bytes,
            )
        else:
            load = _reader(zf, info, limits.max_member_bytes)
        yield Member(
            path=member_path,
            name=info.filename,
            size=info.file_size,
            compress_size=info.compress_size,
            crc=info.CRC,
            load=load,
            weight=share,
        )
