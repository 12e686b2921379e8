"""Safe, streaming walks through (nested) zip archives.

Members are read into memory one at a time, never extracted to disk, and their names are never
used as paths. Nested zips are opened in place when stored (:mod:`~chainfix.sources.zip_member`),
read into memory when small, and spilled to a private temporary file otherwise
(:mod:`~chainfix.sources.spill`). Limits on size, ratio, depth and member count come from
:class:`chainfix.sources.base.Limits`.

With ``containers=True`` the walk also yields a :class:`~chainfix.sources.base.Container` mark
before each nested zip (and the closing mark after it), so a consumer with a cache can skip the
whole nested zip.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

from chainfix.model import ReadProblem
from chainfix.sources.base import Container, Limits
from chainfix.sources.zip_member import (
    Backing,
    ZipMemberLoad,
    limits_tag,
    member_reader,
    nested_backing,
    open_backed,
)

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
            load = member_reader(zf, info, limits.max_member_bytes)
        yield Member(
            path=member_path,
            name=info.filename,
            size=info.file_size,
            compress_size=info.compress_size,
            crc=info.CRC,
            load=load,
            weight=share,
        )
