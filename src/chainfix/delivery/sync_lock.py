"""One sync at a time: an exclusive lock file in the user folder, waited on briefly, so two
runs never deliver the same plan at once."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from chainfix.errors import (
    DeliveryError,
)

LOCK_NAME = "sync.lock"
LOCK_WAIT_S = 5.0
"""How long a second sync waits for the first before giving up."""


class SyncBusyError(DeliveryError):
    """Another sync holds the user folder's lock."""

    hint = (
        "Wait for it to finish, then run the same command again: it resumes where that one stopped."
    )


@contextmanager
def sync_lock(folder: Path, wait_s: float | None = None) -> Iterator[None]:
    """Hold the user folder's sync lock: one sync at a time per user folder, so two at once never
    upload or schedule a session twice. Waits up to ``wait_s`` (default ``LOCK_WAIT_S``), then
    raises :class:`SyncBusyError`. The lock is an OS file lock: it dies with its process, so a
    killed sync never leaves the folder locked."""
    wait_s = LOCK_WAIT_S if wait_s is None else wait_s
    path = folder / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise DeliveryError(
            f"cannot create the sync lock {path}: {exc.strerror}",
            hint="Check that the chainfix user folder is writable (CHAINFIX_HOME).",
        ) from exc
    try:
        deadline = time.monotonic() + wait_s
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise SyncBusyError(
                    f"another chainfix sync is running on this user folder ({folder})"
                )
            time.sleep(0.1)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        return
    fcntl.flock(fd, fcntl.LOCK_UN)
