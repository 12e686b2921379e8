"""The ``garmin-connect`` source reads the library offline; summaries are read in API units."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from chainfix.garmin_client import GarminConnect
from chainfix.ingest import IngestOptions, read_history
from chainfix.model import Activity, ReadProblem
from chainfix.sources.base import FitBlob, ReadOptions
from chainfix.testing.contract import activity_errors, check_source
from chainfix_synth.personas import PlannedActivity
from conftest import Account, api_summary

from chainfix_garmin_connect import PRIORITY
from chainfix_garmin_connect.library import MARKER, Library
from chainfix_garmin_connect.pull import pull
from chainfix_garmin_connect.source import can_open, read
from chainfix_garmin_connect.summaries import summary_activity

REAL_LIST = (
    Path(
        os.environ.get(
            "CHAINFIX_REAL_FIXTURES",
            Path(__file__).resolve().parents[3].parent / "shared" / "fixtures" / "real",
        )
    )
    / "McSwaggalot__garmin-strength"
    / "activities-1-100.json"
)
"""A real activity-list page from Connect's API (chainfix's shared fixtures), when present."""


@pytest.fixture
def pulled(
    account: Account,
    persona_activities: list[PlannedActivity],
    fit_files: list[bytes],
    library: Path,
) -> tuple[Path, Account, int]:
    """A library pulled from an account of 10 recorded activities and 1 manual entry."""
    for p, f in zip(persona_activities[:10], fit_files[:10], strict=True):
        account.add(p, f)
    manual = account.add(
        persona_activities[10],
        None,
        manualActivity=True,
        activityType={"typeId": 2, "typeKey": "cycling", "parentTypeId": 17},
        distance=20_000.0,
        duration=3_000.0,
        elapsedDuration=3_100.0,
        movingDuration=3_000.0,
        averageSpeed=20_000.0 / 3_000.0,
    )
    report = pull(GarminConnect.from_tokens(), library)
    assert report.complete and report.new == 11
    return library, account, manual


def test_offline_read_gives_the_seeded_activities(
    pulled: tuple[Path, Account, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    library, account, manual = pulled
    account.fake.stop()  # offline from here on
    monkeypatch.delenv("CHAINFIX_GARMIN_API_URL")
    history = read_history([library], IngestOptions(workers=1))
    assert not history.errors, history.errors
    assert {a.source for a in history.activities} == {"garmin-connect"}
    got = [(a.start_utc, a.sport, a.sub_sport, a.from_summary) for a in history.activities]
    want = sorted(
        (p.start_utc, p.sport, p.sub_sport, i == manual) for i, p in account.seeded.items()
    )
    want = [(s, "cycling" if m else sp, "generic" if m else sub, m) for s, sp, sub, m in want]
    assert got == want
    by_start = {a.start_utc: a for a in history.activities}
    for activity_id, planned in account.seeded.items():
        activity = by_start[planned.start_utc]
        if activity_id == manual:  # API units: metres and seconds as Connect sent them
            assert (activity.distance_m, activity.timer_s, activity.elapsed_s) == (
                20_000.0,
                3_000.0,
                3_100.0,
            )
            assert activity.utc_offset_s == planned.utc_offset_s
            continue
        assert not activity.from_summary and activity.device  # from the FIT file
        assert activity.timer_s == pytest.approx(planned.timer_s)
        if planned.distance_m:
            assert activity.distance_m == pytest.approx(planned.distance_m, abs=0.01)
        assert activity.utc_offset_s == planned.utc_offset_s


def test_the_source_keeps_the_contract(pulled: tuple[Path, Account, int], tmp_path: Path) -> None:
    library, account, manual = pulled
    report = check_source(
        "garmin-connect", samples=[library, damaged(tmp_path / "damaged")],
        junk_dir=tmp_path, forced_read=True,
    )  # fmt: skip
    assert {a.source for a in report.activities} == {"garmin-connect"}
    items = report.items[str(library)]
    assert len([i for i in items if isinstance(i, FitBlob)]) == 10
    summaries = [i for i in items if isinstance(i, Activity)]
    assert len(summaries) == 11 and all(a.from_summary for a in summaries)
    assert not [i for i in items if isinstance(i, ReadProblem)]
    problems = {(Path(p.file).name, p.kind, p.severity) for p in report.problems}
    assert problems >= {
        ("3.json", "bad_json", "error"),
        ("4.json", "bad_json", "error"),
        ("5.json", "io_error", "warning"),
        ("6.json", "corrupt", "warning"),
        ("7.json", "unsupported", "info"),
        ("8.json", "bad_value", "warning"),
        ("9.json", "bad_json", "error"),
        ("notes.txt", "unsupported", "info"),
    }
    assert ("2.fit", "not_fit") in {(Path(p.file).name, p.kind) for p in report.problems}


def damaged(root: Path) -> Path:
    """A library with every kind of damage, beside one good summary."""
    lib = Library(root)
    lib.create("fake-athlete")
    good = {
        "activityId": 1,
        "startTimeGMT": "2025-03-01 07:00:00",
        "startTimeLocal": "2025-03-01 08:00:00",
        "activityType": {"typeKey": "running"},
        "duration": 1800.0,
        "distance": 5000.0,
    }
    lib.store_summary(1, good, "none")
    lib.fit_path(2).write_bytes(b"<!DOCTYPE html><html>Sign in</html>")  # a bad FIT file
    lib.summary_path(3).write_text('{"format": "chainfix-garmin-connect-summary", "act', "utf-8")
    lib.summary_path(4).write_text("[1, 2, 3]", "utf-8")
    lib.store_summary(5, {**good, "activityId": 5}, "fit")  # its FIT file is gone
    lib.store_summary(6, {**good, "activityId": 6}, "unreadable", "not a zip")
    lib.store_summary(7, {**good, "activityId": 7}, "not_fit", "the original is GPX")
    lib.store_summary(8, {**good, "activityId": 8, "distance": -5.0, "averageHR": 900}, "none")
    lib.store_summary(9, {"activityId": 9, "startTimeGMT": "yesterday"}, "none")
    (root / "notes.txt").write_text("mine", "utf-8")
    (root / ".9.json.0000.tmp").write_text("{", "utf-8")  # a crashed pull's leftover: ignored
    return root


def test_can_open_only_a_library(pulled: tuple[Path, Account, int], tmp_path: Path) -> None:
    library, _account, _manual = pulled
    assert can_open(library) is True
    assert can_open(library / MARKER) is False
    assert can_open(library.parent) is False
    assert can_open(tmp_path / "nothing-here") is False
    assert can_open(Path("bad\x00path")) is False
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "1.fit").write_bytes(b"")
    assert can_open(plain) is False
    assert PRIORITY > -10  # above chainfix's folder source


def test_reading_something_else_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    (tmp_path / "x.fit").write_bytes(b"")
    for path in (tmp_path, tmp_path / "x.fit", tmp_path / "missing"):
        items = list(read(path, ReadOptions()))
        assert [type(i) for i in items] == [ReadProblem]
        assert items[0].kind in {"unsupported", "io_error"}  # type: ignore[union-attr]


def summary(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "activityId": 21324292630,
        "startTimeLocal": "2025-12-22 18:16:20",
        "startTimeGMT": "2025-12-22 16:16:20",
        "activityType": {"typeId": 1, "typeKey": "running", "parentTypeId": 17},
        "duration": 3000.5,
        "elapsedDuration": 3100.0,
        "movingDuration": 2950.0,
        "distance": 10_000.0,
        "elevationGain": 120.0,
        "elevationLoss": 118.0,
        "averageSpeed": 3.39,
        "averageHR": 150.0,
        "maxHR": 181.0,
        "beginTimestamp": 1766420180000,
    }
    base.update(fields)
    return base


def test_summaries_are_read_in_api_units() -> None:
    activity, problems = summary_activity(summary(), "x.json")
    assert activity is not None and problems == []
    assert activity.start_utc == datetime(2025, 12, 22, 16, 16, 20, tzinfo=UTC)
    assert activity.utc_offset_s == 7200
    assert (activity.timer_s, activity.elapsed_s) == (3000.5, 3100.0)  # seconds, not ms
    assert (activity.distance_m, activity.ascent_m, activity.descent_m) == (10_000.0, 120, 118)
    assert (activity.avg_speed_m_s, activity.avg_hr, activity.max_hr) == (3.39, 150, 181)
    assert (activity.sport, activity.sub_sport, activity.from_summary) == (
        "running",
        "generic",
        True,
    )
    assert activity_errors(activity) == []


def test_summary_edge_cases() -> None:
    # no startTimeGMT: beginTimestamp (epoch ms); an unknown typeKey: its parent type
    activity, _ = summary_activity(
        summary(startTimeGMT=None, activityType={"typeKey": "new_thing", "parentTypeId": 2}),
        "x.json",
    )
    assert activity is not None
    assert activity.start_utc == datetime(2025, 12, 22, 16, 16, 20, tzinfo=UTC)
    assert (activity.sport, activity.sub_sport) == ("cycling", "generic")
    # Connect's time format with a fraction, and the type table's sub-sports
    activity, _ = summary_activity(
        summary(startTimeGMT="2025-12-22T16:16:20.0", activityType={"typeKey": "trail_running"}),
        "x.json",
    )
    assert activity is not None and activity.sub_sport == "trail"
    assert activity.start_utc.second == 20
    # impossible values are dropped and reported; no duration falls back on elapsed
    activity, problems = summary_activity(
        summary(distance=-1.0, maxHR=900.0, duration=None, averageSpeed=None), "x.json"
    )
    assert activity is not None and activity.distance_m is None and activity.max_hr is None
    assert activity.timer_s == 3100.0 and activity.avg_speed_m_s is None
    assert [p.kind for p in problems] == ["bad_value"] and "max_hr=900" in problems[0].message
    # strength sets: grams and milliseconds, as in the export
    activity, _ = summary_activity(
        summary(
            summarizedExerciseSets=[
                {"category": "DEADLIFT", "subCategory": "ROMANIAN_DEADLIFT", "reps": 24,
                 "sets": 3, "maxWeight": 60000, "duration": 95000.0},
                {"category": None},
            ]
        ),
        "x.json",
    )  # fmt: skip
    assert activity is not None
    [row] = activity.summary_sets
    assert (row.category, row.exercise) == ("deadlift", "romanian_deadlift")
    assert (row.sets, row.reps) == (3, 24)
    assert (row.max_weight_kg, row.duration_s) == (60.0, 95.0)
    # no start, a start before 1989, not an object
    for bad in (
        summary(startTimeGMT=None, beginTimestamp=None),
        summary(startTimeGMT="1970-01-01 00:00:00"),
        [1, 2],
    ):
        activity, problems = summary_activity(bad, "x.json")
        assert activity is None and problems and problems[0].kind in {"bad_json", "bad_value"}


def test_a_real_activity_list_page_reads_cleanly() -> None:
    if not REAL_LIST.is_file():
        pytest.skip(f"real activity list not present at {REAL_LIST}")
    items = json.loads(REAL_LIST.read_bytes())
    sports = set()
    for item in items:
        activity, problems = summary_activity(item, "activities.json")
        assert activity is not None, problems
        assert activity_errors(activity) == [], (item["activityId"], activity_errors(activity))
        sports.add(activity.sport)
        duration = item["duration"]
        assert activity.timer_s == pytest.approx(duration)  # seconds, as sent
        if item.get("distance"):
            assert activity.distance_m == pytest.approx(item["distance"])  # metres, as sent
    assert {"running", "training"} <= sports


def test_summaries_are_api_shaped(persona_activities: list[PlannedActivity]) -> None:
    """The test helper builds what Connect sends (guards the other tests' premise)."""
    item = api_summary(persona_activities[0])
    activity, problems = summary_activity(item, "x.json")
    assert activity is not None and not problems
    assert activity.start_utc == persona_activities[0].start_utc
    assert activity.utc_offset_s == persona_activities[0].utc_offset_s
