"""Ending the process once a command is done, without tearing the interpreter down.

A cached ``chainfix analyze`` of a decade takes about 0.3 s, and the interpreter's teardown
(freeing the modules and every object they hold, one by one) took another 15-20 ms of it. A
command that writes only through chainfix's own, closed, files asks for the short ending
(:func:`end_without_teardown`); :func:`leave` then runs the exit handlers (``atexit``: worker
pools, temporary folders, logging, a plugin's own), flushes the output and ends the process with
the command's exit status. mypy ends the same way. Anything unusual (another thread still
running, an exit status that is not a number) ends the usual way.
"""

from __future__ import annotations

import atexit
import os
import sys

_ASKED = False

BROKEN_PIPE_STATUS = 120
"""Python's own exit status when the output cannot be flushed at exit (``| head``)."""


def begin() -> None:
    """A command starts: only the command run now may ask for the short ending."""
    global _ASKED
    _ASKED = False


def end_without_teardown() -> None:
    """The running command is done with the interpreter once it returns (see the module)."""
    global _ASKED
    _ASKED = True


def leave(status: object) -> None:
    """End the process now with ``status`` (a ``SystemExit`` code) when the command asked for it
    and nothing else is running; return (for the usual exit) otherwise."""
    if not _ASKED or not (status is None or type(status) is int) or _other_threads():
        return
    atexit._run_exitfuncs()
    code = status or 0
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: as Python's own exit would end
            code = code or BROKEN_PIPE_STATUS
    os._exit(code)


def _other_threads() -> bool:
    """A thread other than the main one that the usual exit would wait for."""
    threading = sys.modules.get("threading")
    if threading is None:
        return False
    main = threading.main_thread()
    return any(t is not main and not t.daemon and t.is_alive() for t in threading.enumerate())
