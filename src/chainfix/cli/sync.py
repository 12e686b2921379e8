"""``chainfix sync fit DIR | watch | garmin | status``: deliver the planned sessions.

``sync garmin`` puts them on Garmin Connect, exactly once; ``--dry-run`` prints exactly what would
be sent (method, path, JSON body) and contacts nothing. ``sync fit DIR`` writes one FIT workout
file per session into DIR; ``sync watch`` writes them into ``GARMIN/NewFiles`` on a watch mounted
over USB (or ``--watch-dir``). ``sync status`` shows the upload ledger. The sessions are the plan
``chainfix plan PATHS`` shows (:func:`chainfix.app.current_plan`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from chainfix.cli.common import (
    both_to_stdout,
    csv_text,
    history_options,
    json_text,
    load_history,
    output_options,
    write_output,
)
from chainfix.paths import ledger_path

if TYPE_CHECKING:
    from chainfix.delivery.fit_workout import FitWorkoutFile
    from chainfix.delivery.ledger import Ledger
    from chainfix.delivery.sync_report import SyncAction, SyncReport
    from chainfix.model import Workout

FILE_COLUMNS = ("path", "key", "title", "date", "exercises", "bytes")
ACTION_COLUMNS = ("action", "request", "key", "title", "date")
SESSION_COLUMNS = ("date", "key", "title", "workout_id", "scheduled_date", "updated_at")


@click.group("sync")
def sync() -> None:
    """Deliver the planned sessions: FIT files, a watch over USB, or Garmin Connect.

    Each subcommand plans from PATHS exactly as `chainfix plan PATHS` does (the stored plan,
    brought up to date) and delivers its sessions. Running again is always safe.
    """


def _planned_workouts(paths: Sequence[Path], **read: Any) -> list[Workout]:
    """The sessions to deliver: the plan ``chainfix plan PATHS`` shows, brought up to date."""
    from chainfix import app

    history = load_history(paths, **read)
    outcome = app.current_plan(history)
    if outcome.change_sentence and not read.get("quiet"):
        click.echo(outcome.change_sentence, err=True)
    return list(outcome.plan.workouts)


@sync.command("fit")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@history_options
@click.option("--dry-run", is_flag=True, help="List the files that would be written; write none.")
@output_options
@click.pass_context
def sync_fit(
    ctx: click.Context,
    directory: Path,
    dry_run: bool,
    json_out: str | None,
    csv_out: str | None,
    **read: Any,
) -> None:
    """Write one FIT workout file per planned session into DIRECTORY.

    Files are named after the session (2026-12-01-posterior-chain-a.fit); running again
    rewrites the same files. Copy them into GARMIN/NewFiles on the watch.
    """
    both_to_stdout(json_out, csv_out)
    from chainfix import app

    workouts = _planned_workouts(**read)
    files = app.deliver_files(workouts, directory, dry_run=dry_run)
    _report_files("fit", directory, files, dry_run, json_out, csv_out)


@sync.command("watch")
@history_options
@click.option(
    "--watch-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The watch's drive or its GARMIN/NewFiles folder, when it is not found under /media, "
    "/run/media, /Volumes or /mnt.",
)
@click.option("--dry-run", is_flag=True, help="List the files that would be written; write none.")
@output_options
@click.pass_context
def sync_watch(
    ctx: click.Context,
    watch_dir: Path | None,
    dry_run: bool,
    json_out: str | None,
    csv_out: str | None,
    **read: Any,
) -> None:
    """Write the planned sessions straight onto a Garmin watch connected by USB.

    The watch imports the files in GARMIN/NewFiles when it is disconnected; eject it first.
    """
    from chainfix.delivery.watch import resolve_watch_dir

    both_to_stdout(json_out, csv_out)
    folder = resolve_watch_dir(watch_dir)
    from chainfix import app

    workouts = _planned_workouts(**read)
    files = app.deliver_files(workouts, folder, dry_run=dry_run)
    _report_files("watch", folder, files, dry_run, json_out, csv_out)


@sync.command("garmin")
@history_options
@click.option(
    "--prune",
    is_flag=True,
    help="Also delete chainfix workouts that are no longer in the plan (never your own).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Show exactly what would be sent (JSON included), and send nothing.",
)
@output_options
@click.pass_context
def sync_garmin(
    ctx: click.Context,
    prune: bool,
    dry_run: bool,
    json_out: str | None,
    csv_out: str | None,
    **read: Any,
) -> None:
    """Upload the planned sessions to Garmin Connect and schedule each on its day.

    Safe to run again at any time: sessions already on Garmin are left alone, changed ones are
    updated in place, and after an error (network, rate limit, expired login) the next run
    resumes without uploading anything twice. Your own workouts are never changed.
    """
    from chainfix import app

    both_to_stdout(json_out, csv_out)
    workouts = _planned_workouts(**read)
    quiet = "-" in (json_out, csv_out)
    progress = None if quiet or dry_run else _echo_action
    report = app.deliver_garmin(workouts, dry_run=dry_run, prune=prune, on_action=progress)
    if json_out is not None:
        write_output(json_out, json_text(report.to_dict()))
    if csv_out is not None:
        rows = [[a.to_dict().get(c) for c in ACTION_COLUMNS] for a in report.actions]
        write_output(csv_out, csv_text(ACTION_COLUMNS, rows))
    if quiet:
        return
    if dry_run:
        _print_dry_run(report)
    else:
        click.echo(report.summary())


@sync.command("status")
@output_options
def sync_status(json_out: str | None, csv_out: str | None) -> None:
    """Show the upload ledger: what is on Garmin Connect, and calls that got no answer."""
    from chainfix.delivery.ledger import Ledger

    both_to_stdout(json_out, csv_out)
    with Ledger() as ledger:
        data = _status_json(ledger)
        if json_out is not None:
            write_output(json_out, json_text(data))
        if csv_out is not None:
            rows = [[s[c] for c in SESSION_COLUMNS] for s in data["sessions"]]
            write_output(csv_out, csv_text(SESSION_COLUMNS, rows))
        if "-" not in (json_out, csv_out):
            _print_status(ledger)


def _report_files(
    target: str,
    folder: Path,
    files: list[tuple[FitWorkoutFile, Path]],
    dry_run: bool,
    json_out: str | None,
    csv_out: str | None,
) -> None:
    """What ``sync fit`` / ``sync watch`` wrote (or would write)."""
    rows = [_file_dict(f, path) for f, path in files]
    if json_out is not None:
        doc = {"target": target, "directory": str(folder), "dry_run": dry_run, "files": rows}
        write_output(json_out, json_text(doc))
    if csv_out is not None:
        write_output(csv_out, csv_text(FILE_COLUMNS, [[r[c] for c in FILE_COLUMNS] for r in rows]))
    if "-" in (json_out, csv_out):
        return
    if not files:
        click.echo("No planned sessions: nothing to write.")
        return
    verb = "would be written" if dry_run else "written"
    if dry_run:
        click.echo("Dry run: nothing is written.")
    click.echo(f"{len(files)} FIT workout file(s) {verb} to {folder}:")
    for item, _path in files:
        w = item.workout
        click.echo(
            f"  {item.filename}  {w.title}  [{len(w.steps)} exercise(s), {len(item.data)} bytes]"
        )
    if target == "watch" and not dry_run:
        click.echo("Eject the watch before unplugging it: it imports the workouts once unplugged.")
    elif target == "fit" and not dry_run:
        click.echo("Copy them into GARMIN/NewFiles on the watch (or use `chainfix sync watch`).")


def _file_dict(item: FitWorkoutFile, path: Path) -> dict[str, Any]:
    w = item.workout
    return {
        "path": str(path),
        "key": w.key,
        "title": w.title,
        "date": w.date.isoformat(),
        "exercises": len(w.steps),
        "bytes": len(item.data),
    }


def _echo_action(action: SyncAction) -> None:
    """Progress: every call made, and what was found; sessions already in place stay quiet."""
    if action.is_write or action.action in ("adopt", "not-in-plan"):
        click.echo(action.describe())


def _print_dry_run(report: SyncReport) -> None:
    click.echo(
        f"Dry run: nothing is sent. Compared with the upload ledger {ledger_path()}; "
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


def _status_json(ledger: Ledger) -> dict[str, Any]:
    entries = ledger.entries()
    run = ledger.last_run()
    open_ops = ledger.open_operations()
    return {
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


def _print_status(ledger: Ledger) -> None:
    entries = ledger.entries()
    run = ledger.last_run()
    open_ops = ledger.open_operations()
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
    """Add the ``sync`` command group to the root ``chainfix`` group."""
    cli.add_command(sync)
