"""``chainfix plugin new``: the scaffolded package is lint-clean, installs and passes its tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from chainfix.cli import plugin_new


@pytest.fixture
def group() -> click.Group:
    """A bare command group with the ``plugin`` commands (the root ``chainfix`` wires them)."""
    root = click.Group(name="chainfix")
    plugin_new.register(root)
    return root


def scaffold(group: click.Group, tmp_path: Path, name: str = "demo-log") -> Path:
    result = CliRunner().invoke(group, ["plugin", "new", name, "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "pip install -e '.[test]'" in result.output
    return tmp_path / f"chainfix-{plugin_new.PluginNames.parse(name).name}"


def fake_install(package: Path, site: Path) -> None:
    """What ``pip install -e`` gives chainfix: a dist-info with the package's entry points."""
    meta = tomllib.loads((package / "pyproject.toml").read_text())["project"]
    info = site / f"{meta['name'].replace('-', '_')}-{meta['version']}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {meta['name']}\nVersion: {meta['version']}\n"
    )
    lines = [f"{k} = {v}" for k, v in meta["entry-points"]["chainfix"].items()]
    (info / "entry_points.txt").write_text("[chainfix]\n" + "\n".join(lines) + "\n")


def run_package_tests(package: Path, pythonpath: list[Path], home: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "CHAINFIX_"))}
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in pythonpath)
    env["CHAINFIX_HOME"] = str(home)
    env["CHAINFIX_LOAD_PLUGINS"] = "demo-log"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=package,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


def test_scaffold_layout_and_metadata(group: click.Group, tmp_path: Path) -> None:
    package = scaffold(group, tmp_path, "Demo Log")
    files = sorted(p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_file())
    assert files == [
        ".gitignore",
        "README.md",
        "pyproject.toml",
        "src/chainfix_demo_log/__init__.py",
        "tests/test_demo_log.py",
    ]
    project = tomllib.loads((package / "pyproject.toml").read_text())["project"]
    assert project["name"] == "chainfix-demo-log"
    assert project["entry-points"]["chainfix"] == {"demo-log": "chainfix_demo_log"}
    assert any(d.startswith("chainfix-cli>=") for d in project["dependencies"])
    text = "\n".join(p.read_text() for p in package.rglob("*") if p.is_file())
    assert "{{" not in text and "}}" not in text.replace("}}}", "")


def test_scaffold_is_lint_clean(group: click.Group, tmp_path: Path) -> None:
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed")
    package = scaffold(group, tmp_path)
    for args in (["check", "."], ["format", "--check", "."]):
        result = subprocess.run([ruff, *args], cwd=package, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_scaffolded_tests_pass_as_written(group: click.Group, tmp_path: Path) -> None:
    package = scaffold(group, tmp_path)
    site = tmp_path / "site"
    fake_install(package, site)
    run_package_tests(package, [package / "src", site], tmp_path / "home")


@pytest.mark.slow
def test_scaffold_really_installs(group: click.Group, tmp_path: Path) -> None:
    """A real ``pip install`` (build backend fetched by pip), then the package's own tests."""
    package = scaffold(group, tmp_path)
    site = tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-input", "-q"]
    result = subprocess.run(
        [*pip, "--target", str(site), str(package)], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (site / "chainfix_demo_log" / "__init__.py").is_file()
    run_package_tests(package, [site], tmp_path / "home")


@pytest.mark.parametrize("name", ["9lives", "a--b", "ünïcode", "", "with/slash"])
def test_bad_names_are_usage_errors(group: click.Group, tmp_path: Path, name: str) -> None:
    result = CliRunner().invoke(group, ["plugin", "new", name, "--dir", str(tmp_path)])
    assert result.exit_code == 2 and "not a usable plugin name" in result.output
    assert not any(tmp_path.iterdir())


def test_prefix_is_not_doubled() -> None:
    names = plugin_new.PluginNames.parse("chainfix-polar-flow")
    assert (names.name, names.dist, names.module) == (
        "polar-flow",
        "chainfix-polar-flow",
        "chainfix_polar_flow",
    )


def test_existing_folder_and_taken_names_are_refused(tmp_path: Path) -> None:
    (tmp_path / "chainfix-demo-log").mkdir()
    (tmp_path / "chainfix-demo-log" / "keep.txt").write_text("mine")
    with pytest.raises(plugin_new.UsageError, match="not empty"):
        plugin_new.scaffold("demo-log", tmp_path)
    with pytest.raises(plugin_new.UsageError, match="already registered"):
        plugin_new.scaffold("garmin-export", tmp_path)


def test_unknown_placeholder_is_a_template_bug() -> None:
    with pytest.raises(KeyError, match="nope"):
        plugin_new.render("{{ nope }}", {})
