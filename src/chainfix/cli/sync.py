"""``chainfix sync PATH... --to garmin|fit DIR|watch``: deliver the planned sessions.

``--to garmin`` puts them on Garmin Connect, exactly once; ``--dry-run`` prints exactly what would
be sent (method, path, JSON body) and contacts nothing; ``--status`` prints the upload ledger.
``--to fit DIR`` writes one FIT workout file per session into DIR; ``--to watch`` writes them into
``GARMIN/NewFiles`` on a watch mounted over USB (or ``--watch-dir``); there ``--dry-run`` lists the
files. The sessions come from :func:`_planned_workouts`, the one place that connects this command
to the planner.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import click

from chainfix.cli.common import read_options
from chainfix.cli.garmin import reported_errors
from chainfix.delivery.fit_workout import (
    FitWorkoutFile,
    planned_files,
    resolve_watch_dir,
    write_files,
)
from chainfix.delivery.ledger import Ledger
from chainfix.delivery.sync import SyncAction, SyncReport, sync_to_garmin
from chainfix.errors import UsageError
from chainfix.model import Plan, Workout

TARGETS = ("garmin", "fit", "watch")


def _planned_workouts(paths: Sequence[Path], **options: Any) -> list[Workout]:
    """The sessions to deliver, planned from the training history in ``paths``.

    The only link between ``chainfix sync`` and the planner (the lead adjusts it as the planner
    settles). Same plan as ``chainfix plan PATHS``: the stored plan brought up to date with the
    history, or, when there is none, a new 8-week plan from today, stored like ``chainfix plan``
    does so that both commands keep agreeing.
    """
    try:
        from chainfix.cli.common import load_history
        from chainfix.cli.plan import run_analysis

        planning = importlib.import_module("chainfix.planning")
        make_plan, reconcile = planning.make_plan, planning.reconcile
        load_plan, save_plan = planning.load_plan, planning.save_plan
        load_profile, latest_assessment = planning.load_profile, planning.latest_assessment
    except (ImportError, AttributeError) as exc:
        raise UsageError(
            "this build of chainfix cannot plan workouts (chainfix.planning is incomplete)",
            hint="Run `chainfix doctor` and report its output.",
        ) from exc
    read = {k: v for k, v in options.items() if k not in ("start", "weeks")}
    history = load_history(list(paths), **read)
    stored = load_plan()
    if stored is not None and getattr(stored, "state", None) is not None:
        plan = reconcile(stored, history)
    else:
        profile = load_profile()
        start = options.get("start") or date.today()
        plan = make_plan(
            history,
            run_analysis(history, profile),
            profile,
            start,
            int(options.get("weeks") or 8),
            latest_assessment(on_or_before=start),
        )
    save_plan(plan)
    return list(plan.workouts if isinstance(plan, Plan) else plan)


def _split_fit_dir(args: Sequence[str]) -> list[str]:
    """Rewrite ``--to fit DIR`` (the folder follows the target) as ``--to fit --fit-dir DIR``.

    Click options take a fixed number of values and ``--to garmin`` takes one, so the folder is
    moved into the hidden ``--fit-dir`` option before click parses. Arguments after ``--`` are
    left alone; a folder starting with ``-`` needs ``--fit-dir``.
    """
    out: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            out.extend(args[i:])
            break
        if arg == "--to" and i + 1 < len(args) and args[i + 1] == "fit":
            out += ["--to", "fit"]
            i += 2
        elif arg == "--to=fit":
            out.append(arg)
            i += 1
        else:
            out.append(arg)
            i += 1
            continue
        if i < len(args) and not args[i].startswith("-"):
            out += ["--fit-dir", args[i]]
            i += 1
    return out


class SyncCommand(click.Command):
    """``chainfix sync``, accepting ``--to fit DIR``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, _split_fit_dir(args))


@click.command("sync", cls=SyncCommand)
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--to",
    "target",
    type=click.Choice(TARGETS),
    metavar="[garmin|fit DIR|watch]",
    help="Where to deliver the planned sessions. garmin: Garmin Connect, then your watch; "
    "fit DIR: one FIT workout file per session into DIR; watch: those files straight onto a "
    "watch connected by USB (its GARMIN/NewFiles folder).",
)
@click.option(
    "--fit-dir",
    type=click.Path(file_okay=False, path_type=Path),
    hidden=True,
    help="The DIR of --to fit DIR.",
)
@click.option(
    "--watch-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="With --to watch: the watch's drive or its GARMIN/NewFiles folder, when it is not "
    "found under /media, /run/media, /Volumes or /mnt.",
)
@click.option(
    "--prune",
    is_flag=True,
    help="Also delete chainfix workouts that are no longer in the plan (never your own).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Show exactly what would be sent (JSON included) or which files would be written, "
    "and send or write nothing.",
)
@click.option("--status", "show_status", is_flag=True, help="Show the upload ledger and stop.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@read_options
def sync(
    paths: tuple[Path, ...],
    target: str | None,
    fit_dir: Path | None,
    watch_dir: Path | None,
    prune: bool,
    dry_run: bool,
    show_status: bool,
    as_json: bool,
    **read: Any,
) -> None:
    """Plan from PATHS and deliver each session: to Garmin Connect (scheduled on its day), as
    FIT workout files into a folder, or straight onto a watch connected by USB.

    --to garmin is safe to run again at any time: sessions already on Garmin are left alone,
    changed ones are updated in place, and after an error (network, rate limit, expired login)
    the next run resumes without uploading anything twice. Your own workouts are never changed.

    --to fit DIR and --to watch write one file per session, named after it
    (2026-12-01-posterior-chain-a.fit); running again rewrites the same files. A watch imports
    the files in GARMIN/NewFiles when it is disconnected; eject it first.
    """
    if show_status:
        with reported_errors(), Ledger() as ledger:
            _print_status(ledger, as_json)
        return
    if target is None:
        raise click.UsageError(
            "choose where to deliver the sessions: --to garmin, --to fit DIR or --to watch"
        )
    if target == "fit" and fit_dir is None:
        raise click.UsageError("--to fit needs the folder to write to: --to fit DIR")
    if fit_dir is not None and target != "fit":
        raise click.UsageError("a folder after --to is only for --to fit DIR")
    if watch_dir is not None and target != "watch":
        raise click.UsageError("--watch-dir goes with --to watch")
    if prune and target != "garmin":
        raise click.UsageError("--prune goes with --to garmin")
    if not paths:
        raise click.UsageError("give the activity files or folders to plan from")
    if target in ("fit", "watch"):
        _deliver_files(paths, target, fit_dir, watch_dir, dry_run, as_json, read)
        return
    with reported_errors():
        workouts = _planned_workouts(paths, **read)
        with Ledger() as ledger:
            if dry_run:
                report = sync_to_garmin(workouts, None, ledger, prune=prune, dry_run=True)
                _print_dry_run(report, ledger, as_json)
                return
            from chainfix.garmin_client import GarminConnect

            client = GarminConnect.from_tokens()
            progress = None if as_json else _echo_action
            report = sync_to_garmin(workouts, client, ledger, prune=prune, on_action=progress)
        if as_json:
            click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        else:
            click.echo(report.summary())


def _deliver_files(
    paths: Sequence[Path],
    target: str,
    fit_dir: Path | None,
    watch_dir: Path | None,
    dry_run: bool,
    as_json: bool,
    read: dict[str, Any],
) -> None:
    """``--to fit DIR`` / ``--to watch``: validate every session, then write (or list) files."""
    with reported_errors():
        if target == "fit" and fit_dir is not None:
            folder = fit_dir
        else:
            folder = resolve_watch_dir(watch_dir)
        files = planned_files(_planned_workouts(paths, **read))
        written = [folder / f.filename for f in files] if dry_run else write_files(files, folder)
    if as_json:
        data = {
            "target": target,
            "directory": str(folder),
            "dry_run": dry_run,
            "files": [_file_dict(f, path) for f, path in zip(files, written, strict=True)],
        }
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    if not files:
        click.echo("No planned sessions: nothing to write.")
        return
    if dry_run:
        click.echo(
            f"Dry run: nothing is written. These {len(files)} FIT workout file(s) would be "
            f"written to {folder}:"
        )
    else:
        click.echo(f"Wrote {len(files)} FIT workout file(s) to {folder}:")
    for item in files:
        w = item.workout
        click.echo(
            f"  {item.filename}  {w.title}  [{len(w.steps)} exercise(s), {len(item.data)} bytes]"
        )
    if target == "watch" and not dry_run:
        click.echo(
            "Eject the watch before unplugging it: it imports the workouts when disconnected."
        )
    elif target == "fit" and not dry_run:
        click.echo("Copy them into GARMIN/NewFiles on the watch (or use --to watch).")


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
