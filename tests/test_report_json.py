"""The analysis JSON: required keys, plain JSON types, and the schema document kept in step."""

from __future__ import annotations

import json
import re
from pathlib import Path

from personas import beginner_runner, days, history, lift, road_runner, trail_runner

from chainfix.analysis import analyze
from chainfix.model import MUSCLE_GROUPS
from chainfix.report.analysis_json import SCHEMA_VERSION, analysis_json

DOC = Path(__file__).resolve().parents[1] / "docs" / "analysis-json.md"


def sample() -> dict:
    lifts = [
        lift(d, [("squat", None, 3), ("deadlift", None, 1)]) for d in days(12) if d.weekday() == 1
    ]
    analysis = analyze(history(road_runner(), trail_runner(3), beginner_runner(2), lifts))
    return analysis_json(analysis)


def test_required_keys_and_types() -> None:
    j = sample()
    assert j["schema_version"] == SCHEMA_VERSION == 1
    assert isinstance(j["weeks"], list) and len(j["weeks"]) == 12
    for week in j["weeks"]:
        assert set(week["exposure"]) == set(MUSCLE_GROUPS) == set(week["strength"])
        assert week["week_start"] <= j["window"]["end"]
    assert set(j["muscles"]) == set(MUSCLE_GROUPS)
    for m in j["muscles"].values():
        for key in ("exposure", "strength", "target", "priority"):
            assert isinstance(m[key], int | float)
        assert 0 <= m["priority"] <= 1
    assert isinstance(j["balance"], float) and isinstance(j["running_share"], float)
    assert j["explanations"] and all(isinstance(s, str) for s in j["explanations"])
    json.dumps(j, allow_nan=False)  # strict JSON: no NaN or infinity anywhere


def test_explanations_use_the_json_numbers() -> None:
    j = sample()
    text = " ".join(j["explanations"])
    assert f"balance {j['balance']:.2f}" in text
    assert f"Running was {j['running_share'] * 100:.0f} %" in text
    calves = j["muscles"]["calves"]
    assert calves["priority"] > 0
    assert f"calves {calves['priority']:.2f}" in text
    assert f"ratio {j['lifting']['ap_ratio']:.2f}" in text


def _doc_keys() -> set[str]:
    return set(re.findall(r"`([a-z_]+)`", DOC.read_text(encoding="utf-8")))


def _all_keys(value: object, skip: frozenset[str]) -> set[str]:
    out: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            out.add(k)
            if k not in skip:
                out |= _all_keys(v, skip)
    elif isinstance(value, list):
        for v in value:
            out |= _all_keys(v, skip)
    return out


def test_schema_document_names_every_key() -> None:
    keys = _all_keys(sample(), frozenset({"unmodelled_by_sport", "exposure_by_sport"}))
    missing = keys - _doc_keys()
    assert not missing, f"document these keys in docs/analysis-json.md: {sorted(missing)}"
