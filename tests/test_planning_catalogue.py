"""The exercise catalogue: FIT profile pairs, Garmin Connect keys, checks on load, user rows."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from fitparse import profile

from chainfix.errors import DataFileError
from chainfix.paths import user_dir
from chainfix.planning import load_catalogue

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CONNECT_JSON = SHARED / "reference" / "garmin-exercise-catalog.json"
SCIENCE_CSV = SHARED / "science" / "exercises.csv"
PACKAGE_CSV = Path(__file__).resolve().parents[1] / "src" / "chainfix" / "data" / "exercises.csv"


def rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(PACKAGE_CSV.read_text("utf-8"))))


def test_all_48_exercises_load() -> None:
    catalogue = load_catalogue()
    assert len(catalogue) == 48
    assert set(catalogue.ladders()) == {
        "hip_bridge",
        "hinge",
        "knee_flexion",
        "back_extension",
        "calf",
        "hip_abduction",
        "upper_back_pull",
        "single_leg",
        "anti_rotation_core",
    }


@pytest.mark.parametrize("row", rows(), ids=lambda r: r["id"])
def test_every_pair_is_a_fit_profile_pair(row: dict[str, str]) -> None:
    categories = profile.FIELD_TYPES["exercise_category"].values
    cat_id = int(row["fit_exercise_category_id"])
    assert categories[cat_id] == row["fit_exercise_category"]
    names = profile.FIELD_TYPES[f"{row['fit_exercise_category']}_exercise_name"].values
    assert names[int(row["fit_exercise_name_id"])] == row["fit_exercise_name"]


def test_nordic_is_a_titled_leg_curl() -> None:
    nordic = load_catalogue()["nordic"]
    assert nordic.fit_pair == ("leg_curl", "leg_curl")
    assert nordic.fit_match == "approximate"
    assert nordic.watch_title == "Nordic hamstring curl"
    assert nordic.garmin_pair == ("LEG_CURL", "LEG_CURL")


def test_approximate_pairs_have_titles_and_shared_pairs_stay_in_one_ladder() -> None:
    catalogue = load_catalogue()
    ladders_by_pair: dict[tuple[str, str], set[str]] = {}
    for e in catalogue:
        if e.fit_match == "approximate":
            assert e.watch_title
        ladders_by_pair.setdefault(e.fit_pair, set()).add(e.ladder)
    assert all(len(ladders) == 1 for ladders in ladders_by_pair.values())


@pytest.mark.skipif(not CONNECT_JSON.is_file(), reason="reference catalogue JSON not present")
def test_every_connect_key_is_in_the_reference_catalogue() -> None:
    data = json.loads(CONNECT_JSON.read_text("utf-8"))
    keys = {
        (cat, e["exerciseName"]): e
        for cat, body in data["categories"].items()
        for e in body["exercises"]
    }
    for row in rows():
        pair = (row["garmin_category"], row["garmin_exercise_name"])
        assert pair in keys, row["id"]
        entry = keys[pair]
        same_as_fit = (
            entry["fitExerciseName"] == row["fit_exercise_name"]
            and data["categories"][pair[0]]["fitCategoryName"] == row["fit_exercise_category"]
        )
        if row["garmin_match"] == "exact":
            assert same_as_fit, row["id"]
        else:
            assert row["garmin_note"] or row["fit_match"] == "approximate", row["id"]


@pytest.mark.skipif(not SCIENCE_CSV.is_file(), reason="science catalogue not present")
def test_facts_match_the_science_catalogue() -> None:
    science = {r["id"]: r for r in csv.DictReader(io.StringIO(SCIENCE_CSV.read_text("utf-8")))}
    ours = {r["id"]: r for r in rows()}
    assert set(science) == set(ours)
    for ex_id, row in science.items():
        for column, value in row.items():
            if (ex_id, column) in {("lat_pulldown", "equipment"), ("lat_pulldown", "tempo_notes")}:
                continue
            assert ours[ex_id][column] == value, (ex_id, column)


def _write(path: Path, changes: dict[str, str], base_id: str = "glute_bridge") -> Path:
    base = next(r for r in rows() if r["id"] == base_id)
    row = {**base, **changes}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(base), lineterminator="\n")
    writer.writeheader()
    writer.writerow(row)
    path.write_text(out.getvalue(), "utf-8")
    return path


@pytest.mark.parametrize(
    ("changes", "column", "words"),
    [
        (
            {"fit_exercise_name": "glute_bridge"},
            "fit_exercise_name",
            "not a FIT hip_raise_exercise_name",
        ),
        (
            {"fit_exercise_category": "glutes"},
            "fit_exercise_category",
            "not a FIT exercise_category",
        ),
        ({"fit_exercise_name_id": "12"}, "fit_exercise_name_id", "does not match"),
        ({"stimulus_family": "magic"}, "stimulus_family", "strength-credits"),
        ({"fit_match": "approximate", "watch_title": ""}, "watch_title", "approximate"),
        ({"default_reps": "15-10"}, "default_reps", "rising range"),
        ({"primary": "glutes"}, "primary", "not a muscle group"),
        ({"progression": "no_such_move"}, "progression", "unknown exercise"),
        ({"garmin_category": "hip raise"}, "garmin_category", "Garmin Connect key"),
    ],
)
def test_a_bad_row_names_file_row_and_column(
    tmp_path: Path, changes: dict[str, str], column: str, words: str
) -> None:
    path = _write(tmp_path / "mine.csv", {"id": "my_bridge", **changes})
    with pytest.raises(DataFileError) as info:
        load_catalogue([path])
    message = str(info.value)
    assert str(path) in message
    assert "row 2" in message
    assert f"column {column}" in message
    assert words in message


def test_missing_columns_are_named(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("id,display_name\nx,X\n", "utf-8")
    with pytest.raises(DataFileError, match="missing column"):
        load_catalogue([path])


def test_user_rows_add_and_replace_exercises(tmp_path: Path) -> None:
    _write(
        user_dir() / "exercises.csv",
        {"id": "frog_pump", "display_name": "Frog pump", "ladder_step": "2", "role": "alternative"},
    )
    extra = _write(
        tmp_path / "extra.csv",
        {"display_name": "Glute bridge (my way)", "default_reps": "15-20"},
    )
    catalogue = load_catalogue([extra])
    assert len(catalogue) == 49
    assert catalogue["frog_pump"].garmin_pair == ("HIP_RAISE", "HIP_RAISE")
    assert catalogue["glute_bridge"].name == "Glute bridge (my way)"
    assert catalogue["glute_bridge"].reps == (15, 20)
    assert str(extra) in catalogue.files


def test_equipment_items_and_alternatives() -> None:
    catalogue = load_catalogue()
    thrust = catalogue["bb_hip_thrust"]
    assert thrust.needs({"bench", "dumbbell"})
    assert not thrust.needs({"dumbbell"})
    assert thrust.options_used({"bench", "dumbbell"}) == ("bench", "dumbbell")
    assert catalogue["glute_bridge"].needs(())
    assert catalogue["lat_pulldown"].needs({"bar"})
