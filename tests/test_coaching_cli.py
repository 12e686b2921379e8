"""Issue 13 end to end through the CLI.

``chainfix checkin`` and what the next ``chainfix plan`` does with it, and the rules athletes
feel most (cutback weeks, descent, add-ons) seen through ``chainfix plan``.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from test_planning_support import EXERCISES, Persona, persona_history

from chainfix.planning.checkin import load_checkins

START = date(2026, 12, 7)
RUNNER = Persona(start=START, long_run=6, hard=frozenset({1, 3}), easy=frozenset({2, 5}))


def root() -> click.Group:
    from chainfix.cli import ChainfixGroup, checkin, plan

    # the real root's help options: a plain group would leave ``plan`` caching ``--help`` alone
    group = ChainfixGroup(name="chainfix", context_settings={"help_option_names": ["-h", "--help"]})
    for module in (plan, checkin):
        module.register(group)
    return group


def plan_json(tmp_path: Path, *extra: str) -> dict:
    args = ["plan", str(tmp_path), "--start", START.isoformat(), "--weeks", "4", "--json"]
    result = CliRunner().invoke(root(), [*args, "--new", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture
def runner_history(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("chainfix.cli.plan.load_history", lambda **_: persona_history(RUNNER))


@pytest.mark.usefixtures("runner_history")
def test_checkin_pain_steps_the_next_plan_down(tmp_path: Path) -> None:
    before = plan_json(tmp_path, "--level", "advanced")
    calf_before = {
        int(EXERCISES[x["exercise_id"]]["ladder_step"])
        for s in before["sessions"]
        for x in s["steps"]
        if EXERCISES[x["exercise_id"]]["ladder"] == "calf"
    }
    result = CliRunner().invoke(
        root(),
        ["checkin", "--date", "2026-12-05", "--pain", "achilles=5", "--soreness", "3"],
    )
    assert result.exit_code == 0, result.output
    assert "one step easier" in result.output
    assert load_checkins()[0].pain == {"achilles": 5.0}
    after = plan_json(tmp_path, "--level", "advanced")
    calf_after = {
        int(EXERCISES[x["exercise_id"]]["ladder_step"])
        for s in after["sessions"]
        for x in s["steps"]
        if EXERCISES[x["exercise_id"]]["ladder"] == "calf"
    }
    assert max(calf_after) < max(calf_before), (calf_before, calf_after)
    assert any("achilles pain 5/10" in n for n in after["notes"])
    shown = CliRunner().invoke(root(), ["checkin", "--show"])
    assert "2026-12-05: achilles 5/10; soreness 3/10" in shown.output


def test_checkin_prompts_and_rejects_bad_scores() -> None:
    answers = "\n".join(["0", "6", "0", "0", "4"]) + "\n"
    result = CliRunner().invoke(root(), ["checkin", "--date", "2026-12-05"], input=answers)
    assert result.exit_code == 0, result.output
    assert load_checkins()[0].pain["achilles"] == 6.0
    bad = CliRunner().invoke(root(), ["checkin", "--pain", "elbow=3"])
    assert bad.exit_code != 0 and "unknown pain area" in bad.output
    bad = CliRunner().invoke(root(), ["checkin", "--pain", "knee=12"])
    assert bad.exit_code != 0 and "between 0 and 10" in bad.output


def _plan_on(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, acts: list, *extra: str) -> dict:
    from personas import history
    from test_coaching_personas import START as PERSONA_START

    monkeypatch.setattr("chainfix.cli.plan.load_history", lambda **_: history(acts))
    args = ["plan", str(tmp_path), "--start", PERSONA_START.isoformat(), "--weeks", "8"]
    result = CliRunner().invoke(root(), [*args, "--new", "--json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_plan_cli_puts_deloads_on_cutback_weeks(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from test_coaching_personas import _cutback_runner

    data = _plan_on(monkeypatch, tmp_path, _cutback_runner(), "--level", "intermediate")
    deload_weeks = sorted({s["week"] for s in data["sessions"] if s["kind"] == "deload"})
    assert deload_weeks == [3, 7], deload_weeks


def test_plan_cli_reacts_to_descent(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from datetime import timedelta

    from personas import road_runner, run, trail_runner
    from test_coaching_personas import START as PERSONA_START

    acts = road_runner(12) + [
        run(PERSONA_START - timedelta(days=k), 70, 12, 450, 450, "trail") for k in (7, 5, 3)
    ]
    data = _plan_on(monkeypatch, tmp_path, acts)
    assert any("eccentric quad units of descent" in n for n in data["notes"])
    trail = _plan_on(monkeypatch, tmp_path, trail_runner(12))
    for s in trail["sessions"]:  # the day after the 1400 m-descent long run: no lower body
        if date.fromisoformat(s["date"]).weekday() == 6:
            assert all(
                EXERCISES[x["exercise_id"]]["ladder"] in ("upper_back_pull", "anti_rotation_core")
                for x in s["steps"]
            )


def test_plan_cli_offers_add_ons_to_an_athlete_who_lifts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from personas import hybrid

    data = _plan_on(monkeypatch, tmp_path, hybrid(12), "--sessions", "2")
    assert any("instead of a second programme" in n for n in data["notes"])
    assert all(s["title"].startswith("Add to your own session") for s in data["sessions"])
