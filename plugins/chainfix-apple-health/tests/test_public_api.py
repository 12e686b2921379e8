"""The plugin uses chainfix's public API only (chainfix.api), as every plugin in plugins/ must."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ALLOWED_IN_SRC = {"chainfix.api"}
ALLOWED_IN_TESTS = {"chainfix.api", "chainfix.testing", "chainfix.cli", "chainfix_synth"}
"""chainfix_synth (tests/chainfix_synth: synthetic FIT files) is chainfix's test generator."""


def chainfix_imports(folder: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for file in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                if name == "chainfix" or name.startswith("chainfix."):
                    found.setdefault(str(file.relative_to(ROOT)), set()).add(name)
    return found


def allowed(name: str, prefixes: set[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_src_imports_only_chainfix_api() -> None:
    bad = {
        f: sorted(n for n in names if not allowed(n, ALLOWED_IN_SRC))
        for f, names in chainfix_imports(ROOT / "src").items()
    }
    assert not {f: n for f, n in bad.items() if n}
    assert chainfix_imports(ROOT / "src"), "the check found no import at all"


def test_tests_import_only_the_public_test_surface() -> None:
    bad = {
        f: sorted(n for n in names if not allowed(n, ALLOWED_IN_TESTS))
        for f, names in chainfix_imports(ROOT / "tests").items()
    }
    assert not {f: n for f, n in bad.items() if n}
