"""The stored plan follows what it was built from: another history, a new profile, new
self-tests. ``plan`` and ``sync`` rebuild the sessions still to come and say so in one line."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from garmin_support import root_with
from test_planning_support import Persona, persona_history, planning_cli

from chainfix import app
from chainfix.cli import sync as sync_cli
from chainfix.model import History
from chainfix.planning.inputs import plan_inputs

START = date(2026, 12, 7)
TODAY = date(2026, 12, 3)
# A: long run Sunday, hard Tuesday/Thursday. B: long run Saturday, hard Monday/Wednesday.
A = Persona(start=START, long_run=6, hard=frozenset({1, 3}), easy=frozenset({2, 5}))
B = Persona(start=START, long_run=5, hard=frozenset({0, 2}), easy=frozenset({1, 3}))


@pytest.fixture
def histories(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Path]:
    """Two folders whose histories are the personas A and B; the calendar held on TODAY."""
    folders = {name: tmp_path / name for name in ("A", "B")}
    for folder in folders.values():
        folder.mkdir()
    persona = {str(folders["A"]): A, str(folders["B"]): B}

    def load(paths: Any, **_: Any) -> History:
        return persona_history(persona[str(list(paths)[0])])

    monkeypatch.setattr("chainfix.cli.plan.load_history", lambda paths, **kw: load(paths))
    monkeypatch.setattr("chainfix.cli.sync.load_history", load)
    monkeypatch.setattr(app, "today", lambda: TODAY)
    return folders


def plan_json(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(planning_cli(), ["plan", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def weekdays(doc: dict[str, Any]) -> set[int]:
    return {date.fromisoformat(s["date"]).weekday() for s in doc["sessions"]}


def test_plan_of_another_history_is_that_historys_plan(histories: dict[str, Path]) -> None:
    a = plan_json(str(histories["A"]), "--start", START.isoformat())
    assert any("long run is usually on Sunday" in n for n in a["notes"])
    assert weekdays(a) <= {1, 3} and a["change"] is None
    b = plan_json(str(histories["B"]))
    assert any("long run is usually on Saturday" in n for n in b["notes"]), b["notes"]
    assert not any("Sunday" in n for n in b["notes"])
    assert weekdays(b) <= {0, 2}, "B's hard days are Monday and Wednesday"
    assert b["change"] == "history changed since 3 Dec: weeks 1\u20138 rebuilt"
    assert b["start"] == a["start"], "the plan keeps its calendar; its sessions are B's"
    # unchanged inputs: the plan is only reconciled, and says nothing changed
    again = plan_json(str(histories["B"]))
    assert again["change"] is None and again["sessions"] == b["sessions"]


def test_keep_holds_the_old_plan(histories: dict[str, Path]) -> None:
    a = plan_json(str(histories["A"]), "--start", START.isoformat())
    kept = plan_json(str(histories["B"]), "--keep")
    assert kept["change"] == "history changed since 3 Dec: kept the plan (--keep)"
    assert [s["key"] for s in kept["sessions"]] == [s["key"] for s in a["sessions"]]


def test_sync_delivers_the_plan_of_the_history_it_is_given(
    histories: dict[str, Path], tmp_path: Path
) -> None:
    plan_json(str(histories["A"]), "--start", START.isoformat())
    out = tmp_path / "fit"
    cli = root_with(sync_cli.register)
    result = CliRunner().invoke(cli, ["sync", "fit", str(out), str(histories["B"]), "--json"])
    assert result.exit_code == 0, result.output
    files = json.loads(result.stdout)["files"]
    assert files and {date.fromisoformat(f["date"]).weekday() for f in files} <= {0, 2}
    assert "History changed since 3 Dec: weeks 1\u20138 rebuilt." in result.stderr
    b = plan_json(str(histories["B"]))
    assert sorted(f["key"] for f in files) == sorted(s["key"] for s in b["sessions"])


def test_a_new_assessment_applies_at_the_next_plan(histories: dict[str, Path]) -> None:
    before = plan_json(str(histories["A"]), "--start", START.isoformat())
    first_test = "Run `chainfix assess` so the self-tests can set your starting rungs."
    assert first_test in before["notes"]
    runner = CliRunner()
    tested = runner.invoke(
        planning_cli(),
        [
            "assess",
            "--date",
            TODAY.isoformat(),
            "--bridge-left",
            "30",
            "--bridge-right",
            "10",
            "--heel-raise-left",
            "25",
            "--heel-raise-right",
            "12",
            "--sorensen",
            "90",
        ],
    )
    assert tested.exit_code == 0, tested.output
    after = plan_json(str(histories["A"]))
    assert after["change"] == "self-tests changed since 3 Dec: weeks 1\u20138 rebuilt"
    assert first_test not in after["notes"]
    assert any(n.startswith("Retest your self-tests around") for n in after["notes"])
    assert after["sessions"] != before["sessions"]


def test_the_history_fingerprint_reads_what_a_plan_reads_not_where_it_came_from() -> None:
    """More descent on one run is another history for the plan; the same runs read from
    another folder are not."""
    from dataclasses import replace

    from chainfix.analysis import analyze
    from chainfix.planning import AthleteProfile

    history = persona_history(A)
    analysis = analyze(history)
    profile = AthleteProfile()

    def fingerprint(h: History) -> str:
        return plan_inputs(h, profile, None, analysis).history

    first = history.activities[0]
    moved = History(
        tuple(
            replace(a, origin=replace(a.origin, path=f"/elsewhere/{a.id}.fit"))
            for a in history.activities
        )
    )
    assert fingerprint(moved) == fingerprint(history)
    hillier = History(
        (replace(first, descent_m=(first.descent_m or 0.0) + 400.0), *history.activities[1:])
    )
    assert fingerprint(hillier) != fingerprint(history)
    laps = History((replace(first, laps=()), *history.activities[1:]))
    assert (fingerprint(laps) == fingerprint(history)) == (not first.laps)


def test_the_history_fingerprint_covers_every_field_of_an_activity() -> None:
    """Every field of Activity is read, or named as where it came from; no text is hashed."""
    from dataclasses import fields

    from chainfix import fingerprint as inputs
    from chainfix.model import Activity

    read = {*inputs.WORD_FIELDS, *inputs.NUMBER_FIELDS, *inputs.NESTED}
    given = {f.name for f in fields(Activity) if f.init}
    assert read | inputs.WHERE_FROM == given
    assert not read & inputs.WHERE_FROM
    for activity in persona_history(A).activities:
        numbers = inputs.NUMBERS(activity)
        aware = [v for v in numbers if isinstance(v, datetime)]
        assert all(v.tzinfo is not None for v in aware), "a naive time hashes per process"
        plain = [v for v in numbers if not isinstance(v, datetime)]
        assert all(v is None or type(v) in (int, float, bool) for v in plain), numbers
        laps = [v for lap in activity.lap_values() for v in lap]
        assert all(v is None or type(v) in (int, float) for v in laps)


def _mixed_history() -> History:
    """Runs with laps, and lifting with sets (text, numbers and times in every record)."""
    from dataclasses import replace

    from personas import HINGE_DAY, days, history, lift, trail_runner

    from chainfix.model import Lap

    laps = (Lap(300.0, 1000.0, 5.0, 4.0), Lap(90.0, 400.0), Lap(300.0, 1000.0))
    runs = [replace(a, laps=laps) if i % 2 else a for i, a in enumerate(trail_runner(6))]
    return history(runs, [lift(d, HINGE_DAY) for d in days(6)[:5]])


def test_the_history_fingerprint_is_the_same_in_another_process() -> None:
    """It hashes numbers and times with hash(): that must not vary between runs as text does."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    mixed = _mixed_history()
    assert any(a.sets for a in mixed.activities) and any(a.laps for a in mixed.activities)
    code = (
        "import sys; sys.path.insert(0, 'tests');"
        "from test_plan_follows_inputs import _mixed_history;"
        "from chainfix.fingerprint import history_digest;"
        "print(history_digest(_mixed_history()))"
    )
    root = Path(__file__).resolve().parents[1]
    runs = {
        subprocess.run(
            [sys.executable, "-c", code],
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in ("1", "2", "3")
    }
    # persona ids count up per process, so only fresh processes are compared
    assert len(runs) == 1 and len(runs.pop()) == 16


def test_the_sets_text_is_written_as_its_tuple_would_be() -> None:
    """A stored plan's history fingerprint stays valid: the sets' text is the ``repr`` of their
    text fields' tuple, however many sets and whichever were seen before (and values that are
    not text, equal to others, are each written as themselves)."""
    from chainfix.fingerprint import SET_TEXT, _sets_text
    from chainfix.model import StrengthSet

    def one(categories: tuple[object, ...], exercise: object = None) -> StrengthSet:
        return StrengthSet(None, 30.0, 10, None, "active", categories, exercise)  # type: ignore[arg-type]

    cases = [
        (one(("hip_raise",), "hip_raise"),),
        (one(("hip_raise",), "hip_raise"), one(()), one(("curl", "row"), None)),
        (one((1,)), one((1.0,)), one((True,))),  # equal, written differently
        (one(("it's",), 'say "hi"'),),
    ]
    for sets in cases + cases:  # the second time from what was seen
        assert _sets_text(sets) == repr(tuple(map(SET_TEXT, sets)))
