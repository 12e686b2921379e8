"""Read a whole history: pick a source per path, decode FIT blobs in parallel, merge, de-duplicate.

Sources yield Activities, FitBlobs and ReadProblems (see :mod:`chainfix.sources.base`). FIT
blobs are decoded by :func:`chainfix.fit.read_fit` in a process pool (serially for small jobs).
JSON summaries (``Activity.from_summary``) are linked to recorded activities starting within
``LINK_SECONDS``; only summaries with no recorded twin become activities of their own. Nothing is
counted twice.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from chainfix import plugins
from chainfix.cache import open_cache
from chainfix.fit import FitRead, read_fit
from chainfix.model import Activity, History, Origin, ReadProblem
from chainfix.paths import cache_path
from chainfix.sources.base import BlobLoadError, FitBlob, Limits, ReadOptions, Source

LINK_SECONDS = 5
"""A JSON summary and a FIT session starting this close together are the same activity."""
PARALLEL_MIN_BLOBS = 24
"""Below this many FIT files a process pool costs more than it saves."""


@dataclass(slots=True)
class IngestOptions:
    source: str | None = None
    """Force a source by name instead of sniffing each path."""
    workers: int | None = None
    """Decoder processes; None = all cores, 1 = decode in this process."""
    limits: Limits = field(default_factory=Limits)
    use_cache: bool = True


@dataclass(slots=True)
class IngestStats:
    files: int = 0
    decoded: int = 0
    cached: int = 0
    bytes: int = 0
    seconds: float = 0.0


class Progress:
    """What the engine reports to a progress bar: bytes on disk consumed, against a total."""

    def __init__(self, total: int, update: Callable[[int, int], None] | None = None) -> None:
        self.total = max(total, 1)
        self.done = 0
        self._update = update

    def advance(self, nbytes: int) -> None:
        self.done = min(self.total, self.done + nbytes)
        if self._update:
            self._update(self.done, self.total)

    def finish_path(self, expected_done: int) -> None:
        if self.done < expected_done:
            self.advance(expected_done - self.done)


def input_size(path: Path) -> int:
    """Bytes on disk under a path (files, or every file below a folder)."""
    if path.is_file():
        return path.stat().st_size
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.stat(os.path.join(dirpath, name)).st_size
            except OSError:
                pass
    return total


def choose_source(path: Path, sources: Sequence[Source], forced: str | None) -> Source | None:
    """The forced source, or the highest-priority source whose ``can_open`` says yes."""
    if forced:
        for source in sources:
            if source.name == forced:
                return source
        return None
    for source in sources:
        try:
            if source.can_open(path):
                return source
        except Exception:  # noqa: BLE001, S112 - a sniff must never break reading
            continue
    return None


def _decode(data: bytes, origin: Origin, source: str) -> FitRead:
    return read_fit(data, origin, source)


class _Decoder:
    """Decodes FIT blobs serially or in a bounded process pool, preserving order.

    Each submitted blob carries its cache key, returned with its result.
    """

    def __init__(self, workers: int, parallel: bool) -> None:
        self.workers = workers
        self.parallel = parallel and workers > 1
        self.pool: ProcessPoolExecutor | None = None
        self.pending: deque[tuple[str | None, Future[FitRead]]] = deque()

    def start_pool(self) -> None:
        """Start worker processes (forkserver: safe beside the progress-bar thread)."""
        if self.pool is None and self.workers > 1:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["chainfix.fit"])
            self.pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)

    def submit(
        self, key: str | None, data: bytes, origin: Origin, source: str
    ) -> Iterator[tuple[str | None, FitRead]]:
        if self.pool is None and self.parallel:
            self.start_pool()
        if self.pool is None:
            yield key, _decode(data, origin, source)
            return
        self.pending.append((key, self.pool.submit(_decode, data, origin, source)))
        while len(self.pending) > self.workers * 8:
            done_key, future = self.pending.popleft()
            yield done_key, future.result()

    def drain(self) -> Iterator[tuple[str | None, FitRead]]:
        while self.pending:
            done_key, future = self.pending.popleft()
            yield done_key, future.result()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


def read_history(
    paths: Sequence[Path],
    options: IngestOptions | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    stats: IngestStats | None = None,
) -> History:
    """Read every path into one de-duplicated, time-ordered History. Never raises on bad input."""
    options = options or IngestOptions()
    stats = stats if stats is not None else IngestStats()
    started = time.perf_counter()
    sources = plugins.sources()
    problems: list[ReadProblem] = []
    recorded: list[Activity] = []
    summaries: list[Activity] = []
    sizes = [input_size(p) for p in paths]
    progress = Progress(sum(sizes), on_progress)
    workers = options.workers or os.cpu_count() or 1
    big = sum(sizes) > 8 * 1024**2 or len(paths) >= PARALLEL_MIN_BLOBS
    decoder = _Decoder(workers, parallel=big)

    cache = open_cache(cache_path()) if options.use_cache else None

    def collect(key: str | None, result: FitRead, *, fresh: bool = True) -> None:
        if fresh:
            stats.decoded += 1
            if cache is not None and key is not None:
                cache.put(key, result)
        else:
            stats.cached += 1
        recorded.extend(result.activities)
        problems.extend(result.problems)

    try:
        for path, size in zip(paths, sizes, strict=True):
            before = progress.done
            source = choose_source(path, sources, options.source)
            if source is None:
                problems.append(_no_source(path, options.source))
                progress.advance(size)
                continue
            read_options = ReadOptions(limits=options.limits, progress=progress.advance)
            try:
                for item in source.read(path, read_options):
                    if isinstance(item, FitBlob):
                        stats.files += 1
                        if not item.origin.member and source.name in {"fit", "folder"}:
                            progress.advance(item.size)
                        hit = cache.get(item.key, item.origin) if cache and item.key else None
                        if hit is not None:
                            collect(item.key, hit, fresh=False)
                            continue
                        data = _load(item, problems)
                        if data is None:
                            continue
                        stats.bytes += len(data)
                        for key, result in decoder.submit(item.key, data, item.origin, item.source):
                            collect(key, result)
                    elif isinstance(item, Activity):
                        (summaries if item.from_summary else recorded).append(item)
                    elif isinstance(item, ReadProblem):
                        problems.append(item)
            except Exception as exc:  # noqa: BLE001 - a source must not abort the history
                problems.append(
                    ReadProblem(
                        str(path),
                        None,
                        "plugin_error",
                        f"source {source.name!r} failed: {type(exc).__name__}: {exc}",
                    )
                )
            progress.finish_path(before + size)
        for key, result in decoder.drain():
            collect(key, result)
    finally:
        decoder.close()
        if cache is not None:
            cache.close()
    activities, merge_problems = merge(recorded, summaries)
    problems.extend(merge_problems)
    stats.seconds = time.perf_counter() - started
    return History(activities=tuple(activities), problems=tuple(problems), files_read=stats.files)


def _load(blob: FitBlob, problems: list[ReadProblem]) -> bytes | None:
    try:
        return blob.load()
    except BlobLoadError as exc:
        problems.append(ReadProblem(blob.origin.path, blob.origin.member, exc.kind, exc.message))
    except OSError as exc:
        problems.append(
            ReadProblem(blob.origin.path, blob.origin.member, "io_error", f"cannot read: {exc}")
        )
    except Exception as exc:  # noqa: BLE001
        problems.append(
            ReadProblem(blob.origin.path, blob.origin.member, "bad_archive", f"cannot read: {exc}")
        )
    return None


def _no_source(path: Path, forced: str | None) -> ReadProblem:
    if forced:
        return ReadProblem(
            str(path), None, "unsupported", f"no source named {forced!r} is installed"
        )
    return ReadProblem(
        str(path),
        None,
        "unsupported",
        "no installed source can read this (see `chainfix sources`)",
    )


def merge(
    recorded: list[Activity], summaries: list[Activity]
) -> tuple[list[Activity], list[ReadProblem]]:
    """De-duplicate recorded activities, then link JSON summaries to them by start time."""
    problems: list[ReadProblem] = []
    kept: list[Activity] = []
    seen: dict[tuple[int, str, str], Activity] = {}
    for act in sorted(recorded, key=lambda a: (a.start_utc, a.leg, str(a.origin))):
        key = (int(act.start_utc.timestamp()), act.sport, act.sub_sport)
        first = seen.get(key)
        if first is not None:
            problems.append(
                ReadProblem(
                    act.origin.path,
                    act.origin.member,
                    "duplicate",
                    f"same activity as {first.origin}; counted once",
                    severity="info",
                )
            )
            continue
        seen[key] = act
        kept.append(act)
    by_second: dict[int, list[int]] = {}
    for index, act in enumerate(kept):
        by_second.setdefault(int(act.start_utc.timestamp()), []).append(index)
    extra: list[Activity] = []
    summary_seen: set[tuple[int, str]] = set()
    for summary in sorted(summaries, key=lambda a: a.start_utc):
        second = int(summary.start_utc.timestamp())
        twin = next(
            (
                i
                for delta in range(-LINK_SECONDS, LINK_SECONDS + 1)
                for i in by_second.get(second + delta, ())
            ),
            None,
        )
        if twin is not None:
            kept[twin] = _enrich(kept[twin], summary)
            continue
        key2 = (second, summary.sport)
        if key2 in summary_seen:
            continue
        summary_seen.add(key2)
        extra.append(summary)
    merged = sorted(kept + extra, key=lambda a: (a.start_utc, a.leg))
    return merged, problems


def _enrich(recorded: Activity, summary: Activity) -> Activity:
    """Fill what the FIT lacks from its JSON twin (local offset, exercise summaries)."""
    changes: dict[str, object] = {}
    if recorded.utc_offset_s is None and summary.utc_offset_s is not None:
        changes["utc_offset_s"] = summary.utc_offset_s
    if not recorded.sets and summary.summary_sets and not recorded.summary_sets:
        changes["summary_sets"] = summary.summary_sets
    return replace(recorded, **changes) if changes else recorded  # type: ignore[arg-type]
