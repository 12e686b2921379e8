"""The hooks a chainfix plugin can implement.

A plugin is a module (or object) registered under the ``chainfix`` entry-point group, with functions
decorated by :data:`hookimpl`. Every hook here is documented in ``docs/plugins.md``, generated from
these docstrings; a test fails when a hook has no documentation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import click

    from chainfix.sources.base import Source

hookspec = pluggy.HookspecMarker("chainfix")
hookimpl = pluggy.HookimplMarker("chainfix")


@hookspec
def register_sources(register: Callable[[Source], None]) -> None:
    """Register data sources that read activity histories.

    Call ``register(Source(...))`` once per source. A :class:`chainfix.api.Source` has a ``name``,
    a one-line ``description``, a cheap ``can_open(path)`` sniff that never raises, and a
    ``read(path, options)`` generator yielding :class:`chainfix.api.Activity`,
    :class:`chainfix.api.FitBlob` (FIT bytes for chainfix's own reader, or a file for the decoder
    it names; decoded in parallel and cached) and :class:`chainfix.api.ReadProblem` values.
    Report unreadable input as a ReadProblem rather than raising. chainfix's own FIT, folder and
    Garmin-export sources use this same hook.

    Example::

        @hookimpl
        def register_sources(register):
            register(Source(name="mysource", description="My watch's CSV export",
                            can_open=lambda p: p.suffix == ".csv", read=read_csv))
    """


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add commands or command groups to the ``chainfix`` command-line tool.

    ``cli`` is the root :class:`click.Group`; decorate new commands with ``@cli.command()``.

    Example::

        @hookimpl
        def register_commands(cli):
            @cli.command()
            def hello():
                click.echo("Hello from my plugin")
    """
