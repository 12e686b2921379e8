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


def test_many_reasons_in_one_file_are_counted_not_listed() -> None:
    """A summary JSON of thousands of refused activities: each reason once with its count, at
    most REASONS_PER_FILE of them, and how many more there are."""
    import io

    from rich.console import Console

    from chainfix.cli.common import REASONS_PER_FILE, print_problems
    from chainfix.model import History, ReadProblem

    where = "export.zip"
    problems = [ReadProblem(where, "a.json", "bad_value", "no start time")] * 1200
    problems += [
        ReadProblem(where, "a.json", "bad_value", f"activity {n} in year 2044; skipped")
        for n in range(40)
    ]
    out = io.StringIO()
    print_problems(History((), tuple(problems)), Console(file=out, width=200))
    lines = [line.rstrip() for line in out.getvalue().splitlines()]
    assert lines[0] == "1 file(s) not fully read"
    assert lines[2] == "    bad_value: no start time (1,200 times)"
    shown = lines[3 : 2 + REASONS_PER_FILE]
    others = REASONS_PER_FILE - 1
    assert shown == [f"    bad_value: activity {n} in year 2044; skipped" for n in range(others)]
    assert lines[-1] == f"    ... and {40 - others} more (use --json to see them all)"
    assert len(lines) == 3 + REASONS_PER_FILE


def test_names_are_printed_as_they_are_not_as_emoji(tmp_path: Path) -> None:
    """A file named with an emoji code (``:fire:``) is reported by that name, not with 🔥."""
    folder = tmp_path / "runs"
    folder.mkdir()
    (folder / "tempo :fire: day.fit").write_bytes(b"<html>not a FIT file</html>")
    result = run("analyze", str(folder), "-q")
    assert ":fire:" in result.output and "\N{FIRE}" not in result.output
