"""What a plan was built from: fingerprints of its inputs, stored with it.

The history (every fact a plan reads from each activity, not where it was read from), the athlete
profile, the latest self-tests, the pain and soreness check-ins and the model (the analysis tables
and a coach's planning files, with chainfix's version). When one changes, ``plan`` and ``sync``
rebuild the weeks still to come (:mod:`chainfix.app`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chainfix import __version__
from chainfix.fingerprint import history_digest
from chainfix.model import History
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
    from chainfix.planning.profile import profile_to_dict

    results = None
    if assessment is not None:  # the self-tests' module loads only when there are some
        from chainfix.planning.assessment import results_to_dict

        results = results_to_dict(assessment.results)
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
        checkins=digest(_checkins_json(checkins)),
        model=digest(model),
    )


def _checkins_json(checkins: Sequence[CheckIn]) -> list[dict[str, Any]]:
    if not checkins:  # their module loads only when there are some
        return []
    from chainfix.planning.checkin import to_dict

    return [to_dict(c) for c in checkins]


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
