"""``chainfix plugins`` and ``chainfix sources``: what is installed and what loaded."""

from __future__ import annotations

import click
from rich.table import Table

from chainfix import plugins
from chainfix.cli.common import echo_json, stdout_console


def register(cli: click.Group) -> None:
    @cli.command(name="plugins")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    @click.option("--all", "show_all", is_flag=True, help="Include chainfix's built-in plugins.")
    def plugins_command(as_json: bool, show_all: bool) -> None:
        """List installed plugins, their hooks, and any that failed to load."""
        host = plugins.host()
        plugins.sources()  # registration errors are recorded on the plugin infos
        infos = [i for i in host.infos.values() if show_all or not i.builtin]
        if as_json:
            echo_json(
                [
                    {
                        "name": i.name,
                        "builtin": i.builtin,
                        "distribution": i.distribution,
                        "version": i.version,
                        "hooks": i.hooks,
                        "error": i.error,
                    }
                    for i in infos
                ]
            )
            return
        console = stdout_console()
        if not infos:
            console.print("No plugins installed. (`chainfix plugins --all` shows the built-ins.)")
            return
        table = Table(title="Plugins", title_justify="left")
        for col in ("name", "version", "hooks", "status"):
            table.add_column(col, overflow="fold")
        for i in infos:
            status = f"[red]failed[/red]: {i.error}" if i.error else "ok"
            table.add_row(
                i.name, i.version or ("built-in" if i.builtin else ""), ", ".join(i.hooks), status
            )
        console.print(table)

    @cli.command(name="sources")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    def sources_command(as_json: bool) -> None:
        """List the data sources chainfix can read, in the order it tries them."""
        found = plugins.sources()
        if as_json:
            echo_json(
                [
                    {"name": s.name, "description": s.description, "priority": s.priority}
                    for s in found
                ]
            )
            return
        table = Table(title="Sources (tried in this order)", title_justify="left")
        table.add_column("name")
        table.add_column("reads", overflow="fold")
        for s in found:
            table.add_row(s.name, s.description)
        stdout_console().print(table)
