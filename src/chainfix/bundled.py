"""chainfix's own files: the built-in data tables and the source that versions cached results.

Read as plain files beside this module. :mod:`importlib.resources` gives the same bytes, but
its modules and its ``pathlib`` reads of these dozen files cost about 3 ms of every cached run
(measured in-process, imports and reads alike). chainfix is installed as files (wheels unpack;
editable installs point at the source tree), never imported from a zip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
"""The folder of the installed ``chainfix`` package."""


def data_file(name: str) -> str:
    """The path of the built-in data file ``chainfix/data/<name>``."""
    return os.path.join(PACKAGE_DIR, "data", name)


def data_text(name: str) -> str:
    """The text (UTF-8) of the built-in data file ``chainfix/data/<name>``."""
    with open(data_file(name), encoding="utf-8") as handle:
        return handle.read()


def package_files(folder: str, suffixes: tuple[str, ...] = ("",)) -> Iterator[tuple[str, bytes]]:
    """``(name, bytes)`` of each file directly in ``chainfix/<folder>`` (``""``: the package's
    own folder) whose name ends with one of ``suffixes``, by name; compiled files never."""
    root = os.path.join(PACKAGE_DIR, folder)
    with os.scandir(root) as entries:
        files = sorted(
            (e.name, e.path)
            for e in entries
            if e.is_file() and e.name.endswith(suffixes) and not e.name.endswith(".pyc")
        )
    for name, path in files:
        with open(path, "rb") as handle:
            yield name, handle.read()
