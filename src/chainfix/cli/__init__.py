"""The ``chainfix`` command: a click group wiring the layers together.

Exit codes: 0 everything read; 3 the job was done but some files could not be read;
1 nothing usable or a fatal error (one line, no traceback); 2 usage error.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from chainfix import __version__, plugins
from chainfix.cli.common import EXIT_FATAL
from chainfix.errors import ChainfixError

COMMAND_MODULES: tuple[str, ...] = (
    "chainfix.cli.activities",
    "chainfix.cli.analyze",
    "chainfix.cli.plugins_cmd",
    "chainfix.cli.doctor",
    "chainfix.cli.garmin",
    "chainfix.cli.sync",
    "chainfix.cli.plugin_new",
    "chainfix.cli.profile",
    "chainfix.cli.assess",
    "chainfix.cli.checkin",
    "chainfix.cli.plan",
)


class FatalError(click.ClickException):
    """A ChainfixError shown as one line plus its hint, exit code 1."""

    exit_code = EXIT_FATAL

    def __init__(self, error: ChainfixError) -> None:
        super().__init__(error.message)
        self.hint = error.hint

    def show(self, file: Any = None) -> None:
        click.echo(f"Error: {self.message}", err=True)
        if self.hint:
            click.echo(self.hint, err=True)


class ChainfixGroup(click.Group):
    """Adds plugin commands before running and turns ChainfixError into a clean exit."""

    _plugin_commands_added = False

    def main(self, *args: Any, **kwargs: Any) -> Any:
        if not ChainfixGroup._plugin_commands_added:
            ChainfixGroup._plugin_commands_added = True
            plugins.register_commands(self)
        return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ChainfixError as exc:
            raise FatalError(exc) from exc


@click.group(cls=ChainfixGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="chainfix")
def cli() -> None:
    """Read your training history, see which muscles it loads and which get no strength work,
    and plan posterior-chain strength workouts for your watch.

    Exit codes: 0 everything was read; 3 done, but some files could not be read (they are
    listed); 1 nothing usable or a fatal error; 2 usage error.
    """


for _module in COMMAND_MODULES:
    importlib.import_module(_module).register(cli)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="chainfix")
