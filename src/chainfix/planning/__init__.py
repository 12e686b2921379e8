"""Planning: exercise catalogue, athlete profile, self-tests, plan generation and reconciliation.

```python
from chainfix.planning import make_plan, reconcile, AthleteProfile
plan = make_plan(history, priorities, AthleteProfile(level="beginner"), date(2026, 12, 1))
plan = reconcile(plan, newer_history)
```

Every rule number and threshold lives in ``chainfix/data/dosing.toml`` and
``chainfix/data/assessment.toml`` (with sources); the exercises in ``chainfix/data/exercises.csv``;
the weekly hard-set targets in ``weekly-targets.csv`` (shared with the analysis).
"""

from chainfix.planning.assessment import (
    Assessment,
    SelfTestResults,
    evaluate,
    latest_assessment,
    save_results,
)
from chainfix.planning.catalogue import Catalogue, Exercise, load_catalogue
from chainfix.planning.checkin import CheckIn, load_checkins, save_checkin
from chainfix.planning.generator import make_plan
from chainfix.planning.ics import plan_to_ics
from chainfix.planning.profile import AthleteProfile, Race, load_profile, save_profile
from chainfix.planning.reconcile import reconcile
from chainfix.planning.rules import Dosing, load_assessment_rules, load_dosing
from chainfix.planning.state import (
    PlannedStep,
    StepOutcome,
    TrackedPlan,
    WorkoutRecord,
    load_plan,
    plan_to_dict,
    save_plan,
)

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
    "latest_assessment",
    "load_assessment_rules",
    "load_catalogue",
    "load_dosing",
    "load_plan",
    "load_profile",
    "make_plan",
    "plan_to_dict",
    "plan_to_ics",
    "reconcile",
    "save_plan",
    "save_profile",
    "save_results",
]
