"""``chainfix assess``: interactive prompts and flags; what the results mean; storage."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from test_planning_support import planning_cli

from chainfix.paths import assessments_path
from chainfix.planning import SelfTestResults, evaluate, latest_assessment
from chainfix.planning.assessment import load_results


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """CliRunner's input stands in for a person at a terminal."""
    monkeypatch.setattr("chainfix.cli.assess.can_prompt", lambda: True)


@pytest.mark.usefixtures("terminal")
def test_interactive_walk_through() -> None:
    answers = "\n".join(
        [
            "fail",  # bridge left
            "30",  # bridge right
            "y",  # hips dropped
            "eighteen",  # not a number: asked again
            "18",  # heel raise left
            "25",  # heel raise right
            "skip",  # Sørensen
            "y",  # do the hamstring bridge
            "15",
            "22",
        ]
    )
    result = CliRunner().invoke(
        planning_cli(), ["assess", "--date", "2026-11-20"], input=answers + "\n"
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "screens, not diagnoses" in out
    assert "is not a number of reps" in out
    assert "Single-leg glute bridge not held" in out
    assert "hip-abduction work is added" in out
    assert "Level: beginner" not in out  # a failed screen never changes the level
    assert "heel raise, left side 28% weaker" in out.replace("Side difference: ", "")
    assert "Retest around 2026-12-25" in out
    stored = load_results()
    assert len(stored) == 1
    r = stored[0]
    assert (r.bridge_left, r.bridge_right, r.pelvis_drop) == ("fail", "30", True)
    assert (r.heel_raise_left, r.heel_raise_right, r.sorensen_s) == (18, 25, None)
    assert (r.hamstring_bridge_left, r.hamstring_bridge_right) == (15, 22)
    assessment = latest_assessment()
    assert assessment is not None
    assert assessment.start_steps == {"hip_bridge": 1, "knee_flexion": 1, "calf": 2}
    assert assessment.flags == ("hip_abduction",)


def test_flags_without_prompts_and_json() -> None:
    result = CliRunner().invoke(
        planning_cli(),
        [
            "assess",
            "--bridge-left",
            "10",
            "--bridge-right",
            "10",
            "--heel-raise-left",
            "28",
            "--heel-raise-right",
            "31",
            "--sorensen",
            "0",
            "--date",
            "2026-11-01",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["level"] is None
    assert data["start_steps"] == {"hip_bridge": 3, "calf": 2, "back_extension": 1}
    assert data["side_flags"] == []  # 28 vs 31 is under 15 %
    assert data["retest_on"] == "2026-12-06"
    assert data["low_ladders"] == ["back_extension"]
    assert assessments_path().is_file()
    shown = CliRunner().invoke(planning_cli(), ["assess", "--show", "--json"])
    assert [a["date"] for a in json.loads(shown.output)["assessments"]] == ["2026-11-01"]


@pytest.mark.usefixtures("terminal")
def test_everything_skipped_stores_nothing() -> None:
    result = CliRunner().invoke(planning_cli(), ["assess"], input="\n\n\n\n\n\n")
    assert result.exit_code == 0, result.output
    assert "nothing stored" in result.output
    assert load_results() == []


def test_results_map_to_rungs_level_and_side_flags() -> None:
    day = date(2026, 11, 1)
    strong = evaluate(
        SelfTestResults(
            day,
            bridge_left="30",
            bridge_right="30",
            heel_raise_left=32,
            heel_raise_right=34,
            hamstring_bridge_left=27,
            hamstring_bridge_right=30,
            sorensen_s=120,
        )
    )
    assert strong.level is None
    assert strong.start_steps == {"hip_bridge": 5, "calf": 3, "knee_flexion": 3}
    assert strong.low_ladders == ()
    assert strong.retest_on == day + timedelta(weeks=5)
    # 15 % is flagged, 14 % is not.
    edge = evaluate(SelfTestResults(day, heel_raise_left=17, heel_raise_right=20))
    assert [f.weaker for f in edge.side_flags] == ["left"]
    under = evaluate(SelfTestResults(day, heel_raise_left=43, heel_raise_right=50))
    assert under.side_flags == ()
    weak = evaluate(
        SelfTestResults(day, heel_raise_left=8, heel_raise_right=9, hamstring_bridge_left=12)
    )
    assert weak.start_steps == {"calf": 1, "knee_flexion": 2}
    assert set(weak.low_ladders) == {"calf", "knee_flexion"}


def test_newer_results_replace_the_same_day_and_latest_wins() -> None:
    runner = CliRunner()
    cli = planning_cli()
    runner.invoke(cli, ["assess", "--heel-raise-left", "10", "--date", "2026-10-01"])
    runner.invoke(cli, ["assess", "--heel-raise-left", "20", "--date", "2026-10-01"])
    runner.invoke(cli, ["assess", "--heel-raise-left", "30", "--date", "2026-11-01"])
    stored = load_results()
    assert [(r.date.isoformat(), r.heel_raise_left) for r in stored] == [
        ("2026-10-01", 20),
        ("2026-11-01", 30),
    ]
    latest = latest_assessment(on_or_before=date(2026, 10, 15))
    assert latest is not None and latest.results.heel_raise_left == 20
