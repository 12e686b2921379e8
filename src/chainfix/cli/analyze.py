"""``chainfix analyze``: what the history says about the athlete's muscles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
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
from chainfix.serialize import problem_to_dict

if TYPE_CHECKING:
    from chainfix.summary import HistorySummary


def print_summary(summary: HistorySummary, history: History, console: Console) -> None:
    """The history summary: date range, time by sport, recent weeks, strength work."""
    console.print(
        f"[bold]{summary.activities} activities[/bold], {summary.first} to {summary.last}: "
        f"{summary.hours:,.1f} h, {summary.distance_km:,.0f} km"
    )
    table = Table(title="By sport", title_justify="left")
    for col in ("sport", "activities", "hours", "km", "ascent m", "descent m"):
        table.add_column(col, justify="left" if col == "sport" else "right")
    for sport, row in summary.by_sport.iterrows():
        table.add_row(
            str(sport),
            str(int(row["activities"])),
            f"{row['hours']:,.1f}",
            f"{row['km']:,.0f}",
            f"{row['ascent_m']:,.0f}",
            f"{row['descent_m']:,.0f}",
        )
    console.print(table)
    weeks = summary.by_week.tail(12)
    if not weeks.empty:
        wt = Table(title="Last 12 weeks (hours, local weeks from Monday)", title_justify="left")
        wt.add_column("week")
        sports = list(weeks.columns)[:6]
        for s in sports:
            wt.add_column(str(s), justify="right")
        for week, row in weeks.iterrows():
            wt.add_row(str(week.date()), *(f"{row[s]:.1f}" if row[s] else "" for s in sports))
        console.print(wt)
    months = summary.by_month
    if not months.empty:
        mt = Table(title="By month (hours)", title_justify="left")
        mt.add_column("month")
        sports = list(months.columns)[:6]
        for s in sports:
            mt.add_column(str(s), justify="right")
        for month, row in months.iterrows():
            mt.add_row(str(month), *(f"{row[s]:.1f}" if row[s] else "" for s in sports))
        console.print(mt)
    unknown = (
        f" ({summary.unknown_sets} with an exercise the watch did not know)"
        if summary.unknown_sets
        else ""
    )
    sessions, sets = summary.strength_sessions, summary.strength_sets
    console.print(f"Strength: {sessions} session(s), {sets} set(s){unknown}.")
    skipped = len(history.skipped)
    if skipped:
        console.print(
            f"Skipped {skipped} file(s) that hold no activity (monitoring, sleep, duplicates ...)."
        )


def register(cli: click.Group) -> None:
    @cli.command()
    @history_options
    @click.option("--json", "as_json", is_flag=True, help="Print JSON instead of the report.")
    @click.option("--summary", is_flag=True, help="Print the plain history summary.")
    @click.pass_context
    def analyze(ctx: click.Context, as_json: bool, summary: bool, **kwargs: Any) -> None:
        """Analyse the history in PATHS: time by sport, strength work, and files that failed."""
        from chainfix.summary import summarize

        history = load_history(**kwargs)
        result = summarize(history)
        if as_json:
            echo_json(
                {
                    "summary": result.to_json(),
                    "problems": [problem_to_dict(p) for p in history.problems],
                }
            )
        else:
            print_summary(result, history, stdout_console())
            print_problems(history, stdout_console())
        ctx.exit(exit_code(history))
