"""Issue 13, item 12: the analysis report shows the recent check-ins and what the plan did.

End to end through the CLI: ``chainfix checkin`` records them, ``chainfix analyze`` shows them in
the terminal report, ``--json`` and ``--html``.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from personas import history, road_runner

from chainfix.cli import cli

TODAY = date.today()
OLD = TODAY - timedelta(days=20)
RECENT = TODAY - timedelta(days=2)
YESTERDAY = TODAY - timedelta(days=1)


@pytest.fixture(autouse=True)
def _history_and_checkins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("chainfix.cli.analyze.load_history", lambda **_: history(road_runner(12)))
    for args in (
        ["--date", OLD.isoformat(), "--pain", "hamstring=6", "--soreness", "2"],
        ["--date", RECENT.isoformat(), "--pain", "achilles=5", "--soreness", "8"],
        ["--date", YESTERDAY.isoformat(), "--pain", "knee=2", "--soreness", "1"],
    ):
        result = CliRunner().invoke(cli, ["checkin", *args])
        assert result.exit_code == 0, result.output


def test_terminal_report_lists_the_check_ins_and_what_the_plan_does(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["analyze", str(tmp_path)], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Check-ins" in out
    rows = [
        line
        for line in out.splitlines()
        if any(d.isoformat() in line for d in (OLD, RECENT, YESTERDAY))
    ]
    assert [r.split()[1] for r in rows] == [
        YESTERDAY.isoformat(),
        RECENT.isoformat(),
        OLD.isoformat(),
    ]
    newest, achilles, old = rows
    assert "knee 2/10" in newest and "Knee kept pain-monitored." in newest
    assert "Achilles 5/10" in achilles and "8/10" in achilles
    assert "Achilles work starts one step easier" in achilles
    assert "the first session kept light." in " ".join(out.replace("│", " ").split())
    assert "hamstring 6/10" in old and "Older than 7 days: no longer changes the plan." in old


def test_json_and_html_hold_the_same_check_ins(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    args = ["analyze", str(tmp_path), "--json", "-", "--html", str(page)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    got = [(c["date"], c["pain"], c["soreness"], c["current"]) for c in doc["checkins"]]
    assert got == [
        (YESTERDAY.isoformat(), {"knee": 2.0}, 1.0, True),
        (RECENT.isoformat(), {"achilles": 5.0}, 8.0, True),
        (OLD.isoformat(), {"hamstring": 6.0}, 2.0, False),
    ]
    assert doc["checkins"][1]["response"].startswith("Achilles work starts one step easier")
    assert doc["checkins"][2]["response"].startswith("Older than 7 days")
    html = page.read_text("utf-8")
    section = html[html.index('<section id="checkins">') :]
    section = section[: section.index("</section>")]
    for c in doc["checkins"]:
        assert c["date"] in section and c["response"] in section
    assert section.count('<tr class="current">') == 2 and section.count('<tr class="old">') == 1


def test_the_response_matches_what_the_next_plan_does() -> None:
    """The report's words come from the same thresholds the planner applies."""
    from chainfix import app
    from chainfix.planning.checkin import checkin_effect, load_checkins
    from chainfix.planning.dosing import load_dosing

    shown = {r.checkin.date: r for r in app.recent_checkins()}
    effect = checkin_effect(load_checkins(), TODAY, load_dosing())
    assert effect.pain_flags == ("achilles",)  # 5/10 steps down; the knee at 2/10 does not
    assert "one step easier" in shown[RECENT].response
    assert "one step easier" not in shown[YESTERDAY].response


def test_a_check_in_made_today_changes_the_plan_made_today() -> None:
    """After today's session: ``chainfix checkin`` then ``chainfix plan`` reads it at once."""
    from chainfix import app

    result = CliRunner().invoke(cli, ["checkin", "--pain", "hamstring=6"])
    assert result.exit_code == 0, result.output
    plan = app.current_plan(history(road_runner(12)), app.PlanRequest(fresh=True)).plan
    assert any(f"check-in on {TODAY:%d %b}: hamstring pain 6/10" in n for n in plan.notes)
    (today_row,) = [r for r in app.recent_checkins() if r.checkin.date == TODAY]
    assert today_row.current and "one step easier" in today_row.response
