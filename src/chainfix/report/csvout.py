"""The analysis as CSV files (pandas): per week and muscle, per week, per activity, per muscle."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from chainfix.analysis import Analysis
from chainfix.analysis.loads import E_COLS, S_COLS
from chainfix.model import MUSCLE_GROUPS

FILES = ("weekly_muscles.csv", "weeks.csv", "activities.csv", "muscles.csv")
"""The files :func:`write` creates."""


def weekly_muscles(a: Analysis) -> pd.DataFrame:
    """Long table: one row per (week, group) with exposure and credited strength sets."""
    w = a.weekly.to_pandas()
    exp = w.melt(
        id_vars=["week_start"], value_vars=list(E_COLS), var_name="group", value_name="exposure"
    )
    exp["group"] = exp["group"].str.slice(2)
    st = w.melt(
        id_vars=["week_start"],
        value_vars=list(S_COLS),
        var_name="group",
        value_name="strength_sets",
    )
    st["group"] = st["group"].str.slice(2)
    out = exp.merge(st, on=["week_start", "group"])
    out["target"] = out["group"].map({g: a.muscles[g].target for g in MUSCLE_GROUPS})
    out["group"] = pd.Categorical(out["group"], categories=MUSCLE_GROUPS, ordered=True)
    out = out.sort_values(["week_start", "group"]).reset_index(drop=True)
    out["group"] = out["group"].astype(str)
    return out


def weeks(a: Analysis) -> pd.DataFrame:
    """Wide table: one row per week with every weekly number."""
    return a.weekly.to_pandas()


def activities(a: Analysis) -> pd.DataFrame:
    """One row per activity in the window with its loads, modifiers and flags."""
    f = a.activities.to_pandas()
    f.insert(1, "local_date", [date.fromordinal(int(d)) for d in f["day"]])
    return f.drop(columns=["day", "week"], errors="ignore")


def muscles(a: Analysis) -> pd.DataFrame:
    """One row per group: the scores and the numbers behind them."""
    rows = []
    for g in MUSCLE_GROUPS:
        m, d = a.muscles[g], a.details[g]
        rows.append(
            {
                "group": g,
                "exposure_per_week": m.exposure,
                "strength_per_week": m.strength,
                "target": m.target,
                "priority": m.priority,
                "demand": d.demand,
                "gap": d.gap,
                "exposure_window": d.exposure_window,
                "strength_window": d.strength_window,
                "score_if_targeted": d.score_if_targeted,
            }
        )
    return pd.DataFrame(rows)


def write(analysis: Analysis, directory: str | Path) -> list[Path]:
    """Write the CSV files into ``directory`` (created if needed); returns their paths."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    tables = {
        "weekly_muscles.csv": weekly_muscles(analysis),
        "weeks.csv": weeks(analysis),
        "activities.csv": activities(analysis),
        "muscles.csv": muscles(analysis),
    }
    paths = []
    for name, frame in tables.items():
        path = out / name
        frame.to_csv(path, index=False, float_format="%.4f")
        paths.append(path)
    return paths
