"""Read a whole history: pick a source per path, decode FIT blobs in parallel, merge, de-duplicate.

Sources yield Activities, FitBlobs and ReadProblems (see :mod:`chainfix.sources.base`). FIT
blobs are decoded by :func:`chainfix.fit.read_fit` in a process pool (serially for small jobs).
JSON summaries (``Activity.from_summary``) are linked to recorded activities starting within
``LINK_SECONDS``; only summaries with no recorded twin become activities of their own. Nothing is
counted twice.

How it stays fast:

* **The bytes are read once, where they are decoded.** A blob whose ``load`` is a
  :class:`~chainfix.sources.base.PortableLoad` (zip members lying in a file on disk, FIT files)
  is sent to a decoder process as that small loader; the worker reads, inflates, CRC-checks and
  decodes it. Other blobs are loaded here and their bytes sent.
* **Blobs travel in batches** (``BATCH_BLOBS`` / ``BATCH_BYTES``) with at most
  ``INFLIGHT_PER_WORKER`` batches per worker in flight (:mod:`chainfix.ingest.dispatch`), so
  memory stays flat however long the history is.
* **Results come back as cache rows** (:func:`chainfix.cache.encode_read`): stored as they are and
  decoded through the same codec a warm run uses, so warm equals cold by construction.
* **Whole parts are cached**: a source may wrap a part of its output (a zip file, a nested zip, a
  summary JSON) in :class:`~chainfix.sources.base.Container` marks; on a warm run the engine
  replays the part's recorded items and the source does not even open it.
* **An unchanged history is one entry**: when no file under the paths changed (by size, times
  and inode), the merged history comes back whole from the cache (:mod:`chainfix.ingest.snapshot`)
  and no source is opened.
* **A grown folder reads only what was added**: when the only change is new FIT files in a folder,
  and their activities provably land apart from every other one, the remembered history is grown
  by them (:mod:`chainfix.ingest.increment`), with no other file or part replayed.
* **Order is kept**: every item, decoded or not, is collected in the order the source yielded it,
  whatever the number of workers, so serial, parallel and warm runs give identical histories.
"""

from __future__ import annotations

import gc
import os
import time
import warnings
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chainfix.cache import (
    CachedPart,
    CachedRead,
    ReadCache,
    activity_body,
    activity_entry,
    compact_json,
    encode_part,
    is_volatile,
    open_cache,
    part_entry,
    problem_entry,
    read_from_rows,
)
from chainfix.ingest.routing import Progress, choose_source, input_size, no_source
from chainfix.model import Activity, History, Origin, ReadProblem
from chainfix.paths import UserFolderError, UserFolderWarning, cache_path
from chainfix.sources.base import (
    Container,
    FitBlob,
    Limits,
    PortableLoad,
    ReadOptions,
    Source,
)
from chainfix.sources.fitfiles import fit_file_item, walks_shared
from chainfix.sources.spill import remove_stale_spills
from chainfix.sources.zip_member import release_handles

if TYPE_CHECKING:
    from chainfix.fit import FitRead
from chainfix.ingest import increment, snapshot
from chainfix.ingest import pool as _pool
from chainfix.ingest.dispatch import Batch, Dispatcher
from chainfix.ingest.index import PartIndex
from chainfix.ingest.merge import merge
from chainfix.ingest.pool import (
    Outcome,
    Task,
    _workers_skip_main,  # noqa: F401 - tests reach it here
    decode_batch,
    load_blob,
)
from chainfix.ingest.printable import _printable_activity, _printable_problem


@dataclass(slots=True)
class IngestOptions:
    source: str | None = None
    """Force a source by name instead of sniffing each path."""
    workers: int | None = None
    """Decoder processes; None = all cores, 1 = decode in this process."""
    limits: Limits = field(default_factory=Limits)
    use_cache: bool = True
    remember: bool = True
    """Remember the whole history by its files' identities (:mod:`chainfix.ingest.snapshot`);
    False: replay it part by part (the cache's parts and index alone)."""


@dataclass(slots=True)
class IngestStats:
    files: int = 0
    decoded: int = 0
    cached: int = 0
    """FIT files whose result came from the cache (alone or within a cached part)."""
    bytes: int = 0
    seconds: float = 0.0
    parts_cached: int = 0
    """Parts (zip files, nested zips, summary JSON) replayed whole from the cache."""
    remembered: bool = False
    """The whole history came from the cache's entry for these paths (nothing else was read)."""
    extended: bool = False
    """The history remembered for these paths, grown by the files added since (only they were
    read, see :mod:`chainfix.ingest.increment`)."""


class _BlobSlot:
    """A FIT blob waiting for its batch."""

    __slots__ = ("batch", "index", "key", "origin")

    def __init__(self, batch: Batch, index: int, key: str | None, origin: Origin) -> None:
        self.batch, self.index, self.key, self.origin = batch, index, key, origin


class _Recorder:
    """Collects the items of a part while it is read, for its cache entry."""

    __slots__ = ("mark", "entries", "ok", "volatile")

    def __init__(self, mark: Container) -> None:
        self.mark = mark
        self.entries: list[str] = []
        self.ok = True
        self.volatile = False
        """Holds a result that may change with the clock (see ``chainfix.cache.is_volatile``)."""


class _Engine:
    """Collects a history in source order while FIT blobs decode in parallel."""

    def __init__(
        self, workers: int, parallel: bool, cache: ReadCache | None, stats: IngestStats
    ) -> None:
        self.dispatch = Dispatcher(workers, parallel)
        self.cache = cache
        self.stats = stats
        self.queue: deque[tuple[str, Any]] = deque()
        self.recorders: list[_Recorder] = []
        self.open_marks: list[Container] = []
        """Parts open in the source right now (at mark time, ahead of the queue)."""
        self.indexes: dict[int, PartIndex] = {}
        """Open index parts, by ``id`` of their opening mark."""
        self.index_of: dict[int, PartIndex] = {}
        """The index holding each open sub-part, by ``id`` of its opening mark."""
        self.recorded: list[Activity] = []
        self.summaries: list[Activity] = []
        self.problems: list[ReadProblem] = []

    def close(self) -> None:
        self.dispatch.close()

    # -- what sources give ---------------------------------------------------------------------

    def blob(self, item: FitBlob) -> None:
        self.stats.files += 1
        if item.decoder is not None and item.key:
            from chainfix.sources.decoders import decoder_key

            item = replace(item, key=decoder_key(item.key, item.decoder, item.decoder_args))
        if self.cache is not None and item.key:
            hit = self.cache.get_read(item.key, item.origin)
            if hit is not None:
                self.queue.append(("read", (item.key, item.origin, hit, None, False, 0)))
                self.pump()
                return
        what: bytes | PortableLoad
        if isinstance(item.load, PortableLoad):
            what = item.load
        else:
            loaded = load_blob(item.load, item.origin)
            if isinstance(loaded, ReadProblem):
                self.queue.append(("problem", loaded))
                self.pump()
                return
            what = loaded
        task: Task = (item.origin, item.source, what, item.decoder, item.decoder_args)
        batch = self.dispatch.add(task, item.size)
        if batch is None:  # decoding here
            (outcome,) = decode_batch([task])
            self.queue.append(("outcome", (item.key, item.origin, outcome)))
        else:
            slot = _BlobSlot(batch, len(batch.tasks) - 1, item.key, item.origin)
            self.queue.append(("blob", slot))
            self.dispatch.submit_when_full(batch)
        self.pump()

    def item(self, item: Activity | ReadProblem) -> None:
        self.queue.append(("activity" if isinstance(item, Activity) else "problem", item))
        self.pump()

    def mark(self, mark: Container) -> None:
        if self.cache is None:
            return
        if mark.end:
            if self.open_marks and self.open_marks[-1] is mark.opening:
                self.open_marks.pop()
            self.queue.append(("close", mark))
            return
        parent = self.open_marks[-1] if self.open_marks else None
        index = self.indexes.get(id(parent)) if parent is not None and parent.index else None
        part: CachedPart | None = None
        if index is not None:  # a sub-part of an index: looked up in it, never in the cache
            part = index.lookup(mark)
        elif not mark.index:
            part = self.cache.get_part(mark.key, mark.label)
            if part is not None and mark.room is not None and part.used > mark.room:
                part = None
        if part is not None:
            mark.skip = True
            mark.used = part.used
            mark.state.update(part.state)
            self.queue.append(("replay", (mark.label, part)))
            self.stats.parts_cached += 1
            self.pump()
            return
        self.open_marks.append(mark)
        if mark.index:
            self.indexes[id(mark)] = PartIndex(mark, self.cache)
        elif index is not None:
            self.index_of[id(mark)] = index
        self.queue.append(("open", mark))

    def end_path(self) -> None:
        self.open_marks.clear()  # parts the source never closed are not stored
        self.queue.append(("end", None))

    # -- collecting, in order ------------------------------------------------------------------

    def pump(self, final: bool = False) -> None:
        """Collect every ready item at the head; block only to bound the work in flight."""
        while True:
            self._collect_ready()
            if final:
                if not self.queue:
                    return
                kind, slot = self.queue[0]
                assert kind == "blob"
                self.dispatch.finish(slot.batch)
            elif (oldest := self.dispatch.congested()) is not None:
                self.dispatch.finish(oldest)
            else:
                return

    def _collect_ready(self) -> None:
        queue = self.queue
        while queue:
            kind, value = queue[0]
            if kind == "blob":
                batch = value.batch
                if batch.results is None:
                    if batch.future is None or not batch.future.done():
                        return
                    self.dispatch.finish(batch)
                assert batch.results is not None
                queue.popleft()
                self._outcome(value.key, value.origin, batch.results[value.index])
                continue
            queue.popleft()
            if kind == "outcome":
                self._outcome(*value)
            elif kind == "read":
                self._read(*value)
            elif kind == "activity":
                self._activity(value)
            elif kind == "problem":
                self._problem(value)
            elif kind == "open":
                if not value.index:  # an index records only its sub-parts
                    self.recorders.append(_Recorder(value))
            elif kind == "close":
                self._close(value)
            elif kind == "replay":
                self._replay(*value)
            elif kind == "end":
                self.recorders.clear()  # a part its source never closed is not stored

    def _outcome(self, key: str | None, origin: Origin, outcome: Outcome) -> None:
        nbytes, payload, other = outcome
        if isinstance(other, ReadProblem):
            self._problem(other)
            return
        self.stats.bytes += nbytes
        if payload is not None:
            import json

            # our own worker's encode_read text: decoded exactly as a warm run decodes it
            result: CachedRead | FitRead = read_from_rows(json.loads(payload), origin, check=False)
            if self.cache is not None and key is not None:
                self.cache.put_payload(key, payload, volatile=is_volatile(result.problems))
        else:
            assert other is not None
            result = other
        self._read(key, origin, result, payload, True, nbytes)

    def _read(
        self,
        key: str | None,
        origin: Origin,
        result: CachedRead | FitRead,
        payload: str | None,
        fresh: bool,
        nbytes: int,
    ) -> None:
        if fresh:
            self.stats.decoded += 1
        else:
            self.stats.cached += 1
        for act in result.activities:  # a decoder may fall back on a summary
            (self.summaries if act.from_summary else self.recorded).append(act)
        self.problems.extend(result.problems)
        if self.recorders:
            if is_volatile(result.problems):
                for rec in self.recorders:
                    rec.volatile = True
            if payload is None and not fresh:
                from chainfix.cache import encode_read

                payload = encode_read(result)  # type: ignore[arg-type]
            for rec in self.recorders:
                if payload is None or (fresh and key is None):
                    rec.ok = False  # a result its source calls uncacheable
                    continue
                path = None if origin.path == rec.mark.label else origin.path
                rec.entries.append(part_entry("f", path, origin.member, payload))

    def _activity(self, act: Activity) -> None:
        (self.summaries if act.from_summary else self.recorded).append(act)
        if not self.recorders:
            return
        body = activity_body(act)  # once, however many parts record it (a zip in a zip ...)
        for rec in self.recorders:
            if body is None:
                rec.ok = False
            else:
                rec.entries.append(activity_entry(act, rec.mark.label, body))

    def _problem(self, problem: ReadProblem) -> None:
        self.problems.append(problem)
        for rec in self.recorders:
            if problem.kind in ("io_error", "plugin_error"):
                rec.ok = False  # may not happen next time: never cache it
            rec.volatile = rec.volatile or is_volatile((problem,))
            rec.entries.append(problem_entry(problem, rec.mark.label))

    def _close(self, mark: Container) -> None:
        if mark.index:
            index = self.indexes.pop(id(mark.opening), None)
            if index is not None and mark.complete:
                index.save()
            return
        if not self.recorders or self.recorders[-1].mark is not mark.opening:
            return
        rec = self.recorders.pop()
        index = self.index_of.pop(id(mark.opening), None)
        if rec.ok and mark.complete and self.cache is not None:
            payload = encode_part(mark.used, mark.state, rec.entries)
            if index is not None:
                index.store(mark, payload, rec.volatile)
            else:
                self.cache.put_payload(mark.key, payload, volatile=rec.volatile)

    def _replay(self, label: str, part: CachedPart) -> None:
        """Collect a cached part's items as if the source had just yielded them."""
        for kind, origin, value, body in part.items:
            if isinstance(value, CachedRead):
                self.stats.files += 1
                payload = compact_json(body) if self.recorders else None
                self._read(None, origin, value, payload, False, 0)
            elif isinstance(value, Activity):
                self._activity(value)
            else:
                assert kind == "p" and isinstance(value, ReadProblem)
                self._problem(value)


def read_history(
    paths: Sequence[Path],
    options: IngestOptions | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    stats: IngestStats | None = None,
) -> History:
    """Read every path into one de-duplicated, time-ordered History. Never raises on bad input.

    The cyclic garbage collector is paused meanwhile: reading builds about ten objects per
    activity and none in a cycle, and a collection every 700 allocations would walk the growing
    history again and again (a warm run of 3,000 activities took twice as long)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _read_history(paths, options, on_progress, stats)
    finally:
        if enabled:
            gc.enable()


def _read_history(
    paths: Sequence[Path],
    options: IngestOptions | None,
    on_progress: Callable[[int, int], None] | None,
    stats: IngestStats | None,
) -> History:
    from chainfix import plugins

    options = options or IngestOptions()
    stats = stats if stats is not None else IngestStats()
    started = time.perf_counter()
    remove_stale_spills()  # what killed runs left in the temporary folder
    sources = plugins.sources()
    chosen = [choose_source(p, sources, options.source) for p in paths]
    with walks_shared():  # the witness's walk of a folder is the walk its source reads
        return _read_known(paths, chosen, sources, options, on_progress, stats, started)


def _read_known(
    paths: Sequence[Path],
    chosen: Sequence[Source | None],
    sources: Sequence[Source],
    options: IngestOptions,
    on_progress: Callable[[int, int], None] | None,
    stats: IngestStats,
    started: float,
) -> History:
    """The remembered history of ``paths``, else their history read through the sources."""
    cache = _open_cache() if options.use_cache else None
    seen = None
    if cache is not None and options.remember:
        seen = snapshot.witness(paths, chosen, sources, options.source, options.limits)
        again = replace(options, remember=False)
        remembered = (
            None
            if seen is None
            else snapshot.recall(cache, seen, lambda: read_history(paths, again))
        )
        if remembered is None and seen is not None:  # the files added since, if that is all
            added = IngestStats()  # counted only if the history grows by them
            reader = _added_reader(options, added, cache, on_progress)
            remembered = increment.extend(cache, seen, reader)
            if remembered is not None:
                stats.extended = True
                stats.decoded, stats.bytes = added.decoded, added.bytes
        if remembered is not None:
            cache.close()
            stats.cached = remembered.files_read - stats.decoded
            stats.files = remembered.files_read
            stats.remembered = not stats.extended
            if on_progress is not None:
                on_progress(1, 1)
            stats.seconds = time.perf_counter() - started
            return remembered
    try:
        sizes = seen.sizes if seen is not None else [input_size(p) for p in paths]
        history, summaries = _read_paths(paths, chosen, sizes, options, on_progress, stats, cache)
        if seen is not None and cache is not None:
            snapshot.remember(cache, seen, history, summaries)
    finally:
        if cache is not None:
            cache.close()
    stats.seconds = time.perf_counter() - started
    return history


def _read_paths(
    paths: Sequence[Path],
    chosen: Sequence[Source | None],
    sizes: Sequence[int],
    options: IngestOptions,
    on_progress: Callable[[int, int], None] | None,
    stats: IngestStats,
    cache: ReadCache | None,
) -> tuple[History, list[int]]:
    """Read every path through its chosen source, the cache's parts and the worker pool: the
    history, and the start second of every summary read (what growing it must keep apart from,
    see :mod:`chainfix.ingest.increment`)."""
    progress = Progress(sum(sizes), on_progress)
    workers = options.workers or os.cpu_count() or 1
    big = sum(sizes) > 8 * 1024**2 or len(paths) >= _pool.PARALLEL_MIN_BLOBS
    engine = _Engine(workers, big, cache, stats)
    if big and (cache is None or cache.empty):  # nothing can come from the cache
        engine.dispatch.warm_up()
    try:
        for path, size, source in zip(paths, sizes, chosen, strict=True):
            before = progress.done
            if source is None:
                engine.item(no_source(path, options.source))
                progress.advance(size)
                continue
            read_options = ReadOptions(limits=options.limits, progress=progress.advance)
            count_blobs = source.advances_by_blobs
            try:
                for item in source.read_with_parts(path, read_options):
                    if isinstance(item, FitBlob):
                        if count_blobs and not item.origin.member:
                            progress.advance(item.size)
                        engine.blob(item)
                    elif isinstance(item, Activity | ReadProblem):
                        engine.item(item)
                    elif isinstance(item, Container):
                        engine.mark(item)
            except Exception as exc:  # noqa: BLE001 - a source must not abort the history
                engine.item(
                    ReadProblem(
                        str(path),
                        None,
                        "plugin_error",
                        f"source {source.name!r} failed: {type(exc).__name__}: {exc}",
                    )
                )
            engine.end_path()
            progress.finish_path(before + size)
        engine.pump(final=True)
    finally:
        engine.close()
        release_handles()
        if cache is not None:
            cache.flush()
    activities, merge_problems = merge(engine.recorded, engine.summaries, engine.problems)
    problems = [_printable_problem(p) for p in engine.problems + merge_problems]
    activities = [_printable_activity(a) for a in activities]
    history = History(
        activities=tuple(activities), problems=tuple(problems), files_read=stats.files
    )
    return history, [int(s.start_utc.timestamp()) for s in engine.summaries]


def _added_reader(
    options: IngestOptions,
    stats: IngestStats,
    cache: ReadCache,
    on_progress: Callable[[int, int], None] | None,
) -> increment.ReadAdded:
    """Reads FIT files added to a folder as the folder source reads them, nothing else (the
    progress bar counts their bytes)."""

    def read_added(files: list[tuple[str, os.stat_result]]) -> increment.AddedRead:
        big = len(files) >= _pool.PARALLEL_MIN_BLOBS
        engine = _Engine(options.workers or os.cpu_count() or 1, big, cache, stats)
        progress = Progress(sum(stat.st_size for _, stat in files), on_progress)
        before = stats.files
        read_options = ReadOptions(limits=options.limits)
        try:
            for name, stat in files:
                item = fit_file_item(Path(name), read_options, stat=stat)
                if isinstance(item, FitBlob):
                    engine.blob(item)
                else:
                    engine.item(item)
                progress.advance(stat.st_size)
            engine.pump(final=True)
        finally:
            engine.close()
            release_handles()
        read = stats.files - before
        return increment.AddedRead(engine.recorded, engine.summaries, engine.problems, read)

    return read_added


def _open_cache() -> ReadCache | None:
    """The read cache, or None (with a UserFolderWarning) when the user folder cannot hold it:
    reading goes on without it."""
    try:
        path = cache_path()
    except UserFolderError as exc:
        warnings.warn(UserFolderWarning(f"{exc.message}; reading without the cache"), stacklevel=3)
        return None
    cache = open_cache(path)
    if cache is None:
        warnings.warn(
            UserFolderWarning(f"the cache {path} cannot be used; reading without it"),
            stacklevel=3,
        )
    return cache
