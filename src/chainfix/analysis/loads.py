"""Per-activity loads: endurance exposure (coefficient-minutes) and strength credits per group.

One Python pass collects the few numbers each activity needs; everything else is numpy on whole
columns, so ten years of history (~3,500 activities) take milliseconds.

Endurance exposure follows ``modifiers.csv``: ``E(m) = minutes * scale * (f_flat * ((1 - w) *
base(m) + w * intense(m)) + f_up * uphill(m) + f_down * downhill(m))`` with grade fractions from
ascent/descent over distance and intensity ``w`` from average speed. An activity without the data
a modifier needs gets the base value for it and a flag column saying so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from chainfix.analysis.coefficients import Model
from chainfix.analysis.strength import StrengthCount, count_activity
from chainfix.model import MUSCLE_GROUPS, Activity

E_COLS: tuple[str, ...] = tuple(f"E_{g}" for g in MUSCLE_GROUPS)
"""Exposure columns (coefficient-minutes), one per group."""
S_COLS: tuple[str, ...] = tuple(f"S_{g}" for g in MUSCLE_GROUPS)
"""Strength columns (credited hard sets), one per group."""

_NG = len(MUSCLE_GROUPS)


@dataclass(slots=True)
class _KeyInfo:
    """What the model says about one (sport, sub_sport) pair."""

    label: str
    kind: str  # endurance | strength | unmodelled
    base: np.ndarray
    intense: np.ndarray
    uphill: np.ndarray
    downhill: np.ndarray
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
    zeros = np.zeros(_NG)
    if "base" not in rows:
        kind = "strength" if "per_set" in rows else "unmodelled"
        return _KeyInfo(
            label, kind, zeros, zeros, zeros, zeros, 0.0, False, False, False, False, 0.0, False
        )
    base_row = rows["base"]
    base = np.asarray(base_row.coefficients, dtype=float)

    def variant(name: str) -> np.ndarray:
        row = rows.get(name)
        return np.asarray(row.coefficients, dtype=float) if row is not None else base

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


def compute_loads(model: Model, activities: Sequence[Activity], days: np.ndarray) -> pd.DataFrame:
    """One row per activity with its exposure, strength credits, flags and source numbers.

    ``days`` holds each activity's local date as a proleptic ordinal (``date.toordinal()``).
    """
    n = len(activities)
    keys: dict[tuple[str, str], int] = {}
    infos: list[_KeyInfo] = []
    kidx = np.empty(n, dtype=np.int64)
    nan = float("nan")
    minutes = np.empty(n)
    dist = np.empty(n)
    asc = np.empty(n)
    desc = np.empty(n)
    speed = np.empty(n)
    counts: list[tuple[int, StrengthCount]] = []
    for i, a in enumerate(activities):
        k = (a.sport.lower(), a.sub_sport.lower())
        j = keys.get(k)
        if j is None:
            j = keys[k] = len(infos)
            infos.append(_key_info(model, *k))
        kidx[i] = j
        minutes[i] = max(a.duration_s, 0.0) / 60.0
        dist[i] = a.distance_m if a.distance_m is not None else nan
        asc[i] = max(a.ascent_m, 0.0) if a.ascent_m is not None else nan
        desc[i] = max(a.descent_m, 0.0) if a.descent_m is not None else nan
        speed[i] = a.avg_speed_m_s if a.avg_speed_m_s is not None else nan
        if a.sets or a.summary_sets or infos[j].kind == "strength":
            c = count_activity(model, a, infos[j].kind == "strength")
            if c is not None:
                counts.append((i, c))

    def per_key(attr: str, dtype: type = float) -> np.ndarray:
        return (
            np.array([getattr(info, attr) for info in infos], dtype=dtype)[kidx]
            if n
            else (np.zeros(0, dtype=dtype))
        )

    def per_key_rows(attr: str) -> np.ndarray:
        if not n:
            return np.zeros((0, _NG))
        return np.stack([getattr(info, attr) for info in infos])[kidx]

    m = model.modifiers
    grade = per_key("grade", bool)
    has_dist = np.nan_to_num(dist) > 0
    safe_dist = np.where(has_dist, dist, 1.0)
    f_up = np.where(
        grade & has_dist & ~np.isnan(asc),
        np.minimum(m.grade_cap_up, np.nan_to_num(asc) / (m.grade_g_up * safe_dist)),
        0.0,
    )
    f_down = np.where(
        grade & has_dist & ~np.isnan(desc),
        np.minimum(m.grade_cap_down, np.nan_to_num(desc) / (m.grade_g_down * safe_dist)),
        0.0,
    )
    f_up = np.maximum(f_up, 0.0)
    f_down = np.maximum(f_down, 0.0)
    total = f_up + f_down
    over = total > 1
    f_up = np.where(over, f_up / np.where(over, total, 1), f_up)
    f_down = np.where(over, f_down / np.where(over, total, 1), f_down)
    f_flat = 1.0 - f_up - f_down
    no_grade = grade & (~has_dist | np.isnan(asc) | np.isnan(desc))

    derived = np.where(has_dist & (minutes > 0), dist / np.where(minutes > 0, minutes * 60, 1), nan)
    v = np.where(np.isnan(speed), derived, speed)
    speed_int = per_key("speed_intensity", bool)
    w = np.where(speed_int & ~np.isnan(v), np.clip((v - m.v_lo) / (m.v_hi - m.v_lo), 0.0, 1.0), 0.0)
    w = np.nan_to_num(w)
    no_speed = speed_int & np.isnan(v)
    no_zones = per_key("zone_intensity", bool)

    base, intense = per_key_rows("base"), per_key_rows("intense")
    up, down = per_key_rows("uphill"), per_key_rows("downhill")
    scale = per_key("scale")
    coeff = scale[:, None] * (
        f_flat[:, None] * ((1 - w)[:, None] * base + w[:, None] * intense)
        + f_up[:, None] * up
        + f_down[:, None] * down
    )
    exposure = minutes[:, None] * coeff

    equ_div = per_key("equ_divisor")
    equ = np.where(
        (equ_div > 0) & ~np.isnan(desc),
        np.nan_to_num(desc) / np.where(equ_div > 0, equ_div, 1),
        0.0,
    )

    # strength: family counts -> credits and pattern sets with two matrix products
    fams = list(model.families)
    fidx = {f: j for j, f in enumerate(fams)}
    patterns = model.patterns()
    cmat = np.zeros((n, len(fams)))
    logged = np.zeros(n)
    unknown = np.zeros(n)
    estimated = np.zeros(n)
    basis = np.full(n, "", dtype=object)
    for i, c in counts:
        for fam, n_sets in c.families.items():
            cmat[i, fidx[fam]] += n_sets
        logged[i] = c.logged_sets
        unknown[i] = c.unknown_sets
        estimated[i] = c.estimated_sets
        basis[i] = c.basis
    credit_matrix = np.array([model.families[f].credits for f in fams], dtype=float)
    strength = cmat @ credit_matrix
    pattern_matrix = np.array(
        [[1.0 if f in counted else 0.0 for counted in patterns.values()] for f in fams]
    ).reshape(len(fams), len(patterns))
    pattern_sets = cmat @ pattern_matrix
    modelled_sets = logged - cmat[:, fidx["not_modelled"]] if "not_modelled" in fidx else logged

    kind = per_key("kind", object)
    has_strength = (logged + estimated) > 0
    kind = np.where(has_strength, "strength", kind)
    is_running = np.array([a.sport.lower() == "running" for a in activities], dtype=bool)

    cols: dict[str, object] = {
        "id": np.array([a.id for a in activities], dtype=object),
        "day": days.astype(np.int64),
        "sport": np.array([a.sport for a in activities], dtype=object),
        "sub_sport": np.array([a.sub_sport for a in activities], dtype=object),
        "model_key": per_key("label", object),
        "kind": kind,
        "is_running": is_running,
        "minutes": minutes,
        "distance_km": dist / 1000.0,
        "ascent_m": asc,
        "descent_m": desc,
        "avg_speed_m_s": v,
        "f_up": f_up,
        "f_down": f_down,
        "intensity_w": w,
        "no_grade_data": no_grade & (kind == "endurance"),
        "no_speed_data": no_speed & (kind == "endurance"),
        "steady_no_zones": no_zones & (kind == "endurance"),
        "forward_posture": per_key("forward_posture", bool) & (kind == "endurance"),
        "equ": equ,
        "equ_flag": equ >= m.equ_flag_activity,
    }
    for j, col in enumerate(E_COLS):
        cols[col] = exposure[:, j]
    for j, col in enumerate(S_COLS):
        cols[col] = strength[:, j]
    cols["hard_sets"] = logged
    cols["modelled_sets"] = modelled_sets
    cols["unknown_sets"] = unknown
    cols["estimated_sets"] = estimated
    cols["strength_basis"] = basis
    for j, name in enumerate(patterns):
        cols[f"P_{name}"] = pattern_sets[:, j]
    return pd.DataFrame(cols)
