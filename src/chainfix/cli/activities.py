"""``chainfix activities``: one row per activity, as a table, JSON or CSV."""

from __future__ import annotations

from typing import Any

import click
from rich.table import Table

from chainfix.cli.common import (
    both_to_stdout,
    csv_text,
    exit_code,
    history_options,
    json_text,
    load_history,
    output_options,
    print_problems,
    stdout_console,
    write_output,
)
from chainfix.codec import ACTIVITIES_SCHEMA_VERSION, activity_to_dict, problem_to_dict
from chainfix.model import History

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
    @output_options
    @click.pass_context
    def activities(
        ctx: click.Context, json_out: str | None, csv_out: str | None, **kwargs: Any
    ) -> None:
        """List every activity found in PATHS (FIT files, folders, Garmin exports).

        JSON schema: docs/json.md; CSV: one row per activity.
        """
        both_to_stdout(json_out, csv_out)
        history = load_history(**kwargs, require_activities=False)
        if json_out is not None:
            write_output(json_out, json_text(history_json(history)))
        if csv_out is not None:
            rows = []
            for a in history.activities:
                row = activity_to_dict(a)
                row["sets"] = len(a.active_sets)
                rows.append(["" if row[c] is None else row[c] for c in CSV_COLUMNS])
            write_output(csv_out, csv_text(CSV_COLUMNS, rows))
        if "-" not in (json_out, csv_out):
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
