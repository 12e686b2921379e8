"""Which source reads a path, how much there is to read, and the progress through it.

A forced source (``--source``) or the highest-priority source whose ``can_open`` says yes; a path
no source can open becomes one ``unsupported`` problem naming it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from chainfix.ingest.pool import (
    _workers_skip_main,  # noqa: F401 - tests reach it here
)
from chainfix.model import ReadProblem
from chainfix.sources.base import Source


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


def no_source(path: Path, forced: str | None) -> ReadProblem:
    """The problem for a path no source reads (or whose forced source is not installed)."""
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
