"""Running the real ``chainfix`` console script as a subprocess: wall time, memory, processes.

Shared by the benchmark modules (``python benchmarks/<script>.py`` puts this folder on the path).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MB = 1e6
BUSY_CPU_S = 0.2
"""A process of the tree counts as busy when it used at least this much CPU time."""
BYTECODE = {"cache": True}
"""Whether the CLI runs with compiled bytecode (``--no-bytecode`` turns it off)."""


def bench_dir() -> Path:
    """Where generated inputs live: ``$CHAINFIX_BENCH_DIR``, else ``<tmp>/chainfix-bench``."""
    root = os.environ.get("CHAINFIX_BENCH_DIR")
    path = Path(root) if root else Path(tempfile.gettempdir()) / "chainfix-bench"
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def fresh_home() -> Iterator[Path]:
    """An empty ``CHAINFIX_HOME`` (an empty cache), removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="chainfix-bench-home-") as home:
        yield Path(home)


def cli_command() -> list[str]:
    """The installed ``chainfix`` console script (so its start-up counts), else ``-m``."""
    script = Path(sys.executable).with_name("chainfix")
    if script.is_file():
        return [str(script)]
    found = shutil.which("chainfix")
    return [found] if found else [sys.executable, "-m", "chainfix"]


def _children(pid: int) -> list[int]:
    out: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError):
                text = Path(f"/proc/{pid}/task/{task}/children").read_text()
                out.extend(int(c) for c in text.split())
    return out


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


class TreeSampler:
    """Samples RSS and CPU time of a process and all its descendants (Linux /proc) in a thread."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid, self.interval = pid, interval
        self.max_single = 0
        self.max_total = 0
        self.processes = 1
        self.cpu: dict[int, float] = {}
        self.parents: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeSampler:
        if Path("/proc/self/statm").exists():
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def busy(self) -> int:
        """Processes that used >= ``BUSY_CPU_S`` of CPU, not counting a process that only
        starts others (the forkserver): the CLI itself and its decoder workers."""
        return sum(
            1
            for pid, cpu in self.cpu.items()
            if cpu >= BUSY_CPU_S and (pid == self.pid or pid not in self.parents)
        )

    def _run(self) -> None:
        while not self._stop.is_set():
            pids, todo = [], [self.pid]
            while todo:
                pid = todo.pop()
                pids.append(pid)
                kids = _children(pid)
                if kids and pid != self.pid:
                    self.parents.add(pid)
                todo.extend(kids)
            sizes = [_rss(p) for p in pids]
            for p in pids:
                self.cpu[p] = max(self.cpu.get(p, 0.0), _cpu_s(p))
            self.processes = max(self.processes, len(pids))
            self.max_single = max(self.max_single, *sizes)
            self.max_total = max(self.max_total, sum(sizes))
            self._stop.wait(self.interval)


@dataclass(slots=True)
class Run:
    seconds: float
    code: int
    peak_rss_mb: float
    """The largest single process: os.wait4 maxrss of the CLI, or any sampled process."""
    peak_tree_mb: float
    """The largest sampled sum over the whole process tree (counts shared pages twice)."""
    processes: int = 1
    """The most processes seen at once in the tree (CLI, forkserver, workers)."""
    busy: int = 1
    """Processes that did work (see :meth:`TreeSampler.busy`)."""


def cli_env(home: Path) -> dict[str, str]:
    """The environment of every measured run: ``CHAINFIX_HOME=home``, all plugins, bytecode.

    Like an installed package, chainfix runs from compiled bytecode: kept in a prefix folder
    beside the generated inputs (never in the repository), even where
    ``PYTHONDONTWRITEBYTECODE`` is set.
    """
    env = dict(os.environ, CHAINFIX_HOME=str(home))
    env.pop("CHAINFIX_LOAD_PLUGINS", None)
    if BYTECODE["cache"]:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(bench_dir() / "pycache")
    return env


def run_cli(args: list[str], home: Path) -> Run:
    """Run ``chainfix ARGS`` with ``CHAINFIX_HOME=home``: wall time, exit code, memory."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*cli_command(), *args],
        env=cli_env(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    with TreeSampler(proc.pid) as sampler:
        assert proc.stderr is not None
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 3):
        raise RuntimeError(f"chainfix {' '.join(args)} exited {proc.returncode}: {err.decode()}")
    maxrss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    return Run(
        seconds,
        proc.returncode,
        max(maxrss, sampler.max_single) / MB,
        max(maxrss, sampler.max_total) / MB,
        sampler.processes,
        sampler.busy(),
    )


def median_s(runs: list[Run]) -> float:
    """The median wall time, NaN when nothing ran."""
    return statistics.median(r.seconds for r in runs) if runs else float("nan")


def seconds_list(runs: list[Run]) -> list[float]:
    return [round(r.seconds, 3) for r in runs]
