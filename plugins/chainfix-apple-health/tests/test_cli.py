"""What a user sees: the plugin listed, an export read and analysed, the sitting hint."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from chainfix.cli import cli
from click.testing import CliRunner
from healthgen import default_plan


def test_plugins_lists_apple_health() -> None:
    result = CliRunner().invoke(cli, ["plugins", "--json"])
    assert result.exit_code == 0, result.output
    (plugin,) = [p for p in json.loads(result.output) if p["name"] == "apple-health"]
    assert plugin["distribution"] == "chainfix-apple-health" and plugin["error"] is None
    assert plugin["hooks"] == ["register_commands", "register_sources"]


def test_sources_put_apple_health_above_zip_and_folder() -> None:
    result = CliRunner().invoke(cli, ["sources", "--json"])
    names = [s["name"] for s in json.loads(result.output)]
    assert names.index("apple-health") < min(names.index("zip"), names.index("folder"))


def test_activities_of_an_export(export_zip: Path) -> None:
    result = CliRunner().invoke(cli, ["activities", str(export_zip), "--json", "--workers", "1"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert len(doc["activities"]) == len(default_plan().workouts)
    assert {a["source"] for a in doc["activities"]} == {"apple-health"}


def test_analyze_an_export(export_zip: Path) -> None:
    result = CliRunner().invoke(cli, ["analyze", str(export_zip), "--workers", "1", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "hamstrings" in result.output.lower() or "Hamstrings" in result.output


def expected_sitting() -> float:
    plan = default_plan()
    idle = [i for d, s, i in plan.stand_days if d.weekday() < 5 and s + i >= 10]
    return float(statistics.median(idle))


def test_sitting_prints_the_estimate_and_the_command(export_zip: Path) -> None:
    result = CliRunner().invoke(cli, ["apple-health", "sitting", str(export_zip)])
    assert result.exit_code == 0, result.output
    hours = round(expected_sitting() * 2) / 2
    assert f"chainfix profile set --sitting-hours {hours:g}" in result.output
    assert "Not applied" in result.output
    doc = json.loads(
        CliRunner().invoke(cli, ["apple-health", "sitting", str(export_zip), "--json"]).output
    )
    assert doc["idle_hours"] == expected_sitting() and doc["sitting_hours"] == hours
    profile = CliRunner().invoke(cli, ["profile", "show", "--json"])
    assert '"sitting_hours": null' in profile.output or "sitting_hours" not in profile.output


def test_the_sitting_command_is_a_real_profile_flag() -> None:
    result = CliRunner().invoke(cli, ["profile", "set", "--help"])
    assert "--sitting-hours" in result.output


def test_analyze_shows_the_sitting_note(export_zip: Path) -> None:
    result = CliRunner().invoke(cli, ["activities", str(export_zip), "--json", "--workers", "1"])
    notes = [p["message"] for p in json.loads(result.output)["problems"]]
    assert any("--sitting-hours" in n and "not applied" in n for n in notes)


def test_sitting_without_enough_data(tmp_path: Path) -> None:
    from healthgen import Plan, write_export

    plan = default_plan()
    small = write_export(tmp_path / "e.zip", Plan(plan.workouts[:2], plan.stand_days[:5]))
    result = CliRunner().invoke(cli, ["apple-health", "sitting", str(small)])
    assert result.exit_code == 0 and "Not enough stand-hour data" in result.output
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK\x03\x04 not a zip")
    bad = CliRunner().invoke(cli, ["apple-health", "sitting", str(junk)])
    assert bad.exit_code == 1 and "not a readable zip" in bad.output
