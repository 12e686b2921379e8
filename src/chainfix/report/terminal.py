"""The analysis in the terminal, answer first: the verdict and the next command, then the tables.

Plain words by default and readable at 80 columns; ``explain=True`` adds the coefficients, the
priority formulas and every reason sentence.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from chainfix.analysis import Analysis
from chainfix.analysis.wording import (
    NAMES,
    day,
    dominant,
    join,
    level_word,
    period,
    plural,
    thin_data,
    window_flags,
)
from chainfix.model import MUSCLE_GROUPS, POSTERIOR_CHAIN, History

if TYPE_CHECKING:
    from chainfix.planning.checkin import CheckInReport

BAR = "█"
HALF = "▌"
LABELS: dict[str, str] = {**NAMES, "glute_med": "side glutes"}
"""Short group names for table cells."""


def bar(value: float, maximum: float, width: int) -> str:
    """A horizontal bar of ``width`` cells at most, in half-cell steps."""
    if maximum <= 0 or value <= 0:
        return ""
    halves = round(2 * width * min(value, maximum) / maximum)
    return BAR * (halves // 2) + (HALF if halves % 2 else "")


def report_console() -> Console:
    """A stdout console: the terminal's width, else ``COLUMNS``, else 100 columns."""
    width: int | None = None
    if not sys.stdout.isatty():
        try:
            width = int(os.environ.get("COLUMNS", "100"))
        except ValueError:
            width = 100
    return Console(highlight=False, emoji=False, width=width)


def _style(p: float) -> str:
    return {"high": "bold red", "medium": "yellow", "low": "green"}.get(level_word(p), "dim")


def next_command(paths: Sequence[str | Path]) -> str:
    """``chainfix plan export.zip`` with the user's own paths, quoted for a shell."""
    return (
        shlex.join(["chainfix", "plan", *(str(p) for p in paths)])
        if paths
        else ("chainfix plan PATHS")
    )


# ---------------------------------------------------------------------------------------------
# The verdict
# ---------------------------------------------------------------------------------------------


def verdict(a: Analysis) -> list[str]:
    """The answer in plain sentences: how sport-heavy, how front-heavy, which groups get nothing."""
    out: list[str] = []
    t = a.totals
    when = period(a)
    if a.activity_count == 0 or t["minutes"] <= 0:
        return [f"No training logged in {when} (to {day(a.window_end)})."]
    who, sport = dominant(a)
    share = a.running_share or 0.0
    if share >= 0.6:
        out.append(f"Your training is running-heavy: {share * 100:.0f}% of your time in {when}.")
    elif share > 0:
        out.append(f"Running is {share * 100:.0f}% of your training time in {when}.")
    else:
        out.append(f"None of your training in {when} was running; most of the load is {sport}.")
    if a.balance is not None:
        b, r = a.balance, a.model
        split = f"{b * 100:.0f}% front, {(1 - b) * 100:.0f}% back"
        if b >= r.number("balance_front_much"):
            how = "the front of your thighs much more than the back"
        elif b >= r.number("balance_front_some"):
            how = "the front of your thighs somewhat more than the back"
        elif b <= r.number("balance_back_some"):
            how = "the back of your thighs more than the front"
        else:
            how = "the front and back of your thighs about evenly"
        out.append(f"{who} loads {how} ({split}).")
    targeted = [m for m in a.ranked if m.target > 0]
    none = [m for m in targeted if a.details[m.group].strength_window <= 0]
    short = [m for m in targeted if m not in none and m.strength < m.target]
    if none:
        names = join([NAMES[m.group] for m in none])
        out.append(f"No strength work in {when} for your {names}.")
    if short:
        names = join([NAMES[m.group] for m in short])
        out.append(f"Some strength work, below target, for your {names}.")
    if targeted and not none and not short:
        out.append("Every back-of-body group met its strength target.")
    first = [NAMES[m.group] for m in a.ranked if m.priority >= 0.25][:3]
    if first:
        out.append(f"Work on first: {join(first)}.")
    if a.plan_start:
        out.append(f"Your plan starts with: {'; '.join(a.plan_start)}.")
    if thin_data(a)["thin_data"]:
        th = thin_data(a)
        out.append(
            f"Only {plural(th['scored_activities'], 'activity')} in {when} "
            f"({th['active_weeks']} of {th['scored_weeks']} weeks with training): the picture "
            "is uncertain, so priorities show only as high, medium or low."
        )
    return out


def _verdict_panel(a: Analysis, paths: Sequence[str | Path], width: int) -> Panel:
    lines = [Text(s) for s in verdict(a)]
    lines.append(Text(""))
    lines.append(Text.assemble(("Next: ", "bold"), (next_command(paths), "bold cyan")))
    lines.append(
        Text("  a few weeks of posterior-chain strength workouts, ready for your watch.", "dim")
    )
    title = (
        f"{day(a.window_start)} – {day(a.window_end)} · "
        f"{plural(a.activity_count, 'activity')} in the report"
    )
    return Panel(Group(*lines), title=Text(title), title_align="left", width=min(width, 100))


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------


def muscle_table(a: Analysis, width: int = 100, *, explain: bool = False) -> Table:
    """Per group: load from training, strength sets against target, and how much work it needs."""
    thin = thin_data(a)["thin_data"]
    bar_w = 10 if width >= 90 else 6
    t = Table(
        title=f"Muscle groups, a week on average over {period(a)}",
        title_justify="left",
        expand=False,
    )
    t.add_column("Group", no_wrap=True)
    if explain:
        t.add_column("Load\ncoef-min/wk", justify="right")
        t.add_column("Demand", justify="right")
    else:
        t.add_column("Load from\ntraining", no_wrap=True, min_width=bar_w)
    t.add_column("Strength\nsets/wk", justify="right")
    t.add_column("Target", justify="right")
    if explain:
        t.add_column("Priority", justify="right")
    t.add_column("Needs\nwork", no_wrap=True)
    for g in MUSCLE_GROUPS:
        m, d = a.muscles[g], a.details[g]
        has = g in POSTERIOR_CHAIN and m.target > 0
        word = level_word(m.priority) if has else "–"
        need = Text(word, style=_style(m.priority) if has else "dim")
        if has and not thin and not explain and m.priority > 0:
            need = Text(f"{bar(m.priority, 1.0, 5):<5} ", style=_style(m.priority)) + need
        row: list[str | Text] = [LABELS[g]]
        if explain:
            row += [f"{m.exposure:,.0f}", f"{d.demand:.2f}"]
        else:
            row.append(Text(bar(d.demand, 1.0, bar_w), style="cyan"))
        row += [f"{m.strength:.1f}", f"{m.target:g}" if m.target > 0 else "–"]
        if explain:
            row.append(f"{m.priority:.2f}" if has else "–")
        row.append(need)
        t.add_row(*row)
    return t


def summary_table(a: Analysis, *, explain: bool = False) -> Table:
    """Headline figures over the scoring window, the same days as the muscle table."""
    t = Table(show_header=False, box=None, pad_edge=False)
    t.add_column(style="bold", no_wrap=True)
    t.add_column()
    when = period(a)
    tot, lift = a.totals, a.lifting
    t.add_row(
        "Running",
        f"{tot['run_km']:,.0f} km in {tot['running_minutes'] / 60:,.1f} h, "
        f"{tot['run_descent_m']:,.0f} m of descent ({when})",
    )
    if lift.workouts == 0 and lift.hard_sets + lift.estimated_sets <= 0:
        strength = f"no strength training recorded in {when}"
    else:
        strength = f"{plural(lift.workouts, 'workout')}, {plural(lift.hard_sets, 'set')}"
        if lift.estimated_sets:
            strength += f" (+ about {lift.estimated_sets:,.0f} estimated from duration)"
        if lift.ap_ratio is not None:
            strength += f"; front:back of the thigh {lift.ap_ratio:.2f}"
        elif lift.anterior > 0:
            strength += "; front of the thigh only"
        strength += f" ({when})"
    t.add_row("Strength", strength)
    flags = window_flags(a)
    downhill = (
        f"{plural(len(flags), 'descent-heavy day')} in {when}: "
        + ", ".join(f.date.strftime("%d %b") for f in flags)
        if flags
        else f"no descent-heavy day in {when}"
    )
    if explain:
        downhill += (
            f" ({tot['descent_m']:,.0f} m of descent in all activities, "
            f"{tot['equ']:.1f} eccentric quad units)"
        )
    t.add_row("Downhill", downhill)
    t.add_row("Level", f"{a.level} ({'your choice' if a.level_source == 'given' else 'derived'})")
    return t


def weekly_table(a: Analysis, width: int = 100, *, explain: bool = False) -> Table:
    """One row per local week (Monday start): running, running descent, load and strength."""
    load_w, sets_w = (20, 10) if width >= 100 else (10, 6)
    w = a.weekly
    t = Table(title="Week by week (weeks start Monday)", title_justify="left")
    t.add_column("Week of", no_wrap=True)
    t.add_column("Run km", justify="right")
    t.add_column("Run\ndescent m", justify="right")
    if explain:
        t.add_column("EQU", justify="right")
    t.add_column("Training load", no_wrap=True, min_width=load_w)
    t.add_column("Strength\nsets", justify="right")
    t.add_column("", no_wrap=True, min_width=sets_w)
    rows = list(w.rows())
    load = [sum(row[f"E_{g}"] for g in MUSCLE_GROUPS) for row in rows]
    load_max = max(load, default=0.0)
    sets = [row["hard_sets"] + row["estimated_sets"] for row in rows]
    sets_max = max(sets, default=0.0)
    for row, week_load, week_sets in zip(rows, load, sets, strict=True):
        flag = " !" if row["equ_flag"] else ""
        cells: list[str | Text] = [
            row["week_start"].strftime("%d %b %Y"),
            f"{row['run_km']:,.0f}",
            Text(f"{row['run_descent_m']:,.0f}{flag}", style="bold red" if row["equ_flag"] else ""),
        ]
        if explain:
            cells.append(f"{row['equ']:.1f}")
        cells += [
            Text(bar(week_load, load_max, load_w), style="cyan"),
            f"{week_sets:.0f}",
            Text(bar(week_sets, sets_max, sets_w), style="magenta"),
        ]
        t.add_row(*cells)
    if any(w["equ_flag"]):
        t.caption = "! a descent-heavy week: expect sore quads"
        t.caption_justify = "left"
    return t


def skipped_line(history: History) -> str | None:
    """``Skipped 3 files holding no new activity (...)``, as the HTML report says it."""
    skipped = history.skipped
    if not skipped:
        return None
    first = skipped[0]
    more = f" and {plural(len(skipped) - 1, 'other')}" if len(skipped) > 1 else ""
    name = first.where.replace("!", "/").rsplit("/", 1)[-1]
    return (
        f"Skipped {plural(len(skipped), 'file')} holding no new activity: {name} "
        f"({first.message.rstrip('.')}){more}."
    )


# ---------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------


def render(
    analysis: Analysis,
    console: Console,
    *,
    paths: Sequence[str | Path] = (),
    explain: bool = False,
    history: History | None = None,
    checkins: Sequence[CheckInReport] | None = None,
) -> None:
    """Print the report to ``console``: verdict and next step, then the tables.

    ``paths`` are the user's own paths, for the ``chainfix plan`` command to suggest;
    ``explain`` adds coefficients, formulas and every reason sentence; ``checkins`` (the recent
    pain and soreness check-ins) adds their table when there are any.
    """
    a = analysis
    width = console.width
    console.print(_verdict_panel(a, paths, width))
    console.print(muscle_table(a, width, explain=explain))
    console.print()
    console.print(summary_table(a, explain=explain))
    console.print()
    console.print(weekly_table(a, width, explain=explain))
    console.print()
    if checkins:  # their modules load only when there are some
        from chainfix.report.checkins import checkins_table

        console.print(checkins_table(checkins))
        console.print()
    if explain:
        items = [Text("• ") + Text(s) for s in a.explanations[1:]]
        for g in MUSCLE_GROUPS:
            items.extend(Text("• ") + Text(s) for s in a.muscles[g].reasons)
        console.print(
            Panel(Group(*items), title=Text("Why"), title_align="left", width=min(width, 100))
        )
    console.print(
        Text(
            "A record of the work you logged, not a recovery score and not an injury prediction.",
            style="dim",
        )
    )
    if not explain:
        console.print(
            Text("Add --explain for the formulas and the reason behind each figure.", style="dim")
        )
    if history is not None:
        line = skipped_line(history)
        if line:
            console.print(line)
