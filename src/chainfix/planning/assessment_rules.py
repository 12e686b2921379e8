"""The self-test rules, ``data/assessment.toml``: bands, outcomes and the Sorensen test.

Read once through :class:`~chainfix.planning.rules.RuleTable` into :class:`AssessmentRules`. A
user overrides the file with ``<user dir>/assessment.toml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from chainfix.errors import DataFileError
from chainfix.model import LEVELS
from chainfix.planning.rules import RuleTable, read_rule_file

ASSESSMENT_FILE = "assessment.toml"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one test result does: starting steps, maybe a level, and whether it is a low score."""

    start: Mapping[str, int]
    low: bool = False
    level: str | None = None


@dataclass(frozen=True, slots=True)
class Band:
    """A count band of a test: results below ``below`` (and above the previous band)."""

    below: float
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class TestRule:
    """Protocol text and result mapping of one self-test."""

    name: str
    protocol: str
    ladder: str
    sources: str
    bands: tuple[Band, ...] = ()

    def outcome_for(self, value: float) -> Outcome:
        for band in self.bands:
            if value < band.below:
                return band.outcome
        return self.bands[-1].outcome


@dataclass(frozen=True)
class AssessmentRules:
    """Self-test rules from ``assessment.toml``."""

    file: str
    retest_weeks: tuple[int, int]
    retest_default_weeks: int
    asymmetry_threshold: float
    asymmetry_extra_sets: int
    priority_factor: float
    glute_bridge: TestRule
    bridge_fail_signs: str
    bridge_outcomes: Mapping[str, Outcome]
    pelvis_drop_flags: tuple[str, ...]
    heel_raise: TestRule
    hamstring_bridge: TestRule
    sorensen: TestRule
    sorensen_fail_below_s: float
    sorensen_fail: Outcome


def _outcome(t: RuleTable) -> Outcome:
    level = t.text("level") if t.has("level") else None
    if level is not None and level not in LEVELS:
        raise DataFileError(f"{t.file}: [{t.name}] level: {level!r} is not one of {LEVELS}")
    low = t.raw("low") if t.has("low") else False
    if not isinstance(low, bool):
        raise DataFileError(f"{t.file}: [{t.name}] low: must be true or false")
    return Outcome(start=t.steps("start"), low=low, level=level)


def _bands(t: RuleTable) -> tuple[Band, ...]:
    raw = t.raw("bands")
    if not isinstance(raw, list) or not raw:
        raise DataFileError(f"{t.file}: [{t.name}] bands: must be a non-empty list of tables")
    bands = []
    last = float("-inf")
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, Mapping):
            raise DataFileError(f"{t.file}: [{t.name}] bands[{i}]: must be a table")
        bt = RuleTable(item, t.file, f"{t.name}.bands[{i}]")
        below = bt.number("below", 0)
        if below <= last:
            raise DataFileError(f"{t.file}: [{bt.name}] below: bands must increase")
        last = below
        bands.append(Band(below=below, outcome=_outcome(bt)))
    return tuple(bands)


def _test(t: RuleTable, with_bands: bool) -> TestRule:
    return TestRule(
        name=t.name,
        protocol=t.text("protocol"),
        ladder=t.text("ladder"),
        sources=t.text("sources"),
        bands=_bands(t) if with_bands else (),
    )


def load_assessment_rules(path: Path | None = None) -> AssessmentRules:
    """The self-test rules: ``path``, else ``<user dir>/assessment.toml``, else built in."""
    data, file = read_rule_file(ASSESSMENT_FILE, path)
    top = RuleTable(data, file, "")
    top.integer("schema", 1, 1)
    rt = top.table("retest")
    asym = top.table("asymmetry")
    gb = top.table("glute_bridge")
    so = top.table("sorensen")
    retest = (rt.integer("min_weeks", 1, 52), rt.integer("max_weeks", 1, 52))
    default = rt.integer("default_weeks", 1, 52)
    if not retest[0] <= default <= retest[1]:
        raise DataFileError(f"{file}: [retest] default_weeks must lie in min_weeks..max_weeks")
    return AssessmentRules(
        file=file,
        retest_weeks=retest,
        retest_default_weeks=default,
        asymmetry_threshold=asym.number("threshold", 0, 1),
        asymmetry_extra_sets=asym.integer("extra_sets", 0, 5),
        priority_factor=asym.number("priority_factor", 1, 5),
        glute_bridge=_test(gb, with_bands=False),
        bridge_fail_signs=gb.text("fail_signs"),
        bridge_outcomes={
            "fail": _outcome(gb.table("fail")),
            "10": _outcome(gb.table("hold_10")),
            "30": _outcome(gb.table("hold_30")),
        },
        pelvis_drop_flags=gb.words("pelvis_drop_flags"),
        heel_raise=_test(top.table("heel_raise"), with_bands=True),
        hamstring_bridge=_test(top.table("hamstring_bridge"), with_bands=True),
        sorensen=_test(so, with_bands=False),
        sorensen_fail_below_s=so.number("fail_below_s", 0, 10_000),
        sorensen_fail=_outcome(so.table("fail")),
    )
