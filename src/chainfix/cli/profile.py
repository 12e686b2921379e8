"""``chainfix profile``: show or change the athlete profile (level, equipment, days, races ...)."""

from __future__ import annotations

from datetime import date
from typing import Any

import click
from rich.table import Table

from chainfix.cli.common import echo_json, stdout_console
from chainfix.model import LEVELS
from chainfix.paths import profile_path
from chainfix.planning.catalogue import load_catalogue
from chainfix.planning.dosing import load_dosing
from chainfix.planning.profile import (
    AthleteProfile,
    load_profile,
    normalise_equipment,
    parse_days,
    parse_level,
    parse_pain,
    parse_phase,
    parse_race,
    profile_to_dict,
    save_profile,
)
from chainfix.planning.rules import PHASES


def _json_ready(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    out["races"] = [{**r, "date": r["date"].isoformat()} for r in data["races"]]
    return out


def print_profile(profile: AthleteProfile) -> None:
    """The profile as a two-column table."""
    console = stdout_console()
    table = Table(
        title=f"Athlete profile ({profile_path()})", title_justify="left", show_header=False
    )
    table.add_column("field", style="bold")
    table.add_column("value")
    races = ", ".join(
        f"{r.date.isoformat()} ({r.priority}{': ' + r.name if r.name else ''})"
        for r in profile.races
    )
    rows = [
        ("level", profile.level or "from the history (rule R1)"),
        ("equipment", ", ".join(profile.equipment) or "none (bodyweight only)"),
        ("sessions a week", str(profile.sessions_per_week or "planner's choice (R2)")),
        ("days", ", ".join(profile.days) or "any day"),
        ("phase", profile.phase),
        ("races", races or "none"),
        ("pain flags", ", ".join(profile.pain) or "none"),
        (
            "sitting hours",
            f"{profile.sitting_hours:g} h a working day"
            if profile.sitting_hours is not None
            else "not set",
        ),
    ]
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)


def register(cli: click.Group) -> None:
    """Add the ``profile`` group (``show``, ``set``) to ``cli``."""

    @cli.group()
    def profile() -> None:
        """Show or change the athlete profile the planner uses.

        The profile lives in the chainfix user folder (CHAINFIX_HOME) as TOML.
        """

    @profile.command("show")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
    def show(as_json: bool) -> None:
        """Show the stored profile."""
        current = load_profile()
        if as_json:
            echo_json({"path": str(profile_path()), **_json_ready(profile_to_dict(current))})
        else:
            print_profile(current)

    @profile.command("set")
    @click.option(
        "--level",
        type=click.Choice([*LEVELS, "auto"]),
        help="Athlete level; 'auto' lets the history decide (rule R1).",
    )
    @click.option(
        "--equipment",
        help="Equipment at hand, comma-separated (e.g. dumbbells,bench,band; 'gym' for all; "
        "'none' for bodyweight only). Replaces the stored list.",
    )
    @click.option(
        "--sessions", type=click.IntRange(1, 7), help="Strength sessions you want a week."
    )
    @click.option("--days", help="Weekdays you can train, e.g. mon,tue,thu ('any' for all).")
    @click.option(
        "--race",
        "races",
        multiple=True,
        metavar="DATE[:A|B[:NAME]]",
        help="Add a race (A = taper, B = buffer only); repeat for more. Same date replaces.",
    )
    @click.option("--clear-races", is_flag=True, help="Forget every stored race first.")
    @click.option("--phase", type=click.Choice(PHASES), help="Training phase (race = in season).")
    @click.option(
        "--pain",
        help="Pain flags, comma-separated: lower_back, hamstring, achilles, knee, itb ('none').",
    )
    @click.option(
        "--sitting-hours", type=click.FloatRange(0, 24), help="Typical sitting hours a working day."
    )
    @click.option("--json", "as_json", is_flag=True, help="Print the new profile as JSON.")
    def set_(
        level: str | None,
        equipment: str | None,
        sessions: int | None,
        days: str | None,
        races: tuple[str, ...],
        clear_races: bool,
        phase: str | None,
        pain: str | None,
        sitting_hours: float | None,
        as_json: bool,
    ) -> None:
        """Change profile fields; fields you do not name keep their value."""
        current = load_profile()
        changes: dict[str, Any] = {}
        dosing = load_dosing()
        if level is not None:
            changes["level"] = parse_level(level)
        if equipment is not None:
            if equipment.strip().lower() in ("none", ""):
                changes["equipment"] = ()
            else:
                known = {o for e in load_catalogue() for item in e.equipment for o in item}
                known |= set(dosing.equipment_loading) | set(dosing.equipment_always)
                changes["equipment"] = normalise_equipment(
                    equipment.split(","), dosing.equipment_aliases, dosing.equipment_gym, known
                )
        if sessions is not None:
            changes["sessions_per_week"] = sessions
        if days is not None:
            changes["days"] = () if days.strip().lower() in ("any", "all", "") else parse_days(days)
        if phase is not None:
            changes["phase"] = parse_phase(phase)
        if pain is not None:
            changes["pain"] = parse_pain(pain, dosing.pain_flags)
        if sitting_hours is not None:
            changes["sitting_hours"] = sitting_hours
        if races or clear_races:
            by_date: dict[date, Any] = {} if clear_races else {r.date: r for r in current.races}
            for text in races:
                race = parse_race(text)
                if race.date < date.today():
                    raise click.BadParameter(
                        f"{race.date.isoformat()} is in the past: give a coming race date "
                        "(YYYY-MM-DD, optionally :A or :B)",
                        param_hint="'--race'",
                    )
                by_date[race.date] = race
            changes["races"] = tuple(sorted(by_date.values(), key=lambda r: r.date))
        if not changes:
            raise click.UsageError("nothing to change: name at least one option (see --help)")
        updated = current.with_changes(**changes)
        path = save_profile(updated)
        if as_json:
            echo_json({"path": str(path), **_json_ready(profile_to_dict(updated))})
        else:
            click.echo(f"Saved {path}")
            print_profile(updated)
