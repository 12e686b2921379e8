"""Pieces every command shares: reading a history with a progress bar, exit codes, output."""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from chainfix.errors import EXIT_OK, EXIT_PARTIAL
from chainfix.sources.limits import Limits

if TYPE_CHECKING:
    from rich.console import Console

    from chainfix.app import ReadSettings
    from chainfix.model import History


DEFAULT_LIMITS = Limits()


def stderr_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, emoji=False)


def stdout_console() -> Console:
    from rich.console import Console

    return Console(highlight=False, emoji=False, width=100 if not sys.stdout.isatty() else None)


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


def read_settings(
    *,
    source: str | None = None,
    workers: int | None = None,
    no_cache: bool = False,
    max_member_mb: int | None = None,
    max_total_gb: int | None = None,
    **_: Any,
) -> ReadSettings:
    """The reading options of :func:`read_options` as :class:`~chainfix.app.ReadSettings`."""
    from chainfix.app import ReadSettings

    limits = Limits(
        max_member_bytes=(max_member_mb or DEFAULT_LIMITS.max_member_bytes // 1024**2) * 1024**2,
        max_total_bytes=(max_total_gb or DEFAULT_LIMITS.max_total_bytes // 1024**3) * 1024**3,
    )
    return ReadSettings(source=source, workers=workers, use_cache=not no_cache, limits=limits)


def load_history(
    paths: Sequence[Path],
    *,
    quiet: bool = False,
    require_activities: bool = True,
    **options: Any,
) -> History:
    """Read the paths with a progress bar on stderr (:func:`chainfix.app.read`).

    The history lives until the command ends, so it is moved out of the garbage collector's
    sight (:func:`gc.freeze`): collections while the command analyses and plans no longer walk
    every activity again (about 0.1 s of a cached run of a decade of history).
    """
    history = _read_with_progress(paths, quiet, require_activities, options)
    gc.freeze()
    return history


def _read_with_progress(
    paths: Sequence[Path], quiet: bool, require_activities: bool, options: dict[str, Any]
) -> History:
    from chainfix import app

    settings = read_settings(**options)
    console = stderr_console()
    if quiet or not console.is_terminal:
        return app.read(paths, settings, require_activities=require_activities)
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

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

        return app.read(paths, settings, on_progress=update, require_activities=require_activities)


def exit_code(history: History) -> int:
    """0 when everything was read, 3 when some files failed (documented in the README)."""
    return EXIT_PARTIAL if history.errors else EXIT_OK


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False))


REASONS_PER_FILE = 5
"""Distinct reasons shown under one file; the rest are counted (``--json`` lists them all)."""


def print_problems(
    history: History, console: Console, *, limit: int = 50, skipped: bool = False
) -> None:
    """Every file that was not fully read, and why: the path on one line, its reasons under it.

    A reason given many times in one file (a summary JSON of thousands of activities) is shown
    once with its count, and at most ``REASONS_PER_FILE`` reasons per file. ``skipped`` also
    lists the files skipped on purpose (monitoring, duplicates), for when they are all there is.
    """
    from rich.padding import Padding
    from rich.text import Text

    problems = history.problems if skipped else history.errors
    if not problems:
        return
    by_file: dict[str, dict[str, int]] = {}
    for problem in problems:
        reasons = by_file.setdefault(problem.where, {})
        reason = f"{problem.kind}: {problem.message}"
        reasons[reason] = reasons.get(reason, 0) + 1
    label = "not read" if skipped else "not fully read"
    console.print(f"[bold]{len(by_file)} file(s) {label}[/bold]")
    for where, reasons in list(by_file.items())[:limit]:
        console.print(f"  {where}", soft_wrap=True, markup=False, highlight=False)
        for reason, count in list(reasons.items())[:REASONS_PER_FILE]:
            times = f" ({count:,} times)" if count > 1 else ""
            console.print(Padding(Text(reason + times), (0, 0, 0, 4)), highlight=False)
        if len(reasons) > REASONS_PER_FILE:
            more = sum(list(reasons.values())[REASONS_PER_FILE:])
            console.print(
                f"    ... and {more:,} more (use --json to see them all)",
                markup=False,
                highlight=False,
            )
    if len(by_file) > limit:
        console.print(f"  ... and {len(by_file) - limit} more (use --json to see them all)")


def output_options[F: Callable[..., Any]](func: F) -> F:
    """``--json`` and ``--csv``, the same on every command: standard output, or a FILE."""
    for name, kind in (("csv", "CSV"), ("json", "JSON")):
        func = click.option(
            f"--{name}",
            f"{name}_out",
            is_flag=False,
            flag_value="-",
            default=None,
            metavar="[FILE|-]",
            callback=_output_target(f".{name}"),
            help=f"Write {kind}: to standard output (no value, or -), or to FILE (ending in "
            f".{name}).",
        )(func)
    return func


def _output_target(suffix: str) -> Callable[[click.Context, click.Parameter, Any], str | None]:
    """Check an output option's value: ``-`` or a file name with the right suffix.

    The suffix rule keeps ``--json export.zip`` from overwriting an input: an option without a
    value takes the next word, so the value must look like the output it is.
    """

    def check(ctx: click.Context, param: click.Parameter, value: Any) -> str | None:
        if value is None or value == "-" or str(value).lower().endswith(suffix):
            return value
        raise click.BadParameter(
            f"{value!r} is not a {suffix} file. Give a FILE ending in {suffix}, or - for "
            "standard output (put the option after the PATHS).",
            ctx=ctx,
            param=param,
        )

    return check


def write_output(target: str, text: str) -> None:
    """Write ``text`` to standard output (``-``) or atomically to the file ``target``."""
    if target == "-":
        click.echo(text, nl=not text.endswith("\n"))
        return
    from chainfix.atomic import write_atomic

    write_atomic(Path(target), text)


def json_text(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV with a header row (``\\n`` line ends)."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def both_to_stdout(json_out: str | None, csv_out: str | None) -> None:
    """Refuse ``--json`` and ``--csv`` both on standard output (they would interleave)."""
    if json_out == "-" and csv_out == "-":
        raise click.UsageError("--json and --csv cannot both go to standard output; give a FILE")
