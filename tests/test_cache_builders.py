"""The cache's record builders make exactly what the classes' own constructors make."""

from __future__ import annotations

import inspect
from dataclasses import fields
from datetime import UTC, date, datetime

import pytest

from chainfix.cache import builders
from chainfix.model import Activity, ExerciseSummary, Lap, Origin, StrengthSet


def distinct_values(cls: type) -> list[object]:
    """A value of its type for every init field, no two alike (a field set from another's value
    shows)."""
    start = datetime(2025, 5, 1, 6, 30, tzinfo=UTC)
    by_name: dict[str, object] = {
        "id": "a1",
        "source": "fit",
        "origin": Origin("x.fit", "m"),
        "sport": "running",
        "sub_sport": "trail",
        "start_utc": start,
        "utc_offset_s": 7200,
        "sets": (StrengthSet(start, 31.0, 9, 22.5, "active", ("curl",), "curl", 4),),
        "leg": 2,
        "from_summary": True,
        "summary_sets": (ExerciseSummary("row", None, 3, 30, 40.0, None),),
        "laps": (Lap(301.0, 1002.0, 5.0, 4.0), Lap(92.0, 401.0)),
        "device": "fr965",
        "start": start,
        "set_type": "rest",
        "categories": ("deadlift", "hip_raise"),
        "exercise": "romanian_deadlift",
    }
    out: list[object] = []
    for number, f in enumerate(fields(cls)):
        if f.init:
            out.append(by_name.get(f.name, float(100 + number)))
    return out


BUILDERS = [
    (Activity, builders.activity),
    (StrengthSet, builders.strength_set),
    (Lap, builders.lap),
]


@pytest.mark.parametrize(("cls", "build"), BUILDERS)
def test_a_builder_takes_every_field_by_its_name_in_order(cls: type, build: object) -> None:
    """A field added, removed or moved in the model breaks this until its builder follows."""
    parameters = list(inspect.signature(build).parameters)  # type: ignore[arg-type]
    assert parameters == [f.name for f in fields(cls) if f.init]


@pytest.mark.parametrize(("cls", "build"), BUILDERS)
def test_a_built_record_is_the_constructed_one(cls: type, build: object) -> None:
    values = distinct_values(cls)
    built, made = build(*values), cls(*values)  # type: ignore[operator]
    assert built == made and type(built) is cls
    for f in fields(cls):  # derived fields too (an activity's local day)
        assert getattr(built, f.name) == getattr(made, f.name), f.name


def test_an_activity_is_made_with_its_local_day() -> None:
    values = distinct_values(Activity)
    built = builders.activity(*values)  # type: ignore[arg-type]
    assert built.local_date == date(2025, 5, 1)  # 06:30 UTC + 2 h
    assert hash(built) == hash(Activity(*values))  # type: ignore[arg-type]
