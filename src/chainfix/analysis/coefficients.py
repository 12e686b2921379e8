"""The muscle-load model as typed values: exposure rows, set families and their credits, set
rules, weekly targets, modifiers and the sources behind them, gathered in one ``Model`` with
the look-ups the analysis makes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

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
    _family_cache: dict[tuple[str | None, str | None], tuple[str, bool]] = field(
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
        given = (category, exercise)  # thousands of sets repeat a few names: looked up as given
        hit = self._family_cache.get(given)
        if hit is not None:
            return hit
        cat = (category or "").strip().lower()
        ex = exercise.strip().lower() if exercise else None
        cache_key = (cat, ex)
        hit = self._family_cache.get(cache_key)
        if hit is None:
            family = UNKNOWN_FAMILY
            for rule in self.set_rules.get(cat, ()):
                if rule.matches(ex):
                    family = rule.family
                    break
            hit = self._family_cache[cache_key] = (family, family != UNKNOWN_FAMILY)
        self._family_cache[given] = hit  # the same answer as its cleaned-up names (idempotent)
        return hit

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
