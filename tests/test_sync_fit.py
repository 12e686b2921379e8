"""``chainfix sync fit DIR PATHS`` and ``sync watch PATHS`` with click's CliRunner."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import click
import fitdecode
import fitparse
import pytest
from click.testing import CliRunner, Result
from fitparse.profile import FIELD_TYPES

from chainfix.cli import sync as sync_cli
from chainfix.delivery import fit_workout as fw
from chainfix.delivery import watch
from chainfix.model import Workout, WorkoutStep
from tests.garmin_support import root_with

REPO = Path(__file__).resolve().parents[1]
SAMPLE_EXPORT = REPO / "sample_exports" / "garmin-export-runner.zip"


def plan(sessions: int = 4, start: date = date(2026, 12, 7)) -> list[Workout]:
    rdl = WorkoutStep(
        "db_rdl",
        "Dumbbell Romanian deadlift",
        "deadlift",
        "romanian_deadlift",
        sets=3,
        reps=8,
        load="RPE 7",
        weight_kg=20.0,
    )
    nordic = WorkoutStep(
        "nordic",
        "Nordic hamstring curl",
        "leg_curl",
        "leg_curl",
        sets=2,
        reps=4,
        rest_s=150,
        watch_title="Nordic hamstring curl",
    )
    return [
        Workout(
            key=f"{(start + timedelta(days=3 * n)).isoformat()}-posterior-chain-{'ab'[n % 2]}",
            title=f"Posterior chain {'AB'[n % 2]}",
            date=start + timedelta(days=3 * n),
            steps=(rdl, nordic),
        )
        for n in range(sessions)
    ]


@pytest.fixture
def cli() -> click.Group:
    return root_with(sync_cli.register)


@pytest.fixture
def planned(monkeypatch: pytest.MonkeyPatch) -> list[Workout]:
    """What ``_planned_workouts`` returns, without running the planner."""
    workouts = plan()
    monkeypatch.setattr(sync_cli, "_planned_workouts", lambda paths, **options: list(workouts))
    return workouts


@pytest.fixture
def history(tmp_path: Path) -> Path:
    folder = tmp_path / "history"
    folder.mkdir()
    return folder


def run(cli: click.Group, *args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def decode_strict(data: bytes) -> list[tuple[str, dict[str, Any]]]:
    with fitdecode.FitReader(
        io.BytesIO(data),
        check_crc=fitdecode.CrcCheck.RAISE,
        error_handling=fitdecode.ErrorHandling.RAISE,
    ) as reader:
        return [
            (frame.name, {f.name: f.value for f in frame.fields})
            for frame in reader
            if isinstance(frame, fitdecode.FitDataMessage)
        ]


def check_file(path: Path, workout: Workout) -> None:
    """A valid FIT workout for ``workout``: strict fitdecode, python-fitparse, profile pairs."""
    data = path.read_bytes()
    messages = decode_strict(data)
    list(fitparse.FitFile(io.BytesIO(data), check_crc=True).get_messages())
    header = next(fields for kind, fields in messages if kind == "workout")
    assert header["wkt_name"] == fw.watch_name(workout)
    assert header["wkt_name"].endswith(f"{workout.date:%d %b}")
    exercises = [
        (fields["exercise_category"], fields["exercise_name"])
        for kind, fields in messages
        if kind == "workout_step" and fields.get("exercise_category") is not None
    ]
    names = [FIELD_TYPES[f"{c}_exercise_name"].values[n] for c, n in exercises]
    assert [(c, n) for (c, _), n in zip(exercises, names, strict=True)] == [
        (s.fit_exercise_category, s.fit_exercise_name)
        for s in workout.steps
        for _ in range(2 if s.per_side else 1)  # work per side: one step per side
    ]


# ---------------------------------------------------------------------------------------------
# sync fit DIR


def test_to_fit_with_the_real_planner_writes_one_valid_file_per_session(
    cli: click.Group, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """End to end: the sample Garmin export, the real planner, one file per planned session."""
    real = sync_cli._planned_workouts
    seen: list[list[Workout]] = []

    def spy(paths: Sequence[Path], **options: Any) -> list[Workout]:
        workouts = real(paths, **options)
        seen.append(workouts)
        return workouts

    monkeypatch.setattr(sync_cli, "_planned_workouts", spy)
    out = tmp_path / "workouts"
    result = run(cli, "sync", "fit", out, SAMPLE_EXPORT)
    assert result.exit_code == 0, result.output
    workouts = seen[0]
    assert workouts, "the planner planned no session"
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{w.key}.fit" for w in workouts)
    for workout in workouts:
        check_file(out / f"{workout.key}.fit", workout)
    assert f"{len(workouts)} FIT workout file(s) written to {out}:" in result.output


def test_to_fit_writes_the_files_and_a_rerun_writes_the_same_bytes(
    cli: click.Group, planned: list[Workout], history: Path, tmp_path: Path
) -> None:
    out = tmp_path / "fit"
    result = run(cli, "sync", "fit", out, history)
    assert result.exit_code == 0, result.output
    names = [f"{w.key}.fit" for w in planned]
    assert sorted(p.name for p in out.iterdir()) == sorted(names)
    for workout in planned:
        check_file(out / f"{workout.key}.fit", workout)
    assert "  2026-12-07-posterior-chain-a.fit  Posterior chain A  [2 exercise(s), " in (
        result.output
    )
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    # options may come before the paths
    again = run(cli, "sync", "fit", "--quiet", out, history)
    assert again.exit_code == 0, again.output
    assert {p.name: without_created(p.read_bytes()) for p in out.iterdir()} == {
        name: without_created(data) for name, data in first.items()
    }  # the same files; only time_created (when each was written) may differ


def without_created(data: bytes) -> list[tuple[str, dict[str, Any]]]:
    messages = decode_strict(data)
    for _, fields in messages:
        fields.pop("time_created", None)
    return messages


def test_to_fit_dry_run_lists_the_files_and_writes_nothing(
    cli: click.Group, planned: list[Workout], history: Path, tmp_path: Path
) -> None:
    out = tmp_path / "fit"
    result = run(cli, "sync", "fit", out, history, "--dry-run")
    assert result.exit_code == 0, result.output
    assert not out.exists()
    assert result.output.startswith(
        f"Dry run: nothing is written.\n4 FIT workout file(s) would be written to {out}:"
    )
    for workout in planned:
        assert f"{workout.key}.fit" in result.output
    data = json.loads(run(cli, "sync", "fit", out, history, "--dry-run", "--json").output)
    assert data["dry_run"] is True and data["target"] == "fit"
    assert [f["path"] for f in data["files"]] == [str(out / f"{w.key}.fit") for w in planned]
    assert data["files"][0]["exercises"] == 2 and data["files"][0]["bytes"] > 100
    assert not out.exists()


def test_to_fit_json_reports_the_written_files(
    cli: click.Group, planned: list[Workout], history: Path, tmp_path: Path
) -> None:
    out = tmp_path / "fit"
    data = json.loads(run(cli, "sync", "fit", out, history, "--json").output)
    assert data["dry_run"] is False
    assert all(Path(f["path"]).is_file() for f in data["files"])


def test_an_invalid_session_writes_nothing_and_exits_1(
    cli: click.Group, history: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workouts = plan()
    bad = WorkoutStep("glute_ham_raise", "Glute-ham raise", "leg_curl", "leg_curl", sets=2, reps=5)
    workouts[2] = Workout(workouts[2].key, "Bad", workouts[2].date, (*workouts[2].steps, bad))
    monkeypatch.setattr(sync_cli, "_planned_workouts", lambda paths, **o: workouts)
    out = tmp_path / "fit"
    result = run(cli, "sync", "fit", out, history)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "shares the FIT exercise leg_curl/leg_curl" in result.output
    assert not out.exists()


# ---------------------------------------------------------------------------------------------
# sync watch


def fake_watch(volume: Path) -> Path:
    new_files = volume / "GARMIN" / "NewFiles"
    new_files.mkdir(parents=True)
    (volume / "GARMIN" / "Activity").mkdir()
    return new_files


def test_to_watch_with_watch_dir_writes_into_garmin_newfiles(
    cli: click.Group, planned: list[Workout], history: Path, tmp_path: Path
) -> None:
    new_files = fake_watch(tmp_path / "FR965")
    result = run(cli, "sync", "watch", history, "--watch-dir", tmp_path / "FR965")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in new_files.iterdir()) == sorted(f"{w.key}.fit" for w in planned)
    assert list((tmp_path / "FR965" / "GARMIN" / "Activity").iterdir()) == []
    assert "Eject the watch" in result.output
    for workout in planned:
        check_file(new_files / f"{workout.key}.fit", workout)


def test_to_watch_finds_the_mounted_watch(
    cli: click.Group,
    planned: list[Workout],
    history: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    media = tmp_path / "media" / "ana"
    (media / "USB-STICK").mkdir(parents=True)
    new_files = fake_watch(media / "GARMIN")
    monkeypatch.setattr(watch, "_user", lambda: "ana")
    monkeypatch.setattr(watch, "MOUNT_PARENTS", (f"{tmp_path}/media/{{user}}",))
    dry = run(cli, "sync", "watch", history, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert f"would be written to {new_files}:" in dry.output
    assert list(new_files.iterdir()) == []
    result = run(cli, "sync", "watch", history)
    assert result.exit_code == 0, result.output
    assert len(list(new_files.iterdir())) == len(planned)


def test_to_watch_without_a_watch_is_a_clear_error(
    cli: click.Group,
    planned: list[Workout],
    history: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(watch, "MOUNT_PARENTS", (str(tmp_path),))
    result = run(cli, "sync", "watch", history)
    assert result.exit_code == 1
    assert "Error: no Garmin watch found: no GARMIN/NewFiles folder under" in result.output
    assert "--watch-dir" in result.output
    not_a_watch = tmp_path / "stick"
    not_a_watch.mkdir()
    result = run(cli, "sync", "watch", history, "--watch-dir", not_a_watch)
    assert result.exit_code == 1
    assert "has no GARMIN/NewFiles folder" in result.output
    assert list(not_a_watch.iterdir()) == []


# ---------------------------------------------------------------------------------------------
# Options


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["fit"], "Missing argument 'DIRECTORY'"),
        (["fit", "out"], "Missing argument 'PATHS...'"),
        (["garmin", "--watch-dir", "."], "No such option '--watch-dir'"),
        (["fit", "out", "{history}", "--prune"], "No such option '--prune'"),
        (["fit", "out", "{history}", "--json", "x.fit"], "is not a .json file"),
        (["--to", "fit"], "No such option '--to'"),
    ],
)
def test_usage_errors(
    cli: click.Group, planned: list[Workout], history: Path, args: list[str], message: str
) -> None:
    result = run(cli, "sync", *(a.format(history=history) for a in args))
    assert result.exit_code == 2
    assert message in result.output


def test_help_shows_the_four_subcommands(cli: click.Group) -> None:
    result = run(cli, "sync", "--help")
    assert result.exit_code == 0
    for command in ("fit", "watch", "garmin", "status"):
        assert f"  {command} " in result.output
    watch = run(cli, "sync", "watch", "--help")
    assert "--watch-dir" in watch.output and "--fit-dir" not in watch.output
