"""Crash safety: ``chainfix analyze`` killed with SIGKILL while its cache fills, then run again.

The next run must give exactly what an uninterrupted run gives (``activities --json`` and
``analyze --json``), from a cache SQLite still calls intact. The victim is a real subprocess with
its own ``CHAINFIX_HOME``, reading a generated export big enough that the cache is written (every
``FLUSH_ROWS`` results) well before the run ends; its decoder processes are killed with it.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from chainfix_synth.bench import big_export

ACTIVITIES = 1500
"""Enough one-hour activities (recorded every 2 s) for three cache flushes before the end."""
POLL_S = 0.005


def chainfix(home: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the real ``chainfix`` command to completion with its own user directory."""
    return subprocess.run(
        [sys.executable, "-m", "chainfix", *args],
        env={**os.environ, "CHAINFIX_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def cached_rows(db: Path) -> int:
    """Rows committed to the cache so far (0 while it is missing, locked or being created)."""
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.05) as con:
            tables = [
                r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")
            ]
            return sum(con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables)
    except sqlite3.Error:
        return 0


def kill_while_filling(home: Path, export: Path, *extra: str) -> int:
    """Start ``analyze``, SIGKILL its whole process group as soon as the cache holds rows while
    it still runs; return the rows it had committed (0: the run ended first)."""
    db = home / "cache.sqlite"
    proc = subprocess.Popen(
        [sys.executable, "-m", "chainfix", "analyze", str(export), "--quiet", *extra],
        env={**os.environ, "CHAINFIX_HOME": str(home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill reaches its decoder workers
    )
    rows = 0
    try:
        deadline = time.monotonic() + 300
        while proc.poll() is None and time.monotonic() < deadline:
            rows = cached_rows(db)
            if rows:
                os.killpg(proc.pid, signal.SIGKILL)
                break
            time.sleep(POLL_S)
    finally:
        if proc.poll() is None and not rows:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    if proc.returncode != -signal.SIGKILL:
        return 0
    _wait_group_gone(proc.pid)
    return rows


def _wait_group_gone(pgid: int) -> None:
    """Wait until every process of the killed group (the decoder workers) has exited."""
    for _ in range(400):
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.01)
    pytest.fail("decoder processes outlived the killed run")


def outputs(home: Path, export: Path, *extra: str) -> dict[str, object]:
    """``activities --json`` and ``analyze --json`` of ``export`` with the cache in ``home``."""
    out: dict[str, object] = {}
    for command in ("activities", "analyze"):
        result = chainfix(home, command, "--json", "--quiet", str(export), *extra)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        out[command] = json.loads(result.stdout)
    return out


@pytest.mark.slow
def test_killed_analyze_leaves_a_cache_that_gives_the_same_results(tmp_path: Path) -> None:
    export = tmp_path / "export.zip"
    manifest = big_export(export, activities=ACTIVITIES, hz=0.5)
    home = tmp_path / "killed-home"
    rows = kill_while_filling(home, export)
    if not rows:  # the machine outran the poll: try once more, decoding serially (slower)
        rows = kill_while_filling(home, export, "--workers", "1")
    assert rows, "analyze finished before its cache held a row: make the export bigger"
    assert rows < manifest.expected_activity_count, "the kill came after the cache was complete"
    with sqlite3.connect(home / "cache.sqlite") as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    after_kill = outputs(home, export)
    uninterrupted = outputs(tmp_path / "fresh-home", export, "--no-cache")
    assert after_kill == uninterrupted
    assert len(after_kill["activities"]["activities"]) == manifest.expected_activity_count  # type: ignore[index]
    assert outputs(home, export) == uninterrupted  # and again, from the now complete cache
