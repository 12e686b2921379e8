"""``chainfix plan``: posterior-chain strength sessions planned around the runs in PATHS.

The first run makes a plan and stores it in the user folder; later runs match the newly logged
strength workouts against it (prescribed versus executed) and re-plan what is left. ``--new`` (or
any of ``--start``, ``--weeks``, ``--level``, ``--sessions``, ``--catalogue``) starts afresh.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from chainfix.atomic import write_atomic
from chainfix.cli.common import echo_json, exit_code, history_options, load_history, stdout_console
from chainfix.model import History, Plan, WorkoutStep
from chainfix.planning.assessment import latest_assessment
from chainfix.planning.generator import make_plan, profile_digest
from chainfix.planning.ics import plan_to_ics
from chainfix.planning.profile import AthleteProfile, load_profile
from chainfix.planning.reconcile import reconcile
from chainfix.planning.rules import LEVELS
from chainfix.planning.state import TrackedPlan, load_plan, plan_to_dict, save_plan


def run_analysis(history: History, profile: AthleteProfile) -> Any:
    """The analysis of ``history`` with the athlete profile's level, phase and flags."""
    from chainfix.analysis import AnalysisOptions, analyze

    options = AnalysisOptions(
        level=profile.level,
        phase="race" if profile.phase == "race" else "base",
        flags=profile.flags,
        sitting_hours=profile.sitting_hours,
    )
    return analyze(history, options)


def analysis_priorities(history: History, profile: AthleteProfile) -> dict[str, float]:
    """Muscle group -> priority 0..1 from the analysis (science section 1)."""
    result = run_analysis(history, profile)
    return {group: float(score.priority) for group, score in result.muscles.items()}


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


def register(cli: click.Group) -> None:
    """Add the ``plan`` command to ``cli``."""

    @cli.command()
    @history_options
    @click.option("--weeks", type=click.IntRange(1, 52), help="Length of the plan (default 8).")
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
    @click.option(
        "--new", "fresh", is_flag=True, help="Make a fresh plan, ignoring the stored one."
    )
    @click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
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
        as_json: bool,
        ics: Path | None,
        html_file: Path | None,
        **kwargs: Any,
    ) -> None:
        """Plan posterior-chain strength sessions around the runs in PATHS.

        Sessions go after hard runs or at least 48 h before the long run or a race, never the
        day before the long run; every 4th week is a deload; A-races get a taper. A stored plan
        is matched against newly logged strength workouts and progressed or held accordingly.
        """
        history = load_history(**kwargs)
        profile = load_profile()
        if level is not None:
            profile = profile.with_changes(level=level)
        if sessions is not None:
            profile = profile.with_changes(sessions_per_week=sessions)
        stored = None if fresh else load_plan()
        options_given = any(v is not None for v in (weeks, start, level, sessions)) or catalogues
        result: TrackedPlan
        if stored is not None and not options_given and stored.state is not None:
            result = reconcile(stored, history)
            if stored.state.context.get("profile_digest") != profile_digest(profile):
                changed = (
                    "Your profile changed since this plan was made: run with --new to plan "
                    "with the new profile."
                )
                result = replace(result, notes=(*result.notes, changed))
        else:
            first = start.date() if start else date.today()
            result = make_plan(
                history,
                run_analysis(history, profile),
                profile,
                first,
                weeks or 8,
                latest_assessment(on_or_before=first),
                catalogue_files=catalogues,
            )
        save_plan(result)
        if ics is not None:
            write_atomic(ics, plan_to_ics(result))
        if html_file is not None:
            from chainfix.report.html import render_html

            page = render_html(run_analysis(history, profile), history, result)
            write_atomic(html_file, page)
        if as_json:
            echo_json(plan_to_dict(result))
        else:
            console = stdout_console()
            print_calendar(result, console)
            if ics is not None:
                console.print(f"Calendar written to {ics}")
            if html_file is not None:
                console.print(f"HTML report with the plan written to {html_file}")
        ctx.exit(exit_code(history))
