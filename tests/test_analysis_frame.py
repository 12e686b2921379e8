"""The analysis's small column table, and that ``analyze`` runs without pandas or numpy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from chainfix.analysis.frame import Frame

SAMPLE = Path(__file__).resolve().parents[1] / "sample_exports" / "garmin-export-runner.zip"


def test_rows_columns_and_slices() -> None:
    f = Frame.from_rows(["a", "b"], [[1, "x"], [2, "y"], [3, "z"]])
    assert len(f) == 3 and f.names == ["a", "b"] and "a" in f and "c" not in f
    assert f["a"] == [1, 2, 3]
    assert f.row(-1) == {"a": 3, "b": "z"}
    assert list(f.rows())[1] == {"a": 2, "b": "y"}
    assert f.take([2, 0])["b"] == ["z", "x"]
    assert f.tail(2)["a"] == [2, 3] and f.tail(9)["a"] == [1, 2, 3]
    assert len(Frame.from_rows(["a"], [])) == 0


def test_columns_must_have_one_length() -> None:
    with pytest.raises(ValueError, match="different lengths"):
        Frame({"a": [1, 2], "b": [1]})


def test_to_pandas_keeps_order_and_values() -> None:
    f = Frame.from_rows(["b", "a"], [[1.5, 2], [float("nan"), 3]])
    df = f.to_pandas()
    assert list(df.columns) == ["b", "a"]
    assert df["a"].tolist() == [2, 3] and df["b"].isna().tolist() == [False, True]


def test_analyze_loads_neither_pandas_nor_numpy(tmp_path: Path) -> None:
    code = (
        "import json, sys\n"
        "from chainfix.cli import cli\n"
        f"try:\n    cli(['analyze', {str(SAMPLE)!r}, '-q', '--no-cache'], prog_name='chainfix')\n"
        "except SystemExit as e:\n    code = e.code\n"
        "print(json.dumps([code, sorted(sys.modules)]), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"CHAINFIX_HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "COLUMNS": "80"},
    )
    code_, modules = json.loads(done.stderr.strip().splitlines()[-1])
    assert code_ in (0, 3), done.stderr
    assert "Week by week" in done.stdout
    assert not {"pandas", "numpy"} & set(modules)
