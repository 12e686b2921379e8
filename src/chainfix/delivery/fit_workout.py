"""Planned sessions as FIT workout files, for copying onto a Garmin watch over USB.

One file per :class:`~chainfix.model.Workout`, laid out like the strength workouts Garmin Connect
itself exports (``shared/fixtures/real/…/D55A5738.fit``, see ``reference/garmin-connect.md`` §4)::

    file_id        type workout, manufacturer development, product 0, serial, time_created
    file_creator   software_version (chainfix's version: major * 100 + minor)
    workout        wkt_name, sport training, sub_sport strength_training, num_valid_steps,
                   capabilities tcx, wkt_description
    per exercise, a repeat group of (up to) four workout_step messages:
      exercise     duration reps (duration_reps) or time (duration_time, for timed holds),
                   target open, intensity active, exercise_category + exercise_name,
                   exercise_weight + weight_display_unit kilogram (only with a weight), notes;
                   work done per side is two exercise steps, notes "Left side" / "Right side"
      rest         duration time (rest_s), target open, intensity rest (left out when rest_s is 0)
      repeat       duration repeat_until_steps_cmplt: duration_step = index of the group's first
                   step, repeat_steps = sets
    exercise_title one per exercise pair: the ``watch_title``, else the exercise's own name, so
                   the watch shows "Glute bridge" rather than its built-in name for the category

Decisions (see the constants below for the numbers):

* **Identity.** ``manufacturer = development`` and ``product = 0``, as in Garmin's own FIT SDK
  example for encoding workout files. Connect's exports say ``garmin``/``connect``; imitating them
  would put chainfix's files in Connect's namespace, where a serial number collision would replace
  a workout the athlete made in Connect. Devices tell workouts apart by type, manufacturer,
  product and serial number, so the **serial number** comes from the workout key alone
  (:func:`workout_serial`): a rewritten session replaces its older version on the watch.
  ``time_created`` is when the file was written (``created`` pins it, for reproducible bytes);
  the planned day is in the workout's name and description.
* **Protocol.** The header says FIT protocol 1.0: nothing in a workout file needs 2.0 (no 64-bit
  fields, no developer fields), and older watches reject 2.0 files.
* **Lengths.** Names are cut to the string sizes Connect's own export allocates (32 bytes for
  the workout name, 200 for notes, 160 for the description, all with the terminating NUL), never
  inside a UTF-8 character, preferably at a word boundary, without dangling punctuation (a cut
  ``"(light, taper"`` becomes ``"(light)"``). Exercise titles are cut at 47 bytes: long enough
  for Connect's longer built-in names, short enough for two lines on a watch. Some watches may
  show fewer characters of a workout name (the FIT C SDK's default configuration allocates 16
  bytes); that is not verified on a device.
* **Validation** happens before a single byte is written: every step value in a sensible range,
  every ``exercise_category`` / ``exercise_name`` pair in the FIT profile
  (``fitparse.profile``), non-empty names, and no two catalogue exercises sharing a pair in one
  workout (``exercise_title`` is keyed by the pair, so the watch could not tell them apart).
  Problems raise :class:`~chainfix.errors.DeliveryError` listing all of them.

Files are written atomically (a hidden ``.tmp`` file in the same folder, then a rename), named
``<workout key>.fit``, and never outside the target folder. A watch in USB mass-storage mode
imports ``.fit`` files from ``GARMIN/NewFiles`` when it is disconnected: :func:`find_watch_dirs`
looks for that folder under the usual mount points.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fitparse.profile import FIELD_TYPES

from chainfix import __version__
from chainfix.atomic import fsync_dir, write_atomic
from chainfix.errors import DeliveryError
from chainfix.fit.encode import FitWriter
from chainfix.fit.encode_fields import FitEncodeError
from chainfix.fit.names import (
    DESCRIPTION_MAX_BYTES,
    EXERCISE_TITLE_MAX_BYTES,
    NOTES_MAX_BYTES,
    WORKOUT_NAME_MAX_BYTES,
    clip_name,
    clip_text,
    exercise_title,
    one_line,
    watch_name,
)
from chainfix.model import Workout, WorkoutStep

__all__ = [
    "DESCRIPTION_MAX_BYTES",
    "EXERCISE_TITLE_MAX_BYTES",
    "FitWorkoutFile",
    "MAX_STEPS",
    "NOTES_MAX_BYTES",
    "WORKOUT_NAME_MAX_BYTES",
    "clip_name",
    "exercise_pair_problem",
    "fit_filename",
    "planned_files",
    "validate_workout",
    "workout_fit",
    "workout_serial",
    "write_files",
    "write_workouts",
]

MANUFACTURER = "development"
"""``file_id.manufacturer``: FIT's id for non-Garmin software (255), as in Garmin's SDK example."""
PRODUCT = 0
"""``file_id.product``, as in Garmin's SDK example for workout files."""

MAX_SETS = 20
MAX_REPS = 500
MAX_DURATION_S = 3600
MAX_REST_S = 3600
MAX_WEIGHT_KG = 500.0
"""Sanity limits. ``exercise_weight`` itself holds at most 655.34 kg (uint16, scale 100)."""
MAX_STEPS = 50
"""At most this many ``workout_step`` messages (up to 3 per exercise), a conservative cap: Connect's
own strength workout in the fixtures has 43; larger ones are not known to load on watches."""

KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$")
"""Workout keys name files: letters, digits, ``.``, ``_``, ``-``; no leading dot, max 120."""


SIDES = ("Left side", "Right side")
"""The notes that start each of the two steps of work done per side."""


def step_notes(step: WorkoutStep, side: str | None = None) -> str:
    """The notes the watch shows for an exercise: the side, load guidance, the planner's notes."""
    parts: list[str] = []
    if side:
        parts.append(side)
    if step.load.strip():
        parts.append(step.load)
    elif step.weight_kg:
        parts.append(f"{step.weight_kg:g} kg")
    if step.notes.strip():
        parts.append(step.notes)
    return clip_text("; ".join(one_line(p) for p in parts), NOTES_MAX_BYTES)


def workout_description(workout: Workout) -> str:
    """``wkt_description``: the planned day (the watch has no calendar entry), then the notes."""
    text = f"Planned for {workout.date.isoformat()}."
    notes = " ".join(one_line(n) for n in workout.notes if n.strip())
    return clip_text(f"{text} {notes}" if notes else text, DESCRIPTION_MAX_BYTES)


# ---------------------------------------------------------------------------------------------
# Validation


@functools.cache
def _profile_names(type_name: str) -> frozenset[str] | None:
    """The value names of a FIT profile type (``None`` when the profile has no such type)."""
    field_type = FIELD_TYPES.get(type_name)
    return None if field_type is None else frozenset(map(str, field_type.values.values()))


def exercise_pair_problem(category: object, name: object) -> str | None:
    """Why ``category``/``name`` is not an exercise of the FIT profile, or ``None`` when it is."""
    if not isinstance(category, str) or not category:
        return f"exercise category {category!r} is not a FIT profile name"
    if category not in (_profile_names("exercise_category") or ()) or category == "unknown":
        return f"{category!r} is not an exercise category of the FIT profile"
    names = _profile_names(f"{category}_exercise_name")
    if names is None:
        return f"the FIT profile has no exercise names for category {category!r}"
    if not isinstance(name, str) or name not in names:
        return f"{name!r} is not a {category} exercise in the FIT profile"
    return None


def _range_problem(label: str, value: object, lo: float, hi: float) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"{label} {value!r} is not a number"
    if not math.isfinite(value) or not lo <= value <= hi:
        return f"{label} {value!r} is out of range {lo:g}..{hi:g}"
    return None


def _step_problems(step: WorkoutStep) -> list[str]:
    problems: list[str] = []
    if not one_line(step.name or ""):
        problems.append("empty exercise name")
    pair = exercise_pair_problem(step.fit_exercise_category, step.fit_exercise_name)
    if pair:
        problems.append(pair)
    if (step.reps is None) == (step.duration_s is None):
        problems.append("needs either reps or duration_s (exactly one)")
    checks: list[tuple[str, object, float, float, bool]] = [
        ("sets", step.sets, 1, MAX_SETS, True),
        ("reps", step.reps, 1, MAX_REPS, True),
        ("duration_s", step.duration_s, 1, MAX_DURATION_S, True),
        ("rest_s", step.rest_s, 0, MAX_REST_S, True),
        ("weight_kg", step.weight_kg, 0, MAX_WEIGHT_KG, False),
    ]
    for label, value, lo, hi, whole in checks:
        if value is None and label in ("reps", "duration_s", "weight_kg"):
            continue
        problem = _range_problem(label, value, lo, hi)
        if problem is None and whole and not isinstance(value, int):
            problem = f"{label} {value!r} is not a whole number"
        if problem:
            problems.append(problem)
    if step.watch_title is not None and not isinstance(step.watch_title, str):
        problems.append(f"watch_title {step.watch_title!r} is not text")
    return problems


def step_count(step: WorkoutStep) -> int:
    """``workout_step`` messages for one exercise: one or two (per side), rest, repeat."""
    return (2 if step.per_side else 1) + (1 if step.rest_s else 0) + 1


def validate_workout(workout: Workout) -> list[str]:
    """Every reason ``workout`` cannot be written as a FIT workout (empty when it can)."""
    problems: list[str] = []
    where = f"workout {workout.key!r}"
    if not isinstance(workout.key, str) or not KEY_RE.match(workout.key):
        problems.append(
            f"{where}: the key must be letters, digits, '.', '_' or '-' (max 120, no leading dot)"
        )
    if not one_line(workout.title or ""):
        problems.append(f"{where}: empty title")
    if not workout.steps:
        problems.append(f"{where}: no exercises")
    owners: dict[tuple[str, str], WorkoutStep] = {}
    count = 0
    for number, step in enumerate(workout.steps, start=1):
        label = f"{where}, exercise {number} ({step.name})"
        problems.extend(f"{label}: {p}" for p in _step_problems(step))
        count += step_count(step)
        pair = (step.fit_exercise_category, step.fit_exercise_name)
        first = owners.setdefault(pair, step)
        if first is step:
            continue
        if first.exercise_id != step.exercise_id:
            problems.append(
                f"{label}: shares the FIT exercise {pair[0]}/{pair[1]} with "
                f"{first.name!r}; the watch could not tell them apart (exercise_title is keyed "
                "by the pair)"
            )
        elif exercise_title(first) != exercise_title(step):
            problems.append(f"{label}: two different watch titles for {pair[0]}/{pair[1]}")
    if count > MAX_STEPS:
        problems.append(
            f"{where}: {count} workout steps, more than the {MAX_STEPS} a watch is known to take"
        )
    return problems


# ---------------------------------------------------------------------------------------------
# Encoding


def workout_serial(key: str) -> int:
    """``file_id.serial_number`` for a workout key: 32 bits of SHA-256, never 0 (uint32z)."""
    digest = hashlib.sha256(f"chainfix-workout:{key}".encode()).digest()
    return int.from_bytes(digest[:4], "big") or 1


def _software_version() -> int:
    """chainfix's version as a FIT software version: major * 100 + minor (``0.1.0`` -> 1)."""
    parts = re.findall(r"\d+", __version__)
    major, minor = (int(p) for p in (parts + ["0", "0"])[:2])
    return min(major * 100 + minor, 65534)


def _messages(workout: Workout) -> list[tuple[str, dict[str, Any]]]:
    """Everything after file_id and file_creator, as (message, fields); values are valid."""
    steps: list[tuple[str, dict[str, Any]]] = []
    titles: dict[tuple[str, str], str] = {}
    for step in workout.steps:
        first = len(steps)
        weight = step.weight_kg or None
        for side in SIDES if step.per_side else (None,):
            exercise: dict[str, Any] = {"message_index": len(steps)}
            if step.duration_s is not None:
                exercise.update(duration_type="time", duration_time=step.duration_s)
            else:
                exercise.update(duration_type="reps", duration_reps=step.reps)
            exercise.update(
                target_type="open",
                target_value=0,
                intensity="active",
                notes=step_notes(step, side) or None,
                exercise_category=step.fit_exercise_category,
                exercise_name=step.fit_exercise_name,
                exercise_weight=weight,
                weight_display_unit="kilogram" if weight else None,
            )
            steps.append(("workout_step", exercise))
        if step.rest_s:
            rest = {
                "message_index": len(steps),
                "duration_type": "time",
                "duration_time": step.rest_s,
                "target_type": "open",
                "target_value": 0,
                "intensity": "rest",
            }
            steps.append(("workout_step", rest))
        repeat = {
            "message_index": len(steps),
            "duration_type": "repeat_until_steps_cmplt",
            "duration_step": first,
            "repeat_steps": step.sets,
        }
        steps.append(("workout_step", repeat))
        title = exercise_title(step)
        if title:
            titles.setdefault((step.fit_exercise_category, step.fit_exercise_name), title)
    header = {
        "wkt_name": watch_name(workout),
        "sport": "training",
        "sub_sport": "strength_training",
        "num_valid_steps": len(steps),
        "capabilities": "tcx",
        "wkt_description": workout_description(workout) or None,
    }
    exercise_titles = [
        (
            "exercise_title",
            {
                "message_index": index,
                "exercise_category": category,
                "exercise_name": name,
                "wkt_step_name": title,
            },
        )
        for index, ((category, name), title) in enumerate(titles.items())
    ]
    return [("workout", header), *steps, *exercise_titles]


def workout_fit(
    workout: Workout, serial: int | None = None, *, created: datetime | None = None
) -> bytes:
    """The FIT workout file for one planned session (see the module docstring for its layout).

    ``serial`` overrides :func:`workout_serial`; ``created`` (default: now) is ``time_created``.
    The same workout and ``created`` always give the same bytes. Raises :class:`DeliveryError`
    listing every problem before anything is encoded.
    """
    problems = validate_workout(workout)
    if serial is not None and (
        isinstance(serial, bool) or not isinstance(serial, int) or not 1 <= serial <= 0xFFFFFFFF
    ):
        problems.append(f"workout {workout.key!r}: serial number {serial!r} is not 1..2**32-1")
    if problems:
        raise DeliveryError(
            "cannot write the FIT workout: " + "; ".join(problems),
            hint="This is a planning bug or a bad catalogue override; nothing was written.",
        )
    body = _messages(workout)
    when = (created or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    writer = FitWriter(protocol=None)
    try:
        writer.add(
            "file_id",
            type="workout",
            manufacturer=MANUFACTURER,
            product=PRODUCT,
            serial_number=serial if serial is not None else workout_serial(workout.key),
            time_created=when,
        )
        writer.add("file_creator", software_version=_software_version())
        for message, fields in body:
            writer.add(message, **fields)
        return writer.to_bytes()
    except FitEncodeError as exc:  # validation above should make this unreachable
        raise DeliveryError(f"cannot encode workout {workout.key!r}: {exc}") from exc


# ---------------------------------------------------------------------------------------------
# Files


@dataclass(frozen=True, slots=True)
class FitWorkoutFile:
    """One encoded workout and the file name it is written under."""

    workout: Workout
    filename: str
    data: bytes


def fit_filename(workout: Workout) -> str:
    """``<key>.fit``, e.g. ``2026-12-01-posterior-chain-a.fit``; only for valid keys."""
    if not isinstance(workout.key, str) or not KEY_RE.match(workout.key):
        raise DeliveryError(f"workout key {workout.key!r} cannot name a file")
    return f"{workout.key}.fit"


def planned_files(
    workouts: Iterable[Workout], *, created: datetime | None = None
) -> list[FitWorkoutFile]:
    """Encode every workout (all validated before any file is written), in the given order.

    ``created`` (default: now, one instant for the whole batch) is each file's ``time_created``.

    Raises :class:`DeliveryError` for an invalid workout, two workouts with the same key, or
    two keys whose serial numbers collide.
    """
    out: list[FitWorkoutFile] = []
    problems: list[str] = []
    keys: set[str] = set()
    serials: dict[int, str] = {}
    created = created or datetime.now(UTC)
    for workout in workouts:
        if workout.key in keys:
            problems.append(f"two planned sessions have the key {workout.key!r}")
            continue
        keys.add(workout.key)
        try:
            data = workout_fit(workout, created=created)  # validates the key as well
            out.append(FitWorkoutFile(workout, fit_filename(workout), data))
        except DeliveryError as exc:
            problems.append(exc.message)
            continue
        serial = workout_serial(workout.key)
        other = serials.setdefault(serial, workout.key)
        if other != workout.key:
            problems.append(f"workouts {other!r} and {workout.key!r} share serial {serial}")
    if problems:
        raise DeliveryError(
            "; ".join(problems), hint="Nothing was written. This is a bug in chainfix's plan."
        )
    return out


def write_workouts(workouts: Iterable[Workout], directory: str | Path) -> list[Path]:
    """Write one ``<key>.fit`` per workout into ``directory`` (created if missing).

    Every workout is encoded and validated before the first file is written. Each file is
    written to a hidden temporary file in ``directory`` and renamed over the target, so a
    reader (or a watch being unplugged) never sees half a file. Returns the paths, in order.
    """
    return write_files(planned_files(workouts), directory)


def write_files(files: Sequence[FitWorkoutFile], directory: str | Path) -> list[Path]:
    """Write files made by :func:`planned_files` into ``directory``, as :func:`write_workouts`."""
    folder = Path(directory)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DeliveryError(f"cannot create the folder {folder}: {exc}") from exc
    if not folder.is_dir():
        raise DeliveryError(f"{folder} is not a folder")
    written: list[Path] = []
    for item in files:
        target = folder / item.filename
        if target.parent != folder or target.name != item.filename:  # KEY_RE makes this hold
            raise DeliveryError(f"refusing to write {item.filename!r} outside {folder}")
        try:
            write_atomic(target, item.data, mode=0o644)
        except OSError as exc:
            raise DeliveryError(f"cannot write {target}: {exc}") from exc
        written.append(target)
    fsync_dir(folder)
    return written
