"""What a user sees: the plugin is listed, and chainfix reads the export."""

from __future__ import annotations

import json
from pathlib import Path

from chainfix.cli import cli
from click.testing import CliRunner


def test_plugins_lists_strava() -> None:
    result = CliRunner().invoke(cli, ["plugins", "--json"])
    assert result.exit_code == 0, result.output
    (strava,) = [p for p in json.loads(result.output) if p["name"] == "strava"]
    assert strava["distribution"] == "chainfix-strava" and strava["error"] is None
    assert strava["hooks"] == ["register_sources"]


def test_sources_lists_strava_first() -> None:
    result = CliRunner().invoke(cli, ["sources", "--json"])
    names = [s["name"] for s in json.loads(result.output)]
    assert names[0] == "strava" and {"zip", "folder", "fit"} <= set(names)


def test_activities_of_a_strava_export(export_zip: Path) -> None:
    result = CliRunner().invoke(cli, ["activities", str(export_zip), "--json", "--workers", "1"])
    assert result.exit_code == 3, result.output  # read, with named problems
    doc = json.loads(result.output)
    assert len(doc["activities"]) == 12
    assert {a["source"] for a in doc["activities"]} == {"strava"}
    assert any(p["member"] == "activities/77777.gpx" for p in doc["problems"])


def test_analyze_a_strava_export(export_zip: Path) -> None:
    result = CliRunner().invoke(cli, ["analyze", str(export_zip), "--workers", "1", "--quiet"])
    assert result.exit_code == 3, result.output  # the report, and the named problems
    assert "77777.gpx" in result.output and "Traceback" not in result.output
