"""The reference parts of the docs, generated from the code by cog, so they never drift.

``cog -r -I scripts docs/cli.md docs/plugins.md docs/json.md`` rewrites the generated blocks;
``tests/test_docs.py`` fails when one is out of date or a hook has no documentation.
"""

from __future__ import annotations

import inspect

import click

from chainfix import hookspecs, plugins


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
    if hasattr(root, "load_everything"):
        root.load_everything()  # the root loads its commands lazily
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
