"""``analyze``'s advice is remembered by what its plan is made from: a run with nothing changed
builds no plan, and any change to the plan's inputs builds it again."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from personas import beginner_runner, history, road_runner

from chainfix import app
from chainfix.model import History
from chainfix.paths import advice_path, override_file
from chainfix.planning import AthleteProfile, generator, save_profile
from chainfix.planning.checkin import CheckIn, save_checkin
from chainfix.planning.inputs import plan_inputs

START = date(2025, 6, 2)


@pytest.fixture
def plans_built(monkeypatch: pytest.MonkeyPatch) -> list[date]:
    """The day of every run of the plan flow (a plan built, or the stored one reconciled)."""
    built: list[date] = []
    flow = app._plan_outcome

    def counting(*args: Any, **kwargs: Any) -> app.PlanOutcome:
        built.append(args[2])
        return flow(*args, **kwargs)

    monkeypatch.setattr(app, "_plan_outcome", counting)
    return built


def advice(h: History, day: date = START) -> tuple[str, ...]:
    return app.analyse(h, advise=True, as_of=day).plan_start


def test_unchanged_inputs_build_no_plan(plans_built: list[date]) -> None:
    h = history(road_runner(12))
    first = advice(h)
    assert first and len(plans_built) == 1
    assert advice(h) == first
    assert len(plans_built) == 1, "the second run reused the remembered advice"
    assert advice_path(create=False).stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("change", ["history", "day", "profile", "checkin", "stored plan"])
def test_each_input_builds_the_plan_again(plans_built: list[date], change: str) -> None:
    h = history(road_runner(12))
    before = advice(h)
    day = START
    if change == "history":
        h = history(beginner_runner(12))
    elif change == "day":
        day = START + timedelta(days=1)
    elif change == "profile":
        save_profile(AthleteProfile(level="advanced", equipment=("gym",)))
    elif change == "checkin":
        save_checkin(CheckIn(date=START - timedelta(days=1), pain={"hamstrings": 6}))
    else:
        app.current_plan(h, app.PlanRequest(fresh=True), as_of=START - timedelta(days=7))
    after = advice(h, day)
    assert len(plans_built) == 2 + (change == "stored plan"), change
    # the advice is the plan's own: the same as a run that remembers nothing
    advice_path(create=False).unlink()
    assert advice(h, day) == after
    assert before and after


def test_a_coach_dosing_override_changes_the_plan_inputs(tmp_path: Path) -> None:
    from chainfix.analysis import analyze
    from chainfix.planning.dosing import DOSING_FILE

    h = history(road_runner(12))
    a = analyze(h)
    before = plan_inputs(h, AthleteProfile(), None, a).model
    built_in = Path(generator.__file__).parents[1] / "data" / DOSING_FILE
    target = override_file(DOSING_FILE)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(built_in.read_text("utf-8"), encoding="utf-8")
    copied = plan_inputs(h, AthleteProfile(), None, a).model
    assert copied != before, "an override file is part of the model, even an identical copy"
    target.write_text(built_in.read_text("utf-8") + "\n# a coach's note\n", encoding="utf-8")
    assert plan_inputs(h, AthleteProfile(), None, a).model != copied


@pytest.mark.parametrize("text", ["", "{", '{"key": 1}', '{"key": "x", "exercises": [1]}', "[]"])
def test_a_damaged_advice_file_is_ignored(plans_built: list[date], text: str) -> None:
    h = history(road_runner(12))
    first = advice(h)
    advice_path(create=False).write_text(text, encoding="utf-8")
    assert advice(h) == first
    assert len(plans_built) == 2
