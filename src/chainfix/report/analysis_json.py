"""The analysis as JSON (schema: ``docs/analysis-json.md``; bump ``SCHEMA_VERSION`` on changes).

The one codec of :class:`~chainfix.analysis.Analysis`, used by ``analyze --json``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from chainfix import __version__
from chainfix.analysis.wording import FRAMING, thin_data
from chainfix.model import MUSCLE_GROUPS, POSTERIOR_CHAIN
from chainfix.planning.checkin import CheckInReport, report_to_dict

if TYPE_CHECKING:
    from chainfix.analysis.frame import Frame
    from chainfix.analysis.result import Analysis

SCHEMA_VERSION = 1
"""Version of the JSON layout (``docs/analysis-json.md``): bump it when a key goes or changes."""


def _r(x: float | None, digits: int = 4) -> float | None:
    if x is None or x != x:
        return None
    return round(float(x), digits)


def analysis_json(a: Analysis, checkins: Sequence[CheckInReport] = ()) -> dict[str, Any]:
    """Every number of ``a`` as plain JSON types, with the recent ``checkins``."""
    muscles = {}
    for g in MUSCLE_GROUPS:
        s, d = a.muscles[g], a.details[g]
        muscles[g] = {
            "exposure": _r(s.exposure),
            "strength": _r(s.strength),
            "target": _r(s.target),
            "priority": _r(s.priority),
            "posterior_chain": g in POSTERIOR_CHAIN,
            "demand": _r(d.demand),
            "gap": _r(d.gap),
            "minimum": _r(d.minimum),
            "target_source": d.target_source,
            "score_if_targeted": _r(d.score_if_targeted),
            "factor": _r(d.factor),
            "exposure_window": _r(d.exposure_window),
            "strength_window": _r(d.strength_window),
            "reasons": list(s.reasons),
        }
    t = a.totals
    lift = a.lifting
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": f"chainfix {__version__}",
        "framing": FRAMING,
        "window": {
            "start": a.window_start.isoformat(),
            "end": a.window_end.isoformat(),
            "weeks": len(a.weekly),
            "score_start": a.score_start.isoformat(),
            "score_days": a.score_days,
            "activities": a.activity_count,
        },
        "level": {"name": a.level, "source": a.level_source, "reason": a.level_reason},
        "phase": a.options.phase,
        "flags": sorted(a.options.flags),
        "muscles": muscles,
        "glutes": {k: _r(v) for k, v in a.glutes().items()},
        "ranking": [m.group for m in a.ranked],
        "balance": _r(a.balance),
        "running_share": _r(a.running_share),
        "time": {
            "minutes": _r(t["minutes"]),
            "running_minutes": _r(t["running_minutes"]),
            "other_endurance_minutes": _r(t["endurance_minutes"]),
            "strength_minutes": _r(t["strength_minutes"]),
            "unmodelled_minutes": _r(t["unmodelled_minutes"]),
            "unmodelled_by_sport": {k: _r(v) for k, v in t["unmodelled_by_sport"].items()},
            "exposure_by_sport": {k: _r(v) for k, v in t["exposure_by_sport"].items()},
            "forward_posture_minutes": _r(t["forward_posture_minutes"]),
            "running_km": _r(t["run_km"]),
            "running_descent_m": _r(t["run_descent_m"]),
            "running_activities": t["running_activities"],
        },
        "lifting": {
            "workouts": lift.workouts,
            "hard_sets": _r(lift.hard_sets),
            "modelled_sets": _r(lift.modelled_sets),
            "unknown_sets": _r(lift.unknown_sets),
            "estimated_sets": _r(lift.estimated_sets),
            "estimated_workouts": lift.estimated_workouts,
            "anterior_credits": _r(lift.anterior),
            "posterior_credits": _r(lift.posterior),
            "ap_ratio": _r(lift.ap_ratio),
        },
        "patterns": {
            name: {
                "sets_per_week": _r(p.sets_per_week),
                "minimum": _r(p.minimum),
                "target": _r(p.target),
            }
            for name, p in a.patterns.items()
        },
        "equ": {
            "window": _r(t["equ"]),
            "flags": [
                {
                    "kind": f.kind,
                    "date": f.date.isoformat(),
                    "equ": _r(f.equ),
                    "descent_m": _r(f.descent_m),
                    "sport": f.sport or None,
                    "activity_id": f.activity_id or None,
                    "baseline": _r(f.baseline),
                }
                for f in a.equ_flags
            ],
        },
        "data_gaps": {
            **{k: (_r(v) if isinstance(v, float) else v) for k, v in a.data_gaps.items()},
            **thin_data(a),
        },
        "weeks": weeks_json(a.weekly),
        "explanations": list(a.explanations),
        "plan_start": list(a.plan_start),
        "checkins": [report_to_dict(r) for r in checkins],
        "model": {
            "files": [asdict(f) for f in a.model.files],
            "ignored": list(a.model.ignored),
        },
    }


def weeks_json(weekly: Frame) -> list[dict[str, Any]]:
    out = []
    p_cols = [c for c in weekly.names if c.startswith("P_")]
    for rec in weekly.rows():
        out.append(
            {
                "week_start": rec["week_start"].isoformat(),
                "exposure": {g: _r(rec[f"E_{g}"]) for g in MUSCLE_GROUPS},
                "strength": {g: _r(rec[f"S_{g}"]) for g in MUSCLE_GROUPS},
                "pattern_sets": {c[2:]: _r(rec[c]) for c in p_cols},
                "minutes": {
                    "total": _r(rec["minutes"]),
                    "running": _r(rec["run_minutes"]),
                    "other_endurance": _r(rec["endurance_minutes"]),
                    "strength": _r(rec["strength_minutes"]),
                    "unmodelled": _r(rec["unmodelled_minutes"]),
                },
                "activities": int(rec["activities"]),
                "running_km": _r(rec["run_km"]),
                "running_descent_m": _r(rec["run_descent_m"]),
                "descent_m": _r(rec["descent_m"]),
                "equ": _r(rec["equ"]),
                "equ_baseline": _r(rec["equ_baseline"]),
                "equ_flag": bool(rec["equ_flag"]),
                "hard_sets": _r(rec["hard_sets"]),
                "unknown_sets": _r(rec["unknown_sets"]),
                "estimated_sets": _r(rec["estimated_sets"]),
                "balance": _r(rec["balance"]),
                "running_share": _r(rec["running_share"]),
            }
        )
    return out
