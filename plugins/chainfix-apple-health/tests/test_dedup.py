"""A workout both in Health and in a FIT file is counted once, and the FIT copy is kept."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from chainfix.cli import cli
from chainfix_synth import Device, PlannedActivity
from chainfix_synth.fitfiles import activity_fit
from click.testing import CliRunner
from healthgen import Planned, default_plan, write_export


def fit_twin(p: Planned, shift_s: int) -> bytes:
    """The same run as recorded by a Garmin watch, starting ``shift_s`` later."""
    assert p.distance_m is not None
    return activity_fit(
        PlannedActivity(
            kind="easy",
            name="Morning Run",
            sport="running",
            sub_sport="generic",
            start_utc=p.start_utc + timedelta(seconds=shift_s),
            utc_offset_s=int(p.start.utcoffset().total_seconds()),  # type: ignore[union-attr]
            timer_s=int(p.minutes * 60),
            elapsed_s=int(p.elapsed_s),
            distance_m=p.distance_m,
            ascent_m=40,
            descent_m=40,
            avg_hr=141,
            max_hr=170,
            device=Device("fr965", 3_400_000_001),
            seed=3,
        ),
        hz=0.1,
    )


@pytest.mark.parametrize("shift_s", [0, 3])
def test_the_fit_copy_wins(tmp_path: Path, export_zip: Path, shift_s: int) -> None:
    plan = default_plan().workouts
    run = plan[0]
    fit = tmp_path / "garmin-run.fit"
    fit.write_bytes(fit_twin(run, shift_s))
    result = CliRunner().invoke(
        cli, ["activities", str(export_zip), str(fit), "--json", "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    acts = json.loads(result.output)["activities"]
    assert len(acts) == len(plan)  # counted once
    near = [a for a in acts if a["start_utc"].startswith(f"{run.start_utc:%Y-%m-%dT%H:%M}")]
    (kept,) = near
    assert kept["source"] == "fit" and not kept["from_summary"]
    assert kept["sets"] == [] and kept["device"]  # the FIT's own detail
    assert kept["utc_offset_s"] == 7200


def test_a_fit_file_of_another_workout_is_added(tmp_path: Path, export_zip: Path) -> None:
    plan = default_plan().workouts
    fit = tmp_path / "other.fit"
    fit.write_bytes(fit_twin(plan[0], 3600))
    result = CliRunner().invoke(
        cli, ["activities", str(export_zip), str(fit), "--json", "--workers", "1"]
    )
    acts = json.loads(result.output)["activities"]
    assert len(acts) == len(plan) + 1


def test_two_copies_of_the_export_count_once(tmp_path: Path, export_zip: Path) -> None:
    folder = write_export(tmp_path / "unzipped", zipped=False)
    result = CliRunner().invoke(
        cli, ["activities", str(export_zip), str(folder), "--json", "--workers", "1"]
    )
    assert len(json.loads(result.output)["activities"]) == len(default_plan().workouts)
