"""A plain summary of a history: time and counts by sport, per week and month, strength work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from chainfix.analysis.coefficients import Model
from chainfix.analysis.level import is_strength_workout
from chainfix.analysis.tables import load_model
from chainfix.model import History


@dataclass(frozen=True, slots=True)
class HistorySummary:
    first: date | None
    last: date | None
    activities: int
    hours: float
    distance_km: float
    by_sport: pd.DataFrame
    """Index sport; columns activities, hours, km, ascent_m, descent_m."""
    by_week: pd.DataFrame
    """Index week start (Monday, local); one hours column per sport."""
    by_month: pd.DataFrame
    strength_sessions: int
    strength_sets: int
    unknown_sets: int

    def to_json(self) -> dict[str, Any]:
        def frame(df: pd.DataFrame) -> list[dict[str, Any]]:
            out = df.reset_index()
            out.iloc[:, 0] = out.iloc[:, 0].astype(str)
            return [
                {k: (round(v, 3) if isinstance(v, float) else v) for k, v in row.items()}
                for row in out.to_dict(orient="records")
            ]

        return {
            "first": self.first.isoformat() if self.first else None,
            "last": self.last.isoformat() if self.last else None,
            "activities": self.activities,
            "hours": round(self.hours, 3),
            "distance_km": round(self.distance_km, 3),
            "by_sport": frame(self.by_sport),
            "by_week": frame(self.by_week),
            "by_month": frame(self.by_month),
            "strength_sessions": self.strength_sessions,
            "strength_sets": self.strength_sets,
            "unknown_sets": self.unknown_sets,
        }


def summarize(history: History, model: Model | None = None) -> HistorySummary:
    """Totals by sport, week (local, Monday start) and month.

    A strength session is one by the analysis's one definition
    (:func:`~chainfix.analysis.level.is_strength_workout`, with ``model`` or the built-in tables).
    """
    model = model if model is not None else load_model()
    rows = [
        {
            "sport": a.sport,
            "local_date": pd.Timestamp(a.local_date),
            "hours": a.duration_s / 3600,
            "km": (a.distance_m or 0.0) / 1000,
            "ascent_m": a.ascent_m or 0.0,
            "descent_m": a.descent_m or 0.0,
            "strength": is_strength_workout(model, a),
            "sets": len(a.active_sets) + sum(s.sets for s in a.summary_sets),
            "unknown_sets": sum(1 for s in a.active_sets if s.category == "unknown"),
        }
        for a in history.activities
    ]
    if not rows:
        empty = pd.DataFrame()
        return HistorySummary(None, None, 0, 0.0, 0.0, empty, empty, empty, 0, 0, 0)
    df = pd.DataFrame(rows)
    by_sport = (
        df.groupby("sport")
        .agg(
            activities=("hours", "size"),
            hours=("hours", "sum"),
            km=("km", "sum"),
            ascent_m=("ascent_m", "sum"),
            descent_m=("descent_m", "sum"),
        )
        .sort_values("hours", ascending=False)
    )
    week = df["local_date"] - pd.to_timedelta(df["local_date"].dt.day_of_week, unit="D")
    by_week = df.assign(week=week).pivot_table(
        index="week", columns="sport", values="hours", aggfunc="sum", fill_value=0.0
    )
    month = df["local_date"].dt.to_period("M")
    by_month = df.assign(month=month).pivot_table(
        index="month", columns="sport", values="hours", aggfunc="sum", fill_value=0.0
    )
    return HistorySummary(
        first=df["local_date"].min().date(),
        last=df["local_date"].max().date(),
        activities=len(df),
        hours=float(df["hours"].sum()),
        distance_km=float(df["km"].sum()),
        by_sport=by_sport,
        by_week=by_week,
        by_month=by_month,
        strength_sessions=int(df["strength"].sum()),
        strength_sets=int(df["sets"].sum()),
        unknown_sets=int(df["unknown_sets"].sum()),
    )
