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
    process when it is a :class:`~chainfix.sources.base.PortableLoad`.
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

    The part cache: a ``read`` wrapped in :class:`PartsReader` also offers the same items with
    :class:`Container` marks around cacheable parts (an archive member, a whole export); the
    engine reads through :meth:`read_with_parts`, skips the parts it has cached, and caches the
    rest. A :class:`PortableLoad` as a FitBlob's ``load`` is run by the decoder process itself.
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


class PortableLoad:
    """Base of picklable ``FitBlob.load`` callables that work in any process.

    The ingest engine runs these in its decoder processes instead of loading the bytes itself.
    They must behave exactly like a load in the main process: same bytes, same exceptions.
    """

    __slots__ = ()

    def __call__(self) -> bytes:  # pragma: no cover - abstract
        raise NotImplementedError


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
