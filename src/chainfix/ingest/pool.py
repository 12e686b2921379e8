"""The decoder side of the worker pool: what a task is, and how a worker decodes a batch."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.machinery import ModuleSpec
from typing import TYPE_CHECKING, Any

from chainfix.model import Origin, ReadProblem
from chainfix.sources.base import BlobLoadError, PortableLoad

if TYPE_CHECKING:  # concurrent.futures is imported when a pool starts: warm runs need none
    from multiprocessing.connection import Connection

    from chainfix.fit import FitRead


PARALLEL_MIN_BLOBS = 24
"""Below this many FIT files a process pool costs more than it saves."""


BATCH_BLOBS = 16
"""Most FIT blobs in one task sent to a decoder process."""


BATCH_BYTES = 2 * 1024**2
"""Most (uncompressed) bytes of FIT in one task."""


INFLIGHT_PER_WORKER = 3
"""Batches sent per worker before waiting for the oldest."""


WORKER_PRELOAD = ["chainfix.ingest.pool", "chainfix.fit"]
"""Modules the forkserver imports once, so every worker starts with them loaded."""


START_METHOD = "forkserver"
"""How decoder processes start. ``fork`` is not safe beside the progress bar's thread (and
Python 3.12 warns about it); see ``benchmarks/ingest.py`` for what each costs."""


@contextmanager
def _workers_skip_main() -> Iterator[None]:
    """While worker processes start, keep them from re-running the ``__main__`` script.

    multiprocessing re-imports the parent's main script in every forkserver/spawn child. For the
    ``chainfix`` console script that means importing the whole CLI (click, rich, every command)
    in each worker; for a script without a ``__main__`` guard it means running it again. The
    decoders need none of it: a ``__main__`` spec named ``__main__`` makes the child leave its
    main module alone.
    """
    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    with _SKIPPING:  # workers start from a warm-up thread too: one change at a time
        missing = object()
        saved = main.__dict__.get("__spec__", missing)
        main.__spec__ = ModuleSpec("__main__", None)
        try:
            yield
        finally:
            if saved is missing:
                del main.__spec__
            else:
                main.__spec__ = saved  # type: ignore[assignment]


_SKIPPING = threading.Lock()


Task = tuple[Origin, str, "bytes | PortableLoad", "str | None", tuple[Any, ...]]
"""(origin, source name, the bytes or a loader that any process can run, the blob's decoder and
its arguments)."""


Outcome = tuple[int, "str | None", "FitRead | ReadProblem | None"]
"""(bytes decoded, the result as cache JSON or None, the result itself when it cannot be JSON,
or the problem that stopped the load)."""


def load_blob(load: Callable[[], bytes], origin: Origin) -> bytes | ReadProblem:
    """Run a blob's loader; a failure becomes the ReadProblem the engine reports."""
    try:
        return load()
    except BlobLoadError as exc:
        return ReadProblem(origin.path, origin.member, exc.kind, exc.message)
    except OSError as exc:
        return ReadProblem(origin.path, origin.member, "io_error", f"cannot read: {exc}")
    except Exception as exc:  # noqa: BLE001
        return ReadProblem(origin.path, origin.member, "bad_archive", f"cannot read: {exc}")


def decode_batch(tasks: list[Task]) -> list[Outcome]:
    """Load (when given a loader) and decode each task: runs in a worker process, or here."""
    from chainfix.cache.rows import encode_read
    from chainfix.sources.decoders import DecoderError, decode

    out: list[Outcome] = []
    for origin, source, what, decoder, args in tasks:
        if isinstance(what, bytes):
            data = what
        else:
            loaded = load_blob(what, origin)
            if isinstance(loaded, ReadProblem):
                out.append((0, None, loaded))
                continue
            data = loaded
        try:
            result = decode(data, origin, source, decoder, args)
        except DecoderError as exc:  # not cached: the next run tries again
            out.append((0, None, ReadProblem(origin.path, origin.member, "plugin_error", str(exc))))
            continue
        payload = encode_read(result)
        out.append((len(data), payload, None if payload is not None else result))
    return out


def _watch_parent(lifeline: Connection) -> None:
    """In a decoder process: exit as soon as the main process is gone (its end of the lifeline
    closes), instead of decoding on for minutes after it was killed."""

    def watch() -> None:
        try:
            lifeline.recv()
        except (EOFError, OSError):
            pass
        os._exit(1)

    threading.Thread(target=watch, name="chainfix-lifeline", daemon=True).start()
