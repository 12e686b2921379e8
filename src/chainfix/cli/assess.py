"""``chainfix assess``: guided self-tests that set the starting rungs of the plan.

With no result options it asks for each test in turn (every answer may be "skip"); with options
it records them without asking. Results are stored with their date in the user folder.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from typing import Any

import click
from rich.table import Table

from chainfix.cli.common import echo_json, stdout_console
from chainfix.planning.assessment import (
    BRIDGE_RESULTS,
    Assessment,
    SelfTestResults,
    assessment_to_dict,
    evaluate,
    load_results,
    save_results,
)
from chainfix.planning.assessment_rules import load_assessment_rules

SAFETY = (
    "These are screens, not diagnoses. Stop any test that hurts; pain that persists needs a "
    "professional. Type 'skip' for any test you cannot or do not want to do."
)


class CountOrSkip(click.ParamType):
    """A whole number, or ``skip`` / empty for no answer."""

    name = "count"

    def __init__(self, unit: str = "reps", maximum: float = 500) -> None:
        self.unit = unit
        self.maximum = maximum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value is None or isinstance(value, int | float):
            return value
        text = str(value).strip().lower()
        if text in ("", "skip", "s", "-"):
            return None
        try:
            number = float(text)
        except ValueError:
            self.fail(f"{value!r} is not a number of {self.unit} (or 'skip')", param, ctx)
        if not 0 <= number <= self.maximum:
            self.fail(f"{number:g} {self.unit} is not plausible", param, ctx)
        return number


def _bridge_prompt(side: str) -> str | None:
    answer = click.prompt(
        f"Single-leg glute bridge, {side} leg: steady for 30 s, only 10 s, or fail?",
        type=click.Choice([*BRIDGE_RESULTS, "skip"]),
        default="skip",
        show_choices=True,
    )
    return None if answer == "skip" else answer


def _count_prompt(text: str, unit: str = "reps", maximum: float = 500) -> float | None:
    return click.prompt(text, type=CountOrSkip(unit, maximum), default="skip", show_default=True)


def can_prompt() -> bool:
    """Whether someone can answer prompts (standard input is a terminal)."""
    return sys.stdin.isatty()


def ask(day: date) -> SelfTestResults:
    """Walk through the tests with prompts (a terminal is needed to answer them)."""
    if not can_prompt():
        raise click.UsageError(
            "no terminal to ask the self-test questions: give the results as options, e.g. "
            "chainfix assess --bridge-left 30 --bridge-right 10 --heel-raise-left 25 "
            "--heel-raise-right 22 --sorensen 90 (see chainfix assess --help)"
        )
    rules = load_assessment_rules()
    click.echo(SAFETY)
    click.echo("")
    click.echo("1. " + rules.glute_bridge.protocol)
    click.echo("   " + rules.bridge_fail_signs)
    left = _bridge_prompt("left")
    right = _bridge_prompt("right")
    pelvis = None
    if "fail" in (left, right):
        pelvis = click.confirm("Did the hips sink, drop or rotate?", default=False)
    click.echo("")
    click.echo("2. " + rules.heel_raise.protocol)
    heel_left = _count_prompt("Single-leg heel raises, left leg (reps)")
    heel_right = _count_prompt("Single-leg heel raises, right leg (reps)")
    click.echo("")
    click.echo("3. " + rules.sorensen.protocol)
    sorensen = _count_prompt("Sørensen hold (seconds)", "seconds", 3600)
    ham_left = ham_right = None
    click.echo("")
    if click.confirm("4. Optional: the single-leg hamstring bridge test?", default=False):
        click.echo("   " + rules.hamstring_bridge.protocol)
        ham_left = _count_prompt("Single-leg hamstring bridge, left leg (reps)")
        ham_right = _count_prompt("Single-leg hamstring bridge, right leg (reps)")
    return SelfTestResults(
        date=day,
        bridge_left=left,
        bridge_right=right,
        pelvis_drop=pelvis,
        heel_raise_left=_int(heel_left),
        heel_raise_right=_int(heel_right),
        sorensen_s=sorensen,
        hamstring_bridge_left=_int(ham_left),
        hamstring_bridge_right=_int(ham_right),
    )


def _int(value: float | None) -> int | None:
    return None if value is None else int(round(value))


def print_assessment(a: Assessment) -> None:
    console = stdout_console()
    console.print(f"[bold]Self-tests of {a.date.isoformat()}[/bold]")
    for line in a.explanations:
        console.print(f"- {line}")
    if a.level:
        console.print(f"Level: {a.level} (rule R1).")
    if a.start_steps:
        table = Table(title="Starting steps", title_justify="left")
        table.add_column("ladder")
        table.add_column("step", justify="right")
        for ladder, step in sorted(a.start_steps.items()):
            table.add_row(ladder.replace("_", " "), str(step))
        console.print(table)
    for flag in a.side_flags:
        console.print(
            f"Side difference: {flag.test.replace('_', ' ')}, {flag.weaker} side "
            f"{flag.difference:.0%} weaker (flagged at 15 %)."
        )
    if not a.explanations:
        console.print("No test was done: nothing changes in the plan.")
    console.print(f"Retest around {a.retest_on.isoformat()} (every 4-6 weeks, before a deload).")


def register(cli: click.Group) -> None:
    """Add the ``assess`` command to ``cli``."""

    @cli.command()
    @click.option(
        "--bridge-left",
        type=click.Choice(BRIDGE_RESULTS),
        help="Single-leg glute bridge, left: 30 (steady 30 s), 10 (steady 10 s only) or fail.",
    )
    @click.option("--bridge-right", type=click.Choice(BRIDGE_RESULTS), help="As --bridge-left.")
    @click.option(
        "--pelvis-drop", is_flag=True, default=None, help="The hips sank, dropped or rotated."
    )
    @click.option(
        "--heel-raise-left", type=click.IntRange(0, 500), help="Single-leg heel raises, left."
    )
    @click.option(
        "--heel-raise-right", type=click.IntRange(0, 500), help="Single-leg heel raises, right."
    )
    @click.option(
        "--sorensen",
        type=click.FloatRange(0, 3600),
        help="Sørensen back-extensor hold in seconds (0 = could not hold or painful).",
    )
    @click.option(
        "--hamstring-bridge-left",
        type=click.IntRange(0, 500),
        help="Optional single-leg hamstring bridge reps, left.",
    )
    @click.option(
        "--hamstring-bridge-right",
        type=click.IntRange(0, 500),
        help="Optional single-leg hamstring bridge reps, right.",
    )
    @click.option(
        "--date",
        "when",
        type=click.DateTime(["%Y-%m-%d"]),
        help="Date of the tests (default: today).",
    )
    @click.option("--show", is_flag=True, help="Show the stored results instead of testing.")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    def assess(
        bridge_left: str | None,
        bridge_right: str | None,
        pelvis_drop: bool | None,
        heel_raise_left: int | None,
        heel_raise_right: int | None,
        sorensen: float | None,
        hamstring_bridge_left: int | None,
        hamstring_bridge_right: int | None,
        when: datetime | None,
        show: bool,
        as_json: bool,
    ) -> None:
        """Self-tests: single-leg glute bridge, heel raises, Sørensen hold, hamstring bridge.

        Without result options chainfix asks for each test. The results set the starting
        ladder steps (and, for a failed bridge, the beginner level); a side >= 15 % weaker gets
        an extra set. Retest every 4-6 weeks.
        """
        rules = load_assessment_rules()
        if show:
            stored = [evaluate(r, rules) for r in load_results()]
            if as_json:
                echo_json({"assessments": [assessment_to_dict(a) for a in stored]})
            elif not stored:
                click.echo("No self-tests stored yet: run `chainfix assess`.")
            else:
                for a in stored:
                    print_assessment(a)
            return
        day = when.date() if when else date.today()
        given = (
            bridge_left,
            bridge_right,
            pelvis_drop,
            heel_raise_left,
            heel_raise_right,
            sorensen,
            hamstring_bridge_left,
            hamstring_bridge_right,
        )
        if any(v is not None for v in given):
            results = SelfTestResults(
                date=day,
                bridge_left=bridge_left,
                bridge_right=bridge_right,
                pelvis_drop=pelvis_drop,
                heel_raise_left=heel_raise_left,
                heel_raise_right=heel_raise_right,
                sorensen_s=sorensen,
                hamstring_bridge_left=hamstring_bridge_left,
                hamstring_bridge_right=hamstring_bridge_right,
            )
        else:
            results = ask(day)
        if results.empty:
            click.echo("Every test was skipped: nothing stored.")
            return
        assessment = save_results(results, rules)
        if as_json:
            echo_json(assessment_to_dict(assessment))
        else:
            click.echo("")
            print_assessment(assessment)
