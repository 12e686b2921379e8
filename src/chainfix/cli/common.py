"""Pieces every command shares: reading a history with a progress bar, exit codes, output."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from chainfix.errors import NothingToReadError
from chainfix.ingest import IngestOptions, IngestStats, read_history
from chainfix.model import History
from chainfix.sources.base import Limits

EXIT_OK = 0
EXIT_FATAL = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3

DEFAULT_LIMITS = Limits()


def stderr_console() -> Console:
    return Console(stderr=True, highlight=False)


def stdout_console() -> Console:
    return Console(highlight=False, width=100 if not sys.stdout.isatty() else None)


def history_options[F: Callable[..., Any]](func: F) -> F:
    """The options every history-reading command takes, plus the PATHS argument."""
    paths = click.argument(
        "paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path)
    )
    return paths(read_options(func))


def read_options[F: Callable[..., Any]](func: F) -> F:
    """The options that control how a history is read (for commands whose PATHS are optional)."""
    decorators = [
        click.option(
            "--source", "source", help="Read every path with this source (see `chainfix sources`)."
        ),
        click.option(
            "--workers",
            type=click.IntRange(1, 64),
            default=None,
            help="Decoder processes (default: all cores).",
        ),
        click.option(
            "--no-cache", is_flag=True, help="Decode every file again, ignoring the cache."
        ),
        click.option(
            "--max-member-mb",
            type=click.IntRange(1),
            default=DEFAULT_LIMITS.max_member_bytes // 1024**2,
            show_default=True,
            help="Largest archive member to read, in MB.",
        ),
        click.option(
            "--max-total-gb",
            type=click.IntRange(1),
            default=DEFAULT_LIMITS.max_total_bytes // 1024**3,
            show_default=True,
            help="Largest total uncompressed size of one archive, in GB.",
        ),
        click.option("--quiet", "-q", is_flag=True, help="No progress bar."),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def load_history(
    paths: Sequence[Path],
    *,
    source: str | None = None,
    workers: int | None = None,
    no_cache: bool = False,
    max_member_mb: int | None = None,
    max_total_gb: int | None = None,
    quiet: bool = False,
    require_activities: bool = True,
    **_: Any,
) -> History:
    """Read the paths with a progress bar on stderr; raise when nothing usable was found."""
    limits = Limits(
        max_member_bytes=(max_member_mb or DEFAULT_LIMITS.max_member_bytes // 1024**2) * 1024**2,
        max_total_bytes=(max_total_gb or DEFAULT_LIMITS.max_total_bytes // 1024**3) * 1024**3,
    )
    options = IngestOptions(source=source, workers=workers, limits=limits, use_cache=not no_cache)
    stats = IngestStats()
    console = stderr_console()
    if quiet or not console.is_terminal:
        history = read_history(list(paths), options, stats=stats)
    else:
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        with Progress(
            TextColumn("Reading"),
            BarColumn(),
            DownloadColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task("read", total=None)

            def update(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            history = read_history(list(paths), options, on_progress=update, stats=stats)
    if require_activities and not history.activities:
        names = ", ".join(str(p) for p in paths)
        detail = f" ({len(history.errors)} file(s) could not be read)" if history.errors else ""
        raise NothingToReadError(f"no activities found in {names}{detail}")
    return history


def exit_code(history: History) -> int:
    """0 when everything was read, 3 when some files failed (documented in the README)."""
    return EXIT_PARTIAL if history.errors else EXIT_OK


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False))


def print_problems(history: History, console: Console, *, limit: int = 50) -> None:
    """Every file that was not fully read, and why: the path on one line, the reason under it."""
    errors = history.errors
    if not errors:
        return
    console.print(f"[bold]{len(errors)} file(s) not fully read[/bold]")
    for problem in errors[:limit]:
        console.print(f"  {problem.where}", soft_wrap=True, markup=False, highlight=False)
        console.print(f"    {problem.kind}: {problem.message}", markup=False, highlight=False)
    if len(errors) > limit:
        console.print(f"  ... and {len(errors) - limit} more (use --json to see them all)")
