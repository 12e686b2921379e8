"""The muscle-load model's coefficient tables: read from data files, overridable by a coach.

Every number the analysis uses lives in ``chainfix/data/*.csv`` with its source, basis and (for
exposure rows) confidence. A user or coach overrides rows with files of the same name, in this order
(later wins):

1. the built-in tables shipped in the package;
2. files in ``chainfix.paths.model_override_dir()`` (``<user dir>/model/``);
3. the file or folder given as ``AnalysisOptions.model`` (``--model``).

An override file holds only the rows it changes: a row replaces the built-in row with the same key
(e.g. ``sport, sub_sport, variant`` for ``endurance-exposure.csv``) and a new key adds a row. Every
value is checked; a bad one raises :class:`chainfix.errors.DataFileError` naming the file, the row
(spreadsheet numbering: the header is row 1) and the column.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

from chainfix.errors import DataFileError
from chainfix.model import LEVELS, MUSCLE_GROUPS
from chainfix.paths import model_override_dir

"""Athlete levels of rule R1, in order."""

VARIANTS: tuple[str, ...] = (
    "base",
    "intense",
    "uphill",
    "downhill",
    "per_set",
    "unmodelled",
    "double_poling",
)
"""Exposure-row variants chainfix understands (``double_poling`` is kept, used only if tagged)."""

UNKNOWN_FAMILY = "unknown_strength"
NOT_MODELLED_FAMILY = "not_modelled"

BUILT_IN = "built-in"


@dataclass(frozen=True, slots=True)
class TableSpec:
    """How one table file is keyed and which columns it must have."""

    key: tuple[str, ...]
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()


_GROUP_COLS = MUSCLE_GROUPS

TABLES: dict[str, TableSpec] = {
    "endurance-exposure.csv": TableSpec(
        key=("sport", "sub_sport", "variant"),
        required=("sport", "sub_sport", "variant", *_GROUP_COLS, "scale"),
        optional=("confidence", "basis", "sources", "notes"),
    ),
    "modifiers.csv": TableSpec(
        key=("modifier",),
        required=("modifier", "parameters"),
        optional=("applies_to", "inputs", "formula", "basis", "sources", "notes"),
    ),
    "strength-credits.csv": TableSpec(
        key=("family",),
        required=("family", "pattern", *_GROUP_COLS),
        optional=("examples", "basis", "sources", "notes"),
    ),
    "fit-set-families.csv": TableSpec(
        key=("order",),
        required=("order", "fit_category", "match", "family"),
        optional=("basis", "notes"),
    ),
    "weekly-targets.csv": TableSpec(
        key=("kind", "name", "level", "condition"),
        required=(
            "kind",
            "name",
            "counts",
            "level",
            "condition",
            "minimum",
            "development",
            "in_season",
        ),
        optional=("unit", "basis", "sources", "notes"),
    ),
    "analysis-rules.csv": TableSpec(
        key=("name",),
        required=("name", "value"),
        optional=("unit", "basis", "sources", "notes"),
    ),
    "sources.csv": TableSpec(
        key=("key",),
        required=("key", "reference"),
        optional=("grade", "used_for"),
    ),
}
"""The tables the analysis reads, by file name."""


# ---------------------------------------------------------------------------------------------
# Typed rows
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExposureRow:
    """One row of ``endurance-exposure.csv``: per-minute coefficients for one sport variant."""

    sport: str
    sub_sport: str
    variant: str
    coefficients: tuple[float, ...]
    """One value per group in ``MUSCLE_GROUPS`` order (zeros for ``per_set`` rows)."""
    scale: float
    confidence: str = ""
    basis: str = ""
    sources: str = ""
    notes: str = ""


@dataclass(frozen=True, slots=True)
class FamilyCredits:
    """One row of ``strength-credits.csv``: what one hard set of a family credits each group."""

    family: str
    pattern: str
    credits: tuple[float, ...]
    basis: str = ""
    sources: str = ""
    notes: str = ""


@dataclass(frozen=True, slots=True)
class SetRule:
    """One rule of ``fit-set-families.csv``: (category, exercise-name match) -> family."""

    order: float
    category: str
    kind: Literal["exact", "contains", "any"]
    text: str
    family: str

    def matches(self, exercise: str | None) -> bool:
        if self.kind == "any":
            return True
        if not exercise:
            return False
        return exercise == self.text if self.kind == "exact" else self.text in exercise


@dataclass(frozen=True, slots=True)
class Target:
    """One row of ``weekly-targets.csv``."""

    kind: Literal["pattern", "muscle_group"]
    name: str
    counts: tuple[str, ...]
    level: str
    condition: Literal["always", "if_flagged"]
    minimum: float
    development: float
    in_season: float
    sources: str = ""
    notes: str = ""


@dataclass(frozen=True, slots=True)
class Source:
    """One citation of ``sources.csv``."""

    key: str
    reference: str
    grade: str = ""


@dataclass(frozen=True, slots=True)
class Modifiers:
    """The parameters of ``modifiers.csv`` that the formulas use."""

    grade_g_up: float
    grade_cap_up: float
    grade_g_down: float
    grade_cap_down: float
    grade_sports: frozenset[str]
    indoor_pairs: frozenset[tuple[str, str]]
    v_lo: float
    v_hi: float
    speed_intensity_sports: frozenset[str]
    zone_intensity_sports: frozenset[str]
    window_days: int
    equ_divisors: Mapping[str, float]
    """Descent divisor per sport (running 100 m, walking/hiking/mountaineering 200 m)."""
    equ_flag_activity: float
    equ_week_factor: float
    equ_week_baseline: int


@dataclass(frozen=True, slots=True)
class ModelFile:
    """A table file that went into the model, and where it came from."""

    table: str
    path: str
    origin: Literal["built-in", "user", "option"]


@dataclass(frozen=True)
class Model:
    """The full set of coefficient tables, validated and ready to use."""

    exposure: Mapping[tuple[str, str], Mapping[str, ExposureRow]]
    """(sport, sub_sport) -> variant -> row; ``*`` is the wildcard."""
    modifiers: Modifiers
    families: Mapping[str, FamilyCredits]
    set_rules: Mapping[str, tuple[SetRule, ...]]
    """FIT category -> its rules in file order."""
    targets: tuple[Target, ...]
    rules: Mapping[str, str]
    sources: Mapping[str, Source]
    files: tuple[ModelFile, ...] = ()
    ignored: tuple[str, ...] = ()
    """Files in a model folder that are not tables the analysis reads."""
    _family_cache: dict[tuple[str, str | None], tuple[str, bool]] = field(
        default_factory=dict, repr=False, compare=False
    )

    # -- lookups ------------------------------------------------------------------------------

    def exposure_rows(
        self, sport: str, sub_sport: str
    ) -> tuple[tuple[str, str], Mapping[str, ExposureRow]]:
        """The rows for an activity: ``(sport, sub_sport)``, then ``(sport, *)``, then ``(*, *)``.

        Returns the matched key and its rows by variant; an empty mapping when nothing matches.
        """
        for key in ((sport, sub_sport), (sport, "*"), ("*", "*")):
            rows = self.exposure.get(key)
            if rows:
                return key, rows
        return ("*", "*"), {}

    def family_for(self, category: str | None, exercise: str | None) -> tuple[str, bool]:
        """The family of a logged set and whether it was classified (not ``unknown_strength``).

        ``category`` and ``exercise`` are FIT profile names or Garmin Connect keys (the same
        words lower-cased). The watch's "unknown" category, a category without rules and a
        category whose rules do not match all give ``unknown_strength``.
        """
        cat = (category or "").strip().lower()
        ex = exercise.strip().lower() if exercise else None
        cache_key = (cat, ex)
        hit = self._family_cache.get(cache_key)
        if hit is not None:
            return hit
        family = UNKNOWN_FAMILY
        for rule in self.set_rules.get(cat, ()):
            if rule.matches(ex):
                family = rule.family
                break
        result = (family, family != UNKNOWN_FAMILY)
        self._family_cache[cache_key] = result
        return result

    def number(self, name: str) -> float:
        """A numeric value of ``analysis-rules.csv`` (validated at load time)."""
        return float(self.rules[name])

    def groups(self, name: str) -> tuple[str, ...]:
        """A ``|``-separated list of muscle groups from ``analysis-rules.csv``."""
        return tuple(g.strip() for g in self.rules[name].split("|") if g.strip())

    def patterns(self) -> dict[str, tuple[str, ...]]:
        """Pattern name -> families counted toward it (from ``weekly-targets.csv``)."""
        out: dict[str, tuple[str, ...]] = {}
        for t in self.targets:
            if t.kind == "pattern" and t.name not in out:
                out[t.name] = t.counts
        return out

    def target(
        self,
        kind: Literal["pattern", "muscle_group"],
        name: str,
        level: str,
        *,
        phase: str = "base",
        flags: Iterable[str] = (),
    ) -> tuple[float, float] | None:
        """(minimum, weekly target) for a group or pattern at a level, or None without a row.

        The weekly target is ``development``, or ``in_season`` when ``phase`` is ``race``. Rows
        with condition ``if_flagged`` apply when ``name`` (or ``hip_abduction`` for glute_med) is
        in ``flags``.
        """
        flagged = name in set(flags) or ("hip_abduction" in set(flags) and name == "glute_med")
        best: Target | None = None
        for t in self.targets:
            if t.kind != kind or t.name != name or t.level != level:
                continue
            if t.condition == "if_flagged" and not flagged:
                continue
            if best is None or t.condition == "if_flagged":
                best = t
        if best is None:
            return None
        weekly = best.in_season if phase == "race" else best.development
        return best.minimum, weekly

def split_citations(text: str) -> list[str]:
    """Citation keys in a ``sources`` cell.

    ``"R6: A 2020; B 2019 (remark) [D]"`` -> ``["A 2020", "B 2019"]``.
    """
    keys = []
    for part in (text or "").split(";"):
        part = re.sub(r"\(.*?\)|\[.*?\]", "", part)
        part = re.sub(r"^\s*(R\d+|in season)\s*:\s*", "", part, flags=re.IGNORECASE)
        part = part.strip()
        if part:
            keys.append(part)
    return keys


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


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


def _parse_csv(text: str, file: str, spec: TableSpec) -> list[_Row]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise DataFileError(f"{file}: the file is empty; it needs a header row") from None
    except csv.Error as exc:
        raise DataFileError(f"{file}: row 1: not valid CSV ({exc})") from None
    header = [h.strip().lstrip("\ufeff") for h in header]
    for col in spec.required:
        if col not in header:
            raise DataFileError(
                f"{file}: row 1, column '{col}': missing; the header needs "
                f"{', '.join(spec.required)}"
            )
    rows: list[_Row] = []
    number = 1
    try:
        for record in reader:
            number += 1
            if not record or all(not c.strip() for c in record):
                continue
            if len(record) > len(header):
                raise DataFileError(
                    f"{file}: row {number}, column {len(header) + 1}: {len(record)} cells but the "
                    f"header has {len(header)} (a comma inside a value needs quotes)"
                )
            values = {h: (record[i] if i < len(record) else "") for i, h in enumerate(header)}
            row = _Row(values, file, number)
            for col in spec.key:
                if not row.get(col):
                    raise row.fail(col, "empty; this column identifies the row")
            rows.append(row)
    except csv.Error as exc:
        raise DataFileError(f"{file}: row {number + 1}: not valid CSV ({exc})") from None
    return rows


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise DataFileError(f"{path}: not UTF-8 text; save it as CSV (UTF-8)") from None
    except OSError as exc:
        raise DataFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None


@lru_cache(maxsize=1)
def _built_in_texts() -> dict[str, str]:
    base = resources.files("chainfix.data")
    return {name: base.joinpath(name).read_text(encoding="utf-8") for name in TABLES}


def override_files(path: str | Path | None) -> tuple[list[tuple[Path, str]], list[str]]:
    """The override files that apply: the user model folder, then ``path`` (a file or a folder).

    Returns ``[(file, origin)]`` in the order they apply and the ignored files of model folders.
    A ``path`` that does not exist, or a single file whose name is not a table, is an error.
    """
    files: list[tuple[Path, str]] = []
    ignored: list[str] = []

    def folder(d: Path, origin: str) -> None:
        for p in sorted(d.iterdir()):
            if p.name in TABLES and p.is_file():
                files.append((p, origin))
            elif p.suffix.lower() == ".csv":
                ignored.append(str(p))

    user = model_override_dir()
    if user.is_dir():
        folder(user, "user")
    if path is not None:
        p = Path(path).expanduser()
        if p.is_dir():
            folder(p, "option")
        elif p.is_file():
            if p.name not in TABLES:
                raise DataFileError(
                    f"{p}: not a model table; name the file one of {', '.join(sorted(TABLES))}"
                )
            files.append((p, "option"))
        else:
            raise DataFileError(f"{p}: no such file or folder")
    return files, ignored


def load_model(path: str | Path | None = None) -> Model:
    """The built-in tables with the user's and ``path``'s overrides applied, validated."""
    files, ignored = override_files(path)
    stamp = tuple((str(p), origin, *_stat(p)) for p, origin in files)
    return _load_cached(stamp, tuple(ignored))


def _stat(p: Path) -> tuple[int, int]:
    st = p.stat()
    return st.st_mtime_ns, st.st_size


@lru_cache(maxsize=8)
def _load_cached(stamp: tuple[tuple[str, str, int, int], ...], ignored: tuple[str, ...]) -> Model:
    texts = _built_in_texts()
    merged: dict[str, dict[tuple[str, ...], _Row]] = {}
    used: list[ModelFile] = []
    for name, spec in TABLES.items():
        rows = _parse_csv(texts[name], f"{BUILT_IN} {name}", spec)
        merged[name] = {tuple(r.get(k) for k in spec.key): r for r in rows}
        used.append(ModelFile(name, f"chainfix/data/{name}", "built-in"))
    for path_s, origin, *_ in stamp:
        path = Path(path_s)
        spec = TABLES[path.name]
        for r in _parse_csv(_read_text(path), str(path), spec):
            key = tuple(r.get(k) for k in spec.key)
            if path.name == "fit-set-families.csv":
                key = (f"{r.number('order', 0):g}",)
                old = next((k for k in merged[path.name] if _same_order(k[0], key[0])), None)
                if old is not None:
                    del merged[path.name][old]
            merged[path.name][key] = r
        used.append(ModelFile(path.name, str(path), origin))  # type: ignore[arg-type]
    return _build({n: list(rows.values()) for n, rows in merged.items()}, tuple(used), ignored)


def _same_order(a: str, b: str) -> bool:
    try:
        return float(a) == float(b)
    except ValueError:
        return False


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
