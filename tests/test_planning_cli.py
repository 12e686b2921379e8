"""``chainfix plan``: terminal calendar, ``--json``, ``--ics``, stored plan and reconciliation."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import icalendar
import pytest
from click.testing import CliRunner
from test_planning_support import Persona, persona_history, planning_cli

from chainfix.planning import load_plan

START = date(2026, 12, 7)
RUNNER = Persona(start=START, long_run=6, hard=frozenset({1, 3}), easy=frozenset({2, 5}))


@pytest.fixture
def generated_history(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let ``chainfix plan`` read a generated history instead of files."""
    monkeypatch.setattr("chainfix.cli.plan.load_history", lambda **_: persona_history(RUNNER))


@pytest.mark.usefixtures("generated_history")
def test_plan_json_lists_sessions_with_dated_steps(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        planning_cli(),
        [
            "plan",
            str(tmp_path),
            "--start",
            "2026-12-07",
            "--weeks",
            "8",
            "--level",
            "intermediate",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["start"] == "2026-12-07" and data["weeks"] == 8 and data["level"] == "intermediate"
    assert data["sessions"]
    for s in data["sessions"]:
        assert date.fromisoformat(s["date"]).weekday() in (1, 3)
        assert s["title"]
        assert s["key"] == f"{s['date']}-posterior-chain-{s['key'][-1]}"
        for step in s["steps"]:
            for key in (
                "exercise_id",
                "fit_exercise_category",
                "fit_exercise_name",
                "sets",
                "rest_s",
                "load",
            ):
                assert step[key] not in (None, ""), key
            assert ("reps" in step) != ("duration_s" in step)
            assert step["garmin_category"] and step["garmin_exercise_name"] is not None
    assert load_plan() is not None


@pytest.mark.usefixtures("generated_history")
def test_terminal_calendar_and_ics(tmp_path: Path) -> None:
    ics = tmp_path / "plan.ics"
    result = CliRunner().invoke(
        planning_cli(),
        ["plan", str(tmp_path), "--start", "2026-12-07", "--weeks", "4", "--ics", str(ics)],
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Week 1: Mon 07 Dec - Sun 13 Dec 2026" in out
    assert "Posterior chain A" in out
    assert "deload" in out
    assert f"Calendar written to {ics}" in out
    raw = ics.read_bytes()
    assert b"\r\n" in raw
    cal = icalendar.Calendar.from_ical(raw)
    assert len([c for c in cal.walk() if c.name == "VEVENT"]) == len(load_plan().workouts)


@pytest.mark.usefixtures("generated_history")
def test_second_run_reconciles_the_stored_plan(tmp_path: Path) -> None:
    runner = CliRunner()
    cli = planning_cli()
    first = runner.invoke(cli, ["plan", str(tmp_path), "--start", "2026-12-07", "--json"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(cli, ["plan", str(tmp_path), "--json"])
    assert second.exit_code == 0, second.output
    data = json.loads(second.output)
    assert data["start"] == "2026-12-07"
    assert any(n.startswith("Matched 0 logged workouts") for n in data["notes"])
    assert "records" in data
    assert not any("profile changed" in n for n in data["notes"])
    runner.invoke(cli, ["profile", "set", "--equipment", "dumbbells"])
    third = json.loads(runner.invoke(cli, ["plan", str(tmp_path), "--json"]).output)
    assert third["change"].startswith("profile changed since ")
    assert third["start"] == "2026-12-07"
    fresh = runner.invoke(cli, ["plan", str(tmp_path), "--new", "--start", "2026-12-14", "--json"])
    assert json.loads(fresh.output)["start"] == "2026-12-14"


def test_plan_reads_real_fit_files(tmp_path: Path) -> None:
    """End to end: synthetic runner FIT files -> analysis priorities -> plan on hard days."""
    from chainfix_synth import runner
    from chainfix_synth.fitfiles import activity_fit

    persona = runner(weeks=10, start=date(2026, 9, 7))
    for i, activity in enumerate(persona.activities):
        (tmp_path / f"{i:03d}.fit").write_bytes(activity_fit(activity, records=False))
    result = CliRunner().invoke(
        planning_cli(),
        ["plan", str(tmp_path), "--quiet", "--workers", "1", "--start", "2026-11-23", "--json"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    weekdays = {date.fromisoformat(s["date"]).weekday() for s in data["sessions"]}
    assert weekdays <= {1, 3}, "intervals Tuesday, tempo Thursday, long run Sunday"
    assert any("long run is usually on Sunday" in n for n in data["notes"])


def test_bad_catalogue_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("chainfix.cli.plan.load_history", lambda **_: persona_history(RUNNER))
    bad = tmp_path / "mine.csv"
    bad.write_text("id,display_name\nx,X\n", "utf-8")
    result = CliRunner().invoke(
        planning_cli(), ["plan", str(tmp_path), "--catalogue", str(bad), "--start", "2026-12-07"]
    )
    assert result.exit_code == 1
    assert "missing column" in result.output
    assert "Traceback" not in result.output
