"""Per-activity loads: endurance exposure (coefficient-minutes) and strength credits per group.

One pass over the activities, in plain Python: a window holds a few hundred activities and ten
years about 3,500, a few milliseconds either way, and ``chainfix analyze`` loads no numerical
library.

Endurance exposure follows ``modifiers.csv``: ``E(m) = minutes * scale * (f_flat * ((1 - w) *
base(m) + w * intense(m)) + f_up * uphill(m) + f_down * downhill(m))`` with grade fractions from
ascent/descent over distance and intensity ``w`` from average speed. An activity without the data
a modifier needs gets the base value for it and a flag column saying so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from chainfix.analysis.coefficients import Model
from chainfix.analysis.frame import Frame
from chainfix.analysis.strength import Tallies, count_activity, tallies_of
from chainfix.model import MUSCLE_GROUPS, Activity

E_COLS: tuple[str, ...] = tuple(f"E_{g}" for g in MUSCLE_GROUPS)
"""Exposure columns (coefficient-minutes), one per group."""
S_COLS: tuple[str, ...] = tuple(f"S_{g}" for g in MUSCLE_GROUPS)
"""Strength columns (credited hard sets), one per group."""

_NG = len(MUSCLE_GROUPS)
_NAN = float("nan")


@dataclass(slots=True)
class _KeyInfo:
    """What the model says about one (sport, sub_sport) pair."""

    label: str
    kind: str  # endurance | strength | unmodelled
    base: tuple[float, ...]
    intense: tuple[float, ...]
    uphill: tuple[float, ...]
    downhill: tuple[float, ...]
    scale: float
    has_intense: bool
    grade: bool
    speed_intensity: bool
    zone_intensity: bool
    equ_divisor: float
    forward_posture: bool


def _key_info(model: Model, sport: str, sub_sport: str) -> _KeyInfo:
    key, rows = model.exposure_rows(sport, sub_sport)
    label = f"{key[0]}/{key[1]}"
    zeros = (0.0,) * _NG
    if "base" not in rows:
        kind = "strength" if "per_set" in rows else "unmodelled"
        return _KeyInfo(
            label, kind, zeros, zeros, zeros, zeros, 0.0, False, False, False, False, 0.0, False
        )
    base_row = rows["base"]
    base = tuple(float(c) for c in base_row.coefficients)

    def variant(name: str) -> tuple[float, ...]:
        row = rows.get(name)
        return tuple(float(c) for c in row.coefficients) if row is not None else base

    m = model.modifiers
    indoor = (sport, sub_sport) in m.indoor_pairs
    return _KeyInfo(
        label=label,
        kind="endurance",
        base=base,
        intense=variant("intense"),
        uphill=variant("uphill"),
        downhill=variant("downhill"),
        scale=base_row.scale,
        has_intense="intense" in rows,
        grade=sport in m.grade_sports and not indoor,
        speed_intensity=sport in m.speed_intensity_sports and "intense" in rows,
        zone_intensity=sport in m.zone_intensity_sports and "intense" in rows,
        equ_divisor=0.0 if indoor else m.equ_divisors.get(sport, 0.0),
        forward_posture=any("forward posture" in r.notes for r in rows.values()),
    )


def _positive_or_nan(value: float | None) -> float:
    return max(value, 0.0) if value is not None else _NAN


def compute_loads(
    model: Model,
    activities: Sequence[Activity],
    days: Sequence[int],
    tallies: Tallies | None = None,
) -> Frame:
    """One row per activity with its exposure, strength credits, flags and source numbers.

    ``days`` holds each activity's local date as a proleptic ordinal (``date.toordinal()``);
    ``tallies`` gives the tally of each one's sets (default: worked out from them).
    """
    tallies = tallies or tallies_of(model)
    m = model.modifiers
    infos: dict[tuple[str, str], _KeyInfo] = {}
    fams = list(model.families)
    credits = [model.families[f].credits for f in fams]
    patterns = model.patterns()
    pattern_cols = [f"P_{name}" for name in patterns]
    names = [
        "id", "day", "sport", "sub_sport", "model_key", "kind", "is_running", "minutes",
        "distance_km", "ascent_m", "descent_m", "avg_speed_m_s", "f_up", "f_down",
        "intensity_w", "no_grade_data", "no_speed_data", "steady_no_zones", "forward_posture",
        "equ", "equ_flag", *E_COLS, *S_COLS, "hard_sets", "modelled_sets", "unknown_sets",
        "estimated_sets", "strength_basis", *pattern_cols,
    ]  # fmt: skip
    rows: list[list[Any]] = []
    for a, day in zip(activities, days, strict=True):
        k = (a.sport.lower(), a.sub_sport.lower())
        info = infos.get(k)
        if info is None:
            info = infos[k] = _key_info(model, *k)
        minutes = max(a.duration_s, 0.0) / 60.0
        dist = a.distance_m if a.distance_m is not None else _NAN
        asc, desc = _positive_or_nan(a.ascent_m), _positive_or_nan(a.descent_m)
        speed = a.avg_speed_m_s if a.avg_speed_m_s is not None else _NAN

        has_dist = dist > 0  # False for NaN
        f_up = f_down = 0.0
        if info.grade and has_dist:
            if not math.isnan(asc):
                f_up = max(0.0, min(m.grade_cap_up, asc / (m.grade_g_up * dist)))
            if not math.isnan(desc):
                f_down = max(0.0, min(m.grade_cap_down, desc / (m.grade_g_down * dist)))
        total = f_up + f_down
        if total > 1:
            f_up, f_down = f_up / total, f_down / total
        f_flat = 1.0 - f_up - f_down
        no_grade = info.grade and (not has_dist or math.isnan(asc) or math.isnan(desc))

        derived = dist / (minutes * 60) if has_dist and minutes > 0 else _NAN
        v = derived if math.isnan(speed) else speed
        w = 0.0
        if info.speed_intensity and not math.isnan(v):
            w = min(1.0, max(0.0, (v - m.v_lo) / (m.v_hi - m.v_lo)))
        no_speed = info.speed_intensity and math.isnan(v)

        exposure = [
            minutes * (info.scale * (f_flat * ((1 - w) * b + w * i) + f_up * u + f_down * d))
            for b, i, u, d in zip(info.base, info.intense, info.uphill, info.downhill, strict=True)
        ]
        equ = desc / info.equ_divisor if info.equ_divisor > 0 and not math.isnan(desc) else 0.0

        # strength: hard sets per family -> credits per group and sets per pattern
        strength = [0.0] * _NG
        pattern_sets = [0.0] * len(patterns)
        logged = unknown = estimated = 0.0
        modelled = 0.0
        basis = ""
        count = None
        tally = tallies(a)
        if tally is not None or a.summary_sets or info.kind == "strength":
            count = count_activity(model, a, info.kind == "strength", tally)
        if count is not None:
            for fam, fam_credits in zip(fams, credits, strict=True):
                n_sets = count.families.get(fam, 0)
                if not n_sets:
                    continue
                for g, credit in enumerate(fam_credits):
                    strength[g] += n_sets * credit
                for j, counted in enumerate(patterns.values()):
                    if fam in counted:
                        pattern_sets[j] += n_sets
            logged, unknown = float(count.logged_sets), float(count.unknown_sets)
            estimated, basis = float(count.estimated_sets), count.basis
            modelled = logged - count.families.get("not_modelled", 0)
        kind = "strength" if logged + estimated > 0 else info.kind
        endurance = kind == "endurance"
        rows.append(
            [
                a.id,
                int(day),
                a.sport,
                a.sub_sport,
                info.label,
                kind,
                a.sport.lower() == "running",
                minutes,
                dist / 1000.0,
                asc,
                desc,
                v,
                f_up,
                f_down,
                w,
                no_grade and endurance,
                no_speed and endurance,
                info.zone_intensity and endurance,
                info.forward_posture and endurance,
                equ,
                equ >= m.equ_flag_activity,
                *exposure,
                *strength,
                logged,
                modelled,
                unknown,
                estimated,
                basis,
                *pattern_sets,
            ]  # fmt: skip
        )
    return Frame.from_rows(names, rows)
