"""FIT workout files (``chainfix.delivery.fit_workout``): decodable, Connect-shaped, validated."""

from __future__ import annotations

import io
import math
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import fitdecode
import fitparse
import pytest
from fitparse.profile import FIELD_TYPES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chainfix.delivery import fit_workout as fw
from chainfix.delivery import watch as watch_discovery
from chainfix.errors import DeliveryError
from chainfix.model import Workout, WorkoutStep
from tests.conftest import REAL_DIR

CONNECT_WORKOUT = (
    REAL_DIR / "Daniel-Vitanza__Garmin-Strength-Training-Fit-File-Generator" / "D55A5738.fit"
)

Message = tuple[str, dict[str, Any]]


# ---------------------------------------------------------------------------------------------
# Helpers


def rdl(**changes: Any) -> WorkoutStep:
    step = WorkoutStep(
        "db_rdl",
        "Dumbbell Romanian deadlift",
        "deadlift",
        "romanian_deadlift",
        sets=3,
        reps=8,
        rest_s=120,
        load="42.5 kg, RPE 7-8 (2-3 reps in reserve)",
        weight_kg=42.5,
    )
    return replace(step, **changes)


def nordic(**changes: Any) -> WorkoutStep:
    step = WorkoutStep(
        "nordic",
        "Nordic hamstring curl",
        "leg_curl",
        "leg_curl",
        sets=2,
        reps=4,
        rest_s=150,
        load="Bodyweight: lower as slowly as possible",
        watch_title="Nordic hamstring curl",
    )
    return replace(step, **changes)


def side_plank(**changes: Any) -> WorkoutStep:
    step = WorkoutStep(
        "side_plank",
        "Side plank",
        "plank",
        "side_plank",
        sets=2,
        duration_s=30,
        rest_s=45,
        load="Hold with good form, RPE 7",
        per_side=True,
    )
    return replace(step, **changes)


def hip_thrust(**changes: Any) -> WorkoutStep:
    step = WorkoutStep(
        "bw_hip_thrust",
        "Hip thrust, bodyweight (shoulders on bench)",
        "hip_raise",
        "hip_raise",
        sets=3,
        reps=15,
        rest_s=60,
        load="Bodyweight, RPE 7-8",
        watch_title="Hip thrust (bodyweight)",
        notes="Left side: +1 set (weaker in the self-test)",
    )
    return replace(step, **changes)


def session(*steps: WorkoutStep, **changes: Any) -> Workout:
    workout = Workout(
        key="2026-12-01-posterior-chain-a",
        title="Posterior chain A",
        date=date(2026, 12, 1),
        steps=steps or (rdl(), nordic(), side_plank(), hip_thrust()),
        notes=("After your hard run, ideally 3-6 h later (R9).",),
    )
    return replace(workout, **changes)


def decode(data: bytes) -> list[Message]:
    """Data messages, decoded by fitdecode in strict mode (CRC and every error raise)."""
    out: list[Message] = []
    with fitdecode.FitReader(
        io.BytesIO(data),
        check_crc=fitdecode.CrcCheck.RAISE,
        error_handling=fitdecode.ErrorHandling.RAISE,
    ) as reader:
        for frame in reader:
            if isinstance(frame, fitdecode.FitDataMessage):
                out.append((frame.name, {f.name: f.value for f in frame.fields}))
    return out


def decode_fitparse(data: bytes) -> list[Message]:
    fit = fitparse.FitFile(io.BytesIO(data), check_crc=True)
    return [(m.name, m.get_values()) for m in fit.get_messages()]


def valued(fields: dict[str, Any]) -> frozenset[str]:
    """Names of the fields that carry a value (profile fields only)."""
    return frozenset(k for k, v in fields.items() if v is not None and not k.startswith("unknown"))


def of(messages: list[Message], name: str) -> list[dict[str, Any]]:
    return [fields for kind, fields in messages if kind == name]


def step_kind(fields: dict[str, Any]) -> str:
    if fields.get("duration_type") == "repeat_until_steps_cmplt":
        return "repeat"
    if fields.get("intensity") == "rest":
        return "rest"
    return "exercise"


def exercise_name(category: str, number: int) -> str:
    return FIELD_TYPES[f"{category}_exercise_name"].values[number]


def read_back(messages: list[Message]) -> list[dict[str, Any]]:
    """The repeat groups of a decoded workout, as plain values (independent of the writer)."""
    steps = of(messages, "workout_step")
    assert [s["message_index"] for s in steps] == list(range(len(steps)))
    groups: list[dict[str, Any]] = []
    start = 0
    for index, fields in enumerate(steps):
        if step_kind(fields) != "repeat":
            continue
        assert fields["duration_step"] == start, "a repeat points back to its group's start"
        members = steps[start:index]
        work = [m for m in members if step_kind(m) == "exercise"]
        rests = members[len(work) :]
        exercise = work[0]
        assert work and all(step_kind(r) == "rest" for r in rests), "work first, then rest"
        assert all(
            (w["exercise_category"], w["exercise_name"], w.get("duration_reps"))
            == (
                exercise["exercise_category"],
                exercise["exercise_name"],
                exercise.get("duration_reps"),
            )
            for w in work
        ), "the steps of one group are the same exercise (one per side)"
        category = exercise["exercise_category"]
        groups.append(
            {
                "category": category,
                "name": exercise_name(category, exercise["exercise_name"]),
                "reps": exercise.get("duration_reps"),
                "duration_s": exercise.get("duration_time"),
                "rest_s": rests[0]["duration_time"] if rests else 0,
                "sets": fields["repeat_steps"],
                "weight_kg": exercise.get("exercise_weight"),
                "sides": len(work),
                "notes": exercise.get("notes"),
            }
        )
        start = index + 1
    assert start == len(steps), "every step belongs to a repeat group"
    return groups


def expected(workout: Workout) -> list[dict[str, Any]]:
    return [
        {
            "category": s.fit_exercise_category,
            "name": s.fit_exercise_name,
            "reps": s.reps,
            "duration_s": s.duration_s,
            "rest_s": s.rest_s,
            "sets": s.sets,
            "weight_kg": s.weight_kg or None,
            "sides": 2 if s.per_side else 1,
        }
        for s in workout.steps
    ]


# ---------------------------------------------------------------------------------------------
# Decoding and structure


def test_decodes_strictly_in_fitdecode_and_in_python_fitparse() -> None:
    workout = session()
    data = fw.workout_fit(workout)
    messages = decode(data)
    assert [kind for kind, _ in messages[:3]] == ["file_id", "file_creator", "workout"]
    parsed = decode_fitparse(data)
    assert [kind for kind, _ in parsed] == [kind for kind, _ in messages]
    file_id = of(parsed, "file_id")[0]
    assert file_id["type"] == "workout" and file_id["manufacturer"] == "development"
    assert file_id["serial_number"] == fw.workout_serial(workout.key)
    header = of(parsed, "workout")[0]
    assert header["wkt_name"] == f"Posterior chain A {workout.date:%d %b}"
    assert header["sport"] == "training" and header["sub_sport"] == "strength_training"
    assert header["num_valid_steps"] == len(of(parsed, "workout_step")) == 13
    assert header["wkt_description"].startswith("Planned for 2026-12-01.")
    titles = {(t["exercise_category"], t["wkt_step_name"]) for t in of(parsed, "exercise_title")}
    assert titles == {  # every exercise: the watch title, else the exercise's own name
        ("deadlift", "Dumbbell Romanian deadlift"),
        ("leg_curl", "Nordic hamstring curl"),
        ("plank", "Side plank"),
        ("hip_raise", "Hip thrust (bodyweight)"),
    }


def test_every_exercise_step_has_an_exercise_title() -> None:
    """Issue 14 item 9: the watch shows our name, not its built-in name for the category."""
    messages = decode(fw.workout_fit(session()))
    titled = {(t["exercise_category"], t["exercise_name"]) for t in of(messages, "exercise_title")}
    for step in of(messages, "workout_step"):
        if step_kind(step) == "exercise":
            assert (step["exercise_category"], step["exercise_name"]) in titled


def test_work_per_side_is_two_steps() -> None:
    messages = decode(fw.workout_fit(session(side_plank())))
    steps = of(messages, "workout_step")
    assert [step_kind(s) for s in steps] == ["exercise", "exercise", "rest", "repeat"]
    assert steps[0]["notes"].startswith("Left side") and steps[1]["notes"].startswith("Right side")
    assert all("each side" not in (s.get("notes") or "") for s in steps)
    assert steps[0]["duration_time"] == steps[1]["duration_time"] == 30
    assert steps[3]["duration_step"] == 0 and steps[3]["repeat_steps"] == 2


def test_protocol_1_and_time_created_is_when_written() -> None:
    data = fw.workout_fit(session())
    assert data[1] == 0x10  # FIT protocol 1.0: no 2.0 feature is needed
    created = of(decode(data), "file_id")[0]["time_created"]
    now = datetime.now(UTC)
    assert abs((now - created.replace(tzinfo=UTC)).total_seconds()) < 120
    pinned = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
    again = of(decode(fw.workout_fit(session(), created=pinned)), "file_id")[0]["time_created"]
    assert again.replace(tzinfo=UTC) == pinned


@pytest.fixture
def connect_export() -> list[Message]:
    if not CONNECT_WORKOUT.is_file():
        pytest.skip(f"the real Garmin Connect workout is not at {CONNECT_WORKOUT}")
    return decode(CONNECT_WORKOUT.read_bytes())


def test_structure_matches_the_real_garmin_connect_strength_workout(
    connect_export: list[Message],
) -> None:
    ours = decode(fw.workout_fit(session()))
    # the same message kinds, in the same order of first appearance
    kinds = list(dict.fromkeys(kind for kind, _ in connect_export))
    assert list(dict.fromkeys(kind for kind, _ in ours)) == kinds
    # the same field sets, kind of step by kind of step (exercise, rest, repeat)
    theirs_by_kind: dict[str, set[frozenset[str]]] = {}
    for fields in of(connect_export, "workout_step"):
        theirs_by_kind.setdefault(step_kind(fields), set()).add(valued(fields))
    for fields in of(ours, "workout_step"):
        kind = step_kind(fields)
        assert valued(fields) in theirs_by_kind[kind], (kind, sorted(valued(fields)))
    their_titles = {valued(f) for f in of(connect_export, "exercise_title") if f["exercise_name"]}
    assert {valued(f) for f in of(ours, "exercise_title")} <= their_titles
    # workout and file_id: nothing Connect's own file does not define
    their_header = {k for k in of(connect_export, "workout")[0] if not k.startswith("unknown")}
    assert valued(of(ours, "workout")[0]) <= their_header
    rename = {"garmin_product": "product"}
    their_id = {rename.get(k, k) for k in of(connect_export, "file_id")[0]}
    assert valued(of(ours, "file_id")[0]) <= their_id
    # the same layout rules hold in both files
    for messages in (connect_export, ours):
        steps = of(messages, "workout_step")
        assert of(messages, "workout")[0]["num_valid_steps"] == len(steps)
        assert of(messages, "workout")[0]["sub_sport"] == "strength_training"
        assert [s["message_index"] for s in steps] == list(range(len(steps)))
        repeats = [(i, s) for i, s in enumerate(steps) if step_kind(s) == "repeat"]
        assert repeats
        previous = -1
        for index, fields in repeats:
            first = fields["duration_step"]
            assert previous < first < index, "a repeat follows its group and points to its start"
            assert step_kind(steps[first]) == "exercise" and fields["repeat_steps"] >= 1
            previous = index
    assert len(read_back(ours)) == 4  # chainfix: one group per exercise, nothing outside


def test_every_exercise_pair_written_is_in_the_fit_profile() -> None:
    messages = decode(fw.workout_fit(session()))
    pairs = [
        (f["exercise_category"], f["exercise_name"])
        for f in of(messages, "workout_step") + of(messages, "exercise_title")
        if f.get("exercise_category") is not None
    ]
    assert len(pairs) == 5 + 4  # 5 exercise steps (side plank per side) and 4 titles
    for category, number in pairs:
        assert category in FIELD_TYPES["exercise_category"].values.values()
        assert number in FIELD_TYPES[f"{category}_exercise_name"].values


def test_round_trip_reps_rest_sets_category_name_and_weight() -> None:
    workout = session()
    groups = read_back(decode(fw.workout_fit(workout)))
    notes = [g.pop("notes") for g in groups]
    assert groups == expected(workout)
    assert notes[0] == "42.5 kg, RPE 7-8 (2-3 reps in reserve)"
    assert notes[2] == "Left side; Hold with good form, RPE 7"
    assert notes[3] == "Bodyweight, RPE 7-8; Left side: +1 set (weaker in the self-test)"


def test_a_step_without_rest_has_no_rest_step_and_no_weight_means_no_weight_field() -> None:
    workout = session(rdl(rest_s=0, weight_kg=None, load=""), nordic())
    messages = decode(fw.workout_fit(workout))
    steps = of(messages, "workout_step")
    assert [step_kind(s) for s in steps] == ["exercise", "repeat", "exercise", "rest", "repeat"]
    assert all("exercise_weight" not in valued(s) for s in steps)
    assert "notes" not in valued(steps[0])
    assert read_back(messages)[0]["rest_s"] == 0


valid_pairs = st.sampled_from(
    [
        ("deadlift", "romanian_deadlift"),
        ("hip_raise", "hip_raise"),
        ("leg_curl", "leg_curl"),
        ("calf_raise", "standing_calf_raise"),
        ("row", "inverted_row"),
        ("plank", "side_plank"),
        ("hyperextension", "single_leg_back_extension"),
        ("lunge", "dumbbell_bulgarian_split_squat"),
    ]
)


names = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=80).filter(
    lambda t: bool(t.split())
)


@st.composite
def workouts(draw: st.DrawFn) -> Workout:
    pairs = draw(st.lists(valid_pairs, min_size=1, max_size=8, unique=True))
    steps = []
    for number, (category, name) in enumerate(pairs):
        timed = draw(st.booleans())
        steps.append(
            WorkoutStep(
                f"ex{number}",
                draw(names),
                category,
                name,
                sets=draw(st.integers(1, fw.MAX_SETS)),
                reps=None if timed else draw(st.integers(1, fw.MAX_REPS)),
                duration_s=draw(st.integers(1, fw.MAX_DURATION_S)) if timed else None,
                rest_s=draw(st.integers(0, fw.MAX_REST_S)),
                load=draw(st.text(max_size=300)),
                weight_kg=draw(st.none() | st.integers(1, 50_000).map(lambda g: g / 100)),
                watch_title=draw(st.none() | st.text(min_size=1, max_size=80)),
                per_side=draw(st.booleans()),
            )
        )
    title = draw(names)
    return Workout("2027-01-05-pc", title, date(2027, 1, 5), tuple(steps))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workouts())
def test_any_valid_workout_decodes_strictly_and_round_trips(workout: Workout) -> None:
    data = fw.workout_fit(workout)
    messages = decode(data)
    decode_fitparse(data)
    groups = read_back(messages)
    for group in groups:
        group.pop("notes")
    assert groups == expected(workout)
    header = of(messages, "workout")[0]
    assert header["wkt_name"] and len(header["wkt_name"].encode()) <= fw.WORKOUT_NAME_MAX_BYTES
    for fields in of(messages, "workout_step"):
        assert len((fields.get("notes") or "").encode()) <= fw.NOTES_MAX_BYTES
    for fields in of(messages, "exercise_title"):
        assert 0 < len(fields["wkt_step_name"].encode()) <= fw.EXERCISE_TITLE_MAX_BYTES


# ---------------------------------------------------------------------------------------------
# Determinism and identity


def test_the_same_workout_gives_the_same_bytes() -> None:
    at = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
    assert fw.workout_fit(session(), created=at) == fw.workout_fit(session(), created=at)
    assert fw.workout_fit(session(), serial=12345, created=at) == fw.workout_fit(
        session(), serial=12345, created=at
    )


def test_serial_follows_the_key() -> None:
    base = decode(fw.workout_fit(session()))
    other_day = decode(fw.workout_fit(session(key="2026-12-03-posterior-chain-b")))
    changed = decode(fw.workout_fit(session(rdl(reps=10), nordic())))
    ids = [of(m, "file_id")[0] for m in (base, other_day, changed)]
    assert ids[0]["serial_number"] != ids[1]["serial_number"]
    assert ids[0]["serial_number"] == ids[2]["serial_number"]  # same session, new version
    custom = decode(fw.workout_fit(session(), serial=77))
    assert of(custom, "file_id")[0]["serial_number"] == 77


@pytest.mark.parametrize("serial", [0, -1, 2**32, True, 1.5])
def test_a_bad_serial_is_rejected(serial: Any) -> None:
    with pytest.raises(DeliveryError, match="serial number"):
        fw.workout_fit(session(), serial=serial)


# ---------------------------------------------------------------------------------------------
# Validation: rejected before anything is written


def too_many_exercises() -> list[WorkoutStep]:
    """17 distinct deadlift exercises: 51 workout steps, one more than MAX_STEPS."""
    names = sorted(FIELD_TYPES["deadlift_exercise_name"].values.values())[:17]
    return [rdl(exercise_id=f"e{n}", fit_exercise_name=name) for n, name in enumerate(names)]


@pytest.mark.parametrize(
    ("workout", "message"),
    [
        (session(rdl(sets=0)), "sets 0 is out of range"),
        (session(rdl(sets=fw.MAX_SETS + 1)), "sets 21 is out of range"),
        (session(rdl(reps=0)), "reps 0 is out of range"),
        (session(rdl(reps=8.5)), "reps 8.5 is not a whole number"),
        (session(rdl(reps=None)), "needs either reps or duration_s"),
        (session(rdl(duration_s=30)), "needs either reps or duration_s"),
        (session(side_plank(duration_s=7200)), "duration_s 7200 is out of range"),
        (session(rdl(rest_s=-1)), "rest_s -1 is out of range"),
        (session(rdl(weight_kg=-5.0)), "weight_kg -5.0 is out of range"),
        (session(rdl(weight_kg=1000.0)), "weight_kg 1000.0 is out of range"),
        (session(rdl(weight_kg=math.nan)), "weight_kg nan is out of range"),
        (session(rdl(fit_exercise_category="dead_lift")), "'dead_lift' is not an exercise cat"),
        (session(rdl(fit_exercise_category="unknown")), "'unknown' is not an exercise category"),
        (session(rdl(fit_exercise_name="nordic_curl")), "'nordic_curl' is not a deadlift exerc"),
        (session(rdl(fit_exercise_name="leg_curl")), "'leg_curl' is not a deadlift exercise"),
        (session(rdl(fit_exercise_name="")), "'' is not a deadlift exercise"),
        (session(rdl(name="  ")), "empty exercise name"),
        (session(title=" \n"), "empty title"),
        (session(key="../../etc/passwd"), "the key must be"),
        (session(key=".hidden"), "the key must be"),
        (session(steps=()), "no exercises"),
        (
            session(nordic(), nordic(exercise_id="glute_ham_raise", name="Glute-ham raise")),
            "shares the FIT exercise leg_curl/leg_curl with 'Nordic hamstring curl'",
        ),
        (
            session(nordic(), nordic(watch_title="Nordic (assisted)")),
            "two different watch titles",
        ),
        (session(*too_many_exercises()), "51 workout steps"),
    ],
)
def test_invalid_workouts_are_rejected_before_writing(
    workout: Workout, message: str, tmp_path: Path
) -> None:
    with pytest.raises(DeliveryError, match=re.escape(message)):
        fw.workout_fit(workout)
    good = session(key="2026-11-30-posterior-chain-b")
    with pytest.raises(DeliveryError, match=re.escape(message)):
        fw.write_workouts([good, workout], tmp_path / "out")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(DeliveryError) as caught:
        fw.workout_fit(session(rdl(sets=0, reps=0), nordic(fit_exercise_name="nordic")))
    text = caught.value.message
    assert "sets 0" in text and "reps 0" in text and "'nordic' is not a leg_curl" in text
    assert "exercise 1 (Dumbbell Romanian deadlift)" in text


def test_the_same_exercise_twice_is_allowed_and_titled_once() -> None:
    messages = decode(fw.workout_fit(session(nordic(), rdl(), nordic(sets=1))))
    assert len(of(messages, "exercise_title")) == 2  # one per exercise pair
    assert [g["sets"] for g in read_back(messages)] == [2, 3, 1]


def test_exercise_pair_problem_accepts_every_profile_pair_chainfix_uses() -> None:
    assert fw.exercise_pair_problem("core", "ghd_back_extensions") is None
    assert fw.exercise_pair_problem("banded_exercises", "pull_apart") is None
    assert "no exercise names" in (fw.exercise_pair_problem("cardio_sensors", "x") or "")
    assert fw.exercise_pair_problem(None, "x") is not None


# ---------------------------------------------------------------------------------------------
# Names


@pytest.mark.parametrize(
    ("text", "limit", "clipped"),
    [
        ("Posterior chain A", 31, "Posterior chain A"),
        ("Posterior chain A (light, taper)", 31, "Posterior chain A (light)"),
        ("  Posterior\nchain\tB  ", 31, "Posterior chain B"),
        ("Single-leg Swiss ball hip raise and leg curl", 20, "Single-leg Swiss"),
        ("Übungsfolge für die hintere Kette", 17, "Übungsfolge für"),
        ("Übungsfolge für die hintere Kette", 16, "Übungsfolge"),
        ("Rückenstrecker", 2, "R"),
        ("ééééé", 5, "éé"),
        ("abcdefghijklmnopqrstuvwxyz", 10, "abcdefghij"),
        ("lone \ud800 surrogate", 31, "lone ? surrogate"),
    ],
)
def test_clip_name(text: str, limit: int, clipped: str) -> None:
    assert fw.clip_name(text, limit) == clipped


@given(st.text(), st.integers(1, 64))
def test_clip_name_is_always_short_valid_one_line_text(text: str, limit: int) -> None:
    clipped = fw.clip_name(text, limit)
    data = clipped.encode("utf-8")
    assert len(data) <= limit
    assert "\x00" not in clipped and "\n" not in clipped
    assert clipped == clipped.strip()
    if len(" ".join(text.split()).encode()) <= limit and text.isprintable():
        assert clipped == " ".join(text.split())


def test_long_titles_are_cut_for_the_watch() -> None:
    long = "Posterior chain and hip stability session for the weeks before the marathon"
    title = "A very long exercise title that no watch screen could ever show in full"
    messages = decode(fw.workout_fit(session(nordic(watch_title=title), title=long)))
    name = of(messages, "workout")[0]["wkt_name"]
    assert name == "Posterior chain and hip 01 Dec"
    assert len(name.encode()) <= fw.WORKOUT_NAME_MAX_BYTES
    step_title = of(messages, "exercise_title")[0]["wkt_step_name"]
    assert len(step_title.encode()) <= fw.EXERCISE_TITLE_MAX_BYTES
    assert title.startswith(step_title)


# ---------------------------------------------------------------------------------------------
# Files


def test_write_workouts_names_files_by_key_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    plan = [session(), session(key="2026-12-03-posterior-chain-b", date=date(2026, 12, 3))]
    folder = tmp_path / "new" / "folder"
    paths = fw.write_workouts(plan, folder)
    assert paths == [
        folder / "2026-12-01-posterior-chain-a.fit",
        folder / "2026-12-03-posterior-chain-b.fit",
    ]
    assert sorted(p.name for p in folder.iterdir()) == [p.name for p in paths]
    first = [p.read_bytes() for p in paths]
    assert decode(first[0]) == decode(fw.workout_fit(plan[0], created=created_of(first[0])))
    assert fw.write_workouts(plan, folder) == paths
    again = [p.read_bytes() for p in paths]
    assert [strip_created(b) for b in again] == [strip_created(b) for b in first]
    for path in paths:
        decode(path.read_bytes())


def created_of(data: bytes) -> datetime:
    return of(decode(data), "file_id")[0]["time_created"].replace(tzinfo=UTC)


def strip_created(data: bytes) -> list[Message]:
    """The decoded messages without ``time_created`` (reruns differ only there)."""
    out = decode(data)
    for _, fields in out:
        fields.pop("time_created", None)
    return out


def test_write_workouts_replaces_an_older_version(tmp_path: Path) -> None:
    path = fw.write_workouts([session()], tmp_path)[0]
    path.write_bytes(b"stale")
    fw.write_workouts([session(rdl(reps=10), nordic())], tmp_path)
    assert read_back(decode(path.read_bytes()))[0]["reps"] == 10


@pytest.mark.parametrize("key", ["../escape", "sub/dir", "a\\b", ".fit", "", "x" * 121])
def test_write_workouts_never_writes_outside_the_folder(tmp_path: Path, key: str) -> None:
    folder = tmp_path / "out"
    with pytest.raises(DeliveryError):
        fw.write_workouts([session(key=key)], folder)
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == []


def test_write_workouts_rejects_duplicate_keys(tmp_path: Path) -> None:
    with pytest.raises(DeliveryError, match="two planned sessions have the key"):
        fw.write_workouts([session(), session(title="Other")], tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_removes_its_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_replace(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.replace", broken_replace)
    with pytest.raises(DeliveryError, match="No space left"):
        fw.write_workouts([session()], tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_write_workouts_into_a_file_is_an_error(tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("x")
    with pytest.raises(DeliveryError):
        fw.write_workouts([session()], target)


# ---------------------------------------------------------------------------------------------
# Finding the watch


def make_watch(volume: Path, garmin: str = "GARMIN", new_files: str = "NewFiles") -> Path:
    folder = volume / garmin / new_files
    folder.mkdir(parents=True)
    return folder


def test_find_watch_dirs_looks_for_garmin_newfiles_on_each_volume(tmp_path: Path) -> None:
    (tmp_path / "usb-stick" / "photos").mkdir(parents=True)
    watch = make_watch(tmp_path / "FR965")
    other = make_watch(tmp_path / "EDGE", "garmin", "newfiles")  # FAT: any case
    (tmp_path / "no-new-files" / "GARMIN").mkdir(parents=True)
    volumes = sorted(tmp_path.iterdir())
    assert watch_discovery.find_watch_dirs(volumes) == [other, watch]
    assert watch_discovery.find_watch_dirs([tmp_path / "usb-stick"]) == []


def test_mount_roots_lists_the_volumes_under_the_mount_parents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(watch_discovery, "_user", lambda: "ana")
    make_watch(tmp_path / "media" / "ana" / "GARMIN-FR")
    (tmp_path / "Volumes" / "Macintosh HD").mkdir(parents=True)
    parents = (f"{tmp_path}/media/{{user}}", f"{tmp_path}/Volumes", f"{tmp_path}/missing")
    assert watch_discovery.mount_roots(parents) == [
        tmp_path / "media" / "ana" / "GARMIN-FR",
        tmp_path / "Volumes" / "Macintosh HD",
    ]
    monkeypatch.setattr(watch_discovery, "MOUNT_PARENTS", parents)
    expected = tmp_path / "media" / "ana" / "GARMIN-FR/GARMIN/NewFiles"
    assert watch_discovery.resolve_watch_dir() == expected


def test_resolve_watch_dir_accepts_the_volume_the_garmin_folder_or_newfiles(
    tmp_path: Path,
) -> None:
    folder = make_watch(tmp_path / "WATCH")
    for path in (tmp_path / "WATCH", tmp_path / "WATCH" / "GARMIN", folder):
        assert watch_discovery.resolve_watch_dir(path) == folder
    with pytest.raises(DeliveryError, match="has no GARMIN/NewFiles folder"):
        watch_discovery.resolve_watch_dir(tmp_path)
    with pytest.raises(DeliveryError, match="is not a folder"):
        watch_discovery.resolve_watch_dir(tmp_path / "absent")


def test_resolve_watch_dir_needs_exactly_one_watch(tmp_path: Path) -> None:
    with pytest.raises(DeliveryError, match="no Garmin watch found") as none:
        watch_discovery.resolve_watch_dir(roots=[])
    assert "--watch-dir" in none.value.hint
    a, b = make_watch(tmp_path / "A"), make_watch(tmp_path / "B")
    with pytest.raises(DeliveryError, match="2 Garmin devices found"):
        watch_discovery.resolve_watch_dir(roots=[tmp_path / "A", tmp_path / "B"])
    assert watch_discovery.resolve_watch_dir(roots=[tmp_path / "A"]) == a
    assert b.is_dir()
