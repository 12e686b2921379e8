"""Start-up: ``chainfix --help`` and ``--version`` load no command module and no reader.

What each command loads is measured in ``benchmarks/ingest.py`` (time); here the test checks
what is imported, which is what the time follows.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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


def test_registering_the_sources_loads_no_reader() -> None:
    """Every run registers every source; readers load only when a path is read."""
    code = (
        "import json, sys\n"
        "from chainfix import plugins\n"
        "names = [s.name for s in plugins.sources()]\n"
        "print(json.dumps([names, sorted(sys.modules)]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    names, loaded = json.loads(done.stdout)
    assert {"fit", "folder", "garmin-export", "zip"} <= set(names)
    readers = (
        "chainfix.ingest",
        "chainfix.fit.api",
        "chainfix.fit.fast",
        "fitparse",
        "chainfix_strava.export",
        "chainfix_strava.trackfile",
        "chainfix_apple_health.export",
    )
    assert [m for m in loaded if m.startswith(readers)] == []


def test_a_lazy_read_reads_like_its_reader_and_keeps_the_part_marks() -> None:
    from pathlib import Path

    from chainfix.api import Container, LazyRead, ReadOptions
    from chainfix.sources.garmin_export import read_export

    sample = Path(__file__).resolve().parents[1] / "sample_exports" / "garmin-export-runner.zip"
    lazy = LazyRead("chainfix.sources.garmin_export", "read_export")
    assert lazy.target() is read_export
    marked = list(lazy.with_parts(sample, ReadOptions()))
    plain = list(lazy(sample, ReadOptions()))
    assert any(isinstance(item, Container) for item in marked)
    assert not any(isinstance(item, Container) for item in plain)
    assert len(plain) == sum(not isinstance(item, Container) for item in marked) > 0


def test_the_console_script_collects_cycles_less_often_from_its_first_import() -> None:
    """The console script raises the youngest generation's threshold before the command line
    loads (see :mod:`chainfix.command`): click is imported with it raised already."""
    code = (
        "import atexit, gc, sys\n"
        "seen = []\n"
        "class Watch:\n"
        "    @staticmethod\n"
        "    def find_spec(name, path=None, target=None):\n"
        "        if name == 'click':\n"
        "            seen.append(gc.get_threshold()[0])\n"
        "sys.meta_path.insert(0, Watch)\n"
        "from chainfix.command import GC_FIRST_GENERATION, main\n"
        "def report():\n"
        "    print(seen[0], gc.get_threshold()[0], GC_FIRST_GENERATION, file=sys.stderr)\n"
        "atexit.register(report)\n"
        "sys.argv = ['chainfix', '--version']\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    at_click, threshold, wanted = done.stderr.split()
    assert int(at_click) == int(threshold) == int(wanted) > 700


def test_analysing_valid_fit_files_loads_neither_python_fitparse_nor_the_self_tests() -> None:
    """The fast reader's profile tables are literals (:mod:`chainfix.fit.profile_tables`), and the
    self-test modules load only when there are self-test results (the plan is made all the same)."""
    folder = Path(__file__).resolve().parents[1] / "sample_exports" / "fit-folder"
    loaded = _modules_after("analyze", str(folder), "-q")
    assert "chainfix.planning.generator" in loaded  # the advice's plan was made
    unwanted = ("fitparse", "chainfix.planning.assessment", "chainfix.planning.assessment_rules")
    assert [m for m in loaded if m.startswith(unwanted)] == []
