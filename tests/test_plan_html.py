"""The plan shows in the HTML report: from `chainfix plan --html`, and in `chainfix analyze --html`
once a plan is stored."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from chainfix.cli import cli

SAMPLE = Path(__file__).resolve().parents[1] / "sample_exports" / "garmin-export-runner.zip"


def test_plan_html_holds_every_session(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    args = ["plan", str(SAMPLE), "--start", "2026-12-07", "--json", "--html", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 3, result.output  # the sample's corrupt upload
    sessions = json.loads(result.stdout)["sessions"]
    page = out.read_text()
    assert '<section id="plan">' in page
    for session in sessions:
        assert session["date"] in page
        for step in session["steps"]:
            assert step["name"] in page


def test_analyze_html_shows_the_stored_plan(tmp_path: Path) -> None:
    CliRunner().invoke(cli, ["plan", str(SAMPLE), "--start", "2026-12-07", "-q"])
    out = tmp_path / "analysis.html"
    result = CliRunner().invoke(cli, ["analyze", str(SAMPLE), "--html", str(out), "-q"])
    assert result.exit_code == 3, result.output
    assert '<section id="plan">' in out.read_text()
