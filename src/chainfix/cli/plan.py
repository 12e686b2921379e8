"""``chainfix plan``: posterior-chain strength sessions planned around the runs in PATHS.

The first run makes a plan and stores it in the user folder; later runs match the newly logged
strength workouts against it and re-plan what is left. When the history, the profile, the
self-tests or the model changed since, the sessions from today on are rebuilt (``--keep`` holds
the old plan). ``--new`` (or any of ``--start``, ``--weeks``, ``--level``, ``--sessions``,
``--catalogue``) starts afresh.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

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
from chainfix.codec import problem_to_dict
from chainfix.model import LEVELS

if TYPE_CHECKING:
    from chainfix.model import Plan

CSV_COLUMNS = (
    "date",
    "week",
    "session",
    "key",
    "exercise",
    "sets",
    "reps",
    "duration_s",
    "per_side",
    "rest_s",
    "load",
)


def plan_rows(plan: Plan) -> list[list[Any]]:
    """One CSV row per exercise of every session."""
    return [
        [
            w.date.isoformat(),
            w.week,
            w.title,
            w.key,
            s.name,
            s.sets,
            s.reps,
            s.duration_s,
            s.per_side,
            s.rest_s,
            s.load,
        ]
        for w in plan.workouts
        for s in w.steps
    ]


@click.command()
@history_options
@click.option("--weeks", type=click.IntRange(1, 52), help="Length of a new plan (default 8).")
@click.option(
    "--start", type=click.DateTime(["%Y-%m-%d"]), help="First day of the plan (default today)."
)
@click.option("--level", type=click.Choice(LEVELS), help="Override the athlete level.")
@click.option("--sessions", type=click.IntRange(1, 7), help="Sessions wanted a week.")
@click.option(
    "--catalogue",
    "catalogues",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Extra exercise catalogue CSV (same columns as the built-in one); repeatable.",
)
@click.option("--new", "fresh", is_flag=True, help="Make a fresh plan, ignoring the stored one.")
@click.option(
    "--keep",
    is_flag=True,
    help="Keep the stored plan even when the history, profile or self-tests changed.",
)
@output_options
@click.option(
    "--ics",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Also write the plan as an iCalendar file.",
)
@click.option(
    "--html",
    "html_file",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Also write the HTML report (analysis and this plan) to FILE.",
)
@click.pass_context
def plan(
    ctx: click.Context,
    weeks: int | None,
    start: datetime | None,
    level: str | None,
    sessions: int | None,
    catalogues: tuple[Path, ...],
    fresh: bool,
    keep: bool,
    json_out: str | None,
    csv_out: str | None,
    ics: Path | None,
    html_file: Path | None,
    **kwargs: Any,
) -> None:
    """Plan posterior-chain strength sessions around the runs in PATHS.

    Sessions go after hard runs or at least 48 h before the long run or a race, never the
    day before the long run; every 4th week is a deload; A-races get a taper. A stored plan
    is matched against newly logged strength workouts and progressed or held accordingly.
    """
    from chainfix import app

    both_to_stdout(json_out, csv_out)
    if fresh and keep:
        raise click.UsageError("choose one of --new and --keep")
    history = load_history(**kwargs)
    request = app.PlanRequest(
        weeks=weeks,
        start=start.date() if start else None,
        level=level,
        sessions=sessions,
        catalogues=catalogues,
        fresh=fresh,
        keep=keep,
    )
    outcome = app.current_plan(history, request)
    result = outcome.plan
    if ics is not None:
        from chainfix.atomic import write_atomic
        from chainfix.planning.ics import plan_to_ics

        write_atomic(ics, plan_to_ics(result))
    if html_file is not None:
        from chainfix.report.html import render_html, write_report

        page = render_html(
            outcome.analysis,
            history,
            result,
            paths=kwargs["paths"],
            checkins=app.recent_checkins(),
        )
        write_report(html_file, page)
    if json_out is not None:
        from chainfix.planning.state import plan_to_dict

        doc = plan_to_dict(result)
        doc["change"] = outcome.change
        doc["problems"] = [problem_to_dict(p) for p in history.problems]
        write_output(json_out, json_text(doc))
    if csv_out is not None:
        write_output(csv_out, csv_text(CSV_COLUMNS, plan_rows(result)))
    if "-" not in (json_out, csv_out):
        from chainfix.report.plan_text import print_calendar

        console = stdout_console()
        if outcome.change_sentence:
            console.print(outcome.change_sentence, markup=False)
        print_calendar(result, console)
        for label, written in (
            ("Calendar", ics),
            ("HTML report with the plan", html_file),
            ("JSON", json_out),
            ("CSV", csv_out),
        ):
            if written is not None:
                console.print(f"{label} written to {written}", markup=False)
        print_problems(history, console)
    ctx.exit(exit_code(history))


def register(cli: click.Group) -> None:
    """Add the ``plan`` command to ``cli``."""
    cli.add_command(plan)
