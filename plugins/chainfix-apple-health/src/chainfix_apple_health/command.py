"""``chainfix apple-health sitting PATH``: the sitting estimate from stand hours, never applied."""

from __future__ import annotations

import json
import zipfile
import zlib
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

if TYPE_CHECKING:
    from chainfix_apple_health.sitting import StandHours


@click.group(name="apple-health")
def apple_health() -> None:
    """Commands of the chainfix-apple-health plugin."""


def _stand_hours(path: Path) -> StandHours:
    # The reader loads when the command runs, not when ``chainfix --help`` lists it.
    from chainfix_apple_health.detect import folder_xml, zip_member
    from chainfix_apple_health.scan import Found, ScanError, XmlScan
    from chainfix_apple_health.sitting import StandHours

    hours = StandHours()
    stream_ctx: IO[bytes]
    if path.is_dir():
        xml = folder_xml(path)
        if xml is None:
            raise click.ClickException(f"{path} holds no Apple Health export.xml")
        stream_ctx = xml.open("rb")
    elif path.suffix.lower() == ".xml":
        stream_ctx = path.open("rb")
    else:
        try:
            zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise click.ClickException(f"{path} is not a readable zip: {exc}") from None
        member = zip_member(zf)
        if member is None:
            raise click.ClickException(f"{path} holds no Apple Health export.xml")
        stream_ctx = zf.open(member)
    with stream_ctx as stream:
        try:
            for found in XmlScan(stream, workouts=False):
                if isinstance(found, Found):
                    hours.add(found.data)
        except ScanError as exc:
            raise click.ClickException(f"{path}: {exc.message}") from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise click.ClickException(f"{path} cannot be read to its end: {exc}") from None
    return hours


@apple_health.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the estimate as JSON.")
def sitting(path: Path, as_json: bool) -> None:
    """Estimate sitting hours a working day from the watch's stand hours.

    Prints the estimate and the `chainfix profile set --sitting-hours N` command that would use
    it; nothing is changed.
    """
    from chainfix_apple_health.sitting import MIN_DAYS, MIN_HOURS_WORN

    estimate = _stand_hours(path).estimate()
    if as_json:
        doc = None
        if estimate is not None:
            doc = {
                "days": estimate.days,
                "first": estimate.first.isoformat(),
                "last": estimate.last.isoformat(),
                "idle_hours": estimate.idle_hours,
                "stood_hours": estimate.stood_hours,
                "sitting_hours": estimate.sitting_hours,
                "command": estimate.command,
            }
        click.echo(json.dumps(doc, indent=2))
        return
    if estimate is None:
        click.echo(
            f"Not enough stand-hour data: chainfix needs {MIN_DAYS} working days on which the "
            f"watch recorded at least {MIN_HOURS_WORN} hours."
        )
        return
    click.echo(
        f"Working days with the watch worn: {estimate.days} ({estimate.first} to {estimate.last})\n"
        f"Hours without standing (median): {estimate.idle_hours:g} h; hours stood: "
        f"{estimate.stood_hours:g} h\n"
        f"Sitting estimate: at least {estimate.sitting_hours:g} h a working day (an idle hour is "
        "an hour spent sitting or lying throughout).\n"
        f"Not applied. To use it:\n  {estimate.command}"
    )
