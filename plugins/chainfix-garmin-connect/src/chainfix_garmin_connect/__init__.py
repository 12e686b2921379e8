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

import click
from chainfix.api import Source, hookimpl

from chainfix_garmin_connect.source import NAME, can_open, read

__version__ = "0.1.0"

PRIORITY = 25
"""Above chainfix's ``folder`` source (-10), which would read the FIT files but not the summaries.
``can_open`` only says yes to a folder holding the library's marker file, so the exact number only
matters against sources that claim every folder."""

GARMIN_CONNECT = Source(
    name=NAME,
    description="Activities pulled from Garmin Connect by `chainfix garmin pull` (local library).",
    can_open=can_open,
    read=read,
    priority=PRIORITY,
)


@hookimpl
def register_sources(register: Callable[[Source], None]) -> None:
    """Register the ``garmin-connect`` source."""
    register(GARMIN_CONNECT)


@hookimpl
def register_commands(cli: click.Group) -> None:
    """Add ``chainfix garmin pull`` (or ``chainfix garmin-connect pull``)."""
    from chainfix_garmin_connect.cli import add_commands

    add_commands(cli)
