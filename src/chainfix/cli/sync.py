"""``chainfix sync PATH... --to garmin``: put the planned sessions on Garmin Connect, exactly once.

``--dry-run`` prints exactly what would be sent (method, path, JSON body) and contacts nothing;
``--status`` prints the upload ledger. The sessions come from :func:`_planned_workouts`, the one
place that connects this command to the planner.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import click

from chainfix.cli.garmin import reported_errors
from chainfix.delivery.ledger import Ledger
from chainfix.delivery.sync import SyncAction, SyncReport, sync_to_garmin
from chainfix.errors import UsageError
from chainfix.model import Plan, Workout

TARGETS = ("garmin",)


def _planned_workouts(paths: Sequence[Path], **options: Any) -> list[Workout]:
    """The sessions to deliver, planned from the training history in ``paths``.

    The only link between ``chainfix sync`` and the planner (the lead adjusts it as the planner
    settles). Same plan as ``chainfix plan PATHS``: the stored plan brought up to date with the
    history, or, when there is none, a new 8-week plan from today, stored like ``chainfix plan``
    does so that both commands keep agreeing.
    """
    try:
        from chainfix.cli.common import load_history
        from chainfix.cli.plan import analysis_priorities

        planning = importlib.import_module("chainfix.planning")
        make_plan, reconcile = planning.make_plan, planning.reconcile
        load_plan, save_plan = planning.load_plan, planning.save_plan
        load_profile, latest_assessment = planning.load_profile, planning.latest_assessment
    except (ImportError, AttributeError) as exc:
        raise UsageError(
            "this build of chainfix cannot plan workouts (chainfix.planning is incomplete)",
            hint="Run `chainfix doctor` and report its output.",
        ) from exc
    history = load_history(list(paths), quiet=bool(options.get("quiet", True)))
    stored = load_plan()
    if stored is not None and getattr(stored, "state", None) is not None:
        plan = reconcile(stored, history)
    else:
        profile = load_profile()
        start = options.get("start") or date.today()
        plan = make_plan(
            history,
            analysis_priorities(history, profile),
            profile,
            start,
            int(options.get("weeks") or 8),
            latest_assessment(on_or_before=start),
        )
    save_plan(plan)
    return list(plan.workouts if isinstance(plan, Plan) else plan)


@click.command("sync")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--to",
    "target",
    type=click.Choice(TARGETS),
    help="Where to deliver the planned sessions (garmin: Garmin Connect, then your watch).",
)
@click.option(
    "--prune",
    is_flag=True,
    help="Also delete chainfix workouts that are no longer in the plan (never your own).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Show exactly what would be sent (JSON included) and send nothing.",
)
@click.option("--status", "show_status", is_flag=True, help="Show the upload ledger and stop.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def sync(
    paths: tuple[Path, ...],
    target: str | None,
    prune: bool,
    dry_run: bool,
    show_status: bool,
    as_json: bool,
) -> None:
    """Plan from PATHS and put each session on Garmin Connect, scheduled on its day.

    Safe to run again at any time: sessions already on Garmin are left alone, changed ones are
    updated in place, and after an error (network, rate limit, expired login) the next run
    resumes without uploading anything twice. Your own workouts are never changed.
    """
    if show_status:
        with reported_errors(), Ledger() as ledger:
            _print_status(ledger, as_json)
        return
    if target is None:
        raise click.UsageError("choose where to deliver the sessions: --to garmin")
    if not paths:
        raise click.UsageError("give the activity files or folders to plan from")
    with reported_errors():
        workouts = _planned_workouts(paths)
        with Ledger() as ledger:
            if dry_run:
                report = sync_to_garmin(workouts, None, ledger, prune=prune, dry_run=True)
                _print_dry_run(report, ledger, as_json)
                return
            from chainfix.delivery.garmin import GarminConnect

            client = GarminConnect.from_tokens()
            progress = None if as_json else _echo_action
            report = sync_to_garmin(workouts, client, ledger, prune=prune, on_action=progress)
        if as_json:
            click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        else:
            click.echo(report.summary())


def _echo_action(action: SyncAction) -> None:
    """Progress: every call made, and what was found; sessions already in place stay quiet."""
    if action.is_write or action.action in ("adopt", "not-in-plan"):
        click.echo(action.describe())


def _print_dry_run(report: SyncReport, ledger: Ledger, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        return
    click.echo(
        f"Dry run: nothing is sent. Compared with the upload ledger {ledger.path}; "
        "Garmin Connect itself is not contacted."
    )
    for action in report.actions:
        click.echo(action.describe())
    click.echo(report.summary())
    requests = [(a, a.request()) for a in report.actions if a.request()]
    if not requests:
        click.echo("Nothing would be sent.")
        return
    click.echo("")
    click.echo(f"These {len(requests)} request(s) would be sent to Garmin Connect:")
    for _action, request in requests:
        assert request is not None
        method, path, body = request
        click.echo("")
        click.echo(f"{method} {path}")
        if body is not None:
            click.echo(json.dumps(body, indent=2, ensure_ascii=False))


def _print_status(ledger: Ledger, as_json: bool) -> None:
    entries = ledger.entries()
    run = ledger.last_run()
    open_ops = ledger.open_operations()
    if as_json:
        data = {
            "ledger": str(ledger.path),
            "last_run": None
            if run is None
            else {
                "started_at": run.started_at,
                "finished_at": run.finished_at,
                "status": run.status,
                "message": run.message,
            },
            "sessions": [
                {
                    "key": e.key,
                    "title": e.title,
                    "date": e.planned_date.isoformat(),
                    "workout_id": e.workout_id,
                    "content_hash": e.content_hash,
                    "schedule_id": e.schedule_id,
                    "scheduled_date": e.scheduled_date.isoformat() if e.scheduled_date else None,
                    "updated_at": e.updated_at,
                }
                for e in entries
            ],
            "open_operations": [
                {"id": o.id, "action": o.action, "key": o.key, "started_at": o.started_at}
                for o in open_ops
            ],
        }
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(f"Upload ledger: {ledger.path}")
    if run is None:
        click.echo("No sync to Garmin Connect yet.")
    else:
        state = {"ok": "completed", "failed": "stopped", "running": "interrupted or running"}
        message = f": {run.message}" if run.message else ""
        click.echo(f"Last sync {run.started_at}: {state.get(run.status, run.status)}{message}")
    if entries:
        click.echo(f"{len(entries)} session(s) on Garmin Connect:")
        click.echo(f"  {'date':<10}  {'workout':>12}  {'calendar':<13}  title <key>")
        for e in entries:
            workout = str(e.workout_id) if e.workout_id else "-"
            calendar = e.scheduled_date.isoformat() if e.scheduled_date else "not scheduled"
            click.echo(
                f"  {e.planned_date.isoformat():<10}  {workout:>12}  {calendar:<13}  "
                f"{e.title} <{e.key}>"
            )
    if open_ops:
        click.echo(
            f"{len(open_ops)} call(s) got no answer; the next sync checks Garmin Connect and "
            "settles them without sending anything twice:"
        )
        for o in open_ops:
            click.echo(f"  {o.started_at}  {o.action} <{o.key}>")


def register(cli: click.Group) -> None:
    """Add the ``sync`` command to the root ``chainfix`` group."""
    cli.add_command(sync)
