"""The cache's record builders make exactly what the classes' own constructors make."""

from __future__ import annotations

import inspect
import pickle
from dataclasses import fields, replace
from datetime import UTC, date, datetime

import pytest

from chainfix.cache import builders
from chainfix.cache.rows import (
    RememberedActivity,
    activity_from_row,
    activity_row,
    history_row,
    remembered_activity,
)
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
    parameters = [
        p.name
        for p in inspect.signature(build).parameters.values()  # type: ignore[arg-type]
        if p.kind is not p.KEYWORD_ONLY  # the activity builder's class
    ]
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


# ---------------------------------------------------------------------------------------------
# Remembered activities: sets and laps made when first read


def _remembered_pair() -> tuple[Activity, Activity]:
    """An activity of :func:`distinct_values` decoded eagerly and as a remembered one."""
    made = Activity(*distinct_values(Activity))  # type: ignore[arg-type]
    row = activity_row(made)
    lazy = remembered_activity(history_row(made), made.origin)
    return activity_from_row(row, made.origin, check=False), lazy


def test_a_remembered_activity_makes_its_sets_and_laps_when_first_read() -> None:
    eager, lazy = _remembered_pair()
    assert isinstance(lazy, RememberedActivity) and type(eager) is Activity
    for slot in ("sets", "laps"):
        with pytest.raises(AttributeError):
            Activity.__dict__[slot].__get__(lazy, Activity)  # not made yet
    assert lazy.sets == eager.sets and lazy.laps == eager.laps
    assert Activity.__dict__["sets"].__get__(lazy, Activity) is lazy.sets  # made once
    assert lazy.sets[0].start == eager.sets[0].start and lazy.laps[1] == Lap(92.0, 401.0)


def test_a_remembered_activity_is_the_decoded_one_in_every_way() -> None:
    eager, lazy = _remembered_pair()
    assert lazy == eager and eager == lazy and not (lazy != eager) and not (eager != lazy)
    assert hash(lazy) == hash(eager)
    assert (eager,) == (lazy,)  # as histories compare their activities
    for f in fields(Activity):
        assert getattr(lazy, f.name) == getattr(eager, f.name), f.name
    assert activity_row(lazy) == activity_row(eager)
    other = replace(eager, sport="cycling")
    assert lazy != other and other != lazy
    changed = replace(_remembered_pair()[1], sport="cycling")  # replace() on a fresh one
    assert changed == other and changed.sets == other.sets
    assert pickle.loads(pickle.dumps(_remembered_pair()[1])) == eager


def test_a_remembered_activity_without_sets_or_laps_has_them_at_once() -> None:
    made = Activity(
        "a", "fit", Origin("x.fit"), "running", "generic", datetime(2025, 5, 1, tzinfo=UTC)
    )
    lazy = remembered_activity(history_row(made), made.origin)
    assert Activity.__dict__["sets"].__get__(lazy, Activity) == ()
    assert Activity.__dict__["laps"].__get__(lazy, Activity) == ()
    assert lazy == made


def test_a_remembered_activity_gives_its_lap_values_and_rows_without_making_them() -> None:
    """What the fingerprint hashes of the laps (:meth:`Activity.lap_values`, each lap's fields in
    field order) and the history row come from the text, exactly as from the made records, and
    the text is written again as it is, until the laps or sets are replaced."""
    from operator import attrgetter

    from chainfix.fingerprint import activity_prints

    LAP = attrgetter(*(f.name for f in fields(Lap)))  # noqa: N806 - each lap's fields in order

    eager, lazy = _remembered_pair()
    assert lazy.lap_values() == eager.lap_values() == tuple(map(LAP, eager.laps))
    assert history_row(lazy) == history_row(eager)
    with pytest.raises(AttributeError):
        Activity.__dict__["laps"].__get__(lazy, Activity)  # neither made the laps
    assert activity_prints([lazy]) == activity_prints([eager])
    assert lazy.laps == eager.laps and lazy.lap_values() == eager.lap_values()
    assert history_row(lazy) == history_row(eager)  # made, and the text kept
    fewer = (Lap(60.0, 200.0),)
    object.__setattr__(lazy, "laps", fewer)  # replaced: the old text is let go
    object.__setattr__(lazy, "sets", ())
    assert history_row(lazy) == history_row(replace(eager, laps=fewer, sets=()))
    assert lazy.lap_values() == ((60.0, 200.0, None, None),)


def test_a_read_result_is_read_back_checked_or_as_written() -> None:
    """:func:`encode_read` rows hold sets and laps as text: read back checked (every value's
    type), or known intact (made when first read); text that is not rows is a bad entry."""
    import json

    from chainfix.cache.rows import BadEntry, encode_read, read_from_rows
    from chainfix.fit import FitRead

    made = Activity(*distinct_values(Activity))  # type: ignore[arg-type]
    text = encode_read(FitRead(activities=[made], problems=[], file_type="activity"))
    assert text is not None
    checked = read_from_rows(json.loads(text), made.origin)
    intact = read_from_rows(json.loads(text), made.origin, check=False)
    assert checked.activities == intact.activities == [made]
    assert type(checked.activities[0]) is Activity
    assert type(intact.activities[0]) is RememberedActivity
    for bad in ("[[1,2", '{"a": 1}', "[]", "3"):
        rows = json.loads(text)
        rows[2][0][21] = bad
        with pytest.raises(BadEntry):
            read_from_rows(rows, made.origin)
