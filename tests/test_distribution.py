"""The distribution name is not PyPI's unrelated ``chainfix``; every install hint, plugin
dependency and the plugin template use it; ``sync garmin --dry-run`` needs no garminconnect.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

import chainfix
from chainfix import DISTRIBUTION, install_hint

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_exports" / "garmin-export-runner.zip"


def test_the_distribution_is_not_the_unrelated_pypi_project() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["name"] == DISTRIBUTION != "chainfix"
    assert project["scripts"]["chainfix"] == "chainfix.command:main"  # the command keeps its name


def test_installed_metadata_uses_the_distribution_name() -> None:
    try:
        assert version(DISTRIBUTION) == chainfix.__version__
    except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
        pytest.skip(f"{DISTRIBUTION} is not installed")


def test_plugins_and_the_template_depend_on_the_distribution() -> None:
    deps: dict[str, list[str]] = {}
    for path in ROOT.glob("plugins/*/pyproject.toml"):
        deps[path.parent.name] = tomllib.loads(path.read_text())["project"]["dependencies"]
    template = (ROOT / "src/chainfix/templates/plugin/pyproject.toml.tmpl").read_text()
    line = next(x for x in template.splitlines() if x.startswith("dependencies"))
    deps["template"] = re.findall(r'"([^"]+)"', line)
    assert len(deps) >= 3
    for where, names in deps.items():
        core = [d for d in names if d.startswith("chainfix")]
        assert core, where
        for dep in core:
            assert re.match(rf"{re.escape(DISTRIBUTION)}(\[\w+\])?(>|=|$)", dep), (where, dep)


def test_every_install_hint_names_the_distribution_and_the_checkout_form() -> None:
    hint = install_hint("garmin")
    assert f"pip install '{DISTRIBUTION}[garmin]'" in hint
    assert "pip install -e '.[garmin]'" in hint
    stale = re.compile(r"(?<![\w-])chainfix\[\w+\]")  # chainfix[garmin]: PyPI's other project
    for path in [
        ROOT / "README.md",
        *ROOT.glob("docs/*.md"),
        *ROOT.glob("plugins/*/README.md"),
        *ROOT.glob("plugins/*/pyproject.toml"),
        *ROOT.glob("src/chainfix/**/*.py"),
        *ROOT.glob("src/chainfix/templates/**/*.tmpl"),
    ]:
        found = stale.search(path.read_text(encoding="utf-8"))
        assert found is None, f"{path}: {found.group() if found else ''}"
    from chainfix.garmin_client import INSTALL_HINT

    assert hint in INSTALL_HINT


def test_sync_dry_run_needs_no_garminconnect(tmp_path: Path) -> None:
    """The exercise catalogue ships in the package data; garminconnect is blocked here."""
    code = (
        "import sys; sys.modules['garminconnect'] = None\n"
        "from chainfix.cli import main\n"
        f"sys.argv = ['chainfix', 'sync', 'garmin', {str(SAMPLE)!r}, '--dry-run', '-q']\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "CHAINFIX_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "POST /workout-service/workout" in done.stdout
    assert "catalogue" not in done.stderr


def test_the_catalogue_is_package_data() -> None:
    from importlib import resources

    from chainfix.delivery.garmin_json import CATALOGUE_FILE, load_garmin_catalogue

    assert resources.files("chainfix").joinpath("data", CATALOGUE_FILE).is_file()
    catalogue = load_garmin_catalogue()
    assert "HIP_RAISE" in catalogue.exercises["HIP_RAISE"]
    assert "SLIDING_LEG_CURL" in catalogue.exercises["LEG_CURL"]
