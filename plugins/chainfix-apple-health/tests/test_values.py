"""The values read from a generated export match what the generator planned, in SI units."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from chainfix.api import Activity, ReadOptions, ReadProblem
from healthgen import PREFIX, Planned, default_plan

from chainfix_apple_health.export import read
from chainfix_apple_health.routes import HYSTERESIS_M
from chainfix_apple_health.scan import Element, parse_element
from chainfix_apple_health.sports import sport_for
from chainfix_apple_health.workouts import quantity, read_workout

EXPECTED_SPORTS = {
    ("Running", False): ("running", "generic"),
    ("Running", True): ("running", "treadmill"),
    ("Walking", False): ("walking", "generic"),
    ("Hiking", None): ("hiking", "generic"),
    ("Cycling", False): ("cycling", "road"),
    ("Cycling", True): ("cycling", "indoor_cycling"),
    ("Swimming", None): ("swimming", "lap_swimming"),
    ("Rowing", True): ("fitness_equipment", "indoor_rowing"),
    ("TraditionalStrengthTraining", None): ("training", "strength_training"),
    ("FunctionalStrengthTraining", None): ("training", "strength_training"),
    ("HighIntensityIntervalTraining", None): ("hiit", "generic"),
    ("CoreTraining", None): ("training", "strength_training"),
    ("Yoga", None): ("training", "yoga"),
    ("Kickboxing", None): ("mixed_martial_arts", "generic"),
    ("Elliptical", True): ("fitness_equipment", "elliptical"),
    ("StairClimbing", True): ("fitness_equipment", "stair_climbing"),
    ("Dance", None): ("dance", "generic"),
    ("Fencing", None): ("generic", "generic"),
}
"""The issue's sports, as chainfix's load model names them (endurance-exposure.csv)."""


def by_start(items: list[object]) -> dict[datetime, Activity]:
    return {i.start_utc: i for i in items if isinstance(i, Activity)}


@pytest.mark.parametrize("layout", ["zip", "folder", "xml"])
def test_every_planned_workout_is_read(layout: str, export_zip: Path, export_folder: Path) -> None:
    path = {
        "zip": export_zip,
        "folder": export_folder,
        "xml": export_folder / "apple_health_export" / "export.xml",
    }[layout]
    items = list(read(path, ReadOptions()))
    acts = by_start(items)
    plan = default_plan().workouts
    assert len(acts) == len(plan)
    for p in plan:
        a = acts[p.start_utc]
        where = f"{p.health_type} at {p.start}"
        assert (a.sport, a.sub_sport) == EXPECTED_SPORTS[(p.health_type, p.indoor)], where
        assert a.utc_offset_s == p.start.utcoffset().total_seconds(), where  # type: ignore[union-attr]
        assert a.start_local.replace(tzinfo=None) == p.start.replace(tzinfo=None), where
        assert a.timer_s == pytest.approx(p.minutes * 60), where
        assert a.elapsed_s == pytest.approx(p.elapsed_s), where
        assert a.from_summary and a.source == "apple-health"
        expected = [p.minutes * 60 / p.laps] * p.laps if p.laps >= 2 else []  # 1 lap: no structure
        assert [lap.duration_s for lap in a.laps] == pytest.approx(expected, abs=0.01), where
        if p.distance_m is None:
            assert a.distance_m is None, where
        else:
            assert a.distance_m == pytest.approx(p.distance_m, rel=1e-6), where
            assert a.avg_speed_m_s == pytest.approx(p.distance_m / (p.minutes * 60), rel=1e-6)
        assert (a.avg_hr, a.max_hr) == (p.hr if p.hr else (None, None)), where
        if p.ascent_cm is not None:
            assert a.ascent_m == pytest.approx(p.ascent_cm / 100), where
        elif p.route_climb_m is not None:
            assert p.route_climb_m - HYSTERESIS_M <= a.ascent_m <= p.route_climb_m, where  # type: ignore[operator]
        else:
            assert a.ascent_m is None, where
        if p.route_climb_m is not None:
            # the hysteresis may lose up to one threshold at each turn of the profile
            assert p.route_climb_m - 2 * HYSTERESIS_M <= a.descent_m <= p.route_climb_m, where  # type: ignore[operator]
        assert a.id.startswith(f"{p.start_utc:%Y%m%dT%H%M%SZ}-"), a.id
    assert by_start(items)[plan[-1].start_utc].id.endswith("-fencing")  # kept under its own name
    problems = [i for i in items if isinstance(i, ReadProblem)]
    assert all(p.severity == "info" for p in problems), problems
    assert any("'fencing'" in p.message for p in problems)


def test_the_two_generations_give_the_same_activity(tmp_path: Path) -> None:
    """iOS 16+ WorkoutStatistics and older totals as attributes, in miles and kJ."""
    from healthgen import _workout_xml

    start = datetime(2022, 9, 1, 6, 0, 0, tzinfo=UTC)
    old = Planned("Running", start, 50, 10.0, 600, modern=False, imperial=True, kilojoules=True)
    new = Planned("Running", start, 50, 10.0, 600, modern=True)
    w_old = read_workout(parse_element(_workout_xml(old).encode()))
    w_new = read_workout(parse_element(_workout_xml(new).encode()))
    assert w_old.distance_m == pytest.approx(10_000, rel=1e-6)
    assert w_new.distance_m == pytest.approx(10_000, rel=1e-6)
    assert w_old.energy_kj == pytest.approx(600 * 4.184, rel=1e-6)
    assert w_new.energy_kj == pytest.approx(600 * 4.184, rel=1e-6)


def test_events_give_pauses_laps_and_segments() -> None:
    from healthgen import _workout_xml

    p = Planned("Running", datetime(2024, 1, 2, 7, 0, tzinfo=UTC), 40, 8.0, 400, pause_s=95, laps=8)
    w = read_workout(parse_element(_workout_xml(p).encode()))
    assert (w.paused_s, w.laps, w.segments) == (95, 8, 8)
    assert w.lap_durations_s == pytest.approx((300.0,) * 8)  # 40 min in 8 laps
    assert w.time_zone == "Europe/Paris" and w.device == "Apple Watch"


def test_moving_time_from_events_when_duration_is_missing() -> None:
    element = Element(
        "Workout",
        {
            "workoutActivityType": PREFIX + "Walking",
            "startDate": "2024-01-02 07:00:00 +0100",
            "endDate": "2024-01-02 08:00:00 +0100",
        },
        [
            Element("WorkoutEvent", {"type": "HKWorkoutEventTypePause",
                                     "date": "2024-01-02 07:20:00 +0100"}),
            Element("WorkoutEvent", {"type": "HKWorkoutEventTypeResume",
                                     "date": "2024-01-02 07:30:00 +0100"}),
        ],
    )  # fmt: skip
    from chainfix_apple_health.workouts import activity_fields

    fields = activity_fields(read_workout(element), datetime(2025, 1, 1, tzinfo=UTC))
    assert (fields.elapsed_s, fields.timer_s) == (3600, 3000)


@pytest.mark.parametrize(
    ("text", "metres"),
    [("4210 cm", 42.1), ("42.1 m", 42.1), ("100 ft", 30.48), ("7", 7.0), ("x cm", None)],
)
def test_elevation_metadata_units(text: str, metres: float | None) -> None:
    from chainfix_apple_health.workouts import LENGTH_M

    value = quantity(text, LENGTH_M)
    assert value == (pytest.approx(metres) if metres is not None else None)


def test_open_water_and_pool_swims() -> None:
    assert sport_for(PREFIX + "Swimming", None, 2) == ("swimming", "open_water")
    assert sport_for(PREFIX + "Swimming", None, 1) == ("swimming", "lap_swimming")
    assert sport_for(PREFIX + "Swimming", None, None) == ("swimming", "generic")
    assert sport_for(PREFIX + "Curling", None) is None


def test_every_table_row_is_a_fit_name() -> None:
    from chainfix.testing.contract import fit_names

    from chainfix_apple_health.sports import table

    for name, row in table().items():
        assert row.sport in fit_names("sport"), name
        assert {row.sub_sport, row.indoor_sub_sport} <= fit_names("sub_sport"), name


def test_a_workout_recorded_by_two_apps_counts_once(tmp_path: Path) -> None:
    """The watch's own workout and a copy another app synced into Health (fewer details)."""
    from dataclasses import replace

    from healthgen import Plan, write_export

    plan = default_plan()
    run = plan.workouts[0]
    strava = replace(run, source_name="Strava", hr=None, route_climb_m=None, pause_s=0,
                     start=run.start.replace(second=run.start.second + 2))  # fmt: skip
    items = list(
        read(write_export(tmp_path / "e.zip", Plan([strava, *plan.workouts])), ReadOptions())
    )
    acts = [i for i in items if isinstance(i, Activity)]
    assert len(acts) == len(plan.workouts)
    (kept,) = [a for a in acts if abs((a.start_utc - run.start_utc).total_seconds()) < 60]
    assert kept.start_utc == run.start_utc and kept.avg_hr == run.hr[0]  # type: ignore[index]
    (dup,) = [p for p in items if isinstance(p, ReadProblem) and p.kind == "duplicate"]
    assert dup.severity == "info" and "twice" in dup.message


def test_progress_counts_the_bytes_on_disk(export_zip: Path, export_folder: Path) -> None:
    import zipfile

    xml = export_folder / "apple_health_export" / "export.xml"
    seen: list[int] = []
    list(read(xml, ReadOptions(progress=seen.append)))
    assert sum(seen) == xml.stat().st_size
    seen.clear()
    list(read(export_zip, ReadOptions(progress=seen.append)))
    with zipfile.ZipFile(export_zip) as zf:
        member = zf.getinfo("apple_health_export/export.xml").compress_size
    assert member - 1 <= sum(seen) <= member
