"""The exercise catalogue: ladders of posterior-chain exercises with their Garmin ids.

The built-in catalogue is ``chainfix/data/exercises.csv``: the 48 exercises of the chainfix science
reference (``science/exercises.csv``: ladders, doses, cues, cautions, evidence, verified FIT
profile pairs and watch titles), plus the Garmin Connect workout keys (``garmin_category`` /
``garmin_exercise_name``) taken from the reference exercise catalogue
(``reference/garmin-exercise-catalogue.json``, built from Garmin's ``Exercises.json``). Two rows
need a different Connect key than their FIT pair (bird dog, clamshell); ``garmin_note`` says why.
One equipment cell was made unambiguous: ``lat_pulldown`` is ``machine|bar`` (the band that
assists a pull-up is optional).

Users add or replace exercises with a CSV of the same columns in ``<user dir>/exercises.csv`` or
with ``--catalogue FILE`` (a row with an existing id replaces it). Every row is checked on load,
including its FIT ``exercise_category`` / ``exercise_name`` pair against the FIT profile
(``fitparse.profile``, Garmin FIT SDK 21.218); a bad row raises
:class:`~chainfix.errors.DataFileError` naming the file, the row (the header is row 1) and the
column.

Equipment cells: ``;`` joins items that are all needed, ``|`` separates alternatives inside one
item, so ``bench;barbell|dumbbell`` means a bench and (a barbell or a dumbbell).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from chainfix.bundled import data_text
from chainfix.errors import DataFileError
from chainfix.fit.profile import type_values
from chainfix.model import MUSCLE_GROUPS
from chainfix.paths import override_file

CATALOGUE_FILE = "exercises.csv"

ROLES = ("main", "alternative", "parallel", "power")
LOAD_TYPES = ("bodyweight", "bodyweight_or_loaded", "loaded", "band", "eccentric", "ballistic")
REP_UNITS = ("reps", "reps_per_side", "steps_each_way", "seconds_per_side", "seconds")
FIT_MATCHES = ("exact", "approximate")

REQUIRED_COLUMNS: tuple[str, ...] = (
    "id",
    "display_name",
    "ladder",
    "ladder_step",
    "role",
    "difficulty",
    "equipment",
    "load_type",
    "unilateral",
    "stimulus_family",
    "default_sets",
    "default_reps",
    "rep_unit",
    "fit_exercise_category",
    "fit_exercise_name",
    "fit_match",
)
"""Columns a user catalogue must have; every other column of the built-in file is optional."""

_WORD = re.compile(r"^[a-z][a-z0-9_]*$")
_CONNECT = re.compile(r"^_?[A-Z0-9][A-Z0-9_]*$")
_ALT = re.compile(r"([a-z_]+)/([a-z0-9_]+)\((\d+)\)")
_RANGE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+))?\s*$")


@dataclass(frozen=True, slots=True)
class Exercise:
    """One catalogue row."""

    id: str
    name: str
    ladder: str
    step: int
    role: str
    difficulty: int
    equipment: tuple[tuple[str, ...], ...]
    """All-needed items, each a tuple of alternatives; ``(("none",),)`` for no equipment."""
    load_type: str
    unilateral: bool
    family: str
    sets: tuple[int, int]
    reps: tuple[int, int]
    """Default rep range, or seconds for timed exercises."""
    rep_unit: str
    fit_category: str
    fit_name: str
    fit_match: str
    watch_title: str | None
    garmin_category: str
    garmin_exercise_name: str
    primary: tuple[str, ...] = ()
    secondary: tuple[str, ...] = ()
    stabilisers: tuple[str, ...] = ()
    tempo_notes: str = ""
    cautions: str = ""
    remove_if_pain: tuple[str, ...] = ()
    regression: str | None = None
    progression: str | None = None
    fit_alternatives: tuple[tuple[str, str], ...] = ()
    evidence: str = ""
    equipment_text: str = ""
    source: str = ""
    """``file:row`` the exercise was read from."""

    @property
    def timed(self) -> bool:
        """True when the dose is seconds (an isometric hold)."""
        return self.rep_unit.startswith("seconds")

    @property
    def per_side(self) -> bool:
        return self.rep_unit in ("reps_per_side", "seconds_per_side", "steps_each_way")

    @property
    def fit_pair(self) -> tuple[str, str]:
        return self.fit_category, self.fit_name

    @property
    def garmin_pair(self) -> tuple[str, str]:
        return self.garmin_category, self.garmin_exercise_name

    def needs(self, have: Iterable[str]) -> bool:
        """True when ``have`` (normalised equipment names) covers every item."""
        owned = set(have) | {"none"}
        return all(any(option in owned for option in item) for item in self.equipment)

    def options_used(self, have: Iterable[str]) -> tuple[str, ...]:
        """The first owned alternative of each item (what the athlete will actually use)."""
        owned = set(have) | {"none"}
        out = []
        for item in self.equipment:
            for option in item:
                if option in owned:
                    out.append(option)
                    break
        return tuple(o for o in out if o != "none")


@dataclass(frozen=True)
class Catalogue:
    """The exercises by id, with ladder lookups."""

    exercises: Mapping[str, Exercise]
    families: Mapping[str, str]
    """Stimulus family -> movement pattern (from ``strength-credits.csv``)."""
    files: tuple[str, ...] = ()

    def __getitem__(self, exercise_id: str) -> Exercise:
        return self.exercises[exercise_id]

    def __contains__(self, exercise_id: object) -> bool:
        return exercise_id in self.exercises

    def __iter__(self) -> Iterator[Exercise]:
        return iter(self.exercises.values())

    def __len__(self) -> int:
        return len(self.exercises)

    def pattern(self, exercise: Exercise) -> str:
        """The movement pattern an exercise's sets count toward."""
        return self.families.get(exercise.family, "other")

    def ladder(self, ladder: str) -> list[Exercise]:
        """Every exercise of a ladder, easiest first (mains before alternatives at a step)."""
        rows = [e for e in self.exercises.values() if e.ladder == ladder]
        return sorted(rows, key=lambda e: (e.step, ROLES.index(e.role), e.id))

    def ladders(self) -> list[str]:
        return sorted({e.ladder for e in self.exercises.values()})


# ---------------------------------------------------------------------------------------------
# FIT profile checks
# ---------------------------------------------------------------------------------------------


@cache
def _fit_categories() -> dict[str, int]:
    values = type_values("exercise_category") or {}
    return {name: num for num, name in values.items()}


@cache
def _fit_names(category: str) -> dict[str, int]:
    values = type_values(f"{category}_exercise_name") or {}
    return {name: num for num, name in values.items()}


def fit_pair_problem(category: str, name: str) -> str | None:
    """Why ``(category, name)`` is not a FIT profile exercise pair, or None when it is."""
    if category not in _fit_categories():
        return f"{category!r} is not a FIT exercise_category"
    names = _fit_names(category)
    if name not in names:
        return f"{name!r} is not a FIT {category}_exercise_name"
    return None


def fit_ids(category: str, name: str) -> tuple[int, int]:
    """FIT numbers of a valid pair."""
    return _fit_categories()[category], _fit_names(category)[name]


def connect_key(fit_name: str) -> str:
    """Garmin Connect key of a FIT name: upper case, a leading ``_`` before a digit."""
    key = fit_name.upper()
    return f"_{key}" if key[:1].isdigit() else key


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


class _RowReader:
    """Typed cell access that names file, row and column on error."""

    def __init__(self, row: Mapping[str, str | None], file: str, number: int) -> None:
        self.row = row
        self.file = file
        self.number = number

    def fail(self, column: str, why: str) -> DataFileError:
        return DataFileError(f"{self.file}: row {self.number}, column {column}: {why}")

    def cell(self, column: str, required: bool = True) -> str:
        value = (self.row.get(column) or "").strip()
        if required and not value:
            raise self.fail(column, "is empty")
        return value

    def word(self, column: str, choices: Sequence[str] | None = None) -> str:
        value = self.cell(column)
        if not _WORD.match(value):
            raise self.fail(column, f"{value!r} must be a lower-case name like 'sl_rdl'")
        if choices is not None and value not in choices:
            raise self.fail(column, f"{value!r} is not one of {', '.join(choices)}")
        return value

    def integer(self, column: str, lo: int, hi: int) -> int:
        value = self.cell(column)
        try:
            number = int(value)
        except ValueError:
            raise self.fail(column, f"{value!r} is not a whole number") from None
        if not lo <= number <= hi:
            raise self.fail(column, f"{number} is outside {lo}..{hi}")
        return number

    def int_range(self, column: str) -> tuple[int, int]:
        value = self.cell(column)
        m = _RANGE.match(value)
        if not m:
            raise self.fail(column, f"{value!r} must be a number or a range like 8-12")
        lo = int(m.group(1))
        hi = int(m.group(2) or lo)
        if not 1 <= lo <= hi:
            raise self.fail(column, f"{value!r} must be a rising range of positive numbers")
        return lo, hi

    def yes_no(self, column: str) -> bool:
        value = self.cell(column).lower()
        if value not in ("yes", "no"):
            raise self.fail(column, f"{value!r} must be yes or no")
        return value == "yes"

    def muscles(self, column: str) -> tuple[str, ...]:
        value = self.cell(column, required=False)
        groups = tuple(g.strip() for g in value.split(";") if g.strip())
        for g in groups:
            if g not in MUSCLE_GROUPS:
                raise self.fail(column, f"{g!r} is not a muscle group ({', '.join(MUSCLE_GROUPS)})")
        return groups

    def equipment(self, column: str) -> tuple[tuple[str, ...], ...]:
        value = self.cell(column)
        items = []
        for item in value.split(";"):
            options = tuple(o.strip() for o in item.split("|"))
            for o in options:
                if not _WORD.match(o):
                    raise self.fail(column, f"{o!r} is not an equipment name (see {value!r})")
            items.append(options)
        return tuple(items)


def _parse_rows(text: str, file: str, families: Mapping[str, str]) -> list[Exercise]:
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise DataFileError(f"{file}: row 1: missing column(s) {', '.join(missing)}")
    out = []
    for number, row in enumerate(reader, start=2):
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        out.append(_parse_row(_RowReader(row, file, number), families))
    return out


def _parse_row(r: _RowReader, families: Mapping[str, str]) -> Exercise:
    ex_id = r.word("id")
    family = r.word("stimulus_family")
    if family not in families:
        raise r.fail("stimulus_family", f"{family!r} is not a family of strength-credits.csv")
    category = r.cell("fit_exercise_category")
    name = r.cell("fit_exercise_name")
    problem = fit_pair_problem(category, name)
    if problem:
        column = "fit_exercise_category" if "exercise_category" in problem else "fit_exercise_name"
        raise r.fail(column, f"{problem} (FIT profile 21.218)")
    cat_id, name_id = fit_ids(category, name)
    for column, expected in (
        ("fit_exercise_category_id", cat_id),
        ("fit_exercise_name_id", name_id),
    ):
        given = r.cell(column, required=False)
        if given and given != str(expected):
            raise r.fail(column, f"{given} does not match the FIT profile ({expected})")
    fit_match = r.word("fit_match", FIT_MATCHES)
    watch_title = r.cell("watch_title", required=False) or None
    if fit_match == "approximate" and not watch_title:
        raise r.fail("watch_title", "is needed when fit_match is approximate")
    alternatives = []
    for cat, alt, num in _ALT.findall(r.cell("fit_alternatives", required=False)):
        problem = fit_pair_problem(cat, alt)
        if problem:
            raise r.fail("fit_alternatives", f"{cat}/{alt}: {problem}")
        if fit_ids(cat, alt)[1] != int(num):
            raise r.fail("fit_alternatives", f"{cat}/{alt}({num}): id is {fit_ids(cat, alt)[1]}")
        alternatives.append((cat, alt))
    g_cat = r.cell("garmin_category", required=False) or connect_key(category)
    g_name = r.cell("garmin_exercise_name", required=False) or connect_key(name)
    for column, value in (("garmin_category", g_cat), ("garmin_exercise_name", g_name)):
        if not _CONNECT.match(value):
            raise r.fail(column, f"{value!r} must be an upper-case Garmin Connect key")
    step = r.integer("ladder_step", 1, 50)
    rep_unit = r.word("rep_unit", REP_UNITS)
    return Exercise(
        id=ex_id,
        name=r.cell("display_name"),
        ladder=r.word("ladder"),
        step=step,
        role=r.word("role", ROLES),
        difficulty=r.integer("difficulty", 1, 10),
        equipment=r.equipment("equipment"),
        equipment_text=r.cell("equipment"),
        load_type=r.word("load_type", LOAD_TYPES),
        unilateral=r.yes_no("unilateral"),
        family=family,
        sets=r.int_range("default_sets"),
        reps=r.int_range("default_reps"),
        rep_unit=rep_unit,
        fit_category=category,
        fit_name=name,
        fit_match=fit_match,
        watch_title=watch_title,
        garmin_category=g_cat,
        garmin_exercise_name=g_name,
        primary=r.muscles("primary"),
        secondary=r.muscles("secondary"),
        stabilisers=r.muscles("stabilisers"),
        tempo_notes=r.cell("tempo_notes", required=False),
        cautions=r.cell("cautions", required=False),
        remove_if_pain=tuple(
            w.strip() for w in r.cell("remove_if_pain", required=False).split(";") if w.strip()
        ),
        regression=r.cell("regression", required=False) or None,
        progression=r.cell("progression", required=False) or None,
        fit_alternatives=tuple(alternatives),
        evidence=r.cell("evidence", required=False),
        source=f"{r.file}:{r.number}",
    )


def _default_families() -> dict[str, str]:
    from chainfix.analysis.tables import load_model

    return {f.family: f.pattern for f in load_model().families.values()}


def load_catalogue(
    extra: Sequence[Path] = (),
    *,
    include_user: bool = True,
    families: Mapping[str, str] | None = None,
) -> Catalogue:
    """The built-in catalogue, then ``<user dir>/exercises.csv``, then each ``extra`` file.

    A later row with the same id replaces an earlier one. ``families`` maps stimulus family to
    pattern; by default it is read from the analysis tables (``strength-credits.csv``).
    """
    fams = dict(families) if families is not None else _default_families()
    built_in = (f"chainfix/data/{CATALOGUE_FILE}", data_text(CATALOGUE_FILE))
    sources: list[tuple[str, str]] = [built_in]
    paths: list[Path] = []
    if include_user:
        user_file = override_file(CATALOGUE_FILE)
        if user_file.is_file():
            paths.append(user_file)
    paths.extend(Path(p) for p in extra)
    for path in paths:
        try:
            sources.append((str(path), path.read_text("utf-8-sig")))
        except (OSError, UnicodeDecodeError) as exc:
            raise DataFileError(f"{path}: cannot read: {exc}") from exc
    exercises: dict[str, Exercise] = {}
    for file, text in sources:
        for exercise in _parse_rows(text, file, fams):
            exercises[exercise.id] = exercise
    for e in exercises.values():
        for column, ref in (("regression", e.regression), ("progression", e.progression)):
            if ref and ref not in exercises:
                file, _, row = e.source.rpartition(":")
                raise DataFileError(f"{file}: row {row}, column {column}: unknown exercise {ref!r}")
    return Catalogue(exercises=exercises, families=fams, files=tuple(f for f, _ in sources))
