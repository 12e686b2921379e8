"""`chainfix analyze` as a user runs it: the report, --json, --csv, --html, the window and
level flags, and a coach's model override."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from model_support import calves_override

from chainfix.cli import cli
from chainfix.model import MUSCLE_GROUPS

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_exports" / "garmin-export-runner.zip"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["analyze", str(SAMPLE), "-q", *args])
    return result.exit_code, result.stdout


@pytest.fixture(scope="module")
def doc() -> dict:
    code, out = run("--json")
    assert code == 3  # the corrupt upload
    return json.loads(out)


def test_report_explains_the_runners_posterior_chain_shortfall() -> None:
    code, out = run()
    assert code == 3
    text = " ".join(out.split())
    assert "Muscle groups" in text and "hamstrings" in text and "calves" in text
    lead = " ".join(" ".join(out.splitlines()[:12]).split())
    assert "running-heavy" in lead and "No strength work" in lead
    assert f"Next: chainfix plan {SAMPLE}" in lead
    assert "not an injury prediction" in text
    assert "km" in text and "descent" in text  # the numbers behind the sentences
    assert "truncated" in text  # the problems list names the corrupt upload
    assert "Skipped 1 file holding no new activity" in text  # the monitoring file


def test_explain_shows_the_formulas() -> None:
    _, plain = run()
    code, out = run("--explain")
    assert code == 3
    assert "coef-min" not in plain and "rule R" not in plain
    assert "coef-min" in out


def test_json_has_every_muscle_and_the_documented_figures(doc: dict) -> None:
    assert set(doc["muscles"]) == set(MUSCLE_GROUPS)
    for score in doc["muscles"].values():
        assert {"exposure", "strength", "target", "priority"} <= set(score)
    assert doc["weeks"] and doc["explanations"]
    assert "balance" in doc and "running_share" in doc
    assert any(p["kind"] == "truncated" for p in doc["problems"])
    # the runner does no hinge work: hamstrings and calves need work, quads are not ranked
    priorities = {m: s["priority"] for m, s in doc["muscles"].items()}
    assert priorities["hamstrings"] > 0.4 and priorities["calves"] > 0.4


def test_window_ends_at_the_last_activity_by_default(doc: dict) -> None:
    weeks = doc["weeks"]
    assert len(weeks) == 12
    last = max(date.fromisoformat(w["week_start"]) for w in weeks)
    assert last == date(2025, 6, 30)  # the sample runner's last week (Monday)


def test_weeks_since_until_flags() -> None:
    code, out = run("--json", "--weeks", "4", "--until", "2025-03-30")
    assert code == 3
    weeks = json.loads(out)["weeks"]
    assert len(weeks) == 4 and weeks[-1]["week_start"] == "2025-03-24"
    code, out = run("--json", "--since", "2025-03-03", "--until", "2025-03-30")
    assert [w["week_start"] for w in json.loads(out)["weeks"]][0] == "2025-03-03"


def test_level_flag_changes_the_targets(doc: dict) -> None:
    code, out = run("--json", "--level", "advanced")
    advanced = json.loads(out)
    assert advanced["muscles"]["hamstrings"]["target"] > doc["muscles"]["hamstrings"]["target"]
    assert advanced["level"]["name"] == "advanced" and advanced["level"]["source"] == "given"


def test_csv_and_html_outputs(tmp_path: Path) -> None:
    code, out = run(
        "--tables",
        str(tmp_path / "tables"),
        "--html",
        str(tmp_path / "r.html"),
        "--csv",
        str(tmp_path / "muscles.csv"),
    )
    assert code == 3
    csvs = sorted(p.name for p in (tmp_path / "tables").iterdir())
    assert csvs and all(name.endswith(".csv") for name in csvs)
    rows = (tmp_path / "muscles.csv").read_text().splitlines()
    assert rows[0].startswith("group,") and len(rows) == 9, "a header and eight muscle groups"
    assert f"CSV written to {tmp_path / 'muscles.csv'}" in out
    page = (tmp_path / "r.html").read_text()
    assert (
        "<svg" in page
        and "hamstrings" in page
        and "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    )


def test_bad_model_override_names_row_and_column(tmp_path: Path) -> None:
    original = (ROOT / "src" / "chainfix" / "data" / "endurance-exposure.csv").read_text()
    lines = original.splitlines()
    lines[2] = lines[2].replace("0.70", "lots", 1)
    bad = tmp_path / "endurance-exposure.csv"
    bad.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(cli, ["analyze", str(SAMPLE), "-q", "--model", str(bad)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "endurance-exposure.csv" in result.output and "row" in result.output
    assert "quads" in result.output or "column" in result.output


def test_model_override_changes_the_numbers(tmp_path: Path, doc: dict) -> None:
    override = calves_override(tmp_path, "0.10")
    code, out = run("--json", "--model", str(override))
    assert json.loads(out)["muscles"]["calves"]["exposure"] < doc["muscles"]["calves"]["exposure"]


def test_output_options_are_the_same_on_every_command() -> None:
    """activities, analyze, plan and sync status share --json/--csv with one help text."""
    helps = {}
    for command in (["activities"], ["analyze"], ["plan"], ["sync", "status"]):
        result = CliRunner().invoke(cli, [*command, "--help"], terminal_width=200)
        assert result.exit_code == 0, result.output
        lines = [" ".join(ln.split()) for ln in result.output.splitlines()]
        helps[" ".join(command)] = [ln for ln in lines if ln.startswith(("--json ", "--csv "))]
    first = next(iter(helps.values()))
    assert len(first) == 2
    assert all(lines == first for lines in helps.values()), helps


def test_json_to_a_file_and_a_refused_non_json_name(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    code, _ = run("--json", str(target))
    assert code == 3 and json.loads(target.read_text())["problems"]
    result = CliRunner().invoke(cli, ["analyze", "--json", str(SAMPLE), str(SAMPLE)])
    assert result.exit_code == 2 and "is not a .json file" in result.output
    assert SAMPLE.stat().st_size > 1000, "the input was not overwritten"


READING = ["--source", "--workers", "--no-cache", "--max-member-mb", "--max-total-gb", "-q"]


@pytest.mark.parametrize(
    "command",
    [["activities"], ["analyze"], ["plan"], ["sync", "fit"], ["sync", "watch"], ["sync", "garmin"]],
)
def test_reading_options_open_every_history_command_help(command: list[str]) -> None:
    result = CliRunner().invoke(cli, [*command, "--help"], terminal_width=200)
    options = [ln.split()[0] for ln in result.output.splitlines() if ln.strip().startswith("-")]
    options = [o.rstrip(",") for o in options]
    assert options[: len(READING)] == READING, options


@pytest.mark.parametrize("command", [["analyze"], ["plan"], ["sync", "fit", "OUT"]])
def test_nothing_readable_names_each_file_and_its_reason(
    command: list[str], tmp_path: Path
) -> None:
    folder = tmp_path / "history"
    folder.mkdir()
    (folder / "short.fit").write_bytes(b"hi")
    (folder / "noise.fit").write_bytes(bytes(range(256)) * 2)
    args = [str(tmp_path / "out") if a == "OUT" else a for a in command]
    result = CliRunner().invoke(cli, [*args, str(folder), "-q"])
    assert result.exit_code == 1
    assert "no activities found" in result.stderr
    for name in ("short.fit", "noise.fit"):
        assert str(folder / name) in result.stderr
    assert result.stderr.count("not_fit: Not a FIT file") == 2
