"""chainfix-strava: read a Strava bulk export ("Download or Delete Your Account") into chainfix.

Registers two sources through chainfix's ``register_sources`` hook: ``strava``, which outranks
chainfix's generic ``zip`` and ``folder`` sources and recognises an export by ``activities.csv``
beside an ``activities/`` folder; and ``gpx-tcx``, for single GPX and TCX files (also those in a
folder chainfix walks).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from chainfix.api import hookimpl

if TYPE_CHECKING:
    from chainfix.api import Source

__version__ = "0.1.0"

PRIORITY = 30
"""Above chainfix's ``zip`` (-5), ``folder`` (-10) and ``garmin-export`` (20) sources: a Strava
export is recognised by its own layout, so when ``can_open`` says yes it is the better reader."""


@hookimpl
def register_sources(register: Callable[[Source], None]) -> None:
    """Register the ``strava`` and ``gpx-tcx`` sources (their readers load here)."""
    from chainfix.api import LazyRead, Source

    from chainfix_strava.detect import can_open, track_can_open

    register(
        Source(
            name="strava",
            description="Strava bulk export, zip or folder: activities.csv and its FIT, GPX, "
            "TCX files.",
            can_open=can_open,
            read=LazyRead("chainfix_strava.export"),
            priority=PRIORITY,
        )
    )
    register(
        Source(
            name="gpx-tcx",
            description="A single GPX or TCX activity file (.gpx, .tcx, gzipped too).",
            can_open=track_can_open,
            read=LazyRead("chainfix_strava.trackfile"),
            advances_by_blobs=True,
        )
    )
