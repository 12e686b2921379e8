"""``chainfix analyze``: which muscles the history loads, which get strength work, and why."""

from __future__ import annotations

from datetime import date
from pathlib import Path
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
from chainfix.model import LEVELS, History
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


def analysis_options(
    weeks: int,
    since: date | None,
    until: date | None,
    level: str | None,
    model: Path | None,
) -> Any:
    """AnalysisOptions from the flags; the rest comes from the athlete profile when there is one."""
    from chainfix.analysis import AnalysisOptions

    extra: dict[str, Any] = {}
    profile = _profile()
    if profile is not None:
        level = level or getattr(profile, "level", None)
        phase = getattr(profile, "phase", None)
        if phase in ("race", "in_season", "in-season"):
            extra["phase"] = "race"
        sitting = getattr(profile, "sitting_hours", None)
        if sitting is not None:
            extra["sitting_hours"] = sitting
        flags = getattr(profile, "flags", None)
        if flags:
            extra["flags"] = frozenset(flags)
    return AnalysisOptions(weeks=weeks, since=since, until=until, level=level, model=model, **extra)


def _profile() -> Any:
    """The stored athlete profile, or None (the planner owns its format)."""
    try:
        from chainfix.planning.profile import load_profile
    except ImportError:
        return None
    try:
        return load_profile()
    except Exception:  # noqa: BLE001 - a broken profile is reported by `chainfix profile`
        return None


def register(cli: click.Group) -> None:
    @cli.command()
    @history_options
    @click.option(
        "--weeks",
        type=click.IntRange(1, 520),
        default=12,
        show_default=True,
        help="Length of the weekly view.",
    )
    @click.option(
        "--since",
        type=click.DateTime(["%Y-%m-%d"]),
        default=None,
        help="Start of the window (YYYY-MM-DD).",
    )
    @click.option(
        "--until",
        type=click.DateTime(["%Y-%m-%d"]),
        default=None,
        help="End of the window (default: the last activity in the history).",
    )
    @click.option(
        "--level",
        type=click.Choice(LEVELS),
        default=None,
        help="Athlete level (default: the profile, else derived from the history).",
    )
    @click.option(
        "--model",
        type=click.Path(exists=True, path_type=Path),
        default=None,
        help="A coefficient table (CSV) or folder of tables overriding the built-in model.",
    )
    @click.option(
        "--json",
        "as_json",
        is_flag=True,
        help="Print every number as JSON (schema: docs/analysis-json.md).",
    )
    @click.option(
        "--csv",
        "csv_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Also write per-week and per-activity CSV tables to DIR.",
    )
    @click.option(
        "--html",
        "html_file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Also write a self-contained HTML report to FILE.",
    )
    @click.option(
        "--explain",
        is_flag=True,
        help="Show the coefficients, formulas and the reason behind each figure.",
    )
    @click.option(
        "--summary",
        is_flag=True,
        help="Print the plain history summary (time by sport, week and month).",
    )
    @click.pass_context
    def analyze(
        ctx: click.Context,
        weeks: int,
        since: Any,
        until: Any,
        level: str | None,
        model: Path | None,
        as_json: bool,
        csv_dir: Path | None,
        html_file: Path | None,
        explain: bool,
        summary: bool,
        **kwargs: Any,
    ) -> None:
        """Analyse the history in PATHS: the load your sport puts on each muscle group, the
        strength work each group got, what to prioritise, and the files that could not be read.

        A record of logged work, not an injury prediction.
        """
        history = load_history(**kwargs)
        if summary:
            from chainfix.summary import summarize

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
        from chainfix.analysis import analyze as run_analysis

        options = analysis_options(
            weeks,
            since.date() if since else None,
            until.date() if until else None,
            level,
            model,
        )
        analysis = run_analysis(history, options)
        if csv_dir is not None:
            from chainfix.report import csvout

            csvout.write(analysis, csv_dir)
        if html_file is not None:
            from chainfix.report.html import render_html, write_report

            page = render_html(analysis, history, _current_plan(), paths=kwargs["paths"])
            write_report(html_file, page)
        if as_json:
            doc = analysis.to_json()
            doc["problems"] = [problem_to_dict(p) for p in history.problems]
            echo_json(doc)
        else:
            from chainfix.report import terminal

            console = terminal.report_console()
            terminal.render(
                analysis, console, paths=kwargs["paths"], explain=explain, history=history
            )
            print_problems(history, console)
            if csv_dir is not None:
                console.print(f"CSV tables written to {csv_dir}")
            if html_file is not None:
                console.print(f"HTML report written to {html_file}")
        ctx.exit(exit_code(history))


def _current_plan() -> Any:
    """The athlete's stored plan for the HTML report, when the planner has saved one."""
    try:
        from chainfix.planning import load_plan
    except ImportError:
        return None
    try:
        return load_plan()
    except Exception:  # noqa: BLE001
        return None
