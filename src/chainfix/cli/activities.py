"""``chainfix activities``: one row per activity, as a table, JSON or CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

import click
from rich.table import Table

from chainfix.cli.common import (
    echo_json,
    exit_code,
    history_options,
    load_history,
    print_problems,
    stdout_console,
)
from chainfix.model import History
from chainfix.serialize import ACTIVITIES_SCHEMA_VERSION, activity_to_dict, problem_to_dict

CSV_COLUMNS = (
    "id",
    "source_file",
    "member",
    "sport",
    "sub_sport",
    "start_utc",
    "start_local",
    "timer_s",
    "elapsed_s",
    "distance_m",
    "ascent_m",
    "descent_m",
    "avg_hr",
    "device",
    "sets",
)


def history_json(history: History) -> dict[str, Any]:
    """The ``activities --json`` document (schema in docs/json.md)."""
    return {
        "schema_version": ACTIVITIES_SCHEMA_VERSION,
        "activities": [activity_to_dict(a) for a in history.activities],
        "problems": [problem_to_dict(p) for p in history.problems],
    }


def _fmt(value: float | None, scale: float = 1.0, digits: int = 1) -> str:
    return "" if value is None else f"{value / scale:,.{digits}f}"


def register(cli: click.Group) -> None:
    @cli.command()
    @history_options
    @click.option("--json", "as_json", is_flag=True, help="Print JSON (schema: docs/json.md).")
    @click.option("--csv", "as_csv", is_flag=True, help="Print CSV, one row per activity.")
    @click.pass_context
    def activities(ctx: click.Context, as_json: bool, as_csv: bool, **kwargs: Any) -> None:
        """List every activity found in PATHS (FIT files, folders, Garmin exports)."""
        if as_json and as_csv:
            raise click.UsageError("choose one of --json and --csv")
        history = load_history(**kwargs, require_activities=False)
        if as_json:
            echo_json(history_json(history))
        elif as_csv:
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(CSV_COLUMNS)
            for a in history.activities:
                row = activity_to_dict(a)
                row["sets"] = len(a.active_sets)
                writer.writerow(["" if row[c] is None else row[c] for c in CSV_COLUMNS])
            click.echo(out.getvalue(), nl=False)
        else:
            console = stdout_console()
            table = Table(title=f"{len(history.activities)} activities", title_justify="left")
            for col, justify in (
                ("start (local)", "left"),
                ("sport", "left"),
                ("time h", "right"),
                ("km", "right"),
                ("ascent m", "right"),
                ("descent m", "right"),
                ("sets", "right"),
            ):
                table.add_column(col, justify=justify)  # type: ignore[arg-type]
            for a in history.activities:
                sport = a.sport if a.sub_sport in ("generic", "") else f"{a.sport}/{a.sub_sport}"
                table.add_row(
                    a.start_local.strftime("%Y-%m-%d %H:%M"),
                    sport,
                    _fmt(a.duration_s, 3600, 2),
                    _fmt(a.distance_m, 1000, 2),
                    _fmt(a.ascent_m, 1, 0),
                    _fmt(a.descent_m, 1, 0),
                    str(len(a.active_sets) or sum(s.sets for s in a.summary_sets) or ""),
                )
            console.print(table)
            print_problems(history, stdout_console())
        ctx.exit(exit_code(history))
