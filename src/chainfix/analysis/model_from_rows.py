"""From table rows to the typed model: each row's values checked with the file, row and column
named in the error, then gathered into a ``coefficients.Model`` (exposure, set families and
rules, targets, the analysis rules and the modifiers)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from chainfix.analysis.coefficients import (
    NOT_MODELLED_FAMILY,
    UNKNOWN_FAMILY,
    VARIANTS,
    ExposureRow,
    FamilyCredits,
    Model,
    ModelFile,
    Modifiers,
    SetRule,
    Source,
    Target,
)
from chainfix.errors import DataFileError
from chainfix.model import LEVELS, MUSCLE_GROUPS


@dataclass(slots=True)
class _Row:
    values: dict[str, str]
    file: str
    row: int

    def get(self, col: str) -> str:
        return (self.values.get(col) or "").strip()

    def fail(self, col: str, problem: str) -> DataFileError:
        return DataFileError(f"{self.file}: row {self.row}, column '{col}': {problem}")

    def number(
        self,
        col: str,
        lo: float | None = None,
        hi: float | None = None,
        *,
        empty: float | None = None,
    ) -> float:
        raw = self.get(col)
        if raw == "":
            if empty is not None:
                return empty
            raise self.fail(col, "empty; a number is needed")
        try:
            value = float(raw)
        except ValueError:
            raise self.fail(col, f"{raw!r} is not a number") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise self.fail(col, f"{raw!r} is not a finite number")
        if lo is not None and value < lo or hi is not None and value > hi:
            raise self.fail(
                col, f"{raw} is outside {lo:g}..{hi:g}" if hi is not None else f"{raw} < {lo:g}"
            )
        return value

    def choice(self, col: str, allowed: Iterable[str]) -> str:
        value = self.get(col)
        allowed = tuple(allowed)
        if value not in allowed:
            raise self.fail(col, f"{value!r} is not one of {', '.join(allowed)}")
        return value


# ---------------------------------------------------------------------------------------------
# Validation and typed structures
# ---------------------------------------------------------------------------------------------


def _build(
    tables: dict[str, list[_Row]], files: tuple[ModelFile, ...], ignored: tuple[str, ...]
) -> Model:
    families = _families(tables["strength-credits.csv"])
    rules = _rules(tables["analysis-rules.csv"])
    return Model(
        exposure=_exposure(tables["endurance-exposure.csv"]),
        modifiers=_modifiers(tables["modifiers.csv"]),
        families=families,
        set_rules=_set_rules(tables["fit-set-families.csv"], families),
        targets=_targets(tables["weekly-targets.csv"], families),
        rules=rules,
        sources={
            r.get("key").lower(): Source(r.get("key"), r.get("reference"), r.get("grade"))
            for r in tables["sources.csv"]
        },
        files=files,
        ignored=ignored,
    )


def _exposure(rows: list[_Row]) -> dict[tuple[str, str], dict[str, ExposureRow]]:
    out: dict[tuple[str, str], dict[str, ExposureRow]] = {}
    first_row: dict[tuple[str, str], _Row] = {}
    for r in rows:
        variant = r.choice("variant", VARIANTS)
        if variant == "per_set":
            coeffs = tuple(r.number(g, 0, 1, empty=0.0) for g in MUSCLE_GROUPS)
            scale = r.number("scale", 0, 2, empty=1.0)
        else:
            coeffs = tuple(r.number(g, 0, 1) for g in MUSCLE_GROUPS)
            scale = r.number("scale", 0, 2)
        key = (r.get("sport").lower(), r.get("sub_sport").lower())
        first_row.setdefault(key, r)
        out.setdefault(key, {})[variant] = ExposureRow(
            key[0],
            key[1],
            variant,
            coeffs,
            scale,
            r.get("confidence"),
            r.get("basis"),
            r.get("sources"),
            r.get("notes"),
        )
    for key, variants in out.items():
        kinds = [v for v in ("base", "per_set", "unmodelled") if v in variants]
        if len(kinds) != 1:
            raise first_row[key].fail(
                "variant",
                f"{key[0]}/{key[1]} needs exactly one 'base', 'per_set' or 'unmodelled' row "
                f"(found {', '.join(kinds) or 'none'})",
            )
    return out


def _families(rows: list[_Row]) -> dict[str, FamilyCredits]:
    out: dict[str, FamilyCredits] = {}
    for r in rows:
        fam = r.get("family")
        if not r.get("pattern"):
            raise r.fail("pattern", "empty; name the movement pattern")
        out[fam] = FamilyCredits(
            fam,
            r.get("pattern"),
            tuple(r.number(g, 0, 1) for g in MUSCLE_GROUPS),
            r.get("basis"),
            r.get("sources"),
            r.get("notes"),
        )
    for needed in (UNKNOWN_FAMILY, NOT_MODELLED_FAMILY):
        if needed not in out:
            raise DataFileError(f"strength-credits.csv: the '{needed}' family row is missing")
    return out


def _set_rules(
    rows: list[_Row], families: Mapping[str, FamilyCredits]
) -> dict[str, tuple[SetRule, ...]]:
    parsed: list[SetRule] = []
    for r in rows:
        order = r.number("order", 0)
        match = r.get("match")
        kind: Literal["exact", "contains", "any"]
        if match == "any":
            kind, text = "any", ""
        elif match.startswith("exact:") and match[6:].strip():
            kind, text = "exact", match[6:].strip().lower()
        elif match.startswith("contains:") and match[9:].strip():
            kind, text = "contains", match[9:].strip().lower()
        else:
            raise r.fail("match", f"{match!r} must be 'any', 'exact:<name>' or 'contains:<text>'")
        family = r.get("family")
        if family not in families:
            raise r.fail("family", f"{family!r} is not a family of strength-credits.csv")
        parsed.append(SetRule(order, r.get("fit_category").lower(), kind, text, family))
    parsed.sort(key=lambda rule: rule.order)
    out: dict[str, list[SetRule]] = {}
    for rule in parsed:
        out.setdefault(rule.category, []).append(rule)
    return {k: tuple(v) for k, v in out.items()}


def _targets(rows: list[_Row], families: Mapping[str, FamilyCredits]) -> tuple[Target, ...]:
    out = []
    for r in rows:
        kind = r.choice("kind", ("pattern", "muscle_group"))
        name = r.get("name")
        counts = tuple(c.strip() for c in r.get("counts").replace("+", ";").split(";") if c.strip())
        if kind == "muscle_group" and name not in MUSCLE_GROUPS:
            raise r.fail("name", f"{name!r} is not a muscle group ({', '.join(MUSCLE_GROUPS)})")
        if kind == "pattern":
            for fam in counts:
                if fam not in families:
                    raise r.fail("counts", f"{fam!r} is not a family of strength-credits.csv")
        out.append(
            Target(
                kind,  # type: ignore[arg-type]
                name,
                counts,
                r.choice("level", LEVELS),
                r.choice("condition", ("always", "if_flagged")),  # type: ignore[arg-type]
                r.number("minimum", 0),
                r.number("development", 0),
                r.number("in_season", 0),
                r.get("sources"),
                r.get("notes"),
            )
        )
    return tuple(out)


_RULE_NUMBERS: dict[str, tuple[float, float]] = {
    "priority_demand_weight": (0, 1),
    "priority_balance_weight": (0, 1),
    "demand_reference_per_week": (0, 100_000),
    "tie_margin": (0, 1),
    "ap_quad_biased_above": (0, 100),
    "ap_hinge_biased_below": (0, 100),
    "balance_front_much": (0, 1),
    "balance_front_some": (0, 1),
    "balance_back_some": (0, 1),
    "level_intermediate_per_week": (0, 14),
    "level_intermediate_weeks": (1, 520),
    "level_min_span_weeks": (1, 520),
    "level_loaded_per_week": (0, 14),
    "level_advanced_per_week": (0, 14),
    "level_advanced_weeks": (1, 520),
    "level_advanced_needs_screens": (0, 1),
    "hard_set_min_reps": (0, 1000),
    "hard_set_min_duration_s": (0, 3600),
    "strength_minutes_per_set": (0.1, 60),
    "equ_week_min": (0, 1000),
    "thin_min_activities": (0, 10_000),
    "thin_min_week_share": (0, 1),
    "sitting_hours_threshold": (0, 24),
    "sitting_factor": (0, 10),
    "forward_posture_share": (0, 1),
    "forward_posture_factor": (0, 10),
}
_RULE_GROUPS = (
    "balance_groups_front",
    "balance_groups_back",
    "balance_term_groups",
    "ap_front_groups",
    "ap_back_groups",
)


def _rules(rows: list[_Row]) -> dict[str, str]:
    out: dict[str, str] = {}
    for r in rows:
        name = r.get("name")
        if name in _RULE_NUMBERS:
            lo, hi = _RULE_NUMBERS[name]
            r.number("value", lo, hi)
        elif name in _RULE_GROUPS:
            for g in r.get("value").split("|"):
                if g.strip() not in MUSCLE_GROUPS:
                    raise r.fail("value", f"{g.strip()!r} is not a muscle group")
        elif name == "level_loaded_families":
            pass
        elif name == "glutes_display":
            r.choice("value", ("max", "weighted"))
        out[name] = r.get("value")
    for name in (*_RULE_NUMBERS, *_RULE_GROUPS, "glutes_display", "level_loaded_families"):
        if name not in out:
            raise DataFileError(f"analysis-rules.csv: the '{name}' row is missing")
    return out


_PARAM = re.compile(r"^\s*([A-Za-z_]+)\s*=\s*(.+?)\s*$")


def _params(r: _Row) -> dict[str, str]:
    out: dict[str, str] = {}
    raw = r.get("parameters")
    for part in raw.split(";") if raw else ():
        m = _PARAM.match(part)
        if not m:
            raise r.fail("parameters", f"{part.strip()!r} is not 'name = value'")
        out[m.group(1)] = m.group(2)
    return out


def _param_number(r: _Row, params: dict[str, str], name: str, lo: float, hi: float) -> float:
    if name not in params:
        raise r.fail("parameters", f"missing '{name} = <number>'")
    m = re.match(r"^[-+]?\d+(?:\.\d+)?", params[name])
    if not m:
        raise r.fail("parameters", f"{name} = {params[name]!r} does not start with a number")
    value = float(m.group(0))
    if not lo <= value <= hi:
        raise r.fail("parameters", f"{name} = {value:g} is outside {lo:g}..{hi:g}")
    return value


def _param_list(params: dict[str, str], name: str, default: str = "") -> frozenset[str]:
    return frozenset(s.strip().lower() for s in params.get(name, default).split("|") if s.strip())


def _modifiers(rows: list[_Row]) -> Modifiers:
    by: dict[str, _Row] = {r.get("modifier"): r for r in rows}
    needed = (
        "grade_fraction_up",
        "grade_fraction_down",
        "indoor_no_grade",
        "intensity_weight_running",
        "window_exposure",
        "equ_running",
        "equ_walking_hiking",
        "equ_flag_activity",
        "equ_flag_week",
    )
    for name in needed:
        if name not in by:
            raise DataFileError(f"modifiers.csv: the '{name}' row is missing")
    p = {name: _params(r) for name, r in by.items()}

    up, down = by["grade_fraction_up"], by["grade_fraction_down"]
    pairs = set()
    for item in _param_list(p["indoor_no_grade"], "pairs"):
        if "/" not in item:
            raise by["indoor_no_grade"].fail("parameters", f"{item!r} is not sport/sub_sport")
        s, ss = item.split("/", 1)
        pairs.add((s, ss))
    run = by["intensity_weight_running"]
    v_lo = _param_number(run, p["intensity_weight_running"], "v_lo", 0, 15)
    v_hi = _param_number(run, p["intensity_weight_running"], "v_hi", 0, 15)
    if v_hi <= v_lo:
        raise run.fail("parameters", f"v_hi ({v_hi:g}) must be above v_lo ({v_lo:g})")
    divisors: dict[str, float] = {}
    for name in ("equ_running", "equ_walking_hiking"):
        div = _param_number(by[name], p[name], "divisor", 1, 100000)
        for sport in _param_list(p[name], "sports"):
            divisors[sport] = div
    cyc = p.get("intensity_weight_cycling", {"sports": "cycling|e_biking"})
    return Modifiers(
        grade_g_up=_param_number(up, p["grade_fraction_up"], "g", 0.001, 1),
        grade_cap_up=_param_number(up, p["grade_fraction_up"], "cap", 0, 1),
        grade_g_down=_param_number(down, p["grade_fraction_down"], "g", 0.001, 1),
        grade_cap_down=_param_number(down, p["grade_fraction_down"], "cap", 0, 1),
        grade_sports=_param_list(p["grade_fraction_up"], "sports"),
        indoor_pairs=frozenset(pairs),
        v_lo=v_lo,
        v_hi=v_hi,
        speed_intensity_sports=_param_list(p["intensity_weight_running"], "sports", "running"),
        zone_intensity_sports=_param_list(cyc, "sports"),
        window_days=int(
            _param_number(by["window_exposure"], p["window_exposure"], "window", 7, 365)
        ),
        equ_divisors=divisors,
        equ_flag_activity=_param_number(
            by["equ_flag_activity"], p["equ_flag_activity"], "threshold", 0, 10000
        ),
        equ_week_factor=_param_number(by["equ_flag_week"], p["equ_flag_week"], "factor", 0, 100),
        equ_week_baseline=int(
            _param_number(by["equ_flag_week"], p["equ_flag_week"], "baseline", 1, 52)
        ),
    )
