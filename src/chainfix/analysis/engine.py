"""``analyze``: window the history, aggregate per local week and over 28 days, score each group."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd

from chainfix.analysis import explain
from chainfix.analysis.coefficients import Model
from chainfix.analysis.level import athlete_level
from chainfix.analysis.loads import E_COLS, S_COLS, compute_loads
from chainfix.analysis.result import (
    Analysis,
    AnalysisOptions,
    EquFlag,
    GroupDetail,
    Lifting,
    PatternScore,
)
from chainfix.analysis.tables import load_model
from chainfix.errors import UsageError
from chainfix.model import LEVELS, MUSCLE_GROUPS, Activity, History, MuscleScore


def _monday(ordinal: int) -> int:
    return ordinal - (ordinal - 1) % 7


def analyze(history: History, options: AnalysisOptions | None = None) -> Analysis:
    """Analyse a history: exposure, strength, scores and explanations over the chosen window."""
    opts = options or AnalysisOptions()
    if opts.weeks < 1:
        raise UsageError(f"weeks must be at least 1 (got {opts.weeks})")
    if opts.level is not None and opts.level not in LEVELS:
        raise UsageError(f"unknown level {opts.level!r}", hint=f"Use one of {', '.join(LEVELS)}.")
    if opts.since and opts.until and opts.since > opts.until:
        raise UsageError(f"since ({opts.since}) is after until ({opts.until})")
    model = opts.model if isinstance(opts.model, Model) else load_model(opts.model)
    m = model.modifiers

    acts = history.activities
    days = np.fromiter((a.local_date.toordinal() for a in acts), dtype=np.int64, count=len(acts))
    if opts.until is not None:
        end = opts.until.toordinal()
    elif len(days):
        end = int(days.max())
    else:
        end = date.today().toordinal()
    start = opts.since.toordinal() if opts.since else _monday(end) - 7 * (opts.weeks - 1)
    score_start = max(start, end - m.window_days + 1)
    week0, week_n = _monday(start), _monday(end)
    baseline_from = week0 - 7 * m.equ_week_baseline

    sel = np.flatnonzero((days >= baseline_from) & (days <= end))
    frame = compute_loads(model, [acts[i] for i in sel], days[sel])
    frame["week"] = frame["day"] - (frame["day"] - 1) % 7

    level, level_source, level_reason = _level(model, opts, acts, end)

    in_window = frame[(frame["day"] >= start)].reset_index(drop=True)
    scoring = in_window[in_window["day"] >= score_start]
    per_week = (end - score_start + 1) / 7.0

    weekly = _weekly(model, frame, start, week0, week_n, int(days.min()) if len(days) else end)
    muscles, details, balance = _scores(model, opts, level, scoring, per_week)
    lifting = _lifting(model, scoring)
    patterns = _patterns(model, opts, level, scoring, per_week)
    totals = _totals(scoring)
    running_share = totals["running_minutes"] / totals["minutes"] if totals["minutes"] > 0 else None
    flags = _equ_flags(in_window, weekly)
    gaps = _data_gaps(scoring)

    analysis = Analysis(
        level=level,
        level_source=level_source,
        level_reason=level_reason,
        window_start=date.fromordinal(start),
        window_end=date.fromordinal(end),
        score_start=date.fromordinal(score_start),
        muscles=muscles,
        details=details,
        balance=balance,
        running_share=running_share,
        totals=totals,
        lifting=lifting,
        patterns=patterns,
        equ_flags=flags,
        data_gaps=gaps,
        weekly=weekly,
        activities=in_window,
        explanations=[],
        options=opts,
        model=model,
        activity_count=len(in_window),
    )
    reasons = explain.muscle_reasons(analysis)
    muscles = {g: _with_reasons(s, reasons.get(g, ())) for g, s in muscles.items()}
    analysis = replace(analysis, muscles=muscles)
    return replace(analysis, explanations=explain.explanations(analysis))


def _with_reasons(s: MuscleScore, reasons: tuple[str, ...]) -> MuscleScore:
    return MuscleScore(s.group, s.exposure, s.strength, s.target, s.priority, tuple(reasons))


# ---------------------------------------------------------------------------------------------
# Level (R1)
# ---------------------------------------------------------------------------------------------


def _level(
    model: Model, opts: AnalysisOptions, acts: tuple[Activity, ...], end: int
) -> tuple[str, Literal["given", "derived"], str]:
    found = athlete_level(model, acts, date.fromordinal(end + 1), opts.level)
    source: Literal["given", "derived"] = "given" if found.source == "given" else "derived"
    return found.name, source, found.reason


# ---------------------------------------------------------------------------------------------
# Aggregation
# ---------------------------------------------------------------------------------------------

_SUM_COLS = (
    "minutes",
    "run_minutes",
    "endurance_minutes",
    "strength_minutes",
    "unmodelled_minutes",
    "run_km",
    "run_descent_m",
    "descent_m",
    "equ",
    "hard_sets",
    "modelled_sets",
    "unknown_sets",
    "estimated_sets",
    "activities",
)


def _with_minutes(frame: pd.DataFrame) -> pd.DataFrame:
    """Per-activity minutes split by kind, and running distance/descent, as summable columns."""
    run = frame["is_running"].to_numpy(bool)
    kind = frame["kind"].to_numpy(object)
    mins = frame["minutes"].to_numpy(float)
    extra = pd.DataFrame(
        {
            "run_minutes": np.where(run, mins, 0.0),
            "endurance_minutes": np.where((kind == "endurance") & ~run, mins, 0.0),
            "strength_minutes": np.where(kind == "strength", mins, 0.0),
            "unmodelled_minutes": np.where(kind == "unmodelled", mins, 0.0),
            "run_km": np.where(run, np.nan_to_num(frame["distance_km"].to_numpy(float)), 0.0),
            "run_descent_m": np.where(run, np.nan_to_num(frame["descent_m"].to_numpy(float)), 0.0),
            "activities": np.ones(len(frame)),
        },
        index=frame.index,
    )
    out = pd.concat([frame, extra], axis=1)
    out["descent_m"] = np.nan_to_num(out["descent_m"].to_numpy(float))
    return out


def _weekly(
    model: Model, frame: pd.DataFrame, start: int, week0: int, week_n: int, first_day: int
) -> pd.DataFrame:
    """Per-week sums over the window, with the R13 weekly EQU flag."""
    m = model.modifiers
    use = frame[(frame["day"] >= start) | (frame["week"] < week0)]
    use = _with_minutes(use)
    p_cols = [c for c in frame.columns if c.startswith("P_")]
    cols = [*E_COLS, *S_COLS, *p_cols, *_SUM_COLS]
    grouped = use.groupby("week")[cols].sum()
    baseline_weeks = m.equ_week_baseline
    all_weeks = np.arange(week0 - 7 * baseline_weeks, week_n + 1, 7, dtype=np.int64)
    grouped = grouped.reindex(all_weeks, fill_value=0.0)
    equ = grouped["equ"].astype(float)
    known = pd.Series(all_weeks >= _monday(first_day), index=all_weeks)
    prior = equ.where(known).shift(1).rolling(baseline_weeks, min_periods=1).mean()
    grouped["equ_baseline"] = prior
    grouped["equ_flag"] = (
        prior.notna()
        & (equ >= m.equ_week_factor * prior.fillna(0.0))
        & (equ >= model.number("equ_week_min"))
    )
    weekly = grouped.loc[week0:week_n].copy()
    weekly.index.name = "week"
    front = weekly[[f"E_{g}" for g in model.groups("balance_groups_front")]].sum(axis=1)
    back = weekly[[f"E_{g}" for g in model.groups("balance_groups_back")]].sum(axis=1)
    denom = (front + back).to_numpy(float)
    weekly["balance"] = np.where(
        denom > 0, front.to_numpy(float) / np.where(denom > 0, denom, 1), np.nan
    )
    mins = weekly["minutes"].to_numpy(float)
    weekly["running_share"] = np.where(
        mins > 0, weekly["run_minutes"].to_numpy(float) / np.where(mins > 0, mins, 1), np.nan
    )
    weekly.insert(0, "week_start", [date.fromordinal(int(w)) for w in weekly.index])
    return weekly.reset_index(drop=True)


def _totals(scoring: pd.DataFrame) -> dict[str, Any]:
    s = _with_minutes(scoring)
    sums: dict[str, Any] = {c: float(s[c].sum()) for c in _SUM_COLS}
    unmod = s[s["kind"] == "unmodelled"]
    by_sport = (
        unmod.assign(name=unmod["sport"] + "/" + unmod["sub_sport"])
        .groupby("name")["minutes"]
        .sum()
        .sort_values(ascending=False)
    )
    run = s[s["is_running"]]
    sums.update(
        running_minutes=sums["run_minutes"],
        running_activities=int(len(run)),
        unmodelled_by_sport={str(k): float(v) for k, v in by_sport.items()},
        exposure_by_sport=_exposure_by_sport(s),
        forward_posture_minutes=float(s.loc[s["forward_posture"], "minutes"].sum()),
        modelled_minutes=float(s.loc[s["kind"] == "endurance", "minutes"].sum()),
    )
    return sums


def _exposure_by_sport(s: pd.DataFrame) -> dict[str, float]:
    if s.empty:
        return {}
    total = s[list(E_COLS)].sum(axis=1)
    by = total.groupby(s["sport"]).sum().sort_values(ascending=False)
    return {str(k): float(v) for k, v in by.items() if v > 0}


# ---------------------------------------------------------------------------------------------
# Scores
# ---------------------------------------------------------------------------------------------


def _scores(
    model: Model, opts: AnalysisOptions, level: str, scoring: pd.DataFrame, per_week: float
) -> tuple[dict[str, MuscleScore], dict[str, GroupDetail], float | None]:
    e = {g: float(scoring[f"E_{g}"].sum()) for g in MUSCLE_GROUPS}
    s = {g: float(scoring[f"S_{g}"].sum()) for g in MUSCLE_GROUPS}
    front = sum(e[g] for g in model.groups("balance_groups_front"))
    back = sum(e[g] for g in model.groups("balance_groups_back"))
    balance = front / (front + back) if front + back > 0 else None
    e_max = max(e.values())
    modelled = e_max > 0
    # Demand against the busiest group, or the reference weekly load when the athlete trains
    # less than that (E_ref, analysis-rules.csv), so priority grows with real training volume.
    e_scale = max(e_max, model.number("demand_reference_per_week") * per_week)
    wd, wb = model.number("priority_demand_weight"), model.number("priority_balance_weight")
    term = set(model.groups("balance_term_groups"))

    modelled_minutes = float(scoring.loc[scoring["kind"] == "endurance", "minutes"].sum())
    posture_minutes = float(scoring.loc[scoring["forward_posture"], "minutes"].sum())
    posture = modelled_minutes > 0 and (
        posture_minutes / modelled_minutes >= model.number("forward_posture_share")
    )
    sitting = (opts.sitting_hours or 0) >= model.number("sitting_hours_threshold") > 0

    muscles: dict[str, MuscleScore] = {}
    details: dict[str, GroupDetail] = {}
    for g in MUSCLE_GROUPS:
        tgt = model.target("muscle_group", g, level, phase=opts.phase, flags=opts.flags)
        minimum, target = tgt if tgt else (None, 0.0)
        strength_wk = s[g] / per_week
        gap = max(0.0, 1.0 - strength_wk / target) if target > 0 else 0.0
        demand = e[g] / e_scale if modelled else 0.0
        if modelled:
            base = wd * demand + wb * (balance or 0.0) * (g in term)
        else:
            base = 1.0
        factor = 1.0
        if sitting and g in ("glute_max", "upper_back"):
            factor *= model.number("sitting_factor")
        if posture and g == "upper_back":
            factor *= model.number("forward_posture_factor")
        priority = min(1.0, gap * base * factor)
        muscles[g] = MuscleScore(g, e[g] / per_week, strength_wk, target, priority)
        details[g] = GroupDetail(
            exposure_window=e[g],
            strength_window=s[g],
            demand=demand,
            gap=gap,
            minimum=minimum,
            target_source=("in_season" if opts.phase == "race" else "development")
            if tgt
            else "none",
            score_if_targeted=min(1.0, base * factor),
            factor=factor,
        )
    return muscles, details, balance


def _lifting(model: Model, scoring: pd.DataFrame) -> Lifting:
    front = sum(float(scoring[f"S_{g}"].sum()) for g in model.groups("ap_front_groups"))
    back = sum(float(scoring[f"S_{g}"].sum()) for g in model.groups("ap_back_groups"))
    hard = float(scoring["hard_sets"].sum())
    est = float(scoring["estimated_sets"].sum())
    ratio = front / back if back > 0 else None
    return Lifting(
        workouts=int(((scoring["hard_sets"] + scoring["estimated_sets"]) > 0).sum()),
        hard_sets=hard,
        modelled_sets=float(scoring["modelled_sets"].sum()),
        unknown_sets=float(scoring["unknown_sets"].sum()),
        estimated_sets=est,
        estimated_workouts=int((scoring["estimated_sets"] > 0).sum()),
        anterior=front,
        posterior=back,
        ap_ratio=ratio,
    )


def _patterns(
    model: Model, opts: AnalysisOptions, level: str, scoring: pd.DataFrame, per_week: float
) -> dict[str, PatternScore]:
    out = {}
    for name in model.patterns():
        tgt = model.target("pattern", name, level, phase=opts.phase, flags=opts.flags)
        minimum, target = tgt if tgt else (0.0, 0.0)
        col = f"P_{name}"
        sets = float(scoring[col].sum()) / per_week if col in scoring else 0.0
        out[name] = PatternScore(name, sets, minimum, target)
    return out


def _equ_flags(window: pd.DataFrame, weekly: pd.DataFrame) -> list[EquFlag]:
    flags: list[EquFlag] = []
    hits = window.loc[window["equ_flag"], ["day", "equ", "descent_m", "sport", "id"]]
    for day, equ, descent, sport, ident in zip(*(hits[c].tolist() for c in hits), strict=True):
        flags.append(
            EquFlag(
                "activity",
                date.fromordinal(int(day)),
                float(equ),
                float(descent),
                sport=str(sport),
                activity_id=str(ident),
            )
        )
    weeks = weekly.loc[weekly["equ_flag"], ["week_start", "equ", "descent_m", "equ_baseline"]]
    for start, equ, descent, baseline in zip(*(weeks[c].tolist() for c in weeks), strict=True):
        flags.append(EquFlag("week", start, float(equ), float(descent), baseline=float(baseline)))
    return flags


def _data_gaps(scoring: pd.DataFrame) -> dict[str, Any]:
    def count(col: str) -> int:
        return int(scoring[col].sum())

    return {
        "no_grade_data": count("no_grade_data"),
        "no_speed_data": count("no_speed_data"),
        "steady_no_zones": count("steady_no_zones"),
        "unmodelled_activities": int((scoring["kind"] == "unmodelled").sum()),
        "unknown_sets": float(scoring["unknown_sets"].sum()),
        "estimated_workouts": int((scoring["estimated_sets"] > 0).sum()),
    }
