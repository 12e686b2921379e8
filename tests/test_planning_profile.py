"""The athlete profile: TOML writer, atomic saves, and ``chainfix profile show/set``."""

from __future__ import annotations

import json
import os
import tomllib
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_planning_support import planning_cli

from chainfix.errors import ProfileError
from chainfix.paths import profile_path
from chainfix.planning import AthleteProfile, Race, load_profile, save_profile
from chainfix.planning.profile import dumps_toml, parse_days, parse_race


def test_toml_writer_round_trips_through_tomllib() -> None:
    data = {
        "name": 'He said "hi"\n\ttab \\ back \x01',
        "n": 3,
        "x": 2.5,
        "yes": True,
        "when": date(2027, 4, 12),
        "words": ["a", "b c"],
        "skip": None,
        "table": {"inner": 1, "deeper": {"k": "v"}},
        "races": [
            {"date": date(2027, 4, 12), "priority": "A"},
            {"date": date(2027, 5, 1), "priority": "B"},
        ],
        "odd key": "ok",
    }
    back = tomllib.loads(dumps_toml(data))
    expected = {k: v for k, v in data.items() if v is not None}
    assert back == expected


def test_profile_saves_atomically_and_loads_back() -> None:
    profile = AthleteProfile(
        level="intermediate",
        equipment=("dumbbell", "bench"),
        sessions_per_week=2,
        days=("mon", "thu"),
        races=(Race(date(2027, 4, 12), "A", "City marathon"), Race(date(2027, 3, 1), "B")),
        phase="build",
        pain=("achilles",),
        sitting_hours=8.0,
        extra={"coach_note": "keep it"},
    )
    path = save_profile(profile)
    assert path == profile_path()
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []
    loaded = load_profile()
    assert loaded.races[0].date == date(2027, 3, 1)
    assert loaded == profile.with_changes(races=tuple(sorted(profile.races, key=lambda r: r.date)))


def test_a_failed_write_leaves_the_old_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    save_profile(AthleteProfile(level="beginner"))
    before = profile_path().read_text("utf-8")

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        save_profile(AthleteProfile(level="advanced"))
    assert profile_path().read_text("utf-8") == before
    assert [p for p in profile_path().parent.iterdir() if p.name.endswith(".tmp")] == []


def test_parsers() -> None:
    assert parse_days("Monday, tue,SUN") == ("mon", "tue", "sun")
    assert parse_race("2027-04-12:b:Trail 50") == Race(date(2027, 4, 12), "B", "Trail 50")
    with pytest.raises(ProfileError):
        parse_days("someday")
    with pytest.raises(ProfileError):
        parse_race("12/04/2027")


def test_bad_profile_file_is_a_clear_error() -> None:
    profile_path().write_text('level = "expert"\n', "utf-8")
    with pytest.raises(ProfileError, match="expert"):
        load_profile()


def test_profile_set_and_show() -> None:
    runner = CliRunner()
    cli = planning_cli()
    result = runner.invoke(
        cli,
        [
            "profile",
            "set",
            "--level",
            "beginner",
            "--equipment",
            "dumbbells,bench, Bands",
            "--days",
            "mon,tue,thu",
            "--race",
            "2027-04-12",
            "--race",
            "2027-03-01:B",
            "--phase",
            "build",
            "--pain",
            "achilles",
            "--sitting-hours",
            "8",
            "--sessions",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Saved" in result.output
    shown = runner.invoke(cli, ["profile", "show", "--json"])
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.output)
    assert data["level"] == "beginner"
    assert data["equipment"] == ["dumbbell", "bench", "band"]
    assert data["days"] == ["mon", "tue", "thu"]
    assert data["races"] == [
        {"date": "2027-03-01", "priority": "B"},
        {"date": "2027-04-12", "priority": "A"},
    ]
    assert data["phase"] == "build"
    assert data["pain"] == ["achilles"]
    assert data["sitting_hours"] == 8.0
    table = runner.invoke(cli, ["profile", "show"])
    assert "dumbbell, bench, band" in table.output
    assert "2027-04-12 (A)" in table.output
    # Fields not named keep their value; --clear-races forgets races.
    runner.invoke(cli, ["profile", "set", "--clear-races", "--level", "auto"])
    profile = load_profile()
    assert profile.races == () and profile.level is None
    assert profile.equipment == ("dumbbell", "bench", "band")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--equipment", "rowing_boat"], "unknown equipment"),
        (["--race", "next spring"], "is not a date"),
        (["--days", "funday"], "is not a weekday"),
        (["--pain", "elbow"], "unknown pain flag"),
    ],
)
def test_profile_set_rejects_bad_values_in_one_line(args: list[str], words: str) -> None:
    result = CliRunner().invoke(planning_cli(), ["profile", "set", *args])
    assert result.exit_code != 0
    assert words in result.output
    assert "Traceback" not in result.output
    assert not Path(profile_path()).exists()


def test_profile_set_needs_an_option() -> None:
    result = CliRunner().invoke(planning_cli(), ["profile", "set"])
    assert result.exit_code == 2
    assert "nothing to change" in result.output
