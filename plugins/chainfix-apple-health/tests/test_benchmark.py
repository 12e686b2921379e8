"""The benchmark runs, and meets issue 17's targets on a small export (CI size)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "throughput.py"


@pytest.mark.slow
def test_throughput_benchmark_meets_the_targets() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--size-mb", "32"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "MB/s (met" in result.stdout and "peak RSS" in result.stdout
    assert "NOT met" not in result.stdout
