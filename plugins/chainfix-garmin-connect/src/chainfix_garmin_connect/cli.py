"""``chainfix garmin pull``: download new activities from Garmin Connect into the local library.

Added to chainfix's ``garmin`` command group (beside ``login``, ``status``, ``logout``). A chainfix
without that group gets a group of this plugin's own: ``chainfix garmin-connect pull``.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from chainfix_garmin_connect import DEFAULT_PACE_S

if TYPE_CHECKING:
    from chainfix_garmin_connect.pull import PullReport

FALLBACK_GROUP = "garmin-connect"


@click.command("pull")
@click.option(
    "--library",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Library folder (default: <chainfix user dir>/library/garmin-connect).",
)
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="List activities from this day (YYYY-MM-DD) on, instead of from a week before the "
    "last pull's newest; activities already in the library are still not downloaded again.",
)
@click.option(
    "--pace",
    type=click.FloatRange(min=0.5),
    default=DEFAULT_PACE_S,
    show_default=True,
    help="Seconds to wait between requests to Garmin Connect.",
)
@click.option("--json", "as_json", is_flag=True, help="Print what was done as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="Do not list each activity as it is stored.")
def pull_command(
    library: Path | None, since: datetime | None, pace: float, as_json: bool, quiet: bool
) -> None:
    """Download your new activities from Garmin Connect into the local library.

    Uses the login saved by `chainfix garmin login`. Each activity's original FIT file is stored
    once (activities without one, such as manual entries, keep Connect's summary); later pulls
    fetch only what is new. Requests are paced, and the first refusal stops the pull: what was
    downloaded is kept and the next pull continues from there. Afterwards everything works
    offline: chainfix analyze LIBRARY.
    """
    # The client and the puller load when the command runs, not when ``--help`` lists it.
    from chainfix.api import GarminConnect

    from chainfix_garmin_connect.library import default_library
    from chainfix_garmin_connect.pull import pull

    folder = library or default_library()
    client = GarminConnect.from_tokens()
    if not quiet:
        click.echo(
            f"Pulling from Garmin Connect as {client.display_name or 'you'} into {folder}",
            err=True,
        )

    def stored(activity_id: int, day: str | None, what: str) -> None:
        if not quiet:
            label = f"{activity_id}.fit" if what == "fit" else f"{activity_id} (summary only)"
            click.echo(f"  {day or '????-??-??'}  {label}", err=True)

    report = pull(
        client, folder, since=since.date() if since else None, pace_s=pace, on_stored=stored
    )
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        _print_report(report)
    if report.error is not None:
        raise report.error


def _print_report(report: PullReport) -> None:
    fits = len(report.downloaded) + len(report.finished)
    parts = [f"{fits} FIT file{'' if fits == 1 else 's'}"]
    if report.summary_only:
        parts.append(f"{len(report.summary_only)} without a FIT file (summary only)")
    verb = "Pulled" if report.complete else "Stopped after"
    click.echo(
        f"{verb} {report.new} new activit{'y' if report.new == 1 else 'ies'} "
        f"({', '.join(parts)}); {report.already} already in the library."
    )
    for note in report.notes:
        click.echo(f"  note: {note}")
    if report.complete:
        click.echo(f"Analyse them offline: chainfix analyze {report.library}")


@click.group(FALLBACK_GROUP)
def fallback_group() -> None:
    """Garmin Connect activities (chainfix-garmin-connect)."""


fallback_group.add_command(pull_command)


def add_commands(cli: click.Group) -> None:
    """Add ``pull`` to chainfix's ``garmin`` group, else add ``garmin-connect pull``."""
    garmin = cli.commands.get("garmin")
    if isinstance(garmin, click.Group):
        if "pull" not in garmin.commands:
            garmin.add_command(pull_command)
    elif FALLBACK_GROUP not in cli.commands:
        cli.add_command(fallback_group)
