"""Domain values to and from plain JSON-able dicts (the ``--json`` schemas and the cache)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chainfix.model import Activity, ExerciseSummary, Lap, ReadProblem, StrengthSet

ACTIVITIES_SCHEMA_VERSION = 1


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt is not None else None


def set_to_dict(s: StrengthSet) -> dict[str, Any]:
    return {
        "start": _iso(s.start),
        "duration_s": s.duration_s,
        "reps": s.reps,
        "weight_kg": s.weight_kg,
        "set_type": s.set_type,
        "category": s.category,
        "categories": list(s.categories),
        "exercise": s.exercise,
        "workout_step_index": s.workout_step_index,
    }


def summary_to_dict(s: ExerciseSummary) -> dict[str, Any]:
    return {
        "category": s.category,
        "exercise": s.exercise,
        "sets": s.sets,
        "reps": s.reps,
        "max_weight_kg": s.max_weight_kg,
        "duration_s": s.duration_s,
    }


def lap_to_dict(lap: Lap) -> dict[str, Any]:
    return {
        "duration_s": lap.duration_s,
        "distance_m": lap.distance_m,
        "ascent_m": lap.ascent_m,
        "descent_m": lap.descent_m,
    }


def activity_to_dict(a: Activity) -> dict[str, Any]:
    """One activity as documented in ``docs/json.md`` (schema ``activities`` v1)."""
    return {
        "id": a.id,
        "source": a.source,
        "source_file": a.origin.path,
        "member": a.origin.member,
        "sport": a.sport,
        "sub_sport": a.sub_sport,
        "start_utc": _iso(a.start_utc),
        "start_local": _iso(a.start_local),
        "utc_offset_s": a.utc_offset_s,
        "timer_s": a.timer_s,
        "elapsed_s": a.elapsed_s,
        "distance_m": a.distance_m,
        "ascent_m": a.ascent_m,
        "descent_m": a.descent_m,
        "avg_speed_m_s": a.avg_speed_m_s,
        "avg_hr": a.avg_hr,
        "max_hr": a.max_hr,
        "avg_power_w": a.avg_power_w,
        "avg_cadence": a.avg_cadence,
        "device": a.device,
        "leg": a.leg,
        "from_summary": a.from_summary,
        "sets": [set_to_dict(s) for s in a.sets],
        "summary_sets": [summary_to_dict(s) for s in a.summary_sets],
        "laps": [lap_to_dict(lap) for lap in a.laps],
    }


def problem_to_dict(p: ReadProblem) -> dict[str, Any]:
    return {
        "file": p.file,
        "member": p.member,
        "kind": p.kind,
        "severity": p.severity,
        "message": p.message,
    }
