"""Start-up: ``chainfix --help`` and ``--version`` load no command module and no reader.

What each command loads is measured in ``benchmarks/ingest.py`` (time); here the test checks
what is imported, which is what the time follows.
"""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from chainfix.cli import COMMANDS, cli

HEAVY = (
    "chainfix.app",
    "chainfix.analysis",
    "chainfix.planning",
    "chainfix.ingest",
    "chainfix.fit",
    "chainfix.sources.archive",
    "chainfix.garmin_client",
    "chainfix.report",
    "pandas",
    "numpy",
    "rich",
)


def _modules_after(*args: str) -> list[str]:
    code = (
        "import json, sys\n"
        "from chainfix.cli import cli\n"
        f"try:\n    cli({list(args)!r}, prog_name='chainfix')\n"
        "except SystemExit:\n    pass\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [("--help",), ("--version",)])
def test_help_and_version_import_no_command_module_or_reader(args: tuple[str, ...]) -> None:
    loaded = _modules_after(*args)
    builtin_modules = {entry.module for entry in COMMANDS.values() if not entry.group}
    assert not builtin_modules & set(loaded)
    heavy = [m for m in loaded if any(m == h or m.startswith(h + ".") for h in HEAVY)]
    assert heavy == []


def test_help_lists_every_command_with_its_own_first_sentence() -> None:
    listed = CliRunner().invoke(cli, ["--help"], terminal_width=200).output
    ctx = click.Context(cli)
    for name, entry in COMMANDS.items():
        command = cli.get_command(ctx, name)
        assert command is not None
        first = command.get_short_help_str(limit=10_000)
        assert entry.summary == first, name
        assert f"  {name} " in listed


def test_a_plugin_command_is_listed_too() -> None:
    listed = CliRunner().invoke(cli, ["--help"], terminal_width=200).output
    plugin_commands = set(cli.commands) - set(COMMANDS)
    for name in plugin_commands:
        assert f"  {name} " in listed
