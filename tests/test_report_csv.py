"""The CSV directory: per-week per-muscle, per-week, per-activity and per-muscle tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from personas import history, hybrid

from chainfix.analysis import analyze
from chainfix.model import MUSCLE_GROUPS
from chainfix.report import csvout


def test_csv_files_written(tmp_path: Path) -> None:
    a = analyze(history(hybrid()))
    paths = csvout.write(a, tmp_path / "out")
    assert [p.name for p in paths] == list(csvout.FILES)
    weekly = pd.read_csv(tmp_path / "out" / "weekly_muscles.csv")
    assert list(weekly.columns) == ["week_start", "group", "exposure", "strength_sets", "target"]
    assert len(weekly) == 12 * len(MUSCLE_GROUPS)
    assert weekly["group"].iloc[: len(MUSCLE_GROUPS)].tolist() == list(MUSCLE_GROUPS)
    ham = weekly[weekly["group"] == "hamstrings"]
    assert ham["strength_sets"].iloc[-1] == pytest.approx(10.5)
    acts = pd.read_csv(tmp_path / "out" / "activities.csv")
    assert len(acts) == a.activity_count
    assert {
        "id",
        "local_date",
        "sport",
        "minutes",
        "E_quads",
        "S_hamstrings",
        "equ",
        "f_down",
        "intensity_w",
        "no_grade_data",
    } <= set(acts.columns)
    muscles = pd.read_csv(tmp_path / "out" / "muscles.csv")
    assert muscles.set_index("group").loc["calves", "priority"] == pytest.approx(
        a.muscles["calves"].priority, abs=1e-4
    )
    weeks = pd.read_csv(tmp_path / "out" / "weeks.csv")
    assert len(weeks) == 12 and "equ_flag" in weeks.columns
