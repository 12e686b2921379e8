"""The plan in the terminal: one table per week, each session's exercises with dose and load."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from rich.console import Console
from rich.table import Table

from chainfix.model import Plan, WorkoutStep


def dose_text(step: WorkoutStep) -> str:
    """``3 x 8 per side`` or ``3 x 30 s``."""
    amount = f"{step.duration_s} s" if step.duration_s is not None else f"{step.reps}"
    side = " per side" if step.per_side else ""
    return f"{step.sets} x {amount}{side}"


def print_calendar(plan: Plan, console: Console) -> None:
    """One table per week: each session's day, title and exercises with dose and load."""
    console.print(
        f"[bold]Strength plan[/bold]: {plan.weeks} weeks from {plan.start.isoformat()}, "
        f"level {plan.level}"
    )
    for note in plan.notes:
        console.print(f"- {note}")
    records: Mapping[str, Any] = {}
    state = getattr(plan, "state", None)
    if state is not None:
        records = state.records
    by_week: dict[int, list[Any]] = defaultdict(list)
    for w in plan.workouts:
        by_week[w.week].append(w)
    for week in range(1, plan.weeks + 1):
        first = plan.start + timedelta(days=7 * (week - 1))
        last = first + timedelta(days=6)
        title = f"Week {week}: {first.strftime('%a %d %b')} - {last.strftime('%a %d %b %Y')}"
        workouts = sorted(by_week.get(week, []), key=lambda w: w.date)
        if not workouts:
            console.print(f"\n[bold]{title}[/bold]: no strength session (race, taper or rest).")
            continue
        table = Table(title=title, title_justify="left", show_lines=False, expand=False)
        table.add_column("day", no_wrap=True)
        table.add_column("session")
        table.add_column("exercise")
        table.add_column("dose", no_wrap=True)
        table.add_column("rest", justify="right", no_wrap=True)
        table.add_column("load")
        for w in workouts:
            status = records.get(w.key)
            label = w.title if status is None else f"{w.title} [{status.status}]"
            for i, step in enumerate(w.steps):
                table.add_row(
                    w.date.strftime("%a %d %b") if i == 0 else "",
                    label if i == 0 else "",
                    step.name + (f" ({step.notes})" if step.notes else ""),
                    dose_text(step),
                    f"{step.rest_s} s",
                    step.load,
                )
            for note in w.notes:
                table.add_row("", "", f"[dim]{note}[/dim]", "", "", "")
        console.print(table)
