"""Runs one command for :func:`clirun.run_cli` and reports its wall time, exit status and peak RSS.

    python -S launcher.py COMMAND [ARG ...]

Why a separate, small process: Linux carries a process's peak RSS across ``exec``, and a child
spawned from the benchmark (``vfork``/``posix_spawn``) starts from the benchmark's own peak, so
``wait4`` would report whichever was bigger, the benchmark or the CLI. Forked from this tiny
process instead, the command's peak RSS is its own (plus at most this process's few MB).

Prints two lines on stdout: the command's pid as soon as it runs (so its process tree can be
sampled), then ``seconds status maxrss_bytes``. The command's stdout goes to ``/dev/null``; its
stderr is this process's.
"""

import os
import sys
import time


def main() -> None:
    command = sys.argv[1:]
    devnull = os.open(os.devnull, os.O_WRONLY)
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.dup2(devnull, 1)
            os.execvp(command[0], command)
        finally:
            os._exit(127)
    print(pid, flush=True)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - started
    unit = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    print(f"{seconds!r} {status} {usage.ru_maxrss * unit}", flush=True)


if __name__ == "__main__":
    main()
