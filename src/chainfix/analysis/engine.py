"""``analyze``: window the history, aggregate per local week and over 28 days, score each group."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date
from typing import Any, Literal

from chainfix.analysis import explain
from chainfix.analysis.coefficients import Model
from chainfix.analysis.frame import Frame
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
from chainfix.analysis.strength import Tallies, tallies_of
from chainfix.analysis.tables import load_model
from chainfix.errors import UsageError
from chainfix.model import LEVELS, MUSCLE_GROUPS, Activity, History, MuscleScore


def _monday(ordinal: int) -> int:
    return ordinal - (ordinal - 1) % 7


def analyze(
    history: History, options: AnalysisOptions | None = None, *, tallies: Tallies | None = None
) -> Analysis:
    """Analyse a history: exposure, strength, scores and explanations over the chosen window.

    ``tallies`` gives the tally of each activity's sets (default: worked out from them; a
    remembered analysis passes those it remembers, :mod:`chainfix.analysis.tally_memo`)."""
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
    days = [a.local_date.toordinal() for a in acts]
    if opts.until is not None:
        end = opts.until.toordinal()
    elif days:
        end = max(days)
    else:
        end = date.today().toordinal()
    start = opts.since.toordinal() if opts.since else _monday(end) - 7 * (opts.weeks - 1)
    score_start = max(start, end - m.window_days + 1)
    week0, week_n = _monday(start), _monday(end)
    baseline_from = week0 - 7 * m.equ_week_baseline

    sel = [i for i, day in enumerate(days) if baseline_from <= day <= end]
    tallies = tallies or tallies_of(model)
    frame = compute_loads(model, [acts[i] for i in sel], [days[i] for i in sel], tallies)

    level, level_source, level_reason = _level(model, opts, acts, end, tallies)

    in_window = frame.take([i for i, day in enumerate(frame["day"]) if day >= start])
    scoring = in_window.take([i for i, day in enumerate(in_window["day"]) if day >= score_start])
    per_week = (end - score_start + 1) / 7.0

    weekly = _weekly(model, frame, start, week0, week_n, min(days) if days else end)
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
    model: Model, opts: AnalysisOptions, acts: tuple[Activity, ...], end: int, tallies: Tallies
) -> tuple[str, Literal["given", "derived"], str]:
    found = athlete_level(model, acts, date.fromordinal(end + 1), opts.level, tallies)
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


def _zero_nan(value: float) -> float:
    return 0.0 if math.isnan(value) else value


def _summable(row: dict[str, Any]) -> dict[str, float]:
    """One activity's minutes split by kind, and its running distance and descent."""
    run, kind, mins = row["is_running"], row["kind"], row["minutes"]
    return {
        "minutes": mins,
        "run_minutes": mins if run else 0.0,
        "endurance_minutes": mins if kind == "endurance" and not run else 0.0,
        "strength_minutes": mins if kind == "strength" else 0.0,
        "unmodelled_minutes": mins if kind == "unmodelled" else 0.0,
        "run_km": _zero_nan(row["distance_km"]) if run else 0.0,
        "run_descent_m": _zero_nan(row["descent_m"]) if run else 0.0,
        "descent_m": _zero_nan(row["descent_m"]),
        "equ": row["equ"],
        "hard_sets": row["hard_sets"],
        "modelled_sets": row["modelled_sets"],
        "unknown_sets": row["unknown_sets"],
        "estimated_sets": row["estimated_sets"],
        "activities": 1.0,
    }


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole > 0 else math.nan


def _weekly(
    model: Model, frame: Frame, start: int, week0: int, week_n: int, first_day: int
) -> Frame:
    """Per-week sums over the window, with the R13 weekly EQU flag."""
    m = model.modifiers
    p_cols = [c for c in frame.names if c.startswith("P_")]
    load_cols = [*E_COLS, *S_COLS, *p_cols]
    cols = [*load_cols, *_SUM_COLS]
    baseline_weeks = m.equ_week_baseline
    all_weeks = range(week0 - 7 * baseline_weeks, week_n + 1, 7)
    members: dict[int, list[dict[str, Any]]] = {week: [] for week in all_weeks}
    for row in frame.rows():
        week = _monday(row["day"])
        if (row["day"] >= start or week < week0) and week in members:
            members[week].append({**row, **_summable(row)})
    sums = {
        week: {col: math.fsum(row[col] for row in rows) for col in cols}
        for week, rows in members.items()
    }

    # A week's EQU against the mean of the known weeks before it (at most baseline_weeks).
    first_known = _monday(first_day)
    equs = [sums[w]["equ"] if w >= first_known else None for w in all_weeks]
    front_groups = [f"E_{g}" for g in model.groups("balance_groups_front")]
    back_groups = [f"E_{g}" for g in model.groups("balance_groups_back")]
    names = ["week_start", *cols, "equ_baseline", "equ_flag", "balance", "running_share"]
    rows = []
    for i, week in enumerate(all_weeks):
        if week < week0:
            continue
        known = [e for e in equs[max(0, i - baseline_weeks) : i] if e is not None]
        prior = sum(known) / len(known) if known else math.nan
        total = sums[week]
        equ = total["equ"]
        flag = (
            bool(known) and equ >= m.equ_week_factor * prior and equ >= model.number("equ_week_min")
        )
        front = sum(total[c] for c in front_groups)
        back = sum(total[c] for c in back_groups)
        rows.append(
            [
                date.fromordinal(week),
                *(total[c] for c in cols),
                prior,
                flag,
                _ratio(front, front + back),
                _ratio(total["run_minutes"], total["minutes"]),
            ]
        )
    return Frame.from_rows(names, rows)


def _sum(frame: Frame, col: str) -> float:
    return math.fsum(frame[col])


def _totals(scoring: Frame) -> dict[str, Any]:
    rows = [{**row, **_summable(row)} for row in scoring.rows()]
    sums: dict[str, Any] = {col: math.fsum(row[col] for row in rows) for col in _SUM_COLS}
    unmodelled: dict[str, list[float]] = {}
    by_sport: dict[str, list[float]] = {}
    for row in rows:
        if row["kind"] == "unmodelled":
            unmodelled.setdefault(f"{row['sport']}/{row['sub_sport']}", []).append(row["minutes"])
        by_sport.setdefault(row["sport"], []).extend(row[c] for c in E_COLS)
    sums.update(
        running_minutes=sums["run_minutes"],
        running_activities=sum(1 for row in rows if row["is_running"]),
        unmodelled_by_sport=_largest_first(unmodelled),
        exposure_by_sport={k: v for k, v in _largest_first(by_sport).items() if v > 0},
        forward_posture_minutes=math.fsum(r["minutes"] for r in rows if r["forward_posture"]),
        modelled_minutes=math.fsum(r["minutes"] for r in rows if r["kind"] == "endurance"),
    )
    return sums


def _largest_first(values: dict[str, list[float]]) -> dict[str, float]:
    """Each name's total, largest first (ties by name)."""
    totals = {name: math.fsum(parts) for name, parts in values.items()}
    return dict(sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])))


# ---------------------------------------------------------------------------------------------
# Scores
# ---------------------------------------------------------------------------------------------


def _scores(
    model: Model, opts: AnalysisOptions, level: str, scoring: Frame, per_week: float
) -> tuple[dict[str, MuscleScore], dict[str, GroupDetail], float | None]:
    e = {g: _sum(scoring, f"E_{g}") for g in MUSCLE_GROUPS}
    s = {g: _sum(scoring, f"S_{g}") for g in MUSCLE_GROUPS}
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

    kinds, minutes = scoring["kind"], scoring["minutes"]
    modelled_minutes = math.fsum(m for k, m in zip(kinds, minutes, strict=True) if k == "endurance")
    posture_minutes = math.fsum(
        m for p, m in zip(scoring["forward_posture"], minutes, strict=True) if p
    )
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


def _lifting(model: Model, scoring: Frame) -> Lifting:
    front = sum(_sum(scoring, f"S_{g}") for g in model.groups("ap_front_groups"))
    back = sum(_sum(scoring, f"S_{g}") for g in model.groups("ap_back_groups"))
    hard, est = scoring["hard_sets"], scoring["estimated_sets"]
    return Lifting(
        workouts=sum(1 for h, e in zip(hard, est, strict=True) if h + e > 0),
        hard_sets=math.fsum(hard),
        modelled_sets=_sum(scoring, "modelled_sets"),
        unknown_sets=_sum(scoring, "unknown_sets"),
        estimated_sets=math.fsum(est),
        estimated_workouts=sum(1 for e in est if e > 0),
        anterior=front,
        posterior=back,
        ap_ratio=front / back if back > 0 else None,
    )


def _patterns(
    model: Model, opts: AnalysisOptions, level: str, scoring: Frame, per_week: float
) -> dict[str, PatternScore]:
    out = {}
    for name in model.patterns():
        tgt = model.target("pattern", name, level, phase=opts.phase, flags=opts.flags)
        minimum, target = tgt if tgt else (0.0, 0.0)
        col = f"P_{name}"
        sets = _sum(scoring, col) / per_week if col in scoring else 0.0
        out[name] = PatternScore(name, sets, minimum, target)
    return out


def _equ_flags(window: Frame, weekly: Frame) -> list[EquFlag]:
    flags = [
        EquFlag(
            "activity",
            date.fromordinal(row["day"]),
            float(row["equ"]),
            float(row["descent_m"]),
            sport=str(row["sport"]),
            activity_id=str(row["id"]),
        )
        for row in window.rows()
        if row["equ_flag"]
    ]
    flags.extend(
        EquFlag(
            "week",
            row["week_start"],
            float(row["equ"]),
            float(row["descent_m"]),
            baseline=float(row["equ_baseline"]),
        )
        for row in weekly.rows()
        if row["equ_flag"]
    )
    return flags


def _data_gaps(scoring: Frame) -> dict[str, Any]:
    def count(col: str) -> int:
        return sum(1 for flag in scoring[col] if flag)

    return {
        "no_grade_data": count("no_grade_data"),
        "no_speed_data": count("no_speed_data"),
        "steady_no_zones": count("steady_no_zones"),
        "unmodelled_activities": sum(1 for k in scoring["kind"] if k == "unmodelled"),
        "unknown_sets": _sum(scoring, "unknown_sets"),
        "estimated_workouts": sum(1 for e in scoring["estimated_sets"] if e > 0),
    }
