"""``chainfix plugin new NAME``: scaffold a source plugin package from chainfix's template.

The template lives in ``chainfix/templates/plugin/``: files end in ``.tmpl`` (so neither Python
nor the linters mistake them for chainfix's own code) and hold ``{{placeholders}}``. The package it
writes installs with ``pip install -e '.[test]'`` and its tests, built on
:mod:`chainfix.testing.contract`, pass as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import click

from chainfix import __version__
from chainfix.errors import UsageError

TEMPLATE = ("templates", "plugin")
NAME_RULE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


@dataclass(frozen=True, slots=True)
class PluginNames:
    """Every spelling of a plugin's name the template needs."""

    name: str
    """Entry-point and source name, e.g. ``polar-flow``."""
    dist: str
    """Distribution (PyPI) name, e.g. ``chainfix-polar-flow``."""
    module: str
    """Import name, e.g. ``chainfix_polar_flow``."""

    @classmethod
    def parse(cls, raw: str) -> PluginNames:
        """Names from what the user typed (``Polar Flow``, ``chainfix-polar-flow`` ...)."""
        name = re.sub(r"[\s_]+", "-", raw.strip().lower())
        name = re.sub(r"^chainfix-", "", name)
        if not NAME_RULE.match(name):
            raise click.BadParameter(
                f"{raw!r} is not a usable plugin name: use lower-case letters, digits and single "
                "hyphens, starting with a letter (e.g. polar-flow)",
                param_hint="NAME",
            )
        return cls(name=name, dist=f"chainfix-{name}", module=f"chainfix_{name.replace('-', '_')}")


def _target_path(relative: str, names: PluginNames) -> str:
    """Where a template file goes in the new package."""
    parts = relative.removesuffix(".tmpl").split("/")
    if parts[:2] == ["src", "package"]:
        parts[1] = names.module
    if parts[0] == "tests" and parts[-1] == "test_package.py":
        parts[-1] = f"test_{names.module.removeprefix('chainfix_')}.py"
    if parts == ["gitignore"]:
        parts = [".gitignore"]
    return "/".join(parts)


def _walk(node: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    found: list[tuple[str, Traversable]] = []
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        if child.name == "__pycache__":
            continue
        path = f"{prefix}{child.name}"
        if child.is_dir():
            found.extend(_walk(child, path + "/"))
        elif child.name.endswith(".tmpl"):
            found.append((path, child))
    return found


def render(text: str, values: dict[str, str]) -> str:
    """Replace ``{{key}}`` placeholders; an unknown key is a bug in the template."""

    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise KeyError(f"the plugin template uses an unknown placeholder {{{{{key}}}}}")
        return values[key]

    return PLACEHOLDER.sub(replace, text)


def scaffold(raw_name: str, parent: Path, description: str | None = None) -> Path:
    """Write a new plugin package into ``parent/chainfix-NAME`` and return its folder."""
    names = PluginNames.parse(raw_name)
    target = parent / names.dist
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(
            f"{target} already exists and is not empty",
            hint="Choose another NAME, or --dir to create the plugin somewhere else.",
        )
    taken = _registered_source_names()
    if names.name in taken:
        raise UsageError(
            f"a source named {names.name!r} is already registered",
            hint="Choose another NAME: `chainfix sources` lists the names in use.",
        )
    values = {
        "name": names.name,
        "dist": names.dist,
        "module": names.module,
        "description": (description or f"Read {names.name} files into chainfix.").replace('"', "'"),
        "chainfix_version": __version__,
    }
    root = resources.files("chainfix").joinpath(*TEMPLATE)
    for relative, node in _walk(root):
        out = target / _target_path(relative, names)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render(node.read_text(encoding="utf-8"), values), encoding="utf-8")
    return target


def _registered_source_names() -> set[str]:
    from chainfix import plugins

    return {s.name for s in plugins.sources()}


def register(cli: click.Group) -> None:
    """Add the ``plugin`` command group (with ``new``) to the ``chainfix`` command."""

    @cli.group(name="plugin")
    def plugin_group() -> None:
        """Write your own chainfix plugin (see docs/plugins.md)."""

    @plugin_group.command(name="new")
    @click.argument("name")
    @click.option(
        "--dir",
        "directory",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("."),
        show_default=True,
        help="Folder in which to create the plugin's folder (chainfix-NAME).",
    )
    @click.option("--description", help="One line for the package metadata and README.")
    def new(name: str, directory: Path, description: str | None) -> None:
        """Create a source plugin package chainfix-NAME, ready to install and test.

        It holds a pyproject.toml with the chainfix entry point, a small working source (a CSV
        training log) to replace with yours, a README, and tests that use chainfix's contract kit
        and pass as written.
        """
        target = scaffold(name, directory, description)
        click.echo(f"Created {target}")
        click.echo("Next:")
        click.echo(f"  cd {target}")
        click.echo("  pip install -e '.[test]'")
        click.echo("  pytest")
        click.echo("  chainfix plugins")
