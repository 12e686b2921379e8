"""The exactly-once sync engine against the local fake Garmin Connect (real HTTP, no network)."""

from __future__ import annotations

import copy
import json
from collections import Counter
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
from chainfix.errors import DeliveryError, UsageError
from chainfix.garmin_client import GarminConnect
from chainfix.model import Plan, Workout, WorkoutStep
from chainfix.testing.fake_garmin import FakeGarminConnect, localhost_only

pytest.importorskip("garminconnect")


@pytest.fixture(autouse=True)
def _offline() -> Iterator[None]:
    """Nothing in this module may reach beyond 127.0.0.1."""
    with localhost_only():
        yield


START = date(2026, 11, 30)  # a Monday; the plan runs into January 2027


def step(
    exercise_id: str,
    name: str,
    pair: tuple[str, str] | None,
    fit: tuple[str, str],
    sets: int,
    reps: int | None = None,
    seconds: int | None = None,
    **extra: Any,
) -> WorkoutStep:
    return WorkoutStep(
        exercise_id=exercise_id,
        name=name,
        fit_exercise_category=fit[0],
        fit_exercise_name=fit[1],
        sets=sets,
        reps=reps,
        duration_s=seconds,
        garmin_category=pair[0] if pair else None,
        garmin_exercise_name=pair[1] if pair else None,
        **extra,
    )


def session_steps(letter: str, week: int) -> tuple[WorkoutStep, ...]:
    deload = week in (4, 8)
    sets = 2 if deload else 3
    load = "RPE 6" if deload else f"RPE {min(6 + week // 2, 9)}"
    if letter == "A":
        return (
            step("db_rdl", "Dumbbell Romanian deadlift", ("DEADLIFT", "ROMANIAN_DEADLIFT"),
                 ("deadlift", "romanian_deadlift"), sets, 8 + week % 3, load=load, rest_s=120),
            step("glute_bridge", "Glute bridge", ("HIP_RAISE", "HIP_RAISE"),
                 ("hip_raise", "hip_raise"), sets, 12, load="bodyweight", rest_s=60),
            step("nordic", "Nordic hamstring curl", ("LEG_CURL", "LEG_CURL"),
                 ("leg_curl", "leg_curl"), 2, 4 + week // 3, watch_title="Nordic hamstring curl",
                 rest_s=150),
            step("side_plank", "Side plank", None, ("plank", "side_plank"), 2, seconds=30,
                 per_side=True, rest_s=30),
        )  # fmt: skip
    if letter == "B":
        return (
            step("sl_rdl", "Single-leg RDL",
                 ("DEADLIFT", "SINGLE_LEG_ROMANIAN_DEADLIFT_WITH_DUMBBELL"),
                 ("deadlift", "single_leg_romanian_deadlift_with_dumbbell"), sets, 8,
                 per_side=True, load=load),
            step("good_morning", "Good morning", ("LEG_CURL", "GOOD_MORNING"),
                 ("leg_curl", "good_morning"), sets, 10),
            step("calf_raise", "Calf raise", None, ("calf_raise", "standing_calf_raise"), sets,
                 15, rest_s=45),
            step("superman", "Superman", ("HYPEREXTENSION", "SUPERMAN_FROM_FLOOR"),
                 ("hyperextension", "superman_from_floor"), 2, 12),
        )  # fmt: skip
    return (
        step("kb_swing", "Kettlebell swing", ("HIP_RAISE", "KETTLEBELL_SWING"),
             ("hip_raise", "kettlebell_swing"), sets + 1, 12, load="16 kg", rest_s=60),
        step("ball_leg_curl", "Ball leg curl", ("LEG_CURL", "SWISS_BALL_HIP_RAISE_AND_LEG_CURL"),
             ("leg_curl", "swiss_ball_hip_raise_and_leg_curl"), sets, 10),
        step("back_extension", "45-degree back extension", ("CORE", "GHD_BACK_EXTENSIONS"),
             ("core", "ghd_back_extensions"), sets, 12, watch_title="45-degree back extension"),
        step("row", "Bent-over row", ("ROW", "BENT_OVER_ROW_WITH_BARBELL"),
             ("row", "bent_over_row_with_barbell"), sets, 10),
    )  # fmt: skip


def eight_week_plan(start: date = START, weeks: int = 8) -> list[Workout]:
    """3 sessions a week (Mon/Wed/Fri) for ``weeks`` weeks: 24 sessions for 8 weeks."""
    workouts = []
    for week in range(1, weeks + 1):
        for offset, letter in ((0, "A"), (2, "B"), (4, "C")):
            day = start + timedelta(days=7 * (week - 1) + offset)
            kind = "deload" if week in (4, 8) else "strength"
            workouts.append(
                Workout(
                    key=f"{day.isoformat()}-posterior-{letter.lower()}",
                    title=f"Posterior chain {letter} · week {week}",
                    date=day,
                    steps=session_steps(letter, week),
                    week=week,
                    kind=kind,
                    notes=("Warm up 5 minutes.",),
                )
            )
    return workouts


USER_WORKOUT: dict[str, Any] = {
    "workoutName": "My own leg day",
    "description": "Built by hand. I like chainfix, but this one is mine.",
    "sportType": {"sportTypeId": 5, "sportTypeKey": "strength_training"},
    "workoutSegments": [
        {
            "segmentOrder": 1,
            "sportType": {"sportTypeId": 5, "sportTypeKey": "strength_training"},
            "workoutSteps": [],
        }
    ],
}


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGarminConnect]:
    monkeypatch.setattr(adapter, "READ_RETRIES", 0)
    with FakeGarminConnect() as server:
        monkeypatch.setenv(adapter.API_URL_ENV, server.url)
        server.write_token_store(adapter.token_dir())
        yield server


@pytest.fixture
def client(fake: FakeGarminConnect) -> GarminConnect:
    return GarminConnect.from_tokens()


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    with Ledger(tmp_path / "ledger.sqlite") as book:
        yield book


def chainfix_copies(fake: FakeGarminConnect) -> dict[str, list[int]]:
    """Marker key → ids of the chainfix workouts on the fake."""
    copies: dict[str, list[int]] = {}
    for workout_id, workout in fake.workouts.items():
        marker = parse_marker(workout.get("description"))
        if marker:
            copies.setdefault(marker.key, []).append(workout_id)
    return copies


def assert_delivered(fake: FakeGarminConnect, ledger: Ledger, plan: list[Workout]) -> None:
    """Exactly one current copy per session, on the calendar once on its day, ledger agreeing."""
    catalogue = load_garmin_catalogue()
    copies = chainfix_copies(fake)
    assert sorted(copies) == sorted(w.key for w in plan)
    entries = {e.key: e for e in ledger.entries()}
    assert sorted(entries) == sorted(w.key for w in plan)
    for w in plan:
        [workout_id] = copies[w.key]
        doc = workout_json(w, catalogue)
        stored = fake.workouts[workout_id]
        assert parse_marker(stored["description"]).content_hash == doc.content_hash  # type: ignore[union-attr]
        assert stored["workoutSegments"] == _with_step_ids(doc.payload, stored)["workoutSegments"]
        assert fake.schedules_of(workout_id) == [w.date], w.key
        entry = entries[w.key]
        assert entry.workout_id == workout_id
        assert entry.content_hash == doc.content_hash
        assert entry.schedule_id is not None
        assert fake.schedules[entry.schedule_id]["workoutId"] == workout_id
        assert entry.scheduled_date == w.date
    assert ledger.open_operations() == []


def _with_step_ids(payload: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    """``payload`` with the step ids Garmin assigned in ``stored`` (for comparison)."""
    expected = copy.deepcopy(payload)

    def copy_ids(mine: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> None:
        for a, b in zip(mine, theirs, strict=True):
            a["stepId"] = b["stepId"]
            copy_ids(a.get("workoutSteps", []), b.get("workoutSteps", []))

    for seg_a, seg_b in zip(expected["workoutSegments"], stored["workoutSegments"], strict=True):
        copy_ids(seg_a["workoutSteps"], seg_b["workoutSteps"])
    return expected


def writes(fake: FakeGarminConnect, since: int = 0) -> Counter[str]:
    """``"POST workout"`` etc. → count, for the calls since index ``since``."""
    counts: Counter[str] = Counter()
    for call in fake.writes():
        if call.index >= since:
            kind = "schedule" if "/schedule/" in call.path else "workout"
            counts[f"{call.method} {kind}"] += 1
    return counts


# -- full plan -------------------------------------------------------------------------------


def test_full_eight_week_plan_is_uploaded_and_scheduled(
    fake: FakeGarminConnect, client: GarminConnect, ledger: Ledger
) -> None:
    user_id = fake.add_workout(USER_WORKOUT)
    user_schedule = fake.add_schedule(user_id, START + timedelta(days=1))
    user_before = copy.deepcopy(fake.workouts[user_id])
    plan = eight_week_plan()
    assert len(plan) == 24

    report = sync_to_garmin(plan, client, ledger)

    assert report.count("create") == 24 and report.count("schedule") == 24
    assert writes(fake) == {"POST workout": 24, "POST schedule": 24}
    assert_delivered(fake, ledger, plan)
    assert fake.workouts[user_id] == user_before and user_schedule in fake.schedules
    # what was POSTed is the documented strength JSON: no weights, catalogue pairs only
    bodies = [c.body for c in fake.calls_to("POST", r"/workout-service/workout$")]
    assert len(bodies) == 24
    text = json.dumps(bodies)
    assert "weightValue" not in text
    assert all(b["sportType"]["sportTypeId"] == 5 for b in bodies)
    months = {c.path for c in fake.calls_to("GET", "calendar-service")}
    assert months == {
        "/calendar-service/year/2026/month/10",
        "/calendar-service/year/2026/month/11",
        "/calendar-service/year/2027/month/0",
    }

    # running it again changes nothing
    before = fake.call_count
    again = sync_to_garmin(plan, client, ledger)
    assert writes(fake, before) == {}
    assert again.count("unchanged") == 24 and again.count("scheduled") == 24
    assert again.writes == 0
    assert_delivered(fake, ledger, plan)
    last = ledger.last_run()
    assert last is not None and last.status == "ok"


def test_a_plan_object_is_accepted(
    fake: FakeGarminConnect, client: GarminConnect, ledger: Ledger
) -> None:
    workouts = eight_week_plan(weeks=1)
    plan = Plan(start=START, weeks=1, level="novice", workouts=tuple(workouts))
    sync_to_garmin(plan, client, ledger)
    assert_delivered(fake, ledger, workouts)


def test_changed_plan_updates_only_the_changed_sessions(
    fake: FakeGarminConnect, client: GarminConnect, ledger: Ledger
) -> None:
    plan = eight_week_plan()
    sync_to_garmin(plan, client, ledger)
    ids = {k: v[0] for k, v in chainfix_copies(fake).items()}

    changed = list(plan)
    changed[3] = replace(changed[3], steps=changed[3].steps[:-1])  # one exercise dropped
    changed[7] = replace(changed[7], title="Posterior chain B · week 3 (short)")
    changed[10] = replace(
        changed[10], steps=(replace(changed[10].steps[0], reps=6),) + changed[10].steps[1:]
    )
    # moved only: renamed too, as the date is in the workout's name
    changed[15] = replace(changed[15], date=changed[15].date + timedelta(days=1))
    changed[20] = replace(changed[20], date=changed[20].date - timedelta(days=1), notes=())

    before = fake.call_count
    report = sync_to_garmin(changed, client, ledger)

    assert writes(fake, before) == {"PUT workout": 5, "DELETE schedule": 2, "POST schedule": 2}
    assert report.count("update") == 5 and report.count("unchanged") == 19
    put_ids = {int(c.path.rsplit("/", 1)[1]) for c in fake.calls_to("PUT") if c.index >= before}
    assert put_ids == {ids[changed[i].key] for i in (3, 7, 10, 15, 20)}
    assert {k: v[0] for k, v in chainfix_copies(fake).items()} == ids  # ids kept
    assert fake.workouts[ids[changed[7].key]]["workoutName"].startswith(changed[7].title + " · ")
    moved = changed[15].date
    assert fake.workouts[ids[changed[15].key]]["workoutName"].endswith(f"{moved.day} {moved:%b}")
    assert_delivered(fake, ledger, changed)


def test_sessions_not_in_the_plan_are_kept_unless_pruned(
    fake: FakeGarminConnect, client: GarminConnect, ledger: Ledger
) -> None:
    user_id = fake.add_workout(USER_WORKOUT)
    user_schedule = fake.add_schedule(user_id, START)
    plan = eight_week_plan()
    sync_to_garmin(plan, client, ledger)
    shorter = plan[:20]

    before = fake.call_count
    report = sync_to_garmin(shorter, client, ledger)
    assert writes(fake, before) == {}
    assert report.count("not-in-plan") == 4
    assert "use --prune" in report.summary()
    assert len(chainfix_copies(fake)) == 24

    before = fake.call_count
    report = sync_to_garmin(shorter, client, ledger, prune=True)
    assert writes(fake, before) == {"DELETE schedule": 4, "DELETE workout": 4}
    assert report.count("delete") == 4
    assert_delivered(fake, ledger, shorter)
    assert user_id in fake.workouts and user_schedule in fake.schedules
    assert not any(c.path.endswith(str(user_id)) for c in fake.writes())


def test_prune_never_touches_the_users_workouts_even_with_an_empty_plan(
    fake: FakeGarminConnect, client: GarminConnect, ledger: Ledger
) -> None:
    user_id = fake.add_workout(USER_WORKOUT)
    lookalike = fake.add_workout(
        USER_WORKOUT | {"description": "[chainfix:not a marker] copied by hand"}
    )
    report = sync_to_garmin([], client, ledger, prune=True)
    assert report.writes == 0 and fake.writes() == []
    assert set(fake.workouts) == {user_id, lookalike}


def test_dry_run_calls_nothing_and_shows_what_would_be_sent(
    fake: FakeGarminConnect, client: GarminConnect, ledger: Ledger
) -> None:
    plan = eight_week_plan()
    before = fake.call_count
    report = sync_to_garmin(plan, None, ledger, dry_run=True)
    assert fake.call_count == before
    assert report.dry_run and report.count("create") == 24 and report.count("schedule") == 24
    first = report.actions[0]
    assert first.request() == ("POST", "/workout-service/workout", first.payload)
    assert first.payload == workout_json(plan[0], load_garmin_catalogue()).payload
    assert report.actions[1].request() == (
        "POST",
        "/workout-service/schedule/<new workout id>",
        {"date": plan[0].date.isoformat()},
    )
    assert ledger.entries() == [] and ledger.last_run() is None

    # after a real sync and a change, the dry run shows just the change, still calling nothing
    sync_to_garmin(plan, client, ledger)
    changed = list(plan)
    changed[0] = replace(changed[0], title="Renamed")
    changed[1] = replace(changed[1], date=changed[1].date + timedelta(days=1))
    before = fake.call_count
    report = sync_to_garmin(changed[:-1], client, ledger, dry_run=True, prune=True)
    assert fake.call_count == before
    kinds = [(a.action, a.key) for a in report.actions if a.is_write]
    assert kinds == [
        ("update", changed[0].key),
        ("update", changed[1].key),  # moved: the date is in its name
        ("unschedule", changed[1].key),
        ("schedule", changed[1].key),
        ("unschedule", plan[-1].key),
        ("delete", plan[-1].key),
    ]
    update = report.actions[0]
    method, path, body = update.request()  # type: ignore[misc]
    assert (method, path) == ("PUT", f"/workout-service/workout/{update.workout_id}")
    assert body["workoutName"].startswith("Renamed · ") and body["workoutId"] == update.workout_id


def test_a_lost_ledger_is_rebuilt_from_the_markers(
    fake: FakeGarminConnect, client: GarminConnect, tmp_path: Path
) -> None:
    plan = eight_week_plan(weeks=2)
    with Ledger(tmp_path / "first.sqlite") as first:
        sync_to_garmin(plan, client, first)
    with Ledger(tmp_path / "second.sqlite") as second:  # another computer, or a deleted ledger
        before = fake.call_count
        report = sync_to_garmin(plan, client, second)
        assert writes(fake, before) == {}
        assert report.count("adopt") == 6 and report.count("scheduled") == 6
        assert_delivered(fake, second, plan)


def test_extra_copies_of_a_session_are_deleted(
    fake: FakeGarminConnect, client: GarminConnect, ledger: Ledger
) -> None:
    plan = eight_week_plan(weeks=1)
    sync_to_garmin(plan, client, ledger)
    original = chainfix_copies(fake)[plan[0].key][0]
    duplicate = fake.add_workout(copy.deepcopy(fake.workouts[original]))
    fake.add_schedule(duplicate, plan[0].date)
    fake.add_schedule(original, plan[0].date)  # and the original on the calendar twice

    before = fake.call_count
    report = sync_to_garmin(plan, client, ledger)
    assert writes(fake, before) == {"DELETE schedule": 2, "DELETE workout": 1}
    assert report.count("delete-duplicate") == 1
    assert chainfix_copies(fake)[plan[0].key] == [original]
    assert_delivered(fake, ledger, plan)


def test_a_workout_deleted_in_connect_is_uploaded_again(
    fake: FakeGarminConnect, client: GarminConnect, ledger: Ledger
) -> None:
    plan = eight_week_plan(weeks=1)
    sync_to_garmin(plan, client, ledger)
    gone = chainfix_copies(fake)[plan[1].key][0]
    del fake.workouts[gone]
    for schedule_id in [k for k, s in fake.schedules.items() if s["workoutId"] == gone]:
        del fake.schedules[schedule_id]
    before = fake.call_count
    sync_to_garmin(plan, client, ledger)
    assert writes(fake, before) == {"POST workout": 1, "POST schedule": 1}
    assert_delivered(fake, ledger, plan)


def test_an_unscheduled_session_is_put_back_on_the_calendar(
    fake: FakeGarminConnect, client: GarminConnect, ledger: Ledger
) -> None:
    plan = eight_week_plan(weeks=1)
    sync_to_garmin(plan, client, ledger)
    entry = ledger.get(plan[2].key)
    assert entry is not None and entry.schedule_id is not None
    del fake.schedules[entry.schedule_id]
    before = fake.call_count
    sync_to_garmin(plan, client, ledger)
    assert writes(fake, before) == {"POST schedule": 1}
    assert_delivered(fake, ledger, plan)


def test_workout_lists_without_descriptions_are_read_one_by_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(adapter, "READ_RETRIES", 0)
    with FakeGarminConnect(list_descriptions=False) as fake, Ledger(tmp_path / "l.db") as ledger:
        monkeypatch.setenv(adapter.API_URL_ENV, fake.url)
        fake.write_token_store(adapter.token_dir())
        client = GarminConnect.from_tokens()
        fake.add_workout(USER_WORKOUT | {"sportType": {"sportTypeKey": "running"}})
        plan = eight_week_plan(weeks=1)
        sync_to_garmin(plan, client, ledger)
        before = fake.call_count
        sync_to_garmin(plan, client, ledger)
        assert writes(fake, before) == {}
        by_id = [c for c in fake.calls_to("GET", r"/workout/\d+$") if c.index >= before]
        assert len(by_id) == 3  # the strength workouts only; the run is skipped
        assert_delivered(fake, ledger, plan)


def test_invalid_sessions_stop_the_sync_before_any_call(
    fake: FakeGarminConnect, client: GarminConnect, ledger: Ledger
) -> None:
    plan = eight_week_plan(weeks=1)
    bad_step = replace(plan[2].steps[0], garmin_category="OTHER")
    plan[2] = replace(plan[2], steps=(bad_step,))
    before = fake.call_count
    with pytest.raises(DeliveryError, match="'OTHER' is not a Garmin Connect exercise category"):
        sync_to_garmin(plan, client, ledger)
    assert fake.call_count == before and ledger.last_run() is None


def test_duplicate_session_keys_are_a_usage_error(ledger: Ledger) -> None:
    plan = eight_week_plan(weeks=1)
    with pytest.raises(UsageError, match="several sessions"):
        sync_to_garmin([plan[0], plan[0]], None, ledger, dry_run=True)
