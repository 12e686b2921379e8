"""The plain history summary in the terminal: date range, time by sport, recent weeks."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from chainfix.analysis.summary import HistorySummary
from chainfix.model import History


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
    for title, frame, label in (
        ("Hours per week, last 12 (local weeks from Monday)", summary.by_week.tail(12), "week"),
        ("Hours per month", summary.by_month, "month"),
    ):
        if frame.empty:
            continue
        sports = list(frame.columns)[:6]
        t = Table(title=title, title_justify="left", min_width=len(title) + 2)
        t.add_column(label)
        for s in sports:
            t.add_column(str(s), justify="right")
        for when, row in frame.iterrows():
            name = str(when.date()) if label == "week" else str(when)
            t.add_row(name, *(f"{row[s]:.1f}" if row[s] else "" for s in sports))
        console.print(t)
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
            f"Skipped {skipped} file(s) holding no new activity (monitoring, duplicates)."
        )
