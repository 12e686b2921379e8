"""A fault at every single call of a sync, then a rerun: no duplicates, ledger consistent.

For each call index a sync makes, and for each failure Garmin Connect can produce (401, 429, 500,
a dropped connection, and "done on the server but the answer was lost"), a fresh account and
ledger are synced with that one fault; the sync must stop with the right chainfix error, and a
plain rerun must leave exactly one current copy of every session, on the calendar once on its
day, with a ledger that agrees and no open operations. A third run must send nothing.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

import chainfix.garmin_client as adapter
from chainfix.delivery.garmin_json import load_garmin_catalogue, parse_marker, workout_json
from chainfix.delivery.ledger import Ledger
from chainfix.delivery.sync import sync_to_garmin
from chainfix.errors import (
    ChainfixError,
    GarminAuthError,
    GarminRateLimitError,
    GarminUnavailableError,
)
from chainfix.garmin_client import GarminConnect
from chainfix.model import Workout, WorkoutStep
from chainfix.testing.fake_garmin import FAULT_KINDS, FakeGarminConnect, FaultKind, localhost_only

pytest.importorskip("garminconnect")


@pytest.fixture(autouse=True)
def _offline() -> Iterator[None]:
    """Nothing in this module may reach beyond 127.0.0.1."""
    with localhost_only():
        yield


EXPECTED: dict[str, type[ChainfixError]] = {
    "401": GarminAuthError,
    "429": GarminRateLimitError,
    "500": GarminUnavailableError,
    "drop": GarminUnavailableError,
    "lost_response": GarminUnavailableError,
}

USER_WORKOUT: dict[str, Any] = {
    "workoutName": "My own core circuit",
    "description": "mine",
    "sportType": {"sportTypeId": 5, "sportTypeKey": "strength_training"},
    "workoutSegments": [{"segmentOrder": 1, "workoutSteps": []}],
}


def exercise(name: str, pair: tuple[str, str], sets: int, reps: int) -> WorkoutStep:
    return WorkoutStep(
        exercise_id=name.lower().replace(" ", "_"),
        name=name,
        fit_exercise_category=pair[0].lower(),
        fit_exercise_name=pair[1].lower(),
        sets=sets,
        reps=reps,
        rest_s=90,
        garmin_category=pair[0],
        garmin_exercise_name=pair[1],
    )


def two_week_plan(start: date = date(2027, 1, 25)) -> list[Workout]:
    """Six sessions over two weeks, spanning a month boundary."""
    plan = []
    for n in range(6):
        day = start + timedelta(days=2 * n + n // 3)
        plan.append(
            Workout(
                key=f"{day.isoformat()}-pc-{n}",
                title=f"Posterior chain {n + 1}",
                date=day,
                steps=(
                    exercise("Romanian deadlift", ("DEADLIFT", "ROMANIAN_DEADLIFT"), 3, 8),
                    exercise("Hip raise", ("HIP_RAISE", "HIP_RAISE"), 3, 12),
                    exercise("Good morning", ("LEG_CURL", "GOOD_MORNING"), 2, 10),
                ),
                week=1 + n // 3,
            )
        )
    return plan


def changed_plan(plan: list[Workout]) -> list[Workout]:
    """Two sessions changed, one moved, one dropped, one added."""
    changed = list(plan)
    changed[0] = replace(changed[0], title="Posterior chain 1 (harder)")
    first = changed[2].steps[0]
    changed[2] = replace(changed[2], steps=(replace(first, reps=6),) + changed[2].steps[1:])
    changed[3] = replace(changed[3], date=changed[3].date + timedelta(days=1))
    del changed[4]
    extra_day = plan[-1].date + timedelta(days=2)
    changed.append(replace(plan[1], key=f"{extra_day.isoformat()}-pc-extra", date=extra_day))
    return changed


class Account:
    """A fake Garmin account with its own ledger and client."""

    def __init__(self, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.fake = FakeGarminConnect().start()
        self.tmp = tmp
        tmp.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(adapter.API_URL_ENV, self.fake.url)
        self.fake.write_token_store(tmp / "garmin")
        self.ledger = Ledger(tmp / "ledger.sqlite")
        self.client = GarminConnect.from_tokens(tmp / "garmin")
        self.user_id = self.fake.add_workout(USER_WORKOUT)
        self.user_schedule = self.fake.add_schedule(self.user_id, date(2027, 1, 26))
        self.user_before = copy.deepcopy(self.fake.workouts[self.user_id])

    def close(self) -> None:
        self.ledger.close()
        self.fake.stop()

    def sync(self, plan: list[Workout], prune: bool = False) -> None:
        sync_to_garmin(plan, self.client, self.ledger, prune=prune)

    def check(self, plan: list[Workout], *, pruned: bool) -> None:
        catalogue = load_garmin_catalogue()
        fake, ledger = self.fake, self.ledger
        copies: dict[str, list[int]] = {}
        for workout_id, workout in fake.workouts.items():
            marker = parse_marker(workout.get("description"))
            if marker:
                copies.setdefault(marker.key, []).append(workout_id)
        wanted = {w.key for w in plan}
        if pruned:
            assert set(copies) == wanted
        assert wanted <= set(copies)
        assert all(len(ids) == 1 for ids in copies.values()), copies
        entries = {e.key: e for e in ledger.entries()}
        assert wanted <= set(entries)
        for w in plan:
            [workout_id] = copies[w.key]
            doc = workout_json(w, catalogue)
            marker = parse_marker(fake.workouts[workout_id]["description"])
            assert marker is not None and marker.content_hash == doc.content_hash
            assert fake.schedules_of(workout_id) == [w.date], w.key
            entry = entries[w.key]
            assert (entry.workout_id, entry.content_hash) == (workout_id, doc.content_hash)
            assert entry.schedule_id in fake.schedules
            assert fake.schedules[entry.schedule_id]["workoutId"] == workout_id
            assert entry.scheduled_date == w.date
        assert ledger.open_operations() == []
        assert fake.workouts[self.user_id] == self.user_before
        assert self.user_schedule in fake.schedules


@pytest.fixture(autouse=True)
def _no_read_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(adapter, "READ_RETRIES", 0)


def prepare(account: Account, scenario: str) -> None:
    """For "changes": the plan is on Garmin, and one session has a stray second copy."""
    if scenario != "changes":
        return
    plan = two_week_plan()
    account.sync(plan)
    entry = account.ledger.get(plan[1].key)
    assert entry is not None and entry.workout_id is not None
    account.fake.add_workout(copy.deepcopy(account.fake.workouts[entry.workout_id]))


def count_calls(tmp: Path, monkeypatch: pytest.MonkeyPatch, scenario: str) -> int:
    account = Account(tmp, monkeypatch)
    try:
        prepare(account, scenario)
        plan = changed_plan(two_week_plan()) if scenario == "changes" else two_week_plan()
        before = account.fake.call_count
        account.sync(plan, prune=scenario == "changes")
        return account.fake.call_count - before
    finally:
        account.close()


@pytest.mark.parametrize("scenario", ["first upload", "changes"])
def test_a_fault_at_every_call_then_a_rerun_delivers_exactly_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scenario: str
) -> None:
    calls = count_calls(tmp_path / "baseline", monkeypatch, scenario)
    # first upload: list, 2 calendar months, 6 x (POST workout, POST schedule);
    # changes: list, 2 months, 2 PUT, 1 moved (PUT: its name holds the date; reschedule: 2),
    # 1 new (2), 1 pruned (2), 1 duplicate
    assert calls == {"first upload": 15, "changes": 13}[scenario]
    final = changed_plan(two_week_plan()) if scenario == "changes" else two_week_plan()
    prune = scenario == "changes"
    tried = 0
    for index in range(calls):
        for kind in FAULT_KINDS:
            account = Account(tmp_path / f"{index}-{kind}", monkeypatch)
            try:
                prepare(account, scenario)
                start = account.fake.call_count
                # a 401 on a write is retried once by garminconnect after a token refresh
                account.fake.inject(kind, at=start + index, times=2 if kind == "401" else 1)  # type: ignore[arg-type]
                with pytest.raises(EXPECTED[kind]):
                    account.sync(final, prune=prune)
                account.sync(final, prune=prune)  # the rerun
                account.check(final, pruned=prune)
                quiet = account.fake.call_count
                account.sync(final, prune=prune)  # and nothing left to do
                assert [c for c in account.fake.writes() if c.index >= quiet] == []
                tried += 1
            except AssertionError as exc:
                raise AssertionError(f"{scenario}: fault {kind} at call {index}: {exc}") from exc
            finally:
                account.close()
    assert tried == calls * len(FAULT_KINDS)


def test_a_lost_upload_answer_is_adopted_not_uploaded_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = Account(tmp_path, monkeypatch)
    try:
        plan = two_week_plan()[:1]
        fault: FaultKind = "lost_response"
        account.fake.inject(fault, method="POST", path=r"/workout-service/workout$")
        with pytest.raises(GarminUnavailableError):
            account.sync(plan)
        [op] = account.ledger.open_operations()
        assert (op.action, op.key) == ("create", plan[0].key)
        assert len(account.fake.workouts) == 2  # the user's and the one whose answer was lost
        last = account.ledger.last_run()
        assert last is not None and last.status == "failed"
        account.sync(plan)
        posts = account.fake.calls_to("POST", r"/workout-service/workout$")
        assert len(posts) == 1
        account.check(plan, pruned=False)
        statuses = {o.status for o in account.ledger.operations()}
        assert statuses == {"reconciled", "done"}
    finally:
        account.close()


def test_a_rate_limit_stops_at_once_and_keeps_what_succeeded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = Account(tmp_path, monkeypatch)
    try:
        plan = two_week_plan()
        account.fake.inject("429", method="POST", path="/schedule/", times=100)
        with pytest.raises(GarminRateLimitError):
            account.sync(plan)
        assert len(account.fake.calls_to("POST", "/schedule/")) == 1  # no retry loop
        entries = account.ledger.entries()
        assert len(entries) == 1 and entries[0].workout_id is not None
        assert entries[0].schedule_id is None
        account.fake.clear_faults()
        account.sync(plan)
        account.check(plan, pruned=False)
        assert len(account.fake.calls_to("POST", r"/workout-service/workout$")) == 6
    finally:
        account.close()


def test_a_crash_between_intent_and_result_is_settled_by_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process dies inside the call (after the server did it): the intent stays open."""
    account = Account(tmp_path, monkeypatch)
    try:
        plan = two_week_plan()[:2]
        real = account.client.schedule_workout

        def dies_after_the_call(workout_id: int, on: date) -> int | None:
            real(workout_id, on)
            raise KeyboardInterrupt

        monkeypatch.setattr(account.client, "schedule_workout", dies_after_the_call)
        with pytest.raises(KeyboardInterrupt):
            account.sync(plan)
        [op] = account.ledger.open_operations()
        assert op.action == "schedule" and op.status == "pending"
        last = account.ledger.last_run()
        assert last is not None and last.status == "failed" and "interrupted" in str(last.message)
        monkeypatch.setattr(account.client, "schedule_workout", real)
        account.sync(plan)
        account.check(plan, pruned=False)
        assert len(account.fake.calls_to("POST", "/schedule/")) == 2
    finally:
        account.close()
