"""The ``chainfix`` command: a click group wiring the layers together.

Exit codes: 0 everything read; 3 the job was done but some files could not be read;
1 nothing usable or a fatal error (one line, no traceback); 2 usage error.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

import click

from chainfix import __version__
from chainfix.errors import EXIT_FATAL, EXIT_INTERRUPTED, EXIT_USAGE, ChainfixError
from chainfix.paths import UserFolderNote, UserFolderWarning, user_folder_error

COMMANDS: dict[str, str] = {
    "activities": "chainfix.cli.activities",
    "analyze": "chainfix.cli.analyze",
    "assess": "chainfix.cli.assess",
    "checkin": "chainfix.cli.checkin",
    "doctor": "chainfix.cli.doctor",
    "garmin": "chainfix.cli.garmin",
    "plan": "chainfix.cli.plan",
    "plugin": "chainfix.cli.plugin_new",
    "plugins": "chainfix.cli.plugins_cmd",
    "profile": "chainfix.cli.profile",
    "sources": "chainfix.cli.plugins_cmd",
    "sync": "chainfix.cli.sync",
}
"""Built-in command name -> the module whose ``register(cli)`` adds it. Modules load when their
command runs, so ``chainfix --version`` imports none of them."""


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

    lazy: dict[str, str] = {}
    _everything_loaded = False

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in self.lazy:
            importlib.import_module(self.lazy[cmd_name]).register(self)
            command = super().get_command(ctx, cmd_name)
        if command is None or isinstance(command, click.Group):
            self.load_everything()
            command = super().get_command(ctx, cmd_name)
        return command

    def list_commands(self, ctx: click.Context) -> list[str]:
        self.load_everything()
        return super().list_commands(ctx)

    def load_everything(self) -> None:
        """Every built-in command, then the plugins' commands (once)."""
        if self._everything_loaded:
            return
        self._everything_loaded = True
        for name, module in self.lazy.items():
            if name not in self.commands:
                importlib.import_module(module).register(self)
        from chainfix import plugins

        plugins.register_commands(self)

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
    """Console-script entry point."""
    cli(prog_name="chainfix")
