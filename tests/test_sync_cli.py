"""``chainfix sync garmin PATHS`` with click's CliRunner against the fake."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

import chainfix.garmin_client as adapter
from chainfix.cli import sync as sync_cli
from chainfix.delivery.garmin_json import parse_marker
from chainfix.model import Workout, WorkoutStep
from chainfix.testing.fake_garmin import FakeGarminConnect, localhost_only
from tests.garmin_support import root_with

pytest.importorskip("garminconnect")


@pytest.fixture(autouse=True)
def _offline() -> Iterator[None]:
    """Nothing in this module may reach beyond 127.0.0.1."""
    with localhost_only():
        yield


def plan(sessions: int = 6, start: date = date(2026, 12, 7)) -> list[Workout]:
    rdl = WorkoutStep(
        "db_rdl",
        "Dumbbell Romanian deadlift",
        "deadlift",
        "romanian_deadlift",
        sets=3,
        reps=8,
        load="RPE 7",
        garmin_category="DEADLIFT",
        garmin_exercise_name="ROMANIAN_DEADLIFT",
    )
    swing = WorkoutStep(
        "kb_swing", "Kettlebell swing", "hip_raise", "kettlebell_swing", sets=4, reps=12
    )
    return [
        Workout(
            key=f"{(start + timedelta(days=2 * n)).isoformat()}-pc",
            title=f"Posterior chain {n + 1}",
            date=start + timedelta(days=2 * n),
            steps=(rdl, swing),
        )
        for n in range(sessions)
    ]


@pytest.fixture
def cli() -> click.Group:
    return root_with(sync_cli.register)


@pytest.fixture
def planned(monkeypatch: pytest.MonkeyPatch) -> list[Workout]:
    """What ``_planned_workouts`` returns (the planner is wired in by the lead)."""
    workouts = plan()
    seen: list[Any] = []

    def fake_plan(paths: Any, **options: Any) -> list[Workout]:
        seen.append(paths)
        return list(workouts)

    monkeypatch.setattr(sync_cli, "_planned_workouts", fake_plan)
    return workouts


@pytest.fixture
def history(tmp_path: Path) -> Path:
    folder = tmp_path / "history"
    folder.mkdir()
    return folder


def run(cli: click.Group, *args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_sync_uploads_and_schedules_then_does_nothing(
    cli: click.Group, fake: FakeGarminConnect, planned: list[Workout], history: Path
) -> None:
    fake.write_token_store(adapter.token_dir())
    result = run(cli, "sync", "garmin", str(history))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert sum(line.startswith("upload ") for line in lines) == 6
    assert sum(line.startswith("schedule ") for line in lines) == 6
    assert lines[-1] == "6 planned session(s): 6 uploaded, 0 updated, 0 unchanged, 6 scheduled."
    assert len(fake.workouts) == 6 and len(fake.schedules) == 6

    again = run(cli, "sync", "garmin", str(history))
    assert again.exit_code == 0
    assert again.output.splitlines()[-1] == (
        "6 planned session(s): 0 uploaded, 0 updated, 6 unchanged, 0 scheduled."
    )
    assert len(fake.workouts) == 6

    status = run(cli, "sync", "status")
    assert status.exit_code == 0
    assert "6 session(s) on Garmin Connect" in status.output
    assert "completed" in status.output
    data = json.loads(run(cli, "sync", "status", "--json").output)
    assert len(data["sessions"]) == 6 and data["open_operations"] == []


def test_dry_run_contacts_nothing_and_prints_the_requests(
    cli: click.Group, fake: FakeGarminConnect, planned: list[Workout], history: Path
) -> None:
    result = run(cli, "sync", "garmin", str(history), "--dry-run")  # not even logged in
    assert result.exit_code == 0, result.output
    assert fake.call_count == 0
    assert "Dry run: nothing is sent." in result.output
    assert "These 12 request(s) would be sent to Garmin Connect:" in result.output
    assert result.output.count("POST /workout-service/workout\n") == 6
    assert "POST /workout-service/schedule/<new workout id>" in result.output
    assert '"exerciseName": "ROMANIAN_DEADLIFT"' in result.output
    assert '"exerciseName": "KETTLEBELL_SWING"' in result.output
    data = json.loads(run(cli, "sync", "garmin", str(history), "--dry-run", "--json").output)
    assert data["dry_run"] is True
    assert [a["request"] for a in data["actions"]][:2] == [
        "POST /workout-service/workout",
        "POST /workout-service/schedule/<new workout id>",
    ]
    assert fake.call_count == 0


def test_dry_run_after_a_sync_shows_only_the_change(
    cli: click.Group,
    fake: FakeGarminConnect,
    planned: list[Workout],
    history: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake.write_token_store(adapter.token_dir())
    assert run(cli, "sync", "garmin", str(history)).exit_code == 0
    changed = list(planned)
    changed[2] = replace(changed[2], title="Renamed session")
    monkeypatch.setattr(sync_cli, "_planned_workouts", lambda paths, **o: changed)
    before = fake.call_count
    result = run(cli, "sync", "garmin", str(history), "--dry-run")
    assert fake.call_count == before
    assert "These 1 request(s) would be sent" in result.output
    assert "PUT /workout-service/workout/" in result.output
    assert '"workoutName": "Renamed session · ' in result.output


def test_a_rate_limit_stops_with_one_line_and_the_rerun_resumes(
    cli: click.Group, fake: FakeGarminConnect, planned: list[Workout], history: Path
) -> None:
    fake.write_token_store(adapter.token_dir())
    # calls 0-3: login (2), workout list, December's calendar; then upload + schedule per
    # session: the first two sessions go through, the third upload (call 8) gets a 429
    fake.inject("429", method="POST", path=r"/workout-service/workout$", at=8)
    result = run(cli, "sync", "garmin", str(history))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert lines[-2].startswith("Error: Garmin Connect answered 429 Too Many Requests while ")
    assert "Wait at least an hour" in lines[-1]
    done = [line for line in lines if line.startswith(("upload", "schedule"))]
    assert done and len(done) < 12  # what succeeded was shown before the error
    assert len(fake.workouts) == 2 and len(fake.schedules) == 2

    status = run(cli, "sync", "status")
    assert "stopped" in status.output

    rerun = run(cli, "sync", "garmin", str(history))
    assert rerun.exit_code == 0, rerun.output
    assert len(fake.workouts) == 6 and len(fake.schedules) == 6
    keys = sorted(parse_marker(w["description"]).key for w in fake.workouts.values())  # type: ignore[union-attr]
    assert keys == sorted(w.key for w in planned)
    assert "4 uploaded" in rerun.output


def test_a_dropped_connection_is_reported_like_any_network_failure(
    cli: click.Group, fake: FakeGarminConnect, planned: list[Workout], history: Path
) -> None:
    fake.write_token_store(adapter.token_dir())
    fake.inject("lost_response", method="POST", path="/schedule/")
    result = run(cli, "sync", "garmin", str(history))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[-2] == (
        "Error: could not reach Garmin Connect while scheduling workout "
        f"{min(fake.workouts)} on {planned[0].date.isoformat()} (the connection was dropped)"
    )
    assert "resumes where it stopped" in lines[-1]
    status = run(cli, "sync", "status")
    assert "got no answer" in status.output
    rerun = run(cli, "sync", "garmin", str(history))
    assert rerun.exit_code == 0
    assert len(fake.schedules) == 6 and len(fake.workouts) == 6


def test_expired_login_points_to_garmin_login(
    cli: click.Group, fake: FakeGarminConnect, planned: list[Workout], history: Path
) -> None:
    result = run(cli, "sync", "garmin", str(history))
    assert result.exit_code == 1
    assert "Error: not logged in to Garmin Connect (no saved tokens)" in result.output
    assert "Run `chainfix garmin login`." in result.output

    fake.write_token_store(adapter.token_dir())
    fake.inject("401", method="POST", times=2)
    result = run(cli, "sync", "garmin", str(history))
    assert result.exit_code == 1
    assert "Run `chainfix garmin login`." in result.output and "Traceback" not in result.output


def test_prune_flag(
    cli: click.Group,
    fake: FakeGarminConnect,
    planned: list[Workout],
    history: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake.write_token_store(adapter.token_dir())
    mine = fake.add_workout(
        {
            "workoutName": "Mine",
            "description": "hands off",
            "sportType": {"sportTypeId": 5},
            "workoutSegments": [{"segmentOrder": 1, "workoutSteps": []}],
        }
    )
    assert run(cli, "sync", "garmin", str(history)).exit_code == 0
    monkeypatch.setattr(sync_cli, "_planned_workouts", lambda paths, **o: planned[:4])
    kept = run(cli, "sync", "garmin", str(history))
    assert "2 chainfix workout(s) not in the plan kept (use --prune)" in kept.output
    assert len(fake.workouts) == 7
    pruned = run(cli, "sync", "garmin", str(history), "--prune")
    assert pruned.exit_code == 0 and "2 deleted" in pruned.output
    assert len(fake.workouts) == 5 and mine in fake.workouts


def test_usage_errors(cli: click.Group, history: Path) -> None:
    no_target = run(cli, "sync", str(history))
    assert no_target.exit_code == 2 and "No such command" in no_target.output
    no_paths = run(cli, "sync", "garmin")
    assert no_paths.exit_code == 2 and "PATHS" in no_paths.output
    bad_target = run(cli, "sync", "strava", str(history))
    assert bad_target.exit_code == 2


def test_sync_help(cli: click.Group) -> None:
    result = run(cli, "sync", "--help")
    assert result.exit_code == 0
    for command in ("fit", "watch", "garmin", "status"):
        assert re.search(rf"^  {command}\s", result.output, re.M), command
    garmin = run(cli, "sync", "garmin", "--help")
    for option in ("--prune", "--dry-run", "--json", "--csv", "--quiet"):
        assert option in garmin.output
