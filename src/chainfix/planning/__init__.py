"""Planning: exercise catalogue, athlete profile, self-tests, plan generation and reconciliation.

```python
from chainfix.planning import make_plan, AthleteProfile
from chainfix.planning.reconcile import reconcile
plan = make_plan(history, priorities, AthleteProfile(level="beginner"), date(2026, 12, 1))
plan = reconcile(plan, newer_history)
```

Every rule number and threshold lives in ``chainfix/data/dosing.toml`` and
``chainfix/data/assessment.toml`` (with sources); the exercises in ``chainfix/data/exercises.csv``;
the weekly hard-set targets in ``weekly-targets.csv`` (shared with the analysis).
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chainfix.planning.assessment import (
        Assessment,
        SelfTestResults,
        evaluate,
        latest_assessment,
        save_results,
    )
    from chainfix.planning.assessment_rules import load_assessment_rules
    from chainfix.planning.catalogue import Catalogue, Exercise, load_catalogue
    from chainfix.planning.checkin import CheckIn, load_checkins, save_checkin
    from chainfix.planning.dosing import Dosing, load_dosing
    from chainfix.planning.generator import first_exercises, make_plan
    from chainfix.planning.ics import plan_to_ics
    from chainfix.planning.profile import AthleteProfile, Race, load_profile, save_profile
    from chainfix.planning.state import (
        PlannedStep,
        StepOutcome,
        TrackedPlan,
        WorkoutRecord,
        load_plan,
        plan_to_dict,
        save_plan,
    )

_EXPORTS: dict[str, str] = {
    "Assessment": "chainfix.planning.assessment",
    "AthleteProfile": "chainfix.planning.profile",
    "Catalogue": "chainfix.planning.catalogue",
    "CheckIn": "chainfix.planning.checkin",
    "Dosing": "chainfix.planning.dosing",
    "Exercise": "chainfix.planning.catalogue",
    "PlannedStep": "chainfix.planning.state",
    "Race": "chainfix.planning.profile",
    "SelfTestResults": "chainfix.planning.assessment",
    "StepOutcome": "chainfix.planning.state",
    "TrackedPlan": "chainfix.planning.state",
    "WorkoutRecord": "chainfix.planning.state",
    "evaluate": "chainfix.planning.assessment",
    "latest_assessment": "chainfix.planning.assessment",
    "load_assessment_rules": "chainfix.planning.assessment_rules",
    "load_catalogue": "chainfix.planning.catalogue",
    "load_checkins": "chainfix.planning.checkin",
    "load_dosing": "chainfix.planning.dosing",
    "load_plan": "chainfix.planning.state",
    "load_profile": "chainfix.planning.profile",
    "first_exercises": "chainfix.planning.generator",
    "make_plan": "chainfix.planning.generator",
    "plan_to_dict": "chainfix.planning.state",
    "plan_to_ics": "chainfix.planning.ics",
    "save_checkin": "chainfix.planning.checkin",
    "save_plan": "chainfix.planning.state",
    "save_profile": "chainfix.planning.profile",
    "save_results": "chainfix.planning.assessment",
}
"""Public name -> its module; loaded on first use, so importing one planning module does not
load the whole planner (``chainfix --help`` stays fast). ``reconcile`` is imported from its
module, ``chainfix.planning.reconcile``, whose name it shares."""

__all__ = [
    "CheckIn",
    "load_checkins",
    "save_checkin",
    "Assessment",
    "AthleteProfile",
    "Catalogue",
    "Dosing",
    "Exercise",
    "PlannedStep",
    "Race",
    "SelfTestResults",
    "StepOutcome",
    "TrackedPlan",
    "WorkoutRecord",
    "evaluate",
    "first_exercises",
    "latest_assessment",
    "load_assessment_rules",
    "load_catalogue",
    "load_dosing",
    "load_plan",
    "load_profile",
    "make_plan",
    "plan_to_dict",
    "plan_to_ics",
    "save_plan",
    "save_profile",
    "save_results",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'chainfix.planning' has no attribute {name!r}")
