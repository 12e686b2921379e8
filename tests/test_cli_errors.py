"""Usage errors exit 2 and name the allowed values; Ctrl-C exits 130 with one line."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from chainfix import app
from chainfix.cli import cli

SAMPLE = Path(__file__).resolve().parents[1] / "sample_exports" / "garmin-export-runner.zip"


def run(*args: str, **kwargs: Any) -> Any:
    return CliRunner().invoke(cli, list(args), **kwargs)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["analyze", str(SAMPLE), "-q", "--since", "2026-13-01"], "does not match the format"),
        (
            ["analyze", str(SAMPLE), "-q", "--since", "2026-10-01", "--until", "2026-09-01"],
            "since (2026-10-01) is after until (2026-09-01)",
        ),
        (["profile", "set", "--equipment", "rocket"], "Known equipment: anchor"),
        (["profile", "set", "--pain", "elbow"], "Use lower_back, hamstring"),
        (["profile", "set", "--race", "someday"], "is not a date"),
        (["profile", "set", "--race", "2020-01-01"], "2020-01-01 is in the past"),
        (["plan", str(SAMPLE), "-q", "--start", "2026-02-30"], "does not match the format"),
        (["analyze", str(SAMPLE), "-q", "--json", "report.txt"], "is not a .json file"),
    ],
)
def test_usage_errors_exit_2_and_say_what_is_allowed(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_coming_race_is_accepted() -> None:
    coming = (date.today() + timedelta(days=60)).isoformat()
    assert run("profile", "set", "--race", coming).exit_code == 0


def test_assess_without_a_terminal_names_the_flags() -> None:
    result = run("assess", input="")
    assert result.exit_code == 2
    assert "--bridge-left" in result.output and "--sorensen" in result.output


def test_ctrl_c_exits_130_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*_: Any, **__: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(app, "read", interrupted)
    result = run("analyze", str(SAMPLE), "-q")
    assert result.exit_code == 130
    assert result.stderr == "interrupted; what was read is kept — run the same command again\n"
