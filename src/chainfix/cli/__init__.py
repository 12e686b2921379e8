"""The ``chainfix`` command: a click group wiring the layers together.

Exit codes: 0 everything read; 3 the job was done but some files could not be read;
1 nothing usable or a fatal error (one line, no traceback); 2 usage error.
"""

from __future__ import annotations

import importlib
import warnings
from dataclasses import dataclass
from typing import Any

import click

from chainfix import __version__
from chainfix.cli import code_cache, ending
from chainfix.command import tune_collector
from chainfix.errors import EXIT_FATAL, EXIT_INTERRUPTED, EXIT_USAGE, ChainfixError


@dataclass(frozen=True, slots=True)
class BuiltinCommand:
    """Where a built-in command lives, and what ``chainfix --help`` says about it."""

    module: str
    """The module whose ``register(cli)`` adds the command; it loads when the command runs."""
    summary: str
    """The first sentence of the command's help (a test keeps the two equal)."""
    group: bool = False
    """A group plugins may add subcommands to: loaded before the plugins' commands."""


COMMANDS: dict[str, BuiltinCommand] = {
    "activities": BuiltinCommand(
        "chainfix.cli.activities",
        "List every activity found in PATHS (FIT files, folders, Garmin exports).",
    ),
    "analyze": BuiltinCommand(
        "chainfix.cli.analyze",
        "Analyse the history in PATHS: the load your sport puts on each muscle group, the "
        "strength work each group got, what to prioritise, and the files that could not be read.",
    ),
    "assess": BuiltinCommand(
        "chainfix.cli.assess",
        "Self-tests: single-leg glute bridge, heel raises, Sørensen hold, hamstring bridge.",
    ),
    "checkin": BuiltinCommand(
        "chainfix.cli.checkin",
        "Record pain (0-10 per area) and soreness after a strength session.",
    ),
    "doctor": BuiltinCommand(
        "chainfix.cli.doctor",
        "Print versions, paths and plugins (safe to paste: no tokens, e-mail or activities).",
    ),
    "garmin": BuiltinCommand(
        "chainfix.cli.garmin",
        "Log in to Garmin Connect, check the login, or forget it.",
        group=True,
    ),
    "plan": BuiltinCommand(
        "chainfix.cli.plan", "Plan posterior-chain strength sessions around the runs in PATHS."
    ),
    "plugin": BuiltinCommand(
        "chainfix.cli.plugin_new", "Write your own chainfix plugin (see docs/plugins.md)."
    ),
    "plugins": BuiltinCommand(
        "chainfix.cli.plugins_cmd",
        "List installed plugins, their hooks, and any that failed to load.",
    ),
    "profile": BuiltinCommand(
        "chainfix.cli.profile", "Show or change the athlete profile the planner uses."
    ),
    "sources": BuiltinCommand(
        "chainfix.cli.plugins_cmd",
        "List the data sources chainfix can read, in the order it tries them.",
    ),
    "sync": BuiltinCommand(
        "chainfix.cli.sync",
        "Deliver the planned sessions: FIT files, a watch over USB, or Garmin Connect.",
        group=True,
    ),
}
"""The built-in commands. A module loads when its command runs, and ``chainfix --help`` lists
the commands from here, so neither it nor ``chainfix --version`` imports any of them."""


class FatalError(click.ClickException):
    """A ChainfixError shown as one line plus its hint, exit code 1."""

    exit_code = EXIT_FATAL

    def __init__(self, error: ChainfixError) -> None:
        super().__init__(error.message)
        self.hint = error.hint
        self.error = error

    def show(self, file: Any = None) -> None:
        click.echo(f"Error: {self.message}", err=True)
        history = getattr(self.error, "history", None)
        if history is not None and history.problems:
            from chainfix.cli.common import print_problems, stderr_console

            print_problems(history, stderr_console(), skipped=True)
        if self.hint:
            click.echo(self.hint, err=True)


class UsageFailure(FatalError):
    """A ChainfixError about what the user asked for (bad value or combination): exit code 2."""

    exit_code = EXIT_USAGE


class Interrupted(click.ClickException):
    """Ctrl-C: one line, exit 130 (128 + SIGINT), as shells expect."""

    exit_code = EXIT_INTERRUPTED

    def __init__(self) -> None:
        super().__init__("interrupted; what was read is kept — run the same command again")

    def show(self, file: Any = None) -> None:
        click.echo(self.message, err=True)


class ChainfixGroup(click.Group):
    """Loads command modules when they are needed, adds plugin commands, and turns
    ChainfixError into a clean exit.

    A built-in command that is not a group loads its own module only. Listing the commands
    (``--help``), a built-in group (plugins may add subcommands to it) or an unknown name load
    every built-in command and then the plugins' commands.
    """

    lazy: dict[str, BuiltinCommand] = {}
    _everything_loaded = False
    _plugins_loaded = False

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in self.lazy:
            self._load(cmd_name)
            command = super().get_command(ctx, cmd_name)
        if command is None or isinstance(command, click.Group):
            self.load_everything()
            command = super().get_command(ctx, cmd_name)
        return command

    def list_commands(self, ctx: click.Context) -> list[str]:
        self.load_plugin_commands()
        return sorted({*self.commands, *self.lazy})

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``chainfix --help``: built-ins from :data:`COMMANDS` (their
        modules stay unloaded), plugins' commands as they registered them."""
        self.load_plugin_commands()
        rows = []
        for name in self.list_commands(ctx):
            command = self.commands.get(name) or click.Command(name, help=self.lazy[name].summary)
            if not command.hidden:
                rows.append((name, command))
        if rows:
            limit = formatter.width - 6 - max(len(name) for name, _ in rows)
            with formatter.section("Commands"):
                formatter.write_dl([(n, c.get_short_help_str(limit)) for n, c in rows])

    def _load(self, name: str) -> None:
        if name not in self.commands:
            importlib.import_module(self.lazy[name].module).register(self)

    def load_plugin_commands(self) -> None:
        """The plugins' commands (once), after the built-in groups they may add to."""
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        for name, entry in self.lazy.items():
            if entry.group:
                self._load(name)
        from chainfix import plugins

        plugins.register_commands(self)

    def load_everything(self) -> None:
        """Every built-in command, then the plugins' commands (once)."""
        if self._everything_loaded:
            return
        self._everything_loaded = True
        for name in self.lazy:
            self._load(name)
        self.load_plugin_commands()

    def invoke(self, ctx: click.Context) -> Any:
        with warnings.catch_warnings():
            warnings.showwarning = _show_folder_warning
            try:
                return super().invoke(ctx)
            except ChainfixError as exc:
                failure = UsageFailure if exc.exit_code == EXIT_USAGE else FatalError
                raise failure(exc) from exc
            except KeyboardInterrupt:
                raise Interrupted() from None
            except OSError as exc:  # the user folder read-only, a file, or its disk full
                from chainfix.paths import user_folder_error

                error = user_folder_error(exc)
                if error is None:
                    raise
                raise FatalError(error) from exc


_show_warning = warnings.showwarning


def _show_folder_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    """User-folder warnings as one line on stderr; any other warning as Python shows it."""
    from chainfix.paths import UserFolderNote, UserFolderWarning

    if issubclass(category, UserFolderWarning):
        label = "Note" if issubclass(category, UserFolderNote) else "Warning"
        click.echo(f"{label}: {message}", err=True)
    else:
        _show_warning(message, category, filename, lineno, file, line)


@click.group(cls=ChainfixGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="chainfix")
def cli() -> None:
    """Read your training history, see which muscles it loads and which get no strength work,
    and plan posterior-chain strength workouts for your watch.

    Exit codes: 0 everything was read; 3 done, but some files could not be read (they are
    listed); 1 nothing usable or a fatal error; 2 usage error.
    """


cli.lazy = COMMANDS


def main() -> None:
    """Console-script entry point: runs one command and ends the process, for a command that asks
    for it without the interpreter's teardown (:mod:`chainfix.cli.ending`). To run commands
    inside another program, invoke :data:`cli` (or click's ``CliRunner``) instead.

    The cyclic collector runs less often (:func:`chainfix.command.tune_collector`: the console
    script, :func:`chainfix.command.main`, tunes it before this module loads); the reader pauses
    it altogether while it builds the history (:func:`chainfix.ingest.read_history`).

    The methods of the dataclasses a command makes are compiled once and kept beside chainfix's
    bytecode (:mod:`chainfix.cli.code_cache`)."""
    code_cache.install()
    tune_collector()
    ending.begin()
    try:
        cli(prog_name="chainfix")
    except SystemExit as done:
        ending.leave(done.code)
        raise
