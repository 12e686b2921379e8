"""``chainfix analyze``: which muscles the history loads, which get strength work, and why."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import click

from chainfix.cli.common import (
    both_to_stdout,
    exit_code,
    history_options,
    json_text,
    load_history,
    output_options,
    print_problems,
    stdout_console,
    write_output,
)
from chainfix.cli.ending import end_without_teardown
from chainfix.codec import problem_to_dict
from chainfix.model import LEVELS


@click.command()
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
@output_options
@click.option(
    "--tables",
    "tables_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Also write every table (per week and muscle, per week, per activity, per muscle) "
    "as CSV files into DIR.",
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
    since: datetime | None,
    until: datetime | None,
    level: str | None,
    model: Path | None,
    json_out: str | None,
    csv_out: str | None,
    tables_dir: Path | None,
    html_file: Path | None,
    explain: bool,
    summary: bool,
    **kwargs: Any,
) -> None:
    """Analyse the history in PATHS: the load your sport puts on each muscle group, the
    strength work each group got, what to prioritise, and the files that could not be read.

    The JSON holds every number (schema: docs/analysis-json.md); the CSV has one row per
    muscle group. A record of logged work, not an injury prediction.
    """
    from chainfix import app

    end_without_teardown()  # it writes only through chainfix's own closed files
    both_to_stdout(json_out, csv_out)
    history = load_history(**kwargs)
    problems = [problem_to_dict(p) for p in history.problems]
    if summary:
        result = app.summary(history, model)
        if json_out is not None:
            write_output(json_out, json_text({"summary": result.to_json(), "problems": problems}))
        if "-" not in (json_out, csv_out):
            from chainfix.report.summary_text import print_summary

            print_summary(result, history, stdout_console())
            print_problems(history, stdout_console())
        ctx.exit(exit_code(history))
    request = app.AnalysisRequest(
        weeks=weeks,
        since=since.date() if since else None,
        until=until.date() if until else None,
        level=level,
        model=model,
    )
    analysis = app.analyse(history, request, advise=True)
    checkins = app.recent_checkins()
    if tables_dir is not None:
        from chainfix.report import csvout

        csvout.write(analysis, tables_dir)
    if csv_out is not None:
        from chainfix.report import csvout

        write_output(csv_out, csvout.muscles(analysis).to_csv(index=False, float_format="%.4f"))
    if html_file is not None:
        from chainfix.report.html import render_html, write_report

        page = render_html(
            analysis, history, app.stored_plan(), paths=kwargs["paths"], checkins=checkins
        )
        write_report(html_file, page)
    if json_out is not None:
        from chainfix.report.analysis_json import analysis_json

        doc = analysis_json(analysis, checkins)
        doc["problems"] = problems
        write_output(json_out, json_text(doc))
    if "-" not in (json_out, csv_out):
        from chainfix.report import terminal

        console = terminal.report_console()
        terminal.render(
            analysis,
            console,
            paths=kwargs["paths"],
            explain=explain,
            history=history,
            checkins=checkins,
        )
        print_problems(history, console)
        for label, written in (
            ("CSV tables", tables_dir),
            ("HTML report", html_file),
            ("JSON", json_out),
            ("CSV", csv_out),
        ):
            if written is not None:
                console.print(f"{label} written to {written}", markup=False)
    ctx.exit(exit_code(history))


def register(cli: click.Group) -> None:
    """Add the ``analyze`` command to ``cli``."""
    cli.add_command(analyze)
