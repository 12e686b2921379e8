"""chainfix-apple-health: read the Apple Health export (``export.zip``) into chainfix.

Registers the source ``apple-health`` and the command ``chainfix apple-health sitting``, through
chainfix's ``register_sources`` and ``register_commands`` hooks. The source outranks chainfix's
generic ``zip`` and ``folder`` sources and recognises an export by an XML file whose root is
``HealthData``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from chainfix.api import hookimpl

if TYPE_CHECKING:
    import click
    from chainfix.api import Source

__version__ = "0.1.0"

PRIORITY = 25
"""Above chainfix's ``zip`` (-5), ``folder`` (-10) and ``garmin-export`` (20) sources: an Apple
Health export is recognised by its own XML, so when ``can_open`` says yes it is the better
reader."""


@hookimpl
def register_sources(register: Callable[[Source], None]) -> None:
    """Register the ``apple-health`` source: recognising an export is light; the reader loads
    when an export is read."""
    from chainfix.api import LazyRead, Source

    from chainfix_apple_health.detect import can_open

    register(
        Source(
            name="apple-health",
            description="Apple Health export: export.zip, its folder, or export.xml "
            "(workouts, routes).",
            can_open=can_open,
            read=LazyRead("chainfix_apple_health.export"),
            priority=PRIORITY,
        )
    )


@hookimpl
def register_commands(cli: click.Group) -> None:
    """Add ``chainfix apple-health`` (its ``sitting`` command)."""
    from chainfix_apple_health.command import apple_health

    cli.add_command(apple_health)
