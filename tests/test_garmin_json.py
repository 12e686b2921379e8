"""Workout → Garmin Connect strength-workout JSON, the exercise catalogue and the marker."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from chainfix.delivery.garmin_json import (
    ExerciseCatalogue,
    Marker,
    load_garmin_catalogue,
    parse_marker,
    step_description,
    workout_json,
)
from chainfix.errors import DataFileError, DeliveryError
from chainfix.model import Workout, WorkoutStep

REFERENCE_CATALOGUE = (
    Path(__file__).resolve().parents[2] / "shared" / "reference" / "garmin-exercise-catalog.json"
)

RDL = WorkoutStep(
    "db_rdl",
    "Dumbbell Romanian deadlift",
    "deadlift",
    "romanian_deadlift",
    sets=3,
    reps=10,
    rest_s=90,
    load="RPE 7-8 (2-3 reps in reserve)",
    weight_kg=40.0,
    garmin_category="DEADLIFT",
    garmin_exercise_name="ROMANIAN_DEADLIFT",
)
NORDIC = WorkoutStep(
    "nordic",
    "Nordic hamstring curl",
    "leg_curl",
    "leg_curl",
    sets=2,
    reps=5,
    rest_s=120,
    load="Lower as slowly as possible",
    watch_title="Nordic hamstring curl",
    garmin_category="LEG_CURL",
    garmin_exercise_name="LEG_CURL",
)
SIDE_PLANK = WorkoutStep(
    "side_plank",
    "Side plank",
    "plank",
    "side_plank",
    sets=2,
    duration_s=30,
    rest_s=0,
    per_side=True,
)


def small_catalogue() -> ExerciseCatalogue:
    """A catalogue in the reference JSON shape (a few rows)."""
    return ExerciseCatalogue.from_json(
        {
            "categories": {
                "DEADLIFT": {"exercises": [{"exerciseName": "ROMANIAN_DEADLIFT"}]},
                "LEG_CURL": {"exercises": [{"exerciseName": "LEG_CURL"}]},
                "PLANK": {"exercises": [{"exerciseName": "SIDE_PLANK"}]},
                "SHOULDER_PRESS": {
                    "exercises": [
                        {"exerciseName": "SHOULDER_PRESS", "pickerGenericCategoryEntry": True}
                    ]
                },
            },
            "seenOnlyInNewerCatalogs": {"pairs": ["DEADLIFT/RUCK_DEADLIFT"]},
        },
        "test",
    )


def session(*steps: WorkoutStep, key: str = "2026-12-01-posterior-a") -> Workout:
    return Workout(
        key=key,
        title="Posterior chain A",
        date=date(2026, 12, 1),
        steps=steps,
        week=2,
        notes=("Warm up with 5 minutes of easy cycling.",),
    )


def walk(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for step in steps:
        out.append(step)
        out.extend(walk(step.get("workoutSteps", [])))
    return out


def test_strength_workout_shape_matches_the_reference() -> None:
    doc = workout_json(session(RDL, NORDIC, SIDE_PLANK), small_catalogue())
    body = doc.payload
    assert body["workoutName"] == "Posterior chain A · Tue 1 Dec"
    assert body["sportType"] == {
        "sportTypeId": 5,
        "sportTypeKey": "strength_training",
        "displayOrder": 5,
    }
    [segment] = body["workoutSegments"]
    assert segment["segmentOrder"] == 1
    assert segment["sportType"] == {"sportTypeId": 5, "sportTypeKey": "strength_training"}
    groups = segment["workoutSteps"]
    assert [g["type"] for g in groups] == ["RepeatGroupDTO"] * 3
    rdl_group = groups[0]
    assert rdl_group["numberOfIterations"] == 3
    assert rdl_group["endConditionValue"] == 3.0
    assert rdl_group["endCondition"]["conditionTypeId"] == 7
    assert rdl_group["stepType"]["stepTypeId"] == 6
    exercise, rest = rdl_group["workoutSteps"]
    assert exercise["stepType"]["stepTypeId"] == 3
    assert exercise["endCondition"]["conditionTypeId"] == 10  # reps
    assert exercise["endConditionValue"] == 10.0
    assert (exercise["category"], exercise["exerciseName"]) == ("DEADLIFT", "ROMANIAN_DEADLIFT")
    assert rest["stepType"]["stepTypeId"] == 5
    assert rest["endCondition"]["conditionTypeId"] == 2  # time, seconds
    assert rest["endConditionValue"] == 90.0
    assert "category" not in rest
    # every step of a group carries the group's childStepId; the group numbers are 1, 2, 3
    for number, group in enumerate(groups, start=1):
        assert group["childStepId"] == number
        assert {s["childStepId"] for s in group["workoutSteps"]} == {number}


def test_step_order_is_one_flat_counter_over_the_tree() -> None:
    doc = workout_json(session(RDL, NORDIC, SIDE_PLANK), small_catalogue())
    orders = [s["stepOrder"] for s in walk(doc.payload["workoutSegments"][0]["workoutSteps"])]
    assert orders == list(range(1, len(orders) + 1))


def test_load_is_guidance_in_the_description_never_a_weight() -> None:
    doc = workout_json(session(RDL), small_catalogue())
    text = json.dumps(doc.payload)
    assert "weightValue" not in text and "weightUnit" not in text
    exercise = doc.payload["workoutSegments"][0]["workoutSteps"][0]["workoutSteps"][0]
    assert exercise["description"] == "RPE 7-8 (2-3 reps in reserve)"


def test_timed_exercise_uses_a_time_end_condition_and_no_rest_when_rest_is_zero() -> None:
    doc = workout_json(session(SIDE_PLANK), small_catalogue())
    [group] = doc.payload["workoutSegments"][0]["workoutSteps"]
    left, right = group["workoutSteps"]  # work per side: one step per side, no rest
    for exercise in (left, right):
        assert exercise["endCondition"]["conditionTypeKey"] == "time"
        assert exercise["endConditionValue"] == 30.0
        # derived from the FIT names when the planner gave no Connect pair
        assert (exercise["category"], exercise["exerciseName"]) == ("PLANK", "SIDE_PLANK")
    assert (left["description"], right["description"]) == ("Left side", "Right side")
    assert group["numberOfIterations"] == 2


def test_approximate_exercise_names_the_real_movement_in_the_description() -> None:
    text = step_description(NORDIC)
    assert text.startswith("Nordic hamstring curl")
    assert "slowly" in text


def test_descriptions_are_capped() -> None:
    long = WorkoutStep("x", "x", "deadlift", "romanian_deadlift", 1, reps=5, notes="word " * 200)
    assert len(step_description(long)) <= 200


def test_marker_is_appended_and_parsed_back() -> None:
    doc = workout_json(session(RDL), small_catalogue())
    description = doc.payload["description"]
    assert description.startswith("chainfix · week 2\nWarm up")
    assert description.endswith(f"[chainfix:2026-12-01-posterior-a:{doc.content_hash}]")
    assert parse_marker(description) == Marker("2026-12-01-posterior-a", doc.content_hash)
    assert parse_marker("My own workout, inspired by chainfix") is None
    assert parse_marker(None) is None


def test_content_hash_is_stable_and_changes_with_content() -> None:
    catalogue = small_catalogue()
    first = workout_json(session(RDL), catalogue)
    again = workout_json(session(RDL), catalogue)
    assert first.content_hash == again.content_hash and first.payload == again.payload
    changed = workout_json(session(replace(RDL, reps=8)), catalogue)
    assert changed.content_hash != first.content_hash


def test_the_date_is_in_the_name_so_a_moved_session_is_renamed() -> None:
    catalogue = small_catalogue()
    a = workout_json(session(RDL), catalogue)
    moved = workout_json(replace(session(RDL), date=date(2026, 12, 3)), catalogue)
    assert moved.payload["workoutName"] == "Posterior chain A · Thu 3 Dec"
    assert moved.content_hash != a.content_hash


def test_estimated_duration_counts_work_per_side_rest_and_set_up() -> None:
    """Issue 14 item 9: a real estimate, not 0."""
    doc = workout_json(session(RDL, SIDE_PLANK), small_catalogue())
    rdl = 30 + 3 * (10 * 4 + 90)  # set-up, 3 sets of 10 reps at 4 s and 90 s rest
    plank = 30 + 2 * (30 * 2 + 0)  # 2 sets of 30 s per side, no rest
    assert doc.payload["estimatedDurationInSecs"] == rdl + plank
    assert 5 * 60 < rdl + plank < 15 * 60


@pytest.mark.parametrize(
    ("category", "name", "message"),
    [
        ("UNASSIGNED", "X", "'UNASSIGNED' is not a Garmin Connect exercise category"),
        ("LEG_CURL", "NORDIC_HAMSTRING_CURL", "LEG_CURL/NORDIC_HAMSTRING_CURL is not in Garmin"),
    ],
)
def test_invalid_pairs_are_refused_before_anything_is_sent(
    category: str, name: str, message: str
) -> None:
    bad = replace(NORDIC, name="Nordic", garmin_category=category, garmin_exercise_name=name)
    with pytest.raises(DeliveryError) as info:
        workout_json(session(RDL, bad), small_catalogue())
    assert message in info.value.message
    assert "exercise 2 (Nordic)" in info.value.message
    assert "catalogue" in info.value.hint


def test_bad_keys_and_counts_are_refused() -> None:
    with pytest.raises(DeliveryError, match="workout key"):
        workout_json(session(RDL, key="a:b"), small_catalogue())
    zero = WorkoutStep("x", "x", "deadlift", "romanian_deadlift", 0, reps=5)
    with pytest.raises(DeliveryError, match="sets must be at least 1"):
        workout_json(session(zero), small_catalogue())


def test_generic_category_entries_are_sent_as_an_empty_name() -> None:
    press = WorkoutStep("p", "Press", "shoulder_press", "shoulder_press", 2, reps=8)
    doc = workout_json(session(press), small_catalogue())
    exercise = doc.payload["workoutSegments"][0]["workoutSteps"][0]["workoutSteps"][0]
    assert (exercise["category"], exercise["exerciseName"]) == ("SHOULDER_PRESS", "")


def test_catalogue_accepts_garmins_own_exercises_json_shape() -> None:
    catalogue = ExerciseCatalogue.from_json(
        {"categories": {"HIP_RAISE": {"exercises": {"HIP_RAISE": {}, "KETTLEBELL_SWING": {}}}}}
    )
    assert ("HIP_RAISE", "KETTLEBELL_SWING") in catalogue
    assert ("HIP_RAISE", "") in catalogue
    assert ("HIP_RAISE", "NOPE") not in catalogue
    assert catalogue.problem("ROW", "FACE_PULL") is not None


def test_catalogue_of_the_wrong_shape_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataFileError):
        ExerciseCatalogue.from_json({"exercises": []})
    broken = tmp_path / "garmin-exercise-catalogue.json"
    broken.write_text("{not json", "utf-8")
    with pytest.raises(DataFileError):
        load_garmin_catalogue(broken)


def test_user_catalogue_in_the_user_dir_wins(_isolated_home: Path) -> None:
    (_isolated_home / "garmin-exercise-catalogue.json").write_text(
        json.dumps({"categories": {"LEG_CURL": {"exercises": {"LEG_CURL": {}}}}}), "utf-8"
    )
    catalogue = load_garmin_catalogue()
    assert catalogue.categories == {"LEG_CURL"}


def test_newer_catalogue_pairs_are_accepted() -> None:
    assert ("DEADLIFT", "RUCK_DEADLIFT") in small_catalogue()


def test_bundled_catalogue_is_used_when_nothing_else_is_there() -> None:
    catalogue = load_garmin_catalogue()
    assert len(catalogue.categories) == 47
    assert ("HIP_RAISE", "KETTLEBELL_SWING") in catalogue
    assert ("LEG_CURL", "GOOD_MORNING") in catalogue


@pytest.mark.skipif(not REFERENCE_CATALOGUE.is_file(), reason="shared reference not present")
def test_reference_catalogue_parses_and_holds_every_chainfix_pair() -> None:
    data = json.loads(REFERENCE_CATALOGUE.read_text("utf-8"))
    catalogue = ExerciseCatalogue.from_json(data, str(REFERENCE_CATALOGUE))
    assert len(catalogue.categories) == 47
    pairs = [p for m in data["chainfixPairs"].values() for p in m["best"] + m["alternatives"]]
    assert pairs
    for pair in pairs:
        assert catalogue.problem(pair["category"], pair["exerciseName"]) is None, pair
    # the bundled garminconnect list agrees on every pair chainfix uses
    bundled = load_garmin_catalogue()
    for pair in pairs:
        assert bundled.problem(pair["category"], pair["exerciseName"]) is None, pair
