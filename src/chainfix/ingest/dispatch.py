"""The main-process side of the decoder pool: blobs' tasks gathered in batches, sent to worker
processes (a forkserver pool, started from a thread as soon as a read is known to decode
everything, else when the first full batch is ready) with a bounded number in flight, and decoded
here instead when there is no pool, when the pool breaks, or when only a few blobs are left and
no pool was needed so far (one new activity on a warm history)."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from chainfix.ingest import pool as _pool
from chainfix.ingest.pool import (
    INFLIGHT_PER_WORKER,
    START_METHOD,
    WORKER_PRELOAD,
    Outcome,
    Task,
    _watch_parent,
    _workers_skip_main,
    decode_batch,
)

if TYPE_CHECKING:  # concurrent.futures is imported when a pool starts: warm runs need none
    from concurrent.futures import Future, ProcessPoolExecutor
    from multiprocessing.connection import Connection
    from threading import Thread


class Batch:
    """FIT blobs sent to a worker as one task."""

    __slots__ = ("tasks", "nbytes", "future", "results")

    def __init__(self) -> None:
        self.tasks: list[Task] = []
        self.nbytes = 0
        self.future: Future[list[Outcome]] | None = None
        self.results: list[Outcome] | None = None


class Dispatcher:
    """Sends batches of tasks to a process pool (or decodes them here), in order of arrival."""

    def __init__(self, workers: int, parallel: bool) -> None:
        self.workers = workers
        self.parallel = parallel and workers > 1
        self.pool: ProcessPoolExecutor | None = None
        self._lifeline: Connection | None = None
        self._lifeline_read: Connection | None = None
        self.open_batch: Batch | None = None
        self.inflight: deque[Batch] = deque()
        self._warming: Thread | None = None

    def add(self, task: Task, nbytes: int) -> Batch | None:
        """The batch ``task`` joined (its last task); None when decoding is serial: the caller
        decodes it at once."""
        if not self.parallel:
            return None
        batch = self.open_batch
        if batch is None:
            batch = self.open_batch = Batch()
        batch.tasks.append(task)
        batch.nbytes += nbytes
        return batch

    def submit_when_full(self, batch: Batch) -> None:
        """Send the batch on once it holds ``BATCH_BLOBS`` blobs or ``BATCH_BYTES`` bytes."""
        if len(batch.tasks) >= _pool.BATCH_BLOBS or batch.nbytes >= _pool.BATCH_BYTES:
            self.submit(batch)

    def congested(self) -> Batch | None:
        """The oldest batch in flight when as many are as the workers may have, else None."""
        if len(self.inflight) >= self.workers * INFLIGHT_PER_WORKER:
            return self.inflight[0]
        return None

    def warm_up(self) -> None:
        """Start the workers now, while the sources are still being opened (a first run: every
        file will be decoded), instead of when the first batch is full.

        A worker's start waits for the forkserver to load (a fresh interpreter and
        ``WORKER_PRELOAD``): 130 ms of a cold export, during which this process opened nothing.
        A thread waits instead, and the sources are opened meanwhile (the export's first batch
        went out 0.25 s after its read began instead of 0.35 s). A pool that breaks while
        starting is found by the first batch sent to it, as always."""
        pool = self.start_pool()
        if pool is None:
            return
        import threading

        self._warming = threading.Thread(
            target=_start_workers, args=(pool, self.workers), name="chainfix-warm-up", daemon=True
        )
        self._warming.start()

    def start_pool(self) -> ProcessPoolExecutor | None:
        """Worker processes from a forkserver: safe beside the progress bar's thread.

        Where there is no forkserver (Windows) they are spawned; where no process can be
        started at all, decoding happens here.
        """
        if self.pool is None and self.parallel:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            method = START_METHOD
            if method not in multiprocessing.get_all_start_methods():
                method = "spawn"
            try:
                context = multiprocessing.get_context(method)
                if method == "forkserver":
                    context.set_forkserver_preload(WORKER_PRELOAD)
                # Only this process holds the lifeline's writing end: when it dies (killed),
                # every worker sees the pipe close and exits at once, mid-file or idle.
                lifeline, self._lifeline = context.Pipe(duplex=False)
                self._lifeline_read = lifeline
                self.pool = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=context,
                    initializer=_watch_parent,
                    initargs=(lifeline,),
                )
            except (OSError, ValueError, ImportError):
                self.parallel = False
        return self.pool

    def submit(self, batch: Batch) -> None:
        """Send the batch to the pool (started now if need be), or decode it here."""
        from concurrent.futures.process import BrokenProcessPool

        if self.open_batch is batch:
            self.open_batch = None
        pool = self.start_pool()
        if pool is not None:
            try:
                with _workers_skip_main():  # workers start on demand, inside submit
                    batch.future = pool.submit(decode_batch, batch.tasks)
                self.inflight.append(batch)
                return
            except (BrokenProcessPool, RuntimeError, OSError):
                self.lose_pool()
        batch.results = decode_batch(batch.tasks)

    def finish(self, batch: Batch) -> None:
        """Wait for a submitted batch (decoding it here if the pool broke)."""
        from concurrent.futures import CancelledError
        from concurrent.futures.process import BrokenProcessPool

        if batch.results is not None:
            return
        if batch.future is None:
            if self.pool is None and len(batch.tasks) < _pool.BATCH_BLOBS:
                # the last few blobs, and no pool yet (one new activity on a warm history):
                # decoding them here is faster than starting one
                if self.open_batch is batch:
                    self.open_batch = None
                batch.results = decode_batch(batch.tasks)
                return
            self.submit(batch)
            if batch.results is not None:
                return
        assert batch.future is not None
        try:
            batch.results = batch.future.result()
        except (BrokenProcessPool, CancelledError):
            self.lose_pool()
            batch.results = decode_batch(batch.tasks)
        except Exception:  # noqa: BLE001 - e.g. a result that cannot be pickled: decode here
            batch.results = decode_batch(batch.tasks)
        if batch in self.inflight:
            self.inflight.remove(batch)

    def lose_pool(self) -> None:
        """A worker died (killed, out of memory): decode the rest in this process."""
        self.parallel = False
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None

    def close(self) -> None:
        """Stop the workers (they are idle: every batch was collected) and the lifeline."""
        if self._warming is not None:
            self._warming.join()
            self._warming = None
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None
        for end in (self._lifeline, self._lifeline_read):
            if end is not None:
                end.close()
        self._lifeline = self._lifeline_read = None


def _start_workers(pool: ProcessPoolExecutor, workers: int) -> None:
    """Start ``workers`` processes of ``pool`` (one starts per task waiting): run in a thread."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        with _workers_skip_main():
            for _ in range(workers):
                pool.submit(int)
    except (BrokenProcessPool, RuntimeError, OSError):
        pass  # a broken or shut pool: the first batch sent finds it, and decodes here
