"""Every command has help; usage errors exit 2; fatal errors exit 1 with one line."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from chainfix.cli import cli


def all_commands() -> list[list[str]]:
    out: list[list[str]] = []

    def walk(cmd: click.Command, path: list[str]) -> None:
        out.append(path)
        if isinstance(cmd, click.Group):
            ctx = click.Context(cmd)
            for name in cmd.list_commands(ctx):
                sub = cmd.get_command(ctx, name)
                assert sub is not None
                walk(sub, [*path, name])

    walk(cli, [])
    return out


@pytest.mark.parametrize("path", all_commands(), ids=lambda p: " ".join(p) or "chainfix")
def test_every_command_has_help(path: list[str]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    # a real sentence, not just the usage line
    assert len(result.output.split("\n\n")[1].strip()) > 20


def test_unknown_option_is_usage_error() -> None:
    result = CliRunner().invoke(cli, ["activities", "--bogus", "."])
    assert result.exit_code == 2


def test_missing_path_is_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["analyze", str(tmp_path / "nope.zip")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_nothing_usable_exits_1_with_one_line(tmp_path: Path) -> None:
    empty = tmp_path / "empty.fit"
    empty.write_bytes(b"")
    result = CliRunner().invoke(cli, ["analyze", str(empty)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.startswith("Error: no activities found")


def test_doctor_is_safe_to_paste(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "garmin").mkdir(parents=True)
    (home / "garmin" / "garmin_tokens.json").write_text(
        '{"di_token": "SECRET-TOKEN", "email": "a@b.c"}'
    )
    monkeypatch.setenv("CHAINFIX_HOME", str(home))
    result = CliRunner().invoke(cli, ["doctor"])
    assert result.exit_code == 0
    assert "SECRET-TOKEN" not in result.output and "a@b.c" not in result.output
    assert "python-fitparse" in result.output and "garmin_tokens_present: True" in result.output
