"""What a source is: a named reader turning a path into Activities, FIT blobs and ReadProblems."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chainfix.model import Activity, Origin, ProblemKind, ReadProblem
from chainfix.sources.limits import Limits


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """Options every source receives."""

    limits: Limits = field(default_factory=Limits)
    progress: Callable[[int], None] | None = None
    """Optional: call with a number of input bytes (on disk) as they are consumed, for the progress
    bar. A source that never calls it is shown as done when it finishes."""

    def advance(self, nbytes: int) -> None:
        if self.progress is not None and nbytes > 0:
            self.progress(nbytes)


@dataclass(frozen=True, slots=True)
class FitBlob:
    """A file found by a source, to be decoded by chainfix's FIT reader or by ``decoder``.

    Sources yield these instead of decoding files themselves, so that decoding runs in parallel
    and results are cached. ``load`` is called at most once: in the main process, or in a decoder
    process when it is a :class:`~chainfix.sources.archive.PortableLoad`.
    """

    origin: Origin
    load: Callable[[], bytes]
    size: int
    """Size in bytes (uncompressed), for progress reporting."""
    key: str | None = None
    """A content key for the cache (e.g. zip CRC32 + size + name); None when not cacheable."""
    source: str = "fit"
    decoder: str | None = None
    """``"module:function"`` decoding the bytes instead of the FIT reader: called as
    ``function(data, origin)`` in a decoder process, it returns a ``FitRead`` (see
    :mod:`chainfix.sources.decoders`). ``key`` still identifies the bytes: chainfix adds the
    decoder, a hash of its package's code and ``decoder_args`` to it."""
    decoder_args: tuple[Any, ...] = ()
    """Picklable values the decoder gets after ``(data, origin)`` (what a linked CSV row says,
    say), with a deterministic ``repr`` (it is part of the cache key)."""


SourceItem = Activity | ReadProblem | FitBlob


class BlobLoadError(Exception):
    """Raised by ``FitBlob.load`` when the bytes cannot be had; becomes a ReadProblem."""

    def __init__(self, kind: ProblemKind, message: str) -> None:
        super().__init__(message)
        self.kind: ProblemKind = kind
        self.message = message


@dataclass(frozen=True, slots=True)
class Source:
    """A data source: registered through the ``register_sources`` hook.

    ``can_open(path)`` must be cheap (a name or magic-bytes sniff) and never raise.
    ``read(path, options)`` yields Activities, FitBlobs and ReadProblems; it should report problems
    rather than raise (an exception is caught and reported as a ``plugin_error`` problem).
    ``priority`` breaks ties when several sources can open a path (higher wins).

    ``read`` may be a :class:`LazyRead`, so the reader and what it imports load only when a
    path is read, not every time chainfix starts.

    The part cache: a ``read`` wrapped in :class:`~chainfix.sources.archive.PartsReader` also
    offers the same items with :class:`~chainfix.sources.archive.Container` marks around
    cacheable parts (an archive member, a whole export); the engine reads through
    :meth:`read_with_parts`, skips the parts it has cached, and caches the rest.
    ``advances_by_blobs`` says that every top-level FitBlob the source yields is one file on
    disk it does not report through ``options.advance``, so the engine counts its size instead.
    """

    name: str
    description: str
    can_open: Callable[[Path], bool]
    read: Callable[[Path, ReadOptions], Iterator[SourceItem]]
    priority: int = 0
    advances_by_blobs: bool = False

    def read_with_parts(self, path: Path, options: ReadOptions) -> Iterator[object]:
        """``read``'s items, plus the part marks when ``read`` is a PartsReader."""
        with_parts = getattr(self.read, "with_parts", None)
        return with_parts(path, options) if with_parts is not None else self.read(path, options)


class LazyRead:
    """A source's ``read`` that imports its module on first use.

    ``Source(read=LazyRead("my_plugin.reader", "read"))``: chainfix registers every source at
    start-up and asks each ``can_open``, so a plugin keeps ``can_open`` light and names its
    reader here. The named function may be a PartsReader: its part marks pass through.
    """

    __slots__ = ("module", "name")

    def __init__(self, module: str, name: str = "read") -> None:
        self.module, self.name = module, name

    def target(self) -> Callable[[Path, ReadOptions], Iterator[SourceItem]]:
        """The named function (its module imported now, once)."""
        import importlib

        func: Callable[[Path, ReadOptions], Iterator[SourceItem]]
        func = getattr(importlib.import_module(self.module), self.name)
        return func

    def __call__(self, path: Path, options: ReadOptions) -> Iterator[SourceItem]:
        return self.target()(path, options)

    def with_parts(self, path: Path, options: ReadOptions) -> Iterator[object]:
        """The named reader's items with their part marks (when it is a PartsReader)."""
        func = self.target()
        with_parts = getattr(func, "with_parts", None)
        return with_parts(path, options) if with_parts is not None else func(path, options)

    def __repr__(self) -> str:
        return f"LazyRead({self.module!r}, {self.name!r})"
