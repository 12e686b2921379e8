"""The coefficient tables: built-in data, citations, overrides and clear errors for bad files."""

from __future__ import annotations

import csv
import io
from importlib import resources
from pathlib import Path

import pytest
from personas import END, history, road_runner, run

from chainfix.analysis import AnalysisOptions, analyze, load_model
from chainfix.analysis.tables import TABLES, split_citations
from chainfix.errors import DataFileError
from chainfix.model import MUSCLE_GROUPS
from chainfix.paths import model_override_dir
from chainfix.report.analysis_json import analysis_json

SCIENCE = Path(__file__).resolve().parents[2] / "shared" / "science"


def data_text(name: str) -> str:
    return resources.files("chainfix.data").joinpath(name).read_text(encoding="utf-8")


def test_built_in_model_loads() -> None:
    m = load_model()
    assert ("running", "generic") in m.exposure
    assert m.exposure[("running", "trail")]["downhill"].coefficients[0] == 1.0
    assert m.modifiers.grade_g_up == 0.08 and m.modifiers.grade_cap_up == 0.6
    assert m.modifiers.v_lo == 3.0 and m.modifiers.v_hi == 4.5
    assert m.modifiers.equ_divisors == {
        "running": 100,
        "walking": 200,
        "hiking": 200,
        "mountaineering": 200,
    }
    assert m.modifiers.window_days == 28 and m.modifiers.equ_week_baseline == 6
    assert m.family_for("deadlift", "romanian_deadlift") == ("rdl", True)
    assert m.family_for("unknown", None) == ("unknown_strength", False)
    assert m.family_for("leg_curl", None) == ("leg_curl_machine", True)
    assert m.family_for("hip_raise", "single_leg_hip_raise_with_foot_on_bench") == (
        "hamstring_bridge",
        True,
    )
    assert m.family_for("not_a_category", "x") == ("unknown_strength", False)
    assert m.target("muscle_group", "hamstrings", "advanced") == (5, 15)
    assert m.target("muscle_group", "glute_med", "beginner") == (0, 0)
    assert m.target("muscle_group", "glute_med", "beginner", flags={"hip_abduction"}) == (2, 2)


@pytest.mark.parametrize("name", [n for n in TABLES if n != "analysis-rules.csv"])
def test_package_tables_keep_the_science_facts(name: str) -> None:
    """Every shared science row is in the package copy, with the same values (skip if absent)."""
    shared = SCIENCE / name
    if not shared.is_file():
        pytest.skip("shared science folder not present")
    theirs = list(csv.DictReader(io.StringIO(shared.read_text(encoding="utf-8"))))
    ours = list(csv.DictReader(io.StringIO(data_text(name))))
    assert list(ours[0].keys()) == list(theirs[0].keys())
    for a, b in zip(theirs, ours, strict=False):
        for col, value in a.items():
            if name == "modifiers.csv" and col == "parameters":
                assert b[col].startswith(value)  # we add machine-readable parameters
            else:
                assert b[col] == value, (name, col)
    assert len(ours) >= len(theirs)


def test_every_citation_is_in_sources() -> None:
    m = load_model()
    missing = set()
    for name in (
        "endurance-exposure.csv",
        "modifiers.csv",
        "strength-credits.csv",
        "weekly-targets.csv",
        "analysis-rules.csv",
    ):
        for row in csv.DictReader(io.StringIO(data_text(name))):
            for key in split_citations(row.get("sources", "")):
                if key.lower() not in m.sources:
                    missing.add((name, key))
    assert not missing


def test_every_rule_family_has_credits_and_pattern_targets_exist() -> None:
    m = load_model()
    for rules in m.set_rules.values():
        for r in rules:
            assert r.family in m.families
    for fams in m.patterns().values():
        assert all(f in m.families for f in fams)


# ---------------------------------------------------------------------------------------------
# Overrides
# ---------------------------------------------------------------------------------------------

HEADER = (
    "sport,sub_sport,variant,quads,hamstrings,glute_max,glute_med,calves,hip_flexors,"
    "lower_back,upper_back,scale,confidence,basis,sources,notes\n"
)


def test_override_file_changes_the_result(tmp_path: Path) -> None:
    h = history(road_runner())
    before = analyze(h)
    f = tmp_path / "endurance-exposure.csv"
    row = "0.70,0.90,0.50,0.60,0.90,0.50,0.30,0.10,1.0,low,assumption,,coach says so\n"
    f.write_text(HEADER + "".join(f"running,street,{v},{row}" for v in ("base", "intense")))
    after = analyze(h, AnalysisOptions(model=f))
    assert after.muscles["hamstrings"].exposure > before.muscles["hamstrings"].exposure
    assert after.ranked[0].group == "hamstrings"
    origins = [(x.table, x.origin) for x in after.model.files]
    assert ("endurance-exposure.csv", "option") in origins
    assert analysis_json(after)["model"]["files"][-1]["path"] == str(f)


def test_user_model_dir_applies_and_option_wins(tmp_path: Path) -> None:
    user = model_override_dir()
    user.mkdir(parents=True)
    (user / "analysis-rules.csv").write_text("name,value\npriority_demand_weight,0.5\n")
    (user / "exercises.csv").write_text("id\nx\n")  # planning's table: ignored here
    a = analyze(history(road_runner()))
    assert a.model.number("priority_demand_weight") == 0.5
    assert any(p.endswith("exercises.csv") for p in a.model.ignored)
    folder = tmp_path / "coach"
    folder.mkdir()
    (folder / "analysis-rules.csv").write_text("name,value\npriority_demand_weight,0.6\n")
    b = analyze(history(road_runner()), AnalysisOptions(model=folder))
    assert b.model.number("priority_demand_weight") == 0.6


def test_set_family_override_by_order(tmp_path: Path) -> None:
    f = tmp_path / "fit-set-families.csv"
    f.write_text(
        "order,fit_category,match,family\n0.5,squat,contains:goblet,hip_thrust_loaded\n"
        "71,squat,any,leg_press\n"
    )
    m = load_model(f)
    assert m.family_for("squat", "goblet_squat") == ("hip_thrust_loaded", True)
    assert m.family_for("squat", "back_squat") == ("leg_press", True)
    assert m.family_for("squat", "leg_press") == ("leg_press", True)


@pytest.mark.parametrize(
    ("file", "text", "where"),
    [
        (
            "endurance-exposure.csv",
            HEADER + "running,street,base,0.7,abc,0.5,0.6,0.9,0.5,0.3,0.1,1.0,,,,\n",
            "row 2, column 'hamstrings': 'abc' is not a number",
        ),
        (
            "endurance-exposure.csv",
            HEADER + "running,street,base,0.7,0.5,0.5,0.6,0.9,0.5,0.3,0.1,1.0,,,,\n"
            "running,street,donwhill,0.7,0.5,0.5,0.6,0.9,0.5,0.3,0.1,1.0,,,,\n",
            "row 3, column 'variant': 'donwhill' is not one of",
        ),
        (
            "endurance-exposure.csv",
            HEADER + "running,street,base,0.7,0.5,0.5,0.6,1.9,0.5,0.3,0.1,1.0,,,,\n",
            "row 2, column 'calves': 1.9 is outside 0..1",
        ),
        (
            "endurance-exposure.csv",
            HEADER.replace("glute_med,", "")
            + "running,street,base,0.7,0.5,0.5,0.9,0.5,0.3,0.1,1\n",
            "row 1, column 'glute_med': missing",
        ),
        (
            "endurance-exposure.csv",
            HEADER + "kayaking,*,intense,0.7,0.5,0.5,0.6,0.9,0.5,0.3,0.1,1.0,,,,\n",
            "row 2, column 'variant': kayaking/* needs exactly one 'base'",
        ),
        (
            "strength-credits.csv",
            "family,pattern,"
            + ",".join(MUSCLE_GROUPS)
            + "\nnordic,knee_flexion,0,1,0.25,0,0.1,0,x,0\n",
            "row 2, column 'lower_back': 'x' is not a number",
        ),
        (
            "fit-set-families.csv",
            "order,fit_category,match,family\n1,squat,any,squat\n2,squat,like:split,squat\n",
            "row 3, column 'match': 'like:split' must be",
        ),
        (
            "fit-set-families.csv",
            "order,fit_category,match,family\n3,squat,any,squats\n",
            "row 2, column 'family': 'squats' is not a family",
        ),
        (
            "fit-set-families.csv",
            "order,fit_category,match,family\n,squat,any,squat\n",
            "row 2, column 'order': empty",
        ),
        (
            "weekly-targets.csv",
            "kind,name,counts,level,condition,minimum,development,in_season\n"
            "muscle_group,hamstrings,x,expert,always,5,9,5\n",
            "row 2, column 'level': 'expert' is not one of",
        ),
        (
            "weekly-targets.csv",
            "kind,name,counts,level,condition,minimum,development,in_season\n"
            "muscle_group,biceps,x,beginner,always,5,9,5\n",
            "row 2, column 'name': 'biceps' is not a muscle group",
        ),
        (
            "weekly-targets.csv",
            "kind,name,counts,level,condition,minimum,development,in_season\n"
            "pattern,knee_flexion,nordic;curls,beginner,always,2,3,2\n",
            "row 2, column 'counts': 'curls' is not a family",
        ),
        (
            "modifiers.csv",
            "modifier,parameters\nintensity_weight_running,v_lo = 4; v_hi = 3\n",
            "row 2, column 'parameters': v_hi (3) must be above v_lo (4)",
        ),
        (
            "modifiers.csv",
            "modifier,parameters\ngrade_fraction_up,g = steep; cap = 0.6\n",
            "row 2, column 'parameters': g = 'steep' does not start with a number",
        ),
        (
            "analysis-rules.csv",
            "name,value\nap_quad_biased_above,-2\n",
            "row 2, column 'value': -2 is outside 0..100",
        ),
        (
            "analysis-rules.csv",
            "name,value\nbalance_groups_front,quads|knees\n",
            "row 2, column 'value': 'knees' is not a muscle group",
        ),
    ],
)
def test_bad_override_names_file_row_and_column(
    tmp_path: Path, file: str, text: str, where: str
) -> None:
    f = tmp_path / file
    f.write_text(text)
    with pytest.raises(DataFileError) as info:
        analyze(history([run(END, 30, 5)]), AnalysisOptions(model=f))
    msg = str(info.value)
    assert msg.startswith(str(f) + ": ")
    assert where in msg
    assert info.value.hint  # says what to do next


def test_bad_override_in_user_dir_is_named(tmp_path: Path) -> None:
    user = model_override_dir()
    user.mkdir(parents=True)
    (user / "strength-credits.csv").write_bytes(b"family,pattern\n\xff\xfe\n")
    with pytest.raises(DataFileError, match="strength-credits.csv: not UTF-8"):
        load_model()


def test_model_path_errors(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="no such file or folder"):
        load_model(tmp_path / "missing.csv")
    other = tmp_path / "coefficients.csv"
    other.write_text("a,b\n")
    with pytest.raises(DataFileError, match="not a model table"):
        load_model(other)
    empty = tmp_path / "sources.csv"
    empty.write_text("")
    with pytest.raises(DataFileError, match="sources.csv: the file is empty"):
        load_model(empty)
    ragged = tmp_path / "analysis-rules.csv"
    ragged.write_text("name,value\nsitting_factor,1,25\n")
    with pytest.raises(DataFileError, match="row 2, column 3: 3 cells"):
        load_model(ragged)


def test_a_set_family_is_the_same_however_its_names_are_written_and_in_any_order() -> None:
    """Names as a watch or a summary writes them (case, spaces) map as their clean forms do, and
    the answers remembered for some names never change another's, whatever the order of asking."""
    from dataclasses import replace

    from chainfix.analysis.tables import load_model

    names = [
        ("deadlift", "romanian_deadlift"),
        (" DeadLift ", "Romanian_Deadlift "),
        ("leg_curl", None),
        ("LEG_CURL", ""),
        ("hip_raise", "single_leg_hip_raise_with_foot_on_bench"),
        ("Hip_Raise", None),
        ("hip_raise", None),
        ("unknown", None),
    ]
    model = load_model()
    alone = {n: replace(model, _family_cache={}).family_for(*n) for n in names}
    assert alone[names[0]] == alone[names[1]] == ("rdl", True)
    assert alone[names[2]] == alone[names[3]]
    assert alone[names[5]] == alone[names[6]]
    for order in (names, names[::-1], names[1::2] + names[::2]):
        shared = replace(model, _family_cache={})
        assert [shared.family_for(*n) for n in order * 2] == [alone[n] for n in order * 2]
