"""Private temporary folders for nested zips too large to hold in memory, and their cleanup.

A folder is named after the process that made it, so a later run removes the ones whose process
died (:func:`remove_stale_spills`).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile

SPILL_PREFIX = "chainfix-"


def spill_dir() -> tempfile.TemporaryDirectory[str]:
    """A private temporary folder for spilled nested zips, named after this process
    (``chainfix-<pid>-...``) so a later run can tell a killed run's leftovers."""
    return tempfile.TemporaryDirectory(prefix=f"{SPILL_PREFIX}{os.getpid()}-")


def remove_stale_spills(root: str | None = None) -> int:
    """Remove spill folders that runs killed before they could clean up left in the temporary
    folder (their process is gone); how many were removed. Never raises."""
    removed = 0
    try:
        names = os.listdir(root or tempfile.gettempdir())
    except OSError:
        return 0
    for name in names:
        match = _SPILL.fullmatch(name)
        if match is None or int(match.group(1)) == os.getpid():
            continue
        path = os.path.join(root or tempfile.gettempdir(), name)
        try:
            if os.stat(path).st_uid != os.getuid() or _alive(int(match.group(1))):
                continue
            shutil.rmtree(path)
            removed += 1
        except (OSError, AttributeError):
            continue
    return removed


_SPILL = re.compile(rf"{SPILL_PREFIX}(\d+)-[A-Za-z0-9_]+")


def _alive(pid: int) -> bool:
    """Whether a process with this id exists (a zombie counts as gone where /proc tells)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().split(b") ", 1)[-1][:1] != b"Z"
    except FileNotFoundError:
        return False
    except OSError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
