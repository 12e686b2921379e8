"""chainfix's own sources, registered through the same hook as a plugin's.

The readers import when the sources are first asked for, so a command that reads no history
(``chainfix --help``, ``plan --help``) never loads the zip walk or the FIT reader.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from chainfix.hookspecs import hookimpl

if TYPE_CHECKING:
    from chainfix.sources.base import Source


@hookimpl
def register_sources(register: Callable[[Source], None]) -> None:
    """A single FIT file, a folder of them, the Garmin Connect export, and any other zip."""
    from chainfix.sources.fitfiles import FIT_FILE
    from chainfix.sources.folder import FIT_FOLDER
    from chainfix.sources.garmin_export import GARMIN_EXPORT, ZIP_ARCHIVE

    for source in (FIT_FILE, GARMIN_EXPORT, ZIP_ARCHIVE, FIT_FOLDER):
        register(source)
