"""Turn a planned :class:`~chainfix.model.Workout` into Garmin Connect strength-workout JSON.

The shape follows ``reference/garmin-connect.md`` §2: one segment; per exercise a
``RepeatGroupDTO`` (iterations = sets) holding the exercise step (reps, or time for timed
exercises) and a rest step; ``stepOrder`` is one flat counter over the whole tree. The load goes
into the step description as guidance: no ``weightValue`` is sent, because whether Garmin expects
grams or kilograms is not settled (§2.6).

Every exercise is a ``category`` + ``exerciseName`` pair from Garmin's exercise catalogue; an
unknown category is rejected by Garmin with HTTP 400 and an unknown name is reported to be blanked
silently, so both are checked here, before anything is sent.

Every workout chainfix uploads carries a marker at the end of its description,
``[chainfix:<workout key>:<content hash>]``. The sync engine uses it to recognise chainfix's own
workouts (and to never touch the user's) and to tell whether the copy on Garmin is current.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chainfix import install_hint
from chainfix.bundled import data_file
from chainfix.errors import DataFileError, DeliveryError, MissingExtraError
from chainfix.model import Workout, WorkoutStep

FORMAT_VERSION = 1
"""Bumped when the JSON chainfix sends changes, so that every workout is updated once."""

CATALOGUE_FILE = "garmin-exercise-catalogue.json"
"""File name of the exercise catalogue (in the user dir to override, or in ``chainfix/data``)."""

SECONDS_PER_REP = 4
"""Estimated duration: seconds per repetition (a controlled 1-1-2 tempo)."""
SETUP_S = 30
"""Estimated duration: seconds to set up each exercise (equipment, position)."""
SIDES = ("Left side", "Right side")
"""Work done per side is two steps, their descriptions starting with these."""

STEP_DESCRIPTION_MAX = 200
WORKOUT_DESCRIPTION_MAX = 900
WORKOUT_NAME_MAX = 80

SPORT_STRENGTH: dict[str, Any] = {
    "sportTypeId": 5,
    "sportTypeKey": "strength_training",
    "displayOrder": 5,
}
SEGMENT_SPORT: dict[str, Any] = {"sportTypeId": 5, "sportTypeKey": "strength_training"}
STEP_INTERVAL: dict[str, Any] = {"stepTypeId": 3, "stepTypeKey": "interval", "displayOrder": 3}
STEP_REST: dict[str, Any] = {"stepTypeId": 5, "stepTypeKey": "rest", "displayOrder": 5}
STEP_REPEAT: dict[str, Any] = {"stepTypeId": 6, "stepTypeKey": "repeat", "displayOrder": 6}
COND_LAP_BUTTON: dict[str, Any] = {
    "conditionTypeId": 1,
    "conditionTypeKey": "lap.button",
    "displayOrder": 1,
    "displayable": True,
}
COND_TIME: dict[str, Any] = {
    "conditionTypeId": 2,
    "conditionTypeKey": "time",
    "displayOrder": 2,
    "displayable": True,
}
COND_ITERATIONS: dict[str, Any] = {
    "conditionTypeId": 7,
    "conditionTypeKey": "iterations",
    "displayOrder": 7,
    "displayable": False,
}
COND_REPS: dict[str, Any] = {
    "conditionTypeId": 10,
    "conditionTypeKey": "reps",
    "displayOrder": 10,
    "displayable": True,
}
NO_TARGET: dict[str, Any] = {
    "workoutTargetTypeId": 1,
    "workoutTargetTypeKey": "no.target",
    "displayOrder": 1,
}

KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$")
MARKER_RE = re.compile(
    r"\[chainfix:(?P<key>[A-Za-z0-9][A-Za-z0-9._-]{0,119}):(?P<hash>[0-9a-f]{12})\]"
)
_UPPER_KEY_RE = re.compile(r"^_?[A-Z0-9]+(?:_[A-Z0-9]+)*$")


# ---------------------------------------------------------------------------------------------
# Marker
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Marker:
    """The provenance marker chainfix puts in the description of its own workouts."""

    key: str
    content_hash: str

    def __str__(self) -> str:
        return f"[chainfix:{self.key}:{self.content_hash}]"


def parse_marker(description: object) -> Marker | None:
    """The chainfix marker in a workout description, or ``None`` (a workout of the user's).

    When a description holds several markers (someone pasted one), the last one wins, because
    chainfix always appends its marker at the very end.
    """
    if not isinstance(description, str):
        return None
    matches = list(MARKER_RE.finditer(description))
    if not matches:
        return None
    last = matches[-1]
    return Marker(last.group("key"), last.group("hash"))


# ---------------------------------------------------------------------------------------------
# Exercise catalogue
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExerciseCatalogue:
    """Valid Garmin Connect ``category`` → ``exerciseName`` keys.

    ``generic`` holds the pairs that are the exercise picker's "whole category" entries (e.g.
    ``SHOULDER_PRESS/SHOULDER_PRESS``): Connect's own payloads encode them as ``exerciseName: ""``.
    """

    exercises: Mapping[str, frozenset[str]]
    generic: frozenset[tuple[str, str]] = frozenset()
    source: str = ""

    @property
    def categories(self) -> frozenset[str]:
        return frozenset(self.exercises)

    def __contains__(self, pair: object) -> bool:
        if not isinstance(pair, tuple) or len(pair) != 2:
            return False
        category, name = pair
        names = self.exercises.get(category)
        return names is not None and (name == "" or name in names)

    def problem(self, category: str, name: str) -> str | None:
        """Why ``category/name`` would be refused or blanked by Garmin, or ``None`` when valid."""
        if category not in self.exercises:
            return f"{category!r} is not a Garmin Connect exercise category"
        if name and name not in self.exercises[category]:
            return f"{category}/{name} is not in Garmin's exercise catalogue"
        return None

    def wire_name(self, category: str, name: str) -> str:
        """The ``exerciseName`` to send: ``""`` for the picker's whole-category entries."""
        return "" if (category, name) in self.generic else name

    @classmethod
    def from_json(cls, data: Any, source: str = "") -> ExerciseCatalogue:
        """Read the reference catalogue shape or Garmin's own ``Exercises.json``.

        Reference shape (``garmin-exercise-catalogue.json``): ``{"categories": {CAT:
        {"exercises": [{"exerciseName": NAME, "pickerGenericCategoryEntry": bool?, ...}]}},
        "seenOnlyInNewerCatalogs": {"pairs": ["CAT/NAME", ...]}}``. Garmin's ``Exercises.json``:
        ``{"categories": {CAT: {"exercises": {NAME: {...}}}}}``.
        """
        if not isinstance(data, Mapping) or not isinstance(data.get("categories"), Mapping):
            raise DataFileError(f"{source or 'exercise catalogue'}: no 'categories' object")
        exercises: dict[str, set[str]] = {}
        generic: set[tuple[str, str]] = set()
        for category, body in data["categories"].items():
            if not isinstance(category, str) or not _UPPER_KEY_RE.match(category):
                raise DataFileError(f"{source}: bad category key {category!r}")
            names = exercises.setdefault(category, set())
            rows = body.get("exercises", ()) if isinstance(body, Mapping) else ()
            if isinstance(rows, Mapping):  # Garmin's Exercises.json
                names.update(str(n) for n in rows)
                continue
            for row in rows:
                if not isinstance(row, Mapping) or not isinstance(row.get("exerciseName"), str):
                    raise DataFileError(f"{source}: category {category}: bad exercise row {row!r}")
                names.add(row["exerciseName"])
                if row.get("pickerGenericCategoryEntry"):
                    generic.add((category, row["exerciseName"]))
        newer = data.get("seenOnlyInNewerCatalogs")
        if isinstance(newer, Mapping):
            for pair in newer.get("pairs", ()):
                category, _, name = str(pair).partition("/")
                if category in exercises and name:
                    exercises[category].add(name)
        if not exercises:
            raise DataFileError(f"{source or 'exercise catalogue'}: no categories")
        frozen = {c: frozenset(n) for c, n in exercises.items()}
        return cls(frozen, frozenset(generic), source)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str]], source: str = "") -> ExerciseCatalogue:
        """Build from ``(category, exerciseName)`` rows (e.g. garminconnect's bundled list)."""
        exercises: dict[str, set[str]] = {}
        for category, name in rows:
            exercises.setdefault(category, set())
            if name:
                exercises[category].add(name)
        return cls({c: frozenset(n) for c, n in exercises.items()}, frozenset(), source)


def load_garmin_catalogue(path: Path | None = None) -> ExerciseCatalogue:
    """The exercise catalogue, from the first place that has one.

    1. ``path`` when given; 2. ``<user dir>/garmin-exercise-catalogue.json`` (a user-saved copy,
    either shape); 3. ``chainfix/data/garmin-exercise-catalogue.json`` when the package ships it;
    4. the catalogue bundled with garminconnect (``garminconnect.exercises``, 1,527 rows).
    """
    from chainfix.paths import override_file

    candidates: list[Path] = [path] if path is not None else [override_file(CATALOGUE_FILE)]
    for candidate in candidates:
        if candidate.is_file():
            return _read_catalogue_file(candidate)
    if path is None:
        packaged = Path(data_file(CATALOGUE_FILE))
        if packaged.is_file():
            data = json.loads(packaged.read_text("utf-8"))
            return ExerciseCatalogue.from_json(data, str(packaged))
        try:
            from garminconnect import exercises as gc_exercises
        except ImportError as exc:
            raise MissingExtraError(
                "no Garmin exercise catalogue is available to check the workouts against",
                hint=f"Install the Garmin extra: {install_hint('garmin')}",
            ) from exc
        rows = [(e["category"], e["exercise"]) for e in gc_exercises.EXERCISES]
        return ExerciseCatalogue.from_rows(rows, "garminconnect.exercises")
    raise DataFileError(f"exercise catalogue not found: {path}")


def _read_catalogue_file(path: Path) -> ExerciseCatalogue:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise DataFileError(f"cannot read the exercise catalogue {path}: {exc}") from exc
    return ExerciseCatalogue.from_json(data, str(path))


# ---------------------------------------------------------------------------------------------
# Workout → JSON
# ---------------------------------------------------------------------------------------------


def garmin_pair(step: WorkoutStep) -> tuple[str, str]:
    """The Connect ``(category, exerciseName)`` of a step, before validation.

    ``garmin_category``/``garmin_exercise_name`` when the planner set them; otherwise derived from
    the FIT names (Connect key = upper-case FIT name; names starting with a digit get a ``_``).
    """
    category = step.garmin_category or _connect_key(step.fit_exercise_category)
    if step.garmin_category is not None:
        name = step.garmin_exercise_name or ""
    else:
        name = _connect_key(step.fit_exercise_name)
    return category, name


def _connect_key(fit_name: str) -> str:
    key = (fit_name or "").strip().upper()
    return f"_{key}" if key[:1].isdigit() else key


def step_description(step: WorkoutStep, side: str | None = None) -> str:
    """What the watch shows as the step's notes: side, exercise title when approximate, load."""
    parts: list[str] = []
    if side:
        parts.append(side)
    if step.watch_title:
        parts.append(step.watch_title)
    if step.load:
        parts.append(step.load)
    elif step.weight_kg:
        parts.append(f"{step.weight_kg:g} kg")
    if step.notes:
        parts.append(step.notes)
    text = " · ".join(" ".join(p.split()) for p in parts if p.strip())
    return _clip(text, STEP_DESCRIPTION_MAX)


def _clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when cut."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class GarminWorkoutJson:
    """The JSON for one workout, its content hash and its marker."""

    key: str
    payload: dict[str, Any]
    content_hash: str

    @property
    def marker(self) -> Marker:
        return Marker(self.key, self.content_hash)


def content_hash(payload: Mapping[str, Any]) -> str:
    """12 hex digits of SHA-256 over the canonical JSON (plus :data:`FORMAT_VERSION`)."""
    blob = json.dumps(
        {"v": FORMAT_VERSION, "w": payload},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:12]


def validate_workout(workout: Workout, catalogue: ExerciseCatalogue) -> list[str]:
    """Every reason this workout cannot be sent to Garmin (empty when it can)."""
    problems: list[str] = []
    if not KEY_RE.match(workout.key):
        problems.append(
            f"workout key {workout.key!r} must be letters, digits, '.', '_' or '-' (max 120)"
        )
    if not workout.title.strip():
        problems.append(f"workout {workout.key}: empty title")
    if not workout.steps:
        problems.append(f"workout {workout.key}: no exercises")
    for index, step in enumerate(workout.steps, start=1):
        where = f"workout {workout.key}, exercise {index} ({step.name})"
        category, name = garmin_pair(step)
        issue = catalogue.problem(category, name)
        if issue:
            problems.append(f"{where}: {issue}")
        if step.sets < 1:
            problems.append(f"{where}: sets must be at least 1")
        if step.reps is not None and step.reps < 1:
            problems.append(f"{where}: reps must be at least 1")
        if step.duration_s is not None and step.duration_s < 1:
            problems.append(f"{where}: duration must be at least 1 s")
        if step.rest_s < 0:
            problems.append(f"{where}: rest cannot be negative")
    return problems


def workout_json(workout: Workout, catalogue: ExerciseCatalogue) -> GarminWorkoutJson:
    """The strength-workout JSON chainfix POSTs (or PUTs) for ``workout``, marker included.

    Raises :class:`DeliveryError` naming every invalid exercise when the workout cannot be sent.
    """
    problems = validate_workout(workout, catalogue)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise DeliveryError(
            problems[0] + more,
            hint="Use a category/exerciseName pair from Garmin's exercise catalogue "
            "(reference/garmin-exercise-catalogue.json).",
        )
    body = _payload(workout, catalogue)
    digest = content_hash(body)
    marker = Marker(workout.key, digest)
    text = body.pop("description")
    body["description"] = f"{text}\n{marker}" if text else str(marker)
    return GarminWorkoutJson(workout.key, body, digest)


def _payload(workout: Workout, catalogue: ExerciseCatalogue) -> dict[str, Any]:
    order = 0
    steps: list[dict[str, Any]] = []
    for group, step in enumerate(workout.steps, start=1):
        order += 1
        group_order = order
        category, name = garmin_pair(step)
        children = []
        for side in SIDES if step.per_side else (None,):
            order += 1
            wire = catalogue.wire_name(category, name)
            children.append(_exercise_step(step, order, group, category, wire, side))
        if step.rest_s > 0:
            order += 1
            children.append(_rest_step(step.rest_s, order, group))
        steps.append(
            {
                "type": "RepeatGroupDTO",
                "stepOrder": group_order,
                "stepType": copy.deepcopy(STEP_REPEAT),
                "childStepId": group,
                "numberOfIterations": step.sets,
                "workoutSteps": children,
                "endCondition": copy.deepcopy(COND_ITERATIONS),
                "endConditionValue": float(step.sets),
                "smartRepeat": False,
                "skipLastRestStep": False,
            }
        )
    return {
        "workoutName": workout_name(workout),
        "description": _workout_description(workout),
        "sportType": copy.deepcopy(SPORT_STRENGTH),
        "estimatedDurationInSecs": estimated_duration_s(workout),
        "workoutSegments": [
            {
                "segmentOrder": 1,
                "sportType": copy.deepcopy(SEGMENT_SPORT),
                "workoutSteps": steps,
            }
        ],
        "author": {},
    }


def workout_name(workout: Workout) -> str:
    """The name in Connect's workout list and calendar, with the planned day:
    ``Posterior chain A · Tue 1 Dec``."""
    d = workout.date
    suffix = f" · {d:%a} {d.day} {d:%b}"
    return _clip(" ".join(workout.title.split()), WORKOUT_NAME_MAX - len(suffix)) + suffix


def estimated_duration_s(workout: Workout) -> int:
    """Seconds the session takes: every set's work (per side twice) and rest, plus set-up."""
    total = 0
    for step in workout.steps:
        work = (
            step.duration_s if step.duration_s is not None else (step.reps or 0) * SECONDS_PER_REP
        )
        sides = 2 if step.per_side else 1
        total += SETUP_S + step.sets * (work * sides + max(step.rest_s, 0))
    return int(total)


def _exercise_step(
    step: WorkoutStep,
    order: int,
    group: int,
    category: str,
    name: str,
    side: str | None = None,
) -> dict[str, Any]:
    if step.reps is not None:
        condition, value = COND_REPS, float(step.reps)
    elif step.duration_s is not None:
        condition, value = COND_TIME, float(step.duration_s)
    else:
        condition, value = COND_LAP_BUTTON, 0.0
    return {
        "type": "ExecutableStepDTO",
        "stepOrder": order,
        "stepType": copy.deepcopy(STEP_INTERVAL),
        "childStepId": group,
        "endCondition": copy.deepcopy(condition),
        "endConditionValue": value,
        "targetType": copy.deepcopy(NO_TARGET),
        "description": step_description(step, side),
        "category": category,
        "exerciseName": name,
    }


def _rest_step(rest_s: int, order: int, group: int) -> dict[str, Any]:
    return {
        "type": "ExecutableStepDTO",
        "stepOrder": order,
        "stepType": copy.deepcopy(STEP_REST),
        "childStepId": group,
        "endCondition": copy.deepcopy(COND_TIME),
        "endConditionValue": float(rest_s),
        "targetType": copy.deepcopy(NO_TARGET),
    }


def _workout_description(workout: Workout) -> str:
    lines: list[str] = []
    head = f"chainfix · week {workout.week}"
    if workout.kind and workout.kind != "strength":
        head += f" · {workout.kind}"
    lines.append(head)
    lines.extend(n.strip() for n in workout.notes if n.strip())
    return _clip("\n".join(lines), WORKOUT_DESCRIPTION_MAX)
