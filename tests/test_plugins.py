"""The plugin host: entry points loaded in isolation, the allow-list, and documented hooks."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from chainfix import hookspecs, plugins
from chainfix.cli import cli


def make_plugin(root: Path, name: str, code: str) -> None:
    """An installed distribution on sys.path: a module and dist-info with a chainfix entry point."""
    (root / f"{name}.py").write_text(textwrap.dedent(code))
    info = root / f"{name}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[chainfix]\n{name} = {name}\n")


@pytest.fixture
def plugin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("CHAINFIX_LOAD_PLUGINS", raising=False)
    plugins.reset()
    yield tmp_path
    plugins.reset()


BROKEN = "raise RuntimeError('this plugin is broken on purpose')\n"
WORKING = """
    from pathlib import Path
    from chainfix import hookimpl, Source

    def _read(path, options):
        return iter(())

    @hookimpl
    def register_sources(register):
        register(
            Source(name="csvwatch", description="CSV", can_open=lambda p: False, read=_read)
        )
"""
BAD_REGISTER = """
    from chainfix import hookimpl

    @hookimpl
    def register_sources(register):
        register("not a source")
"""


def test_broken_plugin_is_listed_with_its_error(plugin_dir: Path) -> None:
    make_plugin(plugin_dir, "cf_broken", BROKEN)
    result = CliRunner().invoke(cli, ["plugins", "--json"])
    assert result.exit_code == 0, result.output
    assert '"cf_broken"' in result.output
    assert "this plugin is broken on purpose" in result.output


def test_broken_plugin_does_not_stop_sources(plugin_dir: Path) -> None:
    make_plugin(plugin_dir, "cf_broken", BROKEN)
    make_plugin(plugin_dir, "cf_working", WORKING)
    names = [s.name for s in plugins.sources()]
    assert "csvwatch" in names and "fit" in names and "garmin-export" in names


def test_plugin_that_fails_to_register_is_recorded(plugin_dir: Path) -> None:
    make_plugin(plugin_dir, "cf_badreg", BAD_REGISTER)
    names = [s.name for s in plugins.sources()]
    assert "fit" in names
    assert "expects a chainfix.Source" in (plugins.host().infos["cf_badreg"].error or "")


def test_allow_list_empty_loads_no_external_plugin(
    plugin_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_plugin(plugin_dir, "cf_working", WORKING)
    monkeypatch.setenv("CHAINFIX_LOAD_PLUGINS", "")
    plugins.reset()
    names = [s.name for s in plugins.sources()]
    assert "csvwatch" not in names
    assert "fit" in names  # built-ins always load


def test_allow_list_names_a_plugin(plugin_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_plugin(plugin_dir, "cf_working", WORKING)
    make_plugin(plugin_dir, "cf_broken", BROKEN)
    monkeypatch.setenv("CHAINFIX_LOAD_PLUGINS", "cf_working")
    plugins.reset()
    assert "csvwatch" in [s.name for s in plugins.sources()]
    assert "cf_broken" not in plugins.host().infos


def test_every_hookspec_is_documented() -> None:
    names = plugins.hook_names()
    assert names == ["register_commands", "register_sources"]
    docs = (Path(__file__).resolve().parents[1] / "docs" / "plugins.md").read_text()
    for name in names:
        doc = getattr(hookspecs, name).__doc__ or ""
        assert len(doc.strip()) > 80, f"hook {name} needs a real docstring"
        assert f"### `{name}(" in docs, f"hook {name} missing from docs/plugins.md"
