"""chainfix-garmin-connect: pull Garmin Connect activities into a library chainfix reads offline.

Two hooks:

* ``register_commands`` adds ``chainfix garmin pull``: with the login of ``chainfix garmin login``,
  it downloads each new activity's original FIT file (and Connect's summary of it) into
  ``<chainfix user dir>/library/garmin-connect``, paced, incremental and resumable;
* ``register_sources`` adds the ``garmin-connect`` source, which reads that library offline:
  ``chainfix analyze ~/.local/share/chainfix/library/garmin-connect`` (or the folder ``pull``
  prints).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from chainfix.api import hookimpl

if TYPE_CHECKING:
    import click
    from chainfix.api import Source

__version__ = "0.1.0"

DEFAULT_PACE_S = 2.0
"""Seconds between the end of one request to Garmin Connect and the start of the next."""

PRIORITY = 25
"""Above chainfix's ``folder`` source (-10), which would read the FIT files but not the summaries.
``can_open`` only says yes to a folder holding the library's marker file, so the exact number only
matters against sources that claim every folder."""


@hookimpl
def register_sources(register: Callable[[Source], None]) -> None:
    """Register the ``garmin-connect`` source (its reader loads here, not at start-up)."""
    from chainfix.api import Source

    from chainfix_garmin_connect.source import NAME, can_open, read

    register(
        Source(
            name=NAME,
            description="Activities pulled from Garmin Connect by `chainfix garmin pull` "
            "(local library).",
            can_open=can_open,
            read=read,
            priority=PRIORITY,
        )
    )


@hookimpl
def register_commands(cli: click.Group) -> None:
    """Add ``chainfix garmin pull`` (or ``chainfix garmin-connect pull``)."""
    from chainfix_garmin_connect.cli import add_commands

    add_commands(cli)
