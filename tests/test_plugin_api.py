"""Plugins, and the template ``chainfix plugin new`` writes, import only ``chainfix.api``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import chainfix.api

ROOT = Path(__file__).resolve().parents[1]
PLUGIN_SOURCES = sorted(ROOT.glob("plugins/*/src/**/*.py"))
TEMPLATE_SOURCES = sorted((ROOT / "src/chainfix/templates/plugin/src").rglob("*.py.tmpl"))


def chainfix_imports(source: str) -> list[str]:
    """Every ``chainfix`` module a source file imports (``from chainfix.x import y`` -> x)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found += [n for n in names if n == "chainfix" or n.startswith("chainfix.")]
    return found


def test_there_are_plugins_to_check() -> None:
    assert len({p.parts[len(ROOT.parts) + 1] for p in PLUGIN_SOURCES}) >= 2
    assert TEMPLATE_SOURCES


@pytest.mark.parametrize(
    "path", PLUGIN_SOURCES + TEMPLATE_SOURCES, ids=lambda p: str(p.relative_to(ROOT))
)
def test_plugin_imports_only_the_public_api(path: Path) -> None:
    text = path.read_text("utf-8").replace("{{name}}", "name").replace("{{package}}", "package")
    private = [m for m in chainfix_imports(text) if m != "chainfix.api"]
    assert not private, f"{path.name} imports {private}: use chainfix.api"


def test_the_check_catches_a_private_import() -> None:
    assert chainfix_imports("from chainfix.sources.base import Limits\nimport chainfix") == [
        "chainfix.sources.base",
        "chainfix",
    ]


def test_every_public_name_resolves() -> None:
    for name in chainfix.api.__all__:
        assert getattr(chainfix.api, name) is not None, name


def test_the_import_contract_forbids_every_module_but_the_api() -> None:
    """plugins/importlinter.toml lists chainfix's top-level modules by hand: it must follow the
    package (a module added or moved would otherwise be open to plugins, or name nothing)."""
    import tomllib

    root = Path(__file__).resolve().parents[1]
    config = tomllib.loads((root / "plugins" / "importlinter.toml").read_text("utf-8"))
    (contract,) = config["tool"]["importlinter"]["contracts"]
    package = root / "src" / "chainfix"
    modules = {
        f"chainfix.{p.stem}"
        for p in package.iterdir()
        if (p.suffix == ".py" and p.stem not in {"__init__", "__main__", "api"})
        or (p.is_dir() and (p / "__init__.py").is_file())
    }
    assert set(contract["forbidden_modules"]) == modules
