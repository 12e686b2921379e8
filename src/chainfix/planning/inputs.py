"""What a plan was built from: fingerprints of its inputs, stored with it.

The history (every fact a plan reads from each activity, not where it was read from), the athlete
profile, the latest self-tests, the pain and soreness check-ins and the model (the analysis tables
and a coach's planning files, with chainfix's version). When one changes, ``plan`` and ``sync``
rebuild the weeks still to come (:mod:`chainfix.app`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import Field, dataclass, fields, replace
from datetime import date
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chainfix import __version__
from chainfix.model import Activity, ExerciseSummary, History, Lap, StrengthSet
from chainfix.paths import override_file

if TYPE_CHECKING:
    from chainfix.analysis import Analysis
    from chainfix.planning.assessment import Assessment
    from chainfix.planning.checkin import CheckIn
    from chainfix.planning.profile import AthleteProfile
    from chainfix.planning.state import TrackedPlan

INPUT_NAMES = ("history", "profile", "assessment", "checkins", "model")
PLANNING_OVERRIDES = ("dosing.toml", "assessment.toml", "exercises.csv")
"""A coach's files in the user folder that change what a plan holds (besides the analysis
tables, which the analysis lists)."""
INPUT_WORDS = {
    "history": "history",
    "profile": "profile",
    "assessment": "self-tests",
    "checkins": "check-ins",
    "model": "model",
}
"""What a plan is built from, and how a sentence names each."""


@dataclass(frozen=True, slots=True)
class PlanInputs:
    """Fingerprints of what a plan was built from, stored with it."""

    history: str
    profile: str
    assessment: str
    checkins: str
    model: str

    def changed(self, other: PlanInputs) -> list[str]:
        """The names of the inputs that differ, in a fixed order."""
        return [n for n in INPUT_NAMES if getattr(self, n) != getattr(other, n)]


def plan_inputs(
    history: History,
    profile: AthleteProfile,
    assessment: Assessment | None,
    analysis: Analysis,
    checkins: Sequence[CheckIn] = (),
) -> PlanInputs:
    """The fingerprints of a plan's inputs."""
    from chainfix.planning.assessment import results_to_dict
    from chainfix.planning.checkin import to_dict as checkin_to_dict
    from chainfix.planning.profile import profile_to_dict

    results = results_to_dict(assessment.results) if assessment is not None else None
    model = [__version__]
    for item in analysis.model.files:
        if item.origin != "built-in":
            model.append(file_digest(Path(item.path)))
    for name in PLANNING_OVERRIDES:  # a coach's rules and exercises are part of the model too
        path = override_file(name)
        if path.is_file():  # absent: the fingerprint of a plan made before these counted
            model.append(f"{name}:{file_digest(path)}")
    return PlanInputs(
        history=history_digest(history),
        profile=digest(profile_to_dict(profile)),
        assessment=digest(results),
        checkins=digest([checkin_to_dict(c) for c in checkins]),
        model=digest(model),
    )


WHERE_FROM = frozenset({"source", "origin", "device"})
"""Where an activity was read from: the same history read from another place is the same."""

_READ = [f for f in fields(Activity) if f.init and f.name not in WHERE_FROM]
"""Fields given when an activity is made (derived ones, such as its local date, follow)."""
NESTED = tuple(f.name for f in _READ if str(f.type).startswith("tuple["))
"""Sets, logged exercise summaries and laps: the nested records of an activity."""
_HASHABLE = re.compile(r"(int|float|bool|datetime|None|[ |])+")
"""Annotations whose values hash the same in every process (Python 3.12+, aware datetimes)."""


def _hashable(f: Field[Any]) -> bool:
    return _HASHABLE.fullmatch(str(f.type)) is not None


NUMBER_FIELDS = tuple(f.name for f in _READ if f.name not in NESTED and _hashable(f))
"""Numbers, flags and the (aware, UTC) start, folded with :func:`hash`: the same in every process
since Python 3.12 (an aware datetime hashes by its UTC instant; text, a date or a naive time would
not)."""
WORD_FIELDS = tuple(f.name for f in _READ if f.name not in NESTED + NUMBER_FIELDS)
"""Everything else (text, mostly), kept as its repr."""
WORDS = attrgetter(*WORD_FIELDS)
NUMBERS = attrgetter(*NUMBER_FIELDS)
LAP_FIELDS = tuple(f.name for f in fields(Lap))
LAP = attrgetter(*LAP_FIELDS)
SET_NUMBERS = attrgetter(*(f.name for f in fields(StrengthSet) if _hashable(f)))
SET_TEXT = attrgetter(*(f.name for f in fields(StrengthSet) if not _hashable(f)))
"""A set's numbers and (UTC) start, hashed like an activity's; the rest kept as its repr."""
SUMMARY = attrgetter(*(f.name for f in fields(ExerciseSummary)))


def history_digest(history: History) -> str:
    """A fingerprint of the history as a plan reads it.

    Text is kept as text; numbers, aware times and laps are folded with :func:`hash`, which is
    the same in every process for them (text hashes differently per process). Sets are split the
    same way; exercise summaries (rare) are kept as the repr of their values.
    """
    rows = [
        (
            WORDS(a),
            hash(NUMBERS(a)),
            hash(tuple(map(LAP, a.laps))),
            repr(tuple(map(SET_TEXT, a.sets))) if a.sets else "",
            hash(tuple(map(SET_NUMBERS, a.sets))),
            repr(tuple(map(SUMMARY, a.summary_sets))) if a.summary_sets else "",
        )
        for a in history.activities
    ]
    return hashlib.sha256(repr(rows).encode("utf-8")).hexdigest()[:16]


def digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError:
        return "unreadable"


def with_inputs(plan: TrackedPlan, inputs: PlanInputs, day: date) -> TrackedPlan:
    """``plan`` with its input fingerprints and the day they were taken in its state."""
    assert plan.state is not None
    context = {
        **plan.state.context,
        "inputs": {name: getattr(inputs, name) for name in INPUT_NAMES},
        "inputs_on": day.isoformat(),
    }
    return replace(plan, state=replace(plan.state, context=context))


def stored_inputs(plan: TrackedPlan) -> PlanInputs | None:
    assert plan.state is not None
    raw = plan.state.context.get("inputs")
    if not isinstance(raw, dict):
        return None
    try:
        return PlanInputs(**{k: str(raw[k]) for k in INPUT_NAMES})
    except KeyError:
        return None
