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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MB = 1e6
BUSY_CPU_S = 0.2
"""A process of the tree counts as busy when it used at least this much CPU time."""
LAUNCHER = Path(__file__).with_name("launcher.py")
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


def check_read(path: Path, expected: int, *, use_cache: bool = True) -> None:
    """Read ``path`` in this process, in a fresh user folder: RuntimeError unless it gives
    ``expected`` activities and no problem (each generated input is checked once)."""
    from chainfix.ingest import IngestOptions, read_history

    with fresh_home() as home:
        os.environ["CHAINFIX_HOME"] = str(home)
        try:
            history = read_history([path], IngestOptions(use_cache=use_cache))
        finally:
            os.environ.pop("CHAINFIX_HOME", None)
    problems = [p for p in history.problems if p.severity != "info"]
    if len(history.activities) != expected or problems:
        raise RuntimeError(
            f"{path}: {len(history.activities)} activities read (expected {expected}), "
            f"{len(problems)} problems: {problems[:3]}"
        )


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
    """Run ``chainfix ARGS`` with ``CHAINFIX_HOME=home``: wall time, exit code, memory.

    The CLI is started by :mod:`launcher`, a small process of its own, so that its peak RSS is
    its own and not this benchmark's (see there).
    """
    proc = subprocess.Popen(
        [sys.executable, "-S", str(LAUNCHER), *cli_command(), *args],
        env=cli_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    pid = int(proc.stdout.readline())
    with TreeSampler(pid) as sampler:
        err = proc.stderr.read()
        report = proc.stdout.read().split()
    proc.wait()
    if proc.returncode != 0 or len(report) != 3:
        raise RuntimeError(f"the launcher failed ({proc.returncode}): {err}")
    seconds, status, maxrss = float(report[0]), int(report[1]), int(report[2])
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 3):
        raise RuntimeError(f"chainfix {' '.join(args)} exited {code}: {err}")
    return Run(
        seconds,
        code,
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
