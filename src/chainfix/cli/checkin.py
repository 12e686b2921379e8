"""``chainfix checkin``: record pain and soreness after a session; the next plan reads them.

With no score options it asks for each area in turn (0-10, empty for 0); with ``--pain AREA=N``
and ``--soreness N`` it records without asking. ``--show`` lists the stored check-ins.
"""

from __future__ import annotations

from datetime import date, datetime

import click

from chainfix.cli.common import echo_json
from chainfix.errors import UsageError
from chainfix.planning.checkin import load_checkins, make_checkin, save_checkin, to_dict
from chainfix.planning.dosing import load_dosing

INTRO = (
    "How did the session go? Score pain 0-10 in each area (0 = none, 10 = worst imaginable) and "
    "overall muscle soreness 0-10. Pain that persists needs a professional."
)


def _parse_pain(items: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for item in items:
        area, sep, value = item.partition("=")
        if not sep:
            raise UsageError(f"--pain {item!r}: write AREA=N, e.g. --pain achilles=3")
        out[area] = value
    return out


def register(cli: click.Group) -> None:
    @cli.command("checkin")
    @click.option(
        "--date", "when", type=click.DateTime(["%Y-%m-%d"]), help="Day of the session (today)."
    )
    @click.option(
        "--pain", "pain", multiple=True, metavar="AREA=N", help="Pain 0-10 in an area (repeat)."
    )
    @click.option("--soreness", type=float, help="Overall muscle soreness 0-10.")
    @click.option("--session", help="The planned workout key this check-in follows (optional).")
    @click.option("--note", default="", help="A short note.")
    @click.option("--show", is_flag=True, help="List the stored check-ins instead.")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    def checkin(
        when: datetime | None,
        pain: tuple[str, ...],
        soreness: float | None,
        session: str | None,
        note: str,
        show: bool,
        as_json: bool,
    ) -> None:
        """Record pain (0-10 per area) and soreness after a strength session.

        The next `chainfix plan` reads check-ins from the week before it: pain of 4/10 or more in
        an area starts that work one step easier and leaves out exercises that load it hard.
        """
        dosing = load_dosing()
        if show:
            stored = load_checkins()
            if as_json:
                echo_json({"checkins": [to_dict(c) for c in stored]})
                return
            if not stored:
                click.echo("No check-ins yet: run `chainfix checkin` after a session.")
            for c in stored:
                areas = ", ".join(f"{a.replace('_', ' ')} {v:g}/10" for a, v in c.pain.items())
                sore = f"soreness {c.soreness:g}/10" if c.soreness is not None else ""
                click.echo(f"{c.date.isoformat()}: " + "; ".join(p for p in (areas, sore) if p))
            return
        day = when.date() if when else date.today()
        scores: dict[str, object] = dict(_parse_pain(pain))
        if not pain and soreness is None:
            click.echo(INTRO)
            for area in dosing.checkin_areas:
                scores[area] = click.prompt(
                    f"Pain in the {area.replace('_', ' ')} (0-10)", type=float, default=0.0
                )
            soreness = click.prompt("Overall soreness (0-10)", type=float, default=0.0)
        record = make_checkin(day, scores, soreness, dosing.checkin_areas, session, note)
        save_checkin(record)
        if as_json:
            echo_json(to_dict(record))
            return
        high = [a for a, v in record.pain.items() if v >= dosing.checkin_regress_pain]
        click.echo(f"Check-in saved for {day.isoformat()}.")
        if high:
            names = ", ".join(a.replace("_", " ") for a in high)
            click.echo(
                f"Pain of {dosing.checkin_regress_pain:g}/10 or more ({names}): your next plan "
                "starts that work one step easier. Run `chainfix plan --new` to update it."
            )
