"""The FIT encoder and the synthetic-history generators.

Every generated file is decoded by two independent decoders (fitdecode in strict mode and
python-fitparse); expectations come from the generators' inputs (plans and manifests).
"""

from __future__ import annotations

import importlib.util
import io
import json
import math
import zipfile
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import fitdecode
import fitparse
import numpy as np
import pytest
from chainfix_synth import corrupt, personas
from chainfix_synth.bench import big_export
from chainfix_synth.fitfiles import activity_fit, monitoring_fit, planned_laps
from chainfix_synth.garmin_export import TYPE_KEYS, write_export
from chainfix_synth.personas import PlannedActivity, extra_activity
from hypothesis import given, settings
from hypothesis import strategies as st

from chainfix.fit.encode import FitWriter
from chainfix.fit.encode_fields import FitEncodeError, degrees_to_semicircles

REPO = Path(__file__).resolve().parents[1]
T0 = datetime(2025, 5, 4, 7, 30, tzinfo=UTC)

# ---------------------------------------------------------------------------------------------
# Decoding helpers

Messages = list[tuple[str, dict[str, Any]]]


def _norm(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def decode_strict(data: bytes) -> Messages:
    """fitdecode with CRC and error checks raising."""
    out: Messages = []
    with fitdecode.FitReader(
        io.BytesIO(data),
        check_crc=fitdecode.CrcCheck.RAISE,
        error_handling=fitdecode.ErrorHandling.RAISE,
    ) as reader:
        for frame in reader:
            if isinstance(frame, fitdecode.FitDataMessage):
                out.append((frame.name, {f.name: _norm(f.value) for f in frame.fields}))
    return out


def decode_fitparse(data: bytes) -> Messages:
    fit = fitparse.FitFile(data, check_crc=True)
    return [(m.name, {k: _norm(v) for k, v in m.get_values().items()}) for m in fit.get_messages()]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return bool(a == b)


def decode_both(data: bytes) -> Messages:
    """Decode with both decoders, assert they agree message by message, return the messages."""
    strict, other = decode_strict(data), decode_fitparse(data)
    assert [n for n, _ in strict] == [n for n, _ in other]
    for (name, a), (_, b) in zip(strict, other, strict=True):
        assert a.keys() == b.keys(), name
        for key in a:
            assert _same(a[key], b[key]), (name, key, a[key], b[key])
    return strict


def by_name(messages: Messages) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for name, values in messages:
        out[name].append(values)
    return out


def definitions(data: bytes) -> int:
    with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.RAISE) as reader:
        return sum(isinstance(f, fitdecode.FitDefinitionMessage) for f in reader)


def naive(when: datetime) -> datetime:
    return when.astimezone(UTC).replace(tzinfo=None)


# ---------------------------------------------------------------------------------------------
# FitWriter: round trips


def test_writer_round_trips_through_both_decoders() -> None:
    local = T0.astimezone(timezone(timedelta(hours=2)))
    w = FitWriter()
    w.add(
        "file_id",
        type="activity",
        manufacturer="garmin",
        product=3113,
        serial_number=123,
        time_created=T0,
    )
    w.add("file_creator", software_version=2026)
    w.add(
        "workout_step",
        message_index=0,
        duration_type="reps",
        duration_reps=10,
        exercise_category="hip_raise",
        exercise_name=11,
        exercise_weight=60,
        wkt_step_name="Hip thrust – heavy",
    )
    w.add(
        "workout_step", message_index=1, duration_type="time", duration_time=90.5, intensity="rest"
    )
    w.add(
        "workout_step",
        message_index=2,
        duration_type="reps",
        duration_reps=8,
        exercise_category="deadlift",
        exercise_name="romanian_deadlift",
        exercise_weight=42.5,
        weight_display_unit="kilogram",
    )
    w.add(
        "set",
        timestamp=T0,
        start_time=T0 - timedelta(seconds=31),
        duration=31.25,
        repetitions=10,
        weight=60.5,
        set_type="active",
        category=["hip_raise", "unknown", "squat"],
        category_subtype=[11, 65534, None],
    )
    w.add("record", timestamp=T0, position_lat=degrees_to_semicircles(51.34), heart_rate=120)
    w.add("activity", timestamp=T0, local_timestamp=local, num_sessions=1, type="manual")
    msgs = by_name(decode_both(w.to_bytes()))

    assert msgs["file_id"] == [
        {
            "type": "activity",
            "manufacturer": "garmin",
            "garmin_product": "fr945",
            "serial_number": 123,
            "time_created": naive(T0),
        }
    ]
    steps = msgs["workout_step"]
    assert steps[0]["duration_reps"] == 10 and steps[0]["exercise_weight"] == 60.0
    assert steps[0]["wkt_step_name"] == "Hip thrust – heavy"
    assert steps[1]["duration_time"] == 90.5 and steps[1]["intensity"] == "rest"
    assert steps[2]["exercise_name"] == personas.exercise_number("deadlift", "romanian_deadlift")
    assert steps[2]["exercise_weight"] == 42.5
    (s,) = msgs["set"]
    assert s["category"] == (10, 65534, 28)  # decoders return raw category numbers
    assert s["category_subtype"] == (11, 65534, None)
    assert (s["duration"], s["repetitions"], s["weight"]) == (31.25, 10, 60.5)
    assert msgs["record"][0]["position_lat"] == degrees_to_semicircles(51.34)
    assert msgs["activity"][0]["local_timestamp"] == datetime(2025, 5, 4, 9, 30)


def test_add_many_and_add_columns_write_invalid_values_for_gaps() -> None:
    w = FitWriter()
    w.add("file_id", type="activity")
    n = w.add_many(
        "record",
        ["timestamp", "distance", "heart_rate", "cadence"],
        [(T0, 1.0, 120, None), (T0 + timedelta(seconds=1), 2.5, 121, 80)],
    )
    stamps = np.datetime64(naive(T0), "s") + np.arange(2, 5).astype("timedelta64[s]")
    m = w.add_columns(
        "record",
        {
            "timestamp": stamps,
            "distance": np.array([3.0, 4.25, 5.5]),
            "heart_rate": np.array([122, np.nan, 124]),
            "enhanced_altitude": [-12.4, 0.0, 8848.2],
        },
    )
    assert (n, m) == (2, 3)
    records = by_name(decode_both(w.to_bytes()))["record"]
    assert [r["heart_rate"] for r in records] == [120, 121, 122, None, 124]
    assert records[0]["cadence"] is None and records[1]["cadence"] == 80
    assert [r["distance"] for r in records] == [1.0, 2.5, 3.0, 4.25, 5.5]
    assert [r["enhanced_altitude"] for r in records[2:]] == pytest.approx([-12.4, 0.0, 8848.2])
    assert records[4]["timestamp"] == naive(T0) + timedelta(seconds=4)


@settings(max_examples=40, deadline=None)
@given(
    weight=st.floats(0, 4095.875),
    duration=st.floats(0, 4_000_000),
    reps=st.integers(0, 65534),
    speed=st.floats(0, 4_000_000),
    altitude=st.floats(-500, 858_000),
    lat=st.integers(-(2**31), 2**31 - 2),
)
def test_scaled_values_round_trip(
    weight: float, duration: float, reps: int, speed: float, altitude: float, lat: int
) -> None:
    w = FitWriter()
    w.add("file_id", type="activity")
    w.add("set", weight=weight, duration=duration, repetitions=reps)
    w.add("record", enhanced_speed=speed, enhanced_altitude=altitude, position_lat=lat)
    msgs = by_name(decode_both(w.to_bytes()))
    s, r = msgs["set"][0], msgs["record"][0]
    assert s["weight"] == pytest.approx(weight, abs=1 / 32)
    assert s["duration"] == pytest.approx(duration, abs=0.0005 + 1e-9)
    assert s["repetitions"] == reps
    assert r["enhanced_speed"] == pytest.approx(speed, abs=0.0005 + 1e-9)
    assert r["enhanced_altitude"] == pytest.approx(altitude, abs=0.1 + 1e-9)
    assert r["position_lat"] == lat


def test_definitions_are_reused_and_local_types_recycled() -> None:
    w = FitWriter()
    w.add("file_id", type="activity")
    for i in range(10):  # two layouts, alternating: two definitions, not twenty
        w.add("record", timestamp=T0 + timedelta(seconds=i), heart_rate=100 + i)
        w.add("record", timestamp=T0 + timedelta(seconds=i), heart_rate=100 + i, cadence=80)
    assert definitions(w.to_bytes()) == 3

    w = FitWriter()
    w.add("file_id", type="activity")
    names = [f"step {i:02d}" for i in range(20)]  # 20 string lengths: 20 layouts > 16 local types
    for i, name in enumerate(names * 2):
        w.add("workout_step", message_index=i, wkt_step_name=name + "x" * (i % 20))
    steps = by_name(decode_both(w.to_bytes()))["workout_step"]
    assert [s["wkt_step_name"] for s in steps] == [
        n + "x" * (i % 20) for i, n in enumerate(names * 2)
    ]


# ---------------------------------------------------------------------------------------------
# FitWriter: validation


@pytest.mark.parametrize(
    ("message", "fields", "words"),
    [
        ("workout_stepp", {}, "unknown FIT message 'workout_stepp' (did you mean 'workout_step'"),
        ("workout_step", {"duraton_type": "reps"}, "unknown field 'duraton_type'"),
        ("set", {"repetition": 3}, "did you mean 'repetitions'"),
        (
            "workout_step",
            {"duration_type": "time", "duration_reps": 10},
            "duration_reps is a sub-field of duration_value and needs duration_type in ['reps'] "
            "(duration_type is 'time')",
        ),
        ("workout_step", {"duration_reps": 10}, "(duration_type is missing)"),
        (
            "workout_step",
            {"duration_type": "reps", "duration_reps": 10, "duration_value": 5},
            "both set field duration_value",
        ),
        ("workout_step", {"exercise_weight": 1000}, "1000 (raw 100000) does not fit in uint16"),
        ("workout_step", {"exercise_weight": -0.5}, "does not fit in uint16"),
        ("set", {"repetitions": 65535}, "does not fit"),
        ("record", {"heart_rate": 255}, "does not fit in uint8"),
        ("file_id", {"serial_number": 0}, "does not fit in uint32z"),
        ("workout_step", {"exercise_category": "hip_rise"}, "unknown value 'hip_rise'"),
        ("set", {"set_type": "resting"}, "unknown value 'resting'"),
        ("file_id", {"manufacturer": "garmin", "product": "fr9999"}, "unknown value 'fr9999'"),
        ("workout_step", {"exercise_weight": "heavy"}, "expected a number"),
        ("set", {"repetitions": True}, "expected a number"),
        ("record", {"heart_rate": float("nan")}, "not a finite number"),
        ("set", {"timestamp": datetime(2025, 1, 1)}, "naive datetime"),
        ("set", {"timestamp": "2025-01-01"}, "expected an aware datetime"),
        ("workout_step", {"wkt_step_name": 5}, "expected a string"),
        ("workout_step", {"wkt_step_name": "x" * 300}, "max 255"),
        (
            "workout_step",
            {"exercise_category": "deadlift", "exercise_name": "hip_thrust"},
            "'hip_thrust' is not a deadlift exercise",
        ),
    ],
)
def test_validation_errors(message: str, fields: dict[str, Any], words: str) -> None:
    w = FitWriter()
    w.add("file_id", type="activity")
    with pytest.raises(FitEncodeError) as err:
        w.add(message, **fields)
    assert words in str(err.value)
    assert isinstance(err.value, ValueError)


def test_fast_paths_validate_too() -> None:
    w = FitWriter()
    with pytest.raises(FitEncodeError, match="must start with file_id"):
        w.add("record", heart_rate=1)
    w.add("file_id", type="activity")
    with pytest.raises(FitEncodeError, match=r"record.heart_rate: row 1 value 300"):
        w.add_columns("record", {"heart_rate": np.array([100, 300])})
    with pytest.raises(FitEncodeError, match="exercise_weight: 1000"):
        w.add_many("workout_step", ["exercise_weight"], [(10,), (1000,)])
    with pytest.raises(FitEncodeError, match="has 1 values, expected 2"):
        w.add_many("record", ["heart_rate", "cadence"], [(100,)])
    with pytest.raises(FitEncodeError, match="sub-field"):
        w.add_many("workout_step", ["duration_reps"], [(1,)])
    with pytest.raises(FitEncodeError, match="empty FIT file"):
        FitWriter().to_bytes()


# ---------------------------------------------------------------------------------------------
# Personas


def test_personas_are_deterministic_and_realistic() -> None:
    plan = personas.runner(weeks=26, seed=11)
    again = personas.runner(weeks=26, seed=11)
    assert [(a.start_utc, a.distance_m, a.seed) for a in plan.activities] == [
        (a.start_utc, a.distance_m, a.seed) for a in again.activities
    ]
    kinds = Counter(a.kind for a in plan.activities)
    assert kinds["strength"] == 2 and kinds["ride"] >= 3 and kinds["trail"] >= 4
    assert all(a.sets for a in plan.activities if a.kind == "strength")
    assert any((a.descent_m or 0) > (a.ascent_m or 0) + 200 for a in plan.activities)
    long_runs = [a for a in plan.activities if a.kind == "long"]
    assert {a.start_local.weekday() for a in long_runs} == {6}
    assert {a.start_local.weekday() for a in plan.activities if a.kind == "intervals"} == {1}
    assert {a.utc_offset_s for a in plan.activities} == {3600, 7200}
    # Monday-midnight runs: local week differs from the UTC week.
    assert any(
        a.start_local.isocalendar()[1] != a.start_utc.isocalendar()[1] for a in plan.activities
    )
    for builder in (personas.trail_runner, personas.cyclist, personas.hybrid_lifter):
        assert builder(weeks=4).activities
    lifter = personas.hybrid_lifter(weeks=4)
    cats = {s.true_category for a in lifter.activities for s in a.sets if s.set_type == "active"}
    assert {"deadlift", "row", "squat"} <= cats
    assert Counter(a.start_local.weekday() for a in lifter.activities if a.sets) == {0: 4, 3: 4}
    assert any(a.is_multisport for a in personas.cyclist(weeks=4).activities)
    assert len(personas.beginner_runner(weeks=6).activities) >= 6


# ---------------------------------------------------------------------------------------------
# Activity FIT files


def _sample_plans() -> list[PlannedActivity]:
    plan = personas.runner(weeks=26, seed=3)
    picks: dict[str, PlannedActivity] = {}
    for a in plan.activities:
        key = a.kind + ("-pause" if a.elapsed_s > a.timer_s else "")
        picks.setdefault(key, a)
    picks["brick"] = extra_activity(plan, "brick", 0.5, 9)
    return list(picks.values())


@pytest.mark.parametrize("planned", _sample_plans(), ids=lambda a: f"{a.kind}-{a.seed}")
def test_activity_fit_matches_its_plan(planned: PlannedActivity) -> None:
    msgs = by_name(decode_both(activity_fit(planned, hz=0.2)))
    legs = planned.parts
    assert msgs["file_id"][0]["type"] == "activity"
    assert len(msgs["session"]) == len(legs)
    (activity,) = msgs["activity"]
    assert activity["num_sessions"] == len(legs)
    assert activity["local_timestamp"] - activity["timestamp"] == timedelta(
        seconds=planned.utc_offset_s
    )
    records = msgs["record"]
    stamps = [r["timestamp"] for r in records]
    assert stamps == sorted(stamps)
    for index, (leg, session) in enumerate(zip(legs, msgs["session"], strict=True)):
        assert session["start_time"] == naive(leg.start_utc)
        assert (session["sport"], session["sub_sport"]) == (leg.sport, leg.sub_sport)
        assert session["total_timer_time"] == leg.timer_s
        assert session["total_elapsed_time"] == leg.elapsed_s
        assert session["avg_heart_rate"] == leg.avg_hr
        assert session["max_heart_rate"] == leg.max_hr
        laps = msgs["lap"][session["first_lap_index"] :][: session["num_laps"]]
        assert session["num_laps"] == planned_laps(leg)
        assert sum(lap["total_timer_time"] for lap in laps) == pytest.approx(leg.timer_s)
        assert sum(lap["total_elapsed_time"] for lap in laps) == pytest.approx(leg.elapsed_s)
        end = naive(leg.end_utc)
        begin = naive(leg.start_utc) + timedelta(seconds=1 if index else 0)
        mine = [r for r in records if begin <= r["timestamp"] <= end]
        if leg.distance_m is None:
            assert "total_distance" not in session
            continue
        assert session["total_distance"] == leg.distance_m
        assert (session["total_ascent"], session["total_descent"]) == (leg.ascent_m, leg.descent_m)
        assert sum(lap["total_distance"] for lap in laps) == pytest.approx(leg.distance_m)
        assert sum(lap["total_ascent"] for lap in laps) == leg.ascent_m
        distances = [r["distance"] for r in mine]
        assert distances == sorted(distances) and distances[-1] == leg.distance_m
        alts = [r["enhanced_altitude"] for r in mine]
        climbs = np.diff(alts)
        assert climbs.clip(0).sum() == pytest.approx(leg.ascent_m, abs=4)
        assert (-climbs).clip(0).sum() == pytest.approx(leg.descent_m, abs=4)
        assert max(r["heart_rate"] for r in mine) == leg.max_hr
    if planned.elapsed_s > planned.timer_s:
        events = [(e["event_type"], e["timestamp"]) for e in msgs["event"]]
        assert [t for t, _ in events] == ["start", "stop", "start", "stop_all"]
        assert (events[2][1] - events[1][1]).total_seconds() == planned.elapsed_s - planned.timer_s
    if planned.sets:
        sets = msgs["set"]
        assert len(sets) == len(planned.sets)
        for want, got in zip(planned.sets, sets, strict=True):
            assert got["set_type"] == want.set_type
            assert got["duration"] == pytest.approx(want.duration_s, abs=0.0005)
            if want.set_type == "active":
                assert got["repetitions"] == want.reps
                assert got.get("weight") == want.weight_kg
                assert got["category_subtype"] == want.subtype


def test_every_persona_fit_decodes_strictly() -> None:
    for builder in (
        personas.runner,
        personas.trail_runner,
        personas.cyclist,
        personas.hybrid_lifter,
        personas.beginner_runner,
    ):
        for a in builder(weeks=2).activities:
            msgs = by_name(decode_strict(activity_fit(a, hz=0.1)))
            assert len(msgs["session"]) == len(a.parts)
    assert len(activity_fit(a, records=False)) < len(activity_fit(a, hz=0.1))


def test_one_hz_records() -> None:
    a = next(x for x in personas.runner(weeks=2).activities if x.kind == "easy")
    records = by_name(decode_strict(activity_fit(a)))["record"]
    assert len(records) == a.timer_s + 1
    assert {"position_lat", "enhanced_speed", "cadence", "enhanced_altitude"} <= records[9].keys()


def test_monitoring_fit_is_not_an_activity() -> None:
    device = personas.runner(weeks=1).activities[0].device
    assert device is not None
    msgs = by_name(decode_both(monitoring_fit(date(2025, 3, 1), device)))
    assert msgs["file_id"][0]["type"] == "monitoring_b"
    assert "session" not in msgs
    steps = [m["steps"] for m in msgs["monitoring"] if "steps" in m]
    assert steps == sorted(steps) and steps[-1] > 1000


def test_corrupt_variants_fail_strict_decoding() -> None:
    a = next(x for x in personas.runner(weeks=2).activities if x.kind == "easy")
    data = activity_fit(a, hz=0.1)
    cut = corrupt.truncate_before(data, "session")
    assert len(cut) < len(data)
    seen: list[str] = []
    with pytest.raises(fitdecode.FitEOFError):
        for name, _ in decode_strict_iter(cut):
            seen.append(name)
    assert "record" in seen and "lap" in seen and "session" not in seen
    with pytest.raises(fitdecode.FitCRCError):
        decode_strict(corrupt.bad_crc(data))
    with pytest.raises(fitdecode.FitCRCError):
        decode_strict(corrupt.bad_header_crc(data))
    with pytest.raises(fitdecode.FitError):
        decode_strict(corrupt.truncate(data, 100))
    with pytest.raises(fitdecode.FitError):
        decode_strict(corrupt.not_fit())
    assert len(list(corrupt.records(data))) > 10


def decode_strict_iter(data: bytes):  # type: ignore[no-untyped-def]
    with fitdecode.FitReader(
        io.BytesIO(data),
        check_crc=fitdecode.CrcCheck.RAISE,
        error_handling=fitdecode.ErrorHandling.RAISE,
    ) as reader:
        for frame in reader:
            if isinstance(frame, fitdecode.FitDataMessage):
                yield frame.name, frame


# ---------------------------------------------------------------------------------------------
# Garmin Connect export


def _members(path: Path) -> dict[str, bytes]:
    """Every file of an export zip, nested zips opened, names joined with ``!/``."""
    out: dict[str, bytes] = {}
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            data = zf.read(name)
            if name.endswith(".zip"):
                with zipfile.ZipFile(io.BytesIO(data)) as inner:
                    for sub in inner.namelist():
                        out[f"{name}!/{sub}"] = inner.read(sub)
            else:
                out[name] = data
    return out


def _summaries(files: dict[str, bytes]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for name, data in sorted(files.items()):
        if name.endswith("_summarizedActivities.json"):
            (wrapper,) = json.loads(data)
            out.extend(wrapper["summarizedActivitiesExport"])
    return out


@pytest.mark.parametrize("layout", ["current", "legacy", "unpacked"])
def test_export_manifest_matches_contents(tmp_path: Path, layout: str) -> None:
    persona = personas.runner(weeks=5, seed=21)
    manifest = write_export(
        persona,
        tmp_path / "export.zip",
        hz=0.1,
        layout=layout,
        parts=2,
        corrupt=("truncated", "bad_crc"),
        json_chunk=10,
    )
    files = _members(tmp_path / "export.zip")
    summaries = _summaries(files)
    assert len(manifest.json_members) == math.ceil(len(summaries) / 10) > 1
    parents = [s for s in summaries if s["parent"]]
    counted = [s for s in summaries if not s["parent"]]
    assert len(parents) == 1 and parents[0]["activityType"] == "multi_sport"
    assert len(counted) == manifest.expected_activity_count
    assert {s["parentId"] for s in counted if "parentId" in s} == {parents[0]["activityId"]}

    # Totals from the JSON, in its units, equal the manifest's.
    assert sum(s["duration"] for s in counted) / 1000 == manifest.total_timer_s
    assert sum(s.get("distance", 0) for s in counted) / 100 == pytest.approx(
        manifest.total_distance_m
    )
    sport_of = {key: sport for (sport, _), (key, _) in TYPE_KEYS.items()}
    by_sport: dict[str, float] = defaultdict(float)
    for s in counted:
        by_sport[sport_of[s["activityType"]]] += s["duration"] / 1000
    assert dict(by_sport) == manifest.timer_s_by_sport
    for s in summaries:
        assert s["startTimeLocal"] - s["startTimeGmt"] in (3_600_000, 7_200_000)

    # JSON-only activities: a manual run and a strength summary with grams and ms.
    json_only = [s for s in summaries if s["activityId"] in manifest.json_only_ids]
    assert sorted(s["activityType"] for s in json_only) == [
        "strength_training",
        "treadmill_running",
    ]
    (summary,) = [s for s in json_only if s["activityType"] == "strength_training"]
    sets = summary["summarizedExerciseSets"]
    assert {x["category"] for x in sets} == {"DEADLIFT", "ROW", "SQUAT"}
    assert all(x["maxWeight"] >= 1000 and x["duration"] > 1000 for x in sets)
    assert summary["totalReps"] == sum(x["reps"] for x in sets)

    # FIT members: strict decoding succeeds except for the corrupt ones; starts link to JSON.
    fits = {n: d for n, d in files.items() if n.endswith(".fit")}
    assert len(fits) == len(manifest.fit_members)
    if layout == "unpacked":
        assert all("!/" not in n for n in fits)
    else:
        assert {n.split("!/")[0].rsplit("/", 1)[1] for n in fits} == {
            "UploadedFiles_0-_Part1.zip",
            "UploadedFiles_0-_Part2.zip",
        }
    starts = {s["startTimeGmt"] for s in counted}
    sessions = 0
    for name, data in fits.items():
        if name in manifest.corrupt_members:
            with pytest.raises(fitdecode.FitError):
                decode_strict(data)
            continue
        msgs = by_name(decode_strict(data))
        if name in manifest.non_activity_members:
            assert msgs["file_id"][0]["type"] == "monitoring_b"
            continue
        if name in manifest.duplicate_members:
            assert data == fits[manifest.duplicate_members[name]]
            continue
        for session in msgs["session"]:
            start_ms = int(session["start_time"].replace(tzinfo=UTC).timestamp() * 1000)
            assert start_ms in starts
            sessions += 1
    assert sessions == manifest.fit_activity_count
    assert sorted(manifest.corrupt_members.values()) == ["bad_crc", "truncated"]
    assert len(manifest.lost) == 2
    assert not {a.start_utc for a in manifest.lost} & {
        p.start_utc for p in manifest.parts
    }  # lost activities have no summary
    assert "DI_CONNECT/DI-Connect-User/user_profile.json" in files


def test_export_as_folder_has_the_same_tree(tmp_path: Path) -> None:
    persona = personas.beginner_runner(weeks=3)
    zipped = write_export(persona, tmp_path / "e.zip", hz=0.1)
    folder = write_export(persona, tmp_path / "tree", hz=0.1, folder=True)
    in_zip = set(zipfile.ZipFile(tmp_path / "e.zip").namelist())
    on_disk = {p.relative_to(tmp_path / "tree").as_posix() for p in (tmp_path / "tree").rglob("*")}
    assert in_zip <= on_disk
    assert zipped.fit_members == folder.fit_members
    assert zipped.to_dict() | {"path": None} == folder.to_dict() | {"path": None}


def test_big_export_streams(tmp_path: Path) -> None:
    manifest = big_export(tmp_path / "big.zip", activities=6, seed=1)
    assert manifest.expected_activity_count == manifest.fit_activity_count == 6
    assert manifest.total_timer_s == 6 * 3600
    files = _members(tmp_path / "big.zip")
    fits = [d for n, d in files.items() if n.endswith(".fit")]
    assert len(fits) == 6 and sum(map(len, fits)) == manifest.bytes_fit
    for data in fits:
        assert len(by_name(decode_strict(data))["record"]) == 3601


# ---------------------------------------------------------------------------------------------
# Committed samples


def _load_script() -> Any:
    spec = importlib.util.spec_from_file_location(
        "make_sample_exports", REPO / "scripts" / "make_sample_exports.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_make_sample_exports_is_deterministic(tmp_path: Path) -> None:
    script = _load_script()
    first = script.build(tmp_path / "a")
    second = script.build(tmp_path / "b")
    assert first.keys() == second.keys()
    for name in first:
        assert first[name].read_bytes() == second[name].read_bytes(), name
    assert sum(p.stat().st_size for p in first.values()) < 5_000_000
    names = set(first)
    assert sum(n.endswith(".fit") for n in names) >= 4
    assert sum(n.endswith(".fit.gz") for n in names) == 1

    manifest = json.loads(first["garmin-export-runner.manifest.json"].read_text())
    files = _members(first["garmin-export-runner.zip"])
    counted = [s for s in _summaries(files) if not s["parent"]]
    assert len(counted) == manifest["expected_activity_count"]
    assert sum(s["duration"] for s in counted) / 1000 == manifest["total_timer_s"]
    assert manifest["strength_sessions_with_sets"] == 2
    assert len(manifest["corrupt_members"]) == 1 and len(manifest["non_activity_members"]) == 1
