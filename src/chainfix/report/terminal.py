"""The analysis in the terminal: rich tables, weekly bars and explanations, in 100 columns."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from chainfix.analysis import Analysis
from chainfix.analysis.explain import NAMES, day
from chainfix.model import MUSCLE_GROUPS, POSTERIOR_CHAIN

BAR = "█"
HALF = "▌"


def bar(value: float, maximum: float, width: int) -> str:
    """A horizontal bar of ``width`` cells at most, in half-cell steps."""
    if maximum <= 0 or value <= 0:
        return ""
    halves = round(2 * width * min(value, maximum) / maximum)
    return BAR * (halves // 2) + (HALF if halves % 2 else "")


def _priority_style(p: float) -> str:
    if p >= 0.5:
        return "bold red"
    if p >= 0.25:
        return "yellow"
    return "green" if p > 0 else "dim"


def muscle_table(a: Analysis, width: int = 100) -> Table:
    """Per-group exposure, strength, target and priority over the scoring window."""
    bar_w = 20 if width >= 100 else 8
    days = a.score_days
    span = f"{days // 7} weeks" if days % 7 == 0 else f"{days} days"
    t = Table(
        title=f"Per muscle group, a week on average over the last {span}",
        title_justify="left",
        expand=False,
    )
    t.add_column("Group", no_wrap=True)
    t.add_column("Endurance load\ncoef-min/wk", justify="right")
    t.add_column("Demand", justify="right")
    t.add_column("Hard sets/wk\n(credited)", justify="right")
    t.add_column("Target", justify="right")
    t.add_column("Priority", justify="right")
    t.add_column("", no_wrap=True, min_width=bar_w)
    for g in MUSCLE_GROUPS:
        m, d = a.muscles[g], a.details[g]
        name = NAMES[g] if g != "glute_med" else "glute med"
        target = f"{m.target:g}" if m.target > 0 else "–"
        prio = f"{m.priority:.2f}" if g in POSTERIOR_CHAIN and m.target > 0 else "–"
        t.add_row(
            name,
            f"{m.exposure:,.0f}",
            f"{d.demand:.2f}",
            f"{m.strength:.1f}",
            target,
            Text(prio, style=_priority_style(m.priority)),
            Text(bar(m.priority, 1.0, bar_w), style=_priority_style(m.priority)),
        )
    return t


def summary_table(a: Analysis) -> Table:
    """The headline figures: running share, thigh balance, lifting balance, descent."""
    t = Table(show_header=False, box=None, pad_edge=False)
    t.add_column(style="bold", no_wrap=True)
    t.add_column()
    share = f"{a.running_share * 100:.0f} % of logged time" if a.running_share is not None else "–"
    t.add_row("Running share", share)
    if a.balance is not None:
        t.add_row(
            "Thigh load",
            f"{a.balance * 100:.0f} % front (quads, hip flexors) / "
            f"{(1 - a.balance) * 100:.0f} % back (hamstrings, glutes)",
        )
    ratio = a.lifting.ap_ratio
    if ratio is not None:
        lifting = f"{ratio:.2f} (credits to quads and hip flexors : to the back)"
    elif a.lifting.anterior > 0:
        lifting = "front of the thigh only"
    else:
        lifting = "no strength training recorded"
    t.add_row("Lifting front:back", lifting)
    equ = a.totals["equ"]
    flags = sum(1 for f in a.equ_flags if f.kind == "activity")
    t.add_row(
        "Eccentric quad units",
        f"{equ:.1f} in the last {a.score_days} days"
        + (f", {flags} flagged day{'s' if flags != 1 else ''}" if flags else ""),
    )
    t.add_row("Level", f"{a.level} ({a.level_source})")
    return t


def weekly_table(a: Analysis, width: int = 100) -> Table:
    """One row per local week (Monday start) with a load bar and strength sets."""
    load_w, sets_w = (24, 12) if width >= 100 else (12, 6)
    w = a.weekly
    t = Table(title="Week by week (weeks start Monday, your local dates)", title_justify="left")
    t.add_column("Week of", no_wrap=True)
    t.add_column("Run km", justify="right")
    t.add_column("Desc m", justify="right")
    t.add_column("EQU", justify="right")
    t.add_column("Endurance load", no_wrap=True, min_width=load_w)
    t.add_column("Sets", justify="right")
    t.add_column("Strength", no_wrap=True, min_width=sets_w)
    load = w[[f"E_{g}" for g in MUSCLE_GROUPS]].sum(axis=1)
    load_max = float(load.max()) if len(load) else 0.0
    sets = w["hard_sets"] + w["estimated_sets"]
    sets_max = float(sets.max()) if len(sets) else 0.0
    for i, row in enumerate(w.itertuples(index=False)):
        flag = " !" if row.equ_flag else ""
        t.add_row(
            row.week_start.strftime("%d %b %Y"),
            f"{row.run_km:,.0f}",
            f"{row.descent_m:,.0f}",
            Text(f"{row.equ:.1f}{flag}", style="bold red" if row.equ_flag else ""),
            Text(bar(float(load.iloc[i]), load_max, load_w), style="cyan"),
            f"{float(sets.iloc[i]):.0f}",
            Text(bar(float(sets.iloc[i]), sets_max, sets_w), style="magenta"),
        )
    return t


def render(analysis: Analysis, console: Console) -> None:
    """Print the analysis to ``console``."""
    a = analysis
    console.print(
        Panel(
            Text.assemble(
                (f"{day(a.window_start)} – {day(a.window_end)}", "bold"),
                f"  ·  {a.activity_count} activities  ·  level {a.level}\n",
                (
                    "A record of the work you logged, not a recovery score and not an injury "
                    "prediction.",
                    "dim",
                ),
            ),
            title="chainfix analysis",
            title_align="left",
            width=min(console.width, 100),
        )
    )
    console.print(summary_table(a))
    console.print()
    console.print(muscle_table(a, console.width))
    console.print()
    console.print(weekly_table(a, console.width))
    console.print()
    items = [Text("• ") + Text(s) for s in a.explanations[1:]]
    console.print(
        Panel(Group(*items), title="Why", title_align="left", width=min(console.width, 100))
    )
