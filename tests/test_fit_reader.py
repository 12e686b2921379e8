"""chainfix's FIT reader on the real device fixtures, checked against fitdecode as an oracle."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import fitdecode
import pytest

from chainfix.fit import FitRead, profile, read_fit
from chainfix.fit import api as fit_api
from chainfix.fit.activities import build
from chainfix.fit.decoded import Decoded
from chainfix.model import Origin
from chainfix.testing.contract import activity_errors, problem_errors
from tests.conftest import REAL_DIR, real_fit_files

REAL = real_fit_files()


def _id(path: Path) -> str:
    return path.name


def _read(path: Path) -> FitRead:
    return read_fit(path.read_bytes(), Origin(str(path)))


def _real(name: str) -> Path:
    matches = [p for p in REAL if p.name == name]
    if not matches:
        pytest.skip(f"fixture {name} not present under {REAL_DIR}")
    return matches[0]


# ---------------------------------------------------------------------------------------------
# The oracle: fitdecode, strict
# ---------------------------------------------------------------------------------------------


@dataclass
class Oracle:
    file_type: str | None = None
    sessions: list[dict] = field(default_factory=list)
    sets: int = 0
    error: str | None = None


def _name(type_name: str, value: object) -> object:
    """fitdecode's profile is older: map the integers it leaves through chainfix's profile."""
    return profile.enum_name(type_name, value) if isinstance(value, int) else value


@cache
def oracle(path: Path) -> Oracle:
    result = Oracle()
    try:
        with fitdecode.FitReader(
            str(path),
            check_crc=fitdecode.CrcCheck.RAISE,
            error_handling=fitdecode.ErrorHandling.RAISE,
        ) as reader:
            for frame in reader:
                if not isinstance(frame, fitdecode.FitDataMessage):
                    continue
                if frame.name == "file_id" and result.file_type is None:
                    result.file_type = _name("file", frame.get_value("type", fallback=None))
                elif frame.name == "session":
                    values = {f.name: f.value for f in frame.fields}
                    values["sport"] = _name("sport", values.get("sport"))
                    values["sub_sport"] = _name("sub_sport", values.get("sub_sport"))
                    result.sessions.append(values)
                elif frame.name == "set":
                    result.sets += 1
    except Exception as exc:  # the oracle keeps the prefix it yielded, like chainfix
        result.error = type(exc).__name__
    return result


def _close(ours: float | None, theirs: float | None) -> bool:
    if ours is None or theirs is None:
        return ours is None and theirs is None
    return abs(ours - theirs) <= max(1e-4 * abs(theirs), 1e-9)


def _unique(sessions: list[dict]) -> list[dict]:
    out: list[dict] = []
    for s in sessions:
        if s not in out:
            out.append(s)
    return out


@pytest.mark.parametrize("path", REAL, ids=_id)
def test_sessions_agree_with_fitdecode(path: Path) -> None:
    ours, theirs = _read(path), oracle(path)
    if theirs.file_type not in (None, "activity"):
        assert ours.activities == []
        assert ours.file_type == theirs.file_type
        return
    expected = _unique(theirs.sessions)
    if not expected and any(p.kind == "no_session" for p in ours.problems):
        return  # rebuilt from records (no session to compare with): see the corpus
    assert len(ours.activities) == len(expected)
    for activity, session in zip(ours.activities, expected, strict=True):
        assert activity.sport == (session["sport"] or "generic")
        if session["sub_sport"] is not None:
            assert activity.sub_sport == session["sub_sport"]
        assert _close(activity.timer_s, session.get("total_timer_time"))
        assert _close(activity.elapsed_s, session.get("total_elapsed_time"))
        assert _close(activity.distance_m, session.get("total_distance"))
        assert activity.start_utc.tzinfo is not None


@pytest.mark.parametrize("path", REAL, ids=_id)
def test_every_set_message_is_kept(path: Path) -> None:
    ours, theirs = _read(path), oracle(path)
    assert sum(len(a.sets) for a in ours.activities) == theirs.sets


@pytest.mark.parametrize("path", REAL, ids=_id)
def test_clean_files_take_the_fast_path(path: Path) -> None:
    ours, theirs = _read(path), oracle(path)
    crc_only = [p.kind for p in ours.problems if p.severity != "info"] == ["bad_crc"]
    if (theirs.error is None or crc_only) and path.stat().st_size:
        assert ours.reader == "fast"  # a file whose only fault is its CRC stays fast too
    else:
        assert ours.reader == "full" or not path.stat().st_size


# ---------------------------------------------------------------------------------------------
# Known-bad and special files
# ---------------------------------------------------------------------------------------------

EXPECTED_PROBLEMS = {
    # file: (problem kind, severity, activities kept)
    "activity-filecrc.fit": ("bad_crc", "warning", 1),
    "activity-activity-filecrc.fit": ("bad_crc", "warning", 1),
    "activity-unexpected-eof.fit": ("truncated", "warning", 1),
    "activity-settings-corruptheader.fit": ("bad_header", "warning", 1),
    "strava-android-app-201.10-b1218918.fit": ("corrupt", "warning", 1),
    "610464_bad_crc.fit": ("bad_header", "error", 0),
    "empty.fit": ("empty", "error", 0),
    "activity_truncated.fit": ("no_session", "error", 0),
    "WithGearChangeData.fit": ("no_session", "warning", 1),  # rebuilt from its records
    "MonitoringFile.fit": ("not_activity", "info", 0),
    "sleep1.fit": ("not_activity", "info", 0),
    "D55A5738.fit": ("not_activity", "info", 0),
    "WorkoutRepeatSteps.fit": ("not_activity", "info", 0),
}


@pytest.mark.parametrize("name", sorted(EXPECTED_PROBLEMS))
def test_known_problem_files(name: str) -> None:
    path = _real(name)
    kind, severity, kept = EXPECTED_PROBLEMS[name]
    result = _read(path)
    assert len(result.activities) == kept
    assert result.problems, "a problem file must say so"
    first = result.problems[0]
    assert (first.kind, first.severity) == (kind, severity)
    assert first.file == str(path) and first.member is None
    assert first.message.endswith(".") and "\n" not in first.message


def test_chained_copy_of_one_session_is_kept_once() -> None:
    result = _read(_real("activity-activity-filecrc.fit"))
    assert [p.kind for p in result.problems] == ["bad_crc", "duplicate"]
    assert result.problems[1].severity == "info"


@pytest.mark.parametrize("path", REAL, ids=_id)
def test_files_without_problems_are_clean_activities(path: Path) -> None:
    result = _read(path)
    if (
        path.name not in EXPECTED_PROBLEMS
        and path.stat().st_size
        and result.file_type
        in (
            "activity",
            None,
        )
    ):
        assert result.problems == []
        assert result.activities


@pytest.mark.parametrize("path", REAL, ids=_id)
def test_results_meet_the_source_contract(path: Path) -> None:
    result = _read(path)
    for activity in result.activities:
        assert activity_errors(activity) == []
    for problem in result.problems:
        assert problem_errors(problem) == []


def test_no_heart_rate_sensor_gives_none_not_zero() -> None:
    (activity,) = _read(_real("0134902991.fit")).activities
    assert activity.avg_hr is None and activity.max_hr is None
    assert _read(_real("0134902991.fit")).problems == []


def test_sleep_file_type_unknown_to_the_profile_is_named_by_number() -> None:
    assert _read(_real("sleep1.fit")).file_type == "file_49"


# ---------------------------------------------------------------------------------------------
# Strength sets
# ---------------------------------------------------------------------------------------------


def test_strength_sets_fr965() -> None:
    (activity,) = _read(_real("20474406937_ACTIVITY.fit")).activities
    assert (activity.sport, activity.sub_sport) == ("training", "strength_training")
    assert activity.device == "garmin fr965"
    assert len(activity.sets) == 76
    assert len(activity.active_sets) == 38
    assert all(s.set_type == "rest" for s in activity.sets if not s.is_active)
    weights = {s.weight_kg for s in activity.active_sets}
    assert 0.0 not in weights and None in weights and 14.0 in weights
    assert activity.active_sets[1].categories == ("sit_up", "squat", "triceps_extension")
    assert activity.active_sets[0].category == "unknown"
    assert all(s.start is not None and s.start.tzinfo is UTC for s in activity.sets)


def test_multisport_cycling_then_strength_puts_sets_on_the_strength_leg() -> None:
    ride, lift = _read(_real("20744294788_ACTIVITY.fit")).activities
    assert (ride.sport, ride.leg, len(ride.sets)) == ("cycling", 0, 0)
    assert (lift.sub_sport, lift.leg, len(lift.sets)) == ("strength_training", 1, 83)
    assert ride.avg_cadence == pytest.approx(89 + 105 / 128)
    assert ride.avg_speed_m_s == pytest.approx(7.214)
    dip = next(s for s in lift.sets if s.exercise == "bench_dip")
    assert dip.categories == ("triceps_extension", "lunge", "unknown")
    assert dip.reps == 15


def test_bodyweight_sets_have_no_weight() -> None:
    (activity,) = _read(_real("training.fit")).activities
    assert len(activity.sets) == 16
    assert all(s.weight_kg is None for s in activity.sets)
    assert activity.device == "garmin fenix6S_sport"


def test_strength_session_without_sets() -> None:
    (activity,) = _read(_real("flagged-hr.fit")).activities
    assert activity.sub_sport == "strength_training" and activity.sets == ()


# ---------------------------------------------------------------------------------------------
# Multisport, ids, times
# ---------------------------------------------------------------------------------------------


def test_fenix2_multisport_generic_first_leg_is_a_leg_not_a_summary() -> None:
    activities = _read(_real("activity-large-fenxi2-multisport.fit")).activities
    assert [a.sport for a in activities] == [
        "generic",
        "transition",
        "running",
        "transition",
        "running",
        "transition",
        "cycling",
    ]
    assert [a.leg for a in activities] == list(range(7))
    assert len({a.id for a in activities}) == 7
    assert activities[0].timer_s == pytest.approx(11738.24)
    assert activities[0].utc_offset_s == 7200


def test_triathlon_with_summaries_first() -> None:
    activities = _read(_real("triathlon_summary_first.fit")).activities
    assert [a.sport for a in activities][::2] == ["swimming", "cycling", "running"]
    assert activities[0].utc_offset_s == -5 * 3600
    assert activities[0].id == "20230902T131524Z-swimming"


def test_activity_id_and_offset() -> None:
    (activity,) = _read(_real("training.fit")).activities
    assert activity.id == "20221007T082235Z-training"
    assert activity.start_utc == datetime(2022, 10, 7, 8, 22, 35, tzinfo=UTC)
    assert activity.utc_offset_s == 7200
    assert activity.local_date.isoformat() == "2022-10-07"


def test_zero_local_timestamp_gives_no_offset() -> None:
    (activity,) = _read(_real("zwift-pschit.fit")).activities
    assert activity.utc_offset_s is None


def test_offset_is_rounded_to_a_quarter_hour() -> None:
    (activity,) = _read(_real("flagged-hr.fit")).activities
    assert activity.utc_offset_s == 3 * 3600  # local - utc is 2:59:13 in this file


def test_device_relative_times_are_placed_with_the_local_timestamp() -> None:
    (activity,) = _read(_real("compressed-speed-distance.fit")).activities
    assert activity.utc_offset_s is None
    assert activity.start_local.date().isoformat() == "2012-02-13"
    assert activity.device == "garmin fr70"


# ---------------------------------------------------------------------------------------------
# Rules on hand-made message lists
# ---------------------------------------------------------------------------------------------

T0 = 1_000_000_000  # a FIT timestamp in 2021


def _session(start: int, seconds: float, sport: int, sub: int = 0) -> tuple[str, dict]:
    return (
        "session",
        {
            "start_time": start,
            "timestamp": start + int(seconds),
            "total_elapsed_time": int(seconds * 1000),
            "total_timer_time": int(seconds * 1000),
            "sport": sport,
            "sub_sport": sub,
        },
    )


def test_summary_session_spanning_all_legs_is_not_counted() -> None:
    messages = [
        ("file_id", {"type": 4, "manufacturer": 1, "product": 4315}),
        _session(T0, 3600, 18),  # multisport summary
        _session(T0, 1200, 2),
        _session(T0 + 1200, 100, 3),
        _session(T0 + 1300, 2300, 1),
    ]
    built = build(Decoded(messages), Origin("x.fit"))
    assert [a.sport for a in built.activities] == ["cycling", "transition", "running"]
    assert [a.leg for a in built.activities] == [0, 1, 2]


def test_colliding_ids_get_the_leg_suffix() -> None:
    messages = [("file_id", {"type": 4}), _session(T0, 60, 1), _session(T0, 90, 1)]
    built = build(Decoded(messages), Origin("x.fit"))
    assert [a.id for a in built.activities] == [
        "20210908T014640Z-running-0",
        "20210908T014640Z-running-1",
    ]


def test_set_weight_zero_and_absent_are_none_and_unknown_enums_keep_their_number() -> None:
    sets = [
        ("set", {"start_time": T0 + 10, "weight": 0, "set_type": 1, "category": (65534, 99)}),
        (
            "set",
            {
                "start_time": T0 + 20,
                "weight": 800,
                "set_type": 1,
                "category": 28,
                "category_subtype": 9999,
            },
        ),
        ("set", {"start_time": T0 + 30, "set_type": 0}),
    ]
    messages = [("file_id", {"type": 4}), _session(T0, 600, 200, 250), *sets]
    (activity,) = build(Decoded(messages), Origin("x.fit")).activities
    assert (activity.sport, activity.sub_sport) == ("sport_200", "sub_sport_250")
    first, second, rest = activity.sets
    assert first.weight_kg is None and first.categories == ("unknown", "exercise_category_99")
    assert second.weight_kg == 50.0 and second.categories == ("squat",)
    assert second.exercise == "squat_exercise_name_9999"
    assert rest.set_type == "rest" and rest.categories == () and rest.category == "unknown"


def test_impossible_values_are_dropped_and_reported() -> None:
    session = _session(T0, 3600, 1)
    session[1].update(avg_heart_rate=250, max_heart_rate=120, total_distance=10_000 * 100 * 100)
    sets = [("set", {"start_time": T0 + 10, "weight": 2000 * 16, "repetitions": 12})]
    messages = [("file_id", {"type": 4}), session, *sets]
    built = build(Decoded(messages), Origin("x.fit"))
    (activity,) = built.activities
    assert activity.avg_hr == 250 and activity.max_hr is None and activity.distance_m is None
    assert activity.sets[0].weight_kg is None and activity.sets[0].reps == 12
    (problem,) = built.problems
    assert (problem.kind, problem.severity) == ("bad_value", "warning")
    assert "weight_kg=2000" in problem.message and "running max_hr=120" in problem.message
    assert activity_errors(activity) == []


def test_session_in_the_future_is_skipped() -> None:
    messages = [("file_id", {"type": 4}), _session(0xFFFF0000, 60, 1)]
    built = build(Decoded(messages), Origin("x.fit"))
    assert built.activities == [] and built.problems[0].kind == "bad_value"


def test_session_without_an_absolute_start_is_reported() -> None:
    messages = [("file_id", {"type": 4}), _session(1000, 60, 1)]
    built = build(Decoded(messages), Origin("x.fit"))
    assert built.activities == []
    assert [(p.kind, p.severity) for p in built.problems] == [("bad_value", "error")]


# ---------------------------------------------------------------------------------------------
# The never-raise contract and profile names
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"", "empty"),
        (b"<html>not a fit file</html>", "not_fit"),
        (b"\x0e\x10", "not_fit"),
    ],
)
def test_bad_input_is_a_problem_not_an_exception(data: bytes, kind: str) -> None:
    result = read_fit(data, Origin("bad.fit", "inner.fit"))
    assert result.activities == []
    (problem,) = result.problems
    assert (problem.kind, problem.severity, problem.where) == (kind, "error", "bad.fit!/inner.fit")


def test_unexpected_exception_becomes_a_corrupt_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(fit_api, "build", explode)
    result = read_fit(b"\x0e" + bytes(20), Origin("odd.fit"))
    (problem,) = result.problems
    assert problem.kind == "corrupt" and problem.file == "odd.fit" and "boom" in problem.message


def test_profile_names() -> None:
    assert profile.sport_name(2) == "cycling"
    assert profile.sport_name(123) == "sport_123"
    assert profile.sub_sport_name(20) == "strength_training"
    assert profile.category_name(65534) == "unknown"
    assert profile.category_name(8) == "deadlift"
    assert profile.exercise_name(8, 0) is not None
    assert profile.exercise_name(65534, 0) is None
    assert profile.exercise_name(34, 0) is None  # cardio_sensors has no exercise-name type
    assert profile.file_type_name(32) == "monitoring_b"
    assert profile.device_name(1, 4315) == "garmin fr965"
    assert profile.device_name(1, 60000) == "garmin 60000"
    assert profile.device_name(260, 0) == "zwift 0"
    assert profile.device_name(None, 3) is None
    assert len(profile.wanted_messages()) == 6  # file_id, session, lap, activity, sport, set
    laps = {s.name: s for s in profile.wanted_messages().values()}["lap"]
    assert len(laps.fields) == 6  # only the lap totals hard-session detection needs
    recovery = {s.name: s for s in profile.wanted_messages(recovery=True).values()}["lap"]
    assert set(f.name for f in laps.fields.values()) < set(f.name for f in recovery.fields.values())
