"""Generate the reference parts of the docs from the code, so they never drift.

``python -m chainfix.docgen`` rewrites the generated blocks in ``docs/``; the tests fail when a
generated block is out of date or a hook has no documentation.
"""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

import click

from chainfix import hookspecs, plugins

BEGIN = "<!-- [[[generated:{name}]]] -->"
END = "<!-- [[[end:{name}]]] -->"


def hooks_markdown() -> str:
    """One section per hookspec: its signature and docstring."""
    parts: list[str] = []
    for name in plugins.hook_names():
        func = getattr(hookspecs, name)
        doc = inspect.getdoc(func) or ""
        sig = str(inspect.signature(func)).replace("'", "")
        parts.append(f"### `{name}{sig}`\n\n{doc}\n")
    return "\n".join(parts)


def cli_markdown(group: click.Group | None = None) -> str:
    """The ``--help`` of every command, as a reference page."""
    from chainfix.cli import cli

    root = group or cli
    lines: list[str] = []
    hidden = _hide_plugin_commands(root)

    def walk(cmd: click.Command, path: list[str]) -> None:
        ctx = click.Context(
            cmd, info_name=" ".join(path), terminal_width=100, help_option_names=["-h", "--help"]
        )
        lines.append(f"## `{' '.join(path)}`\n\n```\n{cmd.get_help(ctx)}\n```\n")
        if isinstance(cmd, click.Group):
            for sub in cmd.list_commands(ctx):
                sub_cmd = cmd.get_command(ctx, sub)
                if sub_cmd is not None:
                    walk(sub_cmd, [*path, sub])

    try:
        walk(root, ["chainfix"])
    finally:
        for parent, name, cmd in hidden:
            parent.commands[name] = cmd
    return "\n".join(lines)


def _hide_plugin_commands(group: click.Group) -> list[tuple[click.Group, str, click.Command]]:
    """Take plugin commands out of the tree (for as long as the reference is rendered)."""
    removed: list[tuple[click.Group, str, click.Command]] = []
    for name, cmd in list(group.commands.items()):
        if not _is_builtin(cmd):
            removed.append((group, name, group.commands.pop(name)))
        elif isinstance(cmd, click.Group):
            removed.extend(_hide_plugin_commands(cmd))
    return removed


def problem_kinds_markdown() -> str:
    """The ReadProblem kinds, as a list."""
    from chainfix.model import PROBLEM_KINDS

    return ", ".join(f"`{kind}`" for kind in PROBLEM_KINDS) + "."


def _is_builtin(cmd: click.Command) -> bool:
    """Commands chainfix itself defines; plugin commands are documented by their plugins."""
    module = getattr(cmd.callback, "__module__", "") or ""
    return module.startswith("chainfix.")


GENERATORS = {"hooks": hooks_markdown, "cli": cli_markdown, "problem-kinds": problem_kinds_markdown}
FILES = {"hooks": "docs/plugins.md", "cli": "docs/cli.md", "problem-kinds": "docs/json.md"}


def render(text: str, name: str) -> str:
    """Replace the generated block ``name`` in ``text`` with fresh output."""
    begin, end = BEGIN.format(name=name), END.format(name=name)
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    block = f"{begin}\n{GENERATORS[name]().rstrip()}\n{end}"
    if not pattern.search(text):
        raise ValueError(f"no generated block {name!r}")
    return pattern.sub(lambda _m: block, text)


def main(root: Path) -> int:
    changed = 0
    for name, rel in FILES.items():
        path = root / rel
        old = path.read_text()
        new = render(old, name)
        if new != old:
            path.write_text(new)
            changed += 1
            print(f"updated {rel}")
    return changed


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd())
