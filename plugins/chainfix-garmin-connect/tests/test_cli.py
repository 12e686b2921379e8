"""What a user sees: `chainfix plugins`, `chainfix garmin pull`, then an offline analysis."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click
import pytest
from chainfix.cli import cli
from chainfix_synth.personas import PlannedActivity
from click.testing import CliRunner
from conftest import Account

from chainfix_garmin_connect.cli import FALLBACK_GROUP, add_commands
from chainfix_garmin_connect.library import default_library


def invoke(*args: str) -> click.testing.Result:
    return CliRunner().invoke(cli, list(args))


def test_plugins_lists_garmin_connect() -> None:
    result = invoke("plugins", "--json")
    assert result.exit_code == 0, result.output
    (plugin,) = [p for p in json.loads(result.stdout) if p["name"] == "garmin-connect"]
    assert plugin["distribution"] == "chainfix-garmin-connect" and plugin["error"] is None
    assert plugin["hooks"] == ["register_commands", "register_sources"]


def test_sources_lists_garmin_connect_before_folder() -> None:
    names = [s["name"] for s in json.loads(invoke("sources", "--json").stdout)]
    assert names.index("garmin-connect") < names.index("folder")


def test_pull_is_a_garmin_subcommand() -> None:
    result = invoke("garmin", "--help")
    assert result.exit_code == 0 and "pull" in result.stdout
    result = invoke("garmin", "pull", "--help")
    assert result.exit_code == 0 and "--since" in result.stdout and "--pace" in result.stdout


def test_pull_then_analyze_offline(
    account: Account,
    persona_activities: list[PlannedActivity],
    fit_files: list[bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for p, f in zip(persona_activities[:10], fit_files[:10], strict=True):
        account.add(p, f)
    result = invoke("garmin", "pull")
    assert result.exit_code == 0, result.output
    library = default_library()
    assert "Pulled 10 new activities (10 FIT files); 0 already in the library." in result.stdout
    assert f"chainfix analyze {library}" in result.stdout
    assert "Pulling from Garmin Connect as fake-athlete" in result.stderr
    assert result.stderr.count(".fit") == 10

    again = invoke("garmin", "pull", "--json", "--quiet")
    assert again.exit_code == 0, again.output
    doc = json.loads(again.stdout)
    assert doc["complete"] and doc["downloaded"] == [] and doc["library"] == str(library)
    assert again.stderr == ""

    account.fake.stop()  # from here on there is no Garmin Connect at all
    monkeypatch.delenv("CHAINFIX_GARMIN_API_URL")
    listed = invoke("activities", str(library), "--json", "--workers", "1")
    assert listed.exit_code == 0, listed.output
    activities = json.loads(listed.stdout)["activities"]
    assert [(datetime.fromisoformat(a["start_utc"]), a["sport"]) for a in activities] == [
        (p.start_utc, p.sport) for p in persona_activities[:10]
    ]
    for got, planned in zip(activities, persona_activities[:10], strict=True):
        assert got["source"] == "garmin-connect"
        if planned.distance_m:
            assert got["distance_m"] == pytest.approx(planned.distance_m, abs=0.01)
    analysed = invoke("analyze", str(library), "--workers", "1", "--quiet")
    assert analysed.exit_code == 0, analysed.output
    assert "Traceback" not in analysed.output


def test_a_refused_login_tells_the_user_to_log_in(account: Account) -> None:
    account.fake.revoke_tokens()
    result = invoke("garmin", "pull")
    assert result.exit_code == 1
    assert "chainfix garmin login" in result.stderr and "Traceback" not in result.output


def test_no_login_at_all(tmp_path: Path) -> None:
    result = invoke("garmin", "pull", "--library", str(tmp_path / "lib"))
    assert result.exit_code == 1
    assert "not logged in to Garmin Connect" in result.stderr
    assert "chainfix garmin login" in result.stderr


def test_a_rate_limit_stops_with_what_was_kept(
    account: Account, persona_activities: list[PlannedActivity], fit_files: list[bytes]
) -> None:
    for p, f in zip(persona_activities[:5], fit_files[:5], strict=True):
        account.add(p, f)
    account.fake.inject("429", path="/download-service/", at=2 + 1 + 2, times=100)
    result = invoke("garmin", "pull", "--json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert not doc["complete"] and len(doc["downloaded"]) == 2
    assert doc["error"]["type"] == "GarminRateLimitError"
    assert "Error: Garmin Connect answered 429 Too Many Requests" in result.stderr
    assert "Wait at least an hour" in result.stderr and "2 activities" in result.stderr
    result = invoke("garmin", "pull")
    assert "Stopped after 0 new activities" in result.stdout and result.exit_code == 1
    account.fake.clear_faults()
    result = invoke("garmin", "pull", "--since", "2025-01-01")
    assert result.exit_code == 0 and "Pulled 3 new activities" in result.stdout


def test_since_must_be_a_date() -> None:
    result = invoke("garmin", "pull", "--since", "last week")
    assert result.exit_code == 2


def test_without_chainfix_garmin_group_pull_gets_a_group_of_its_own() -> None:
    root = click.Group("chainfix")
    add_commands(root)
    add_commands(root)  # twice: harmless
    group = root.commands[FALLBACK_GROUP]
    assert isinstance(group, click.Group) and list(group.commands) == ["pull"]
    with_garmin = click.Group("chainfix", commands=[click.Group("garmin")])
    add_commands(with_garmin)
    assert FALLBACK_GROUP not in with_garmin.commands
    assert "pull" in with_garmin.commands["garmin"].commands  # type: ignore[attr-defined]
