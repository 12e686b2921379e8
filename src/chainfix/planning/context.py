"""The planning context: every decision about the athlete that the weeks of a plan share.

Built once from the history, profile, priorities and self-tests (:func:`build_context`), stored with
the plan as plain data, and read back by :func:`~chainfix.planning.reconcile`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chainfix.analysis.level import athlete_level
from chainfix.model import LEVELS, MUSCLE_GROUPS, Activity, History
from chainfix.planning.addon import add_on
from chainfix.planning.catalogue import Catalogue
from chainfix.planning.checkin import CheckIn, checkin_effect
from chainfix.planning.dosing import Dosing
from chainfix.planning.feasibility import (
    feasible,
    loadable,
    start_rung,
    start_steps,
)
from chainfix.planning.history import (
    LoadEvidence,
    TrainingPattern,
    eccentric_block_until,
    forward_posture,
    read_loads,
    read_pattern,
    running_share,
)
from chainfix.planning.profile import AthleteProfile, Race, normalise_equipment
from chainfix.planning.week_shape import deload_weeks_from_running, sessions_per_week

if TYPE_CHECKING:  # loaded only when there are self-test results (see chainfix.app)
    from chainfix.planning.assessment import Assessment


@dataclass(frozen=True)
class PlanContext:
    """What every week of a plan shares. JSON-able through :meth:`to_dict`."""

    level: str
    level_reason: str
    phase: str
    focus: bool
    """R16 strength focus: the whole series with weights 3-4 times a week."""
    sessions: int
    """Target sessions a week (after the beginner ramp)."""
    equipment: tuple[str, ...]
    """Usable equipment: the athlete's plus what everyone has (beginners: no barbell)."""
    pain: tuple[str, ...]
    flags: tuple[str, ...]
    """Pattern flags: ``hip_abduction`` (R3), ``trunk`` (failed Sørensen hold)."""
    long_run_weekday: int | None
    hard_weekdays: tuple[int, ...]
    days: tuple[int, ...]
    races: tuple[tuple[str, str], ...]
    """(ISO date, priority) pairs."""
    targets: Mapping[str, int]
    """Weekly hard sets per pattern after the ramp."""
    minimums: Mapping[str, int]
    pattern_priority: Mapping[str, float]
    start_rungs: Mapping[str, str]
    """Ladder -> starting exercise id."""
    loaded: tuple[str, ...]
    """Bodyweight-or-loaded exercises prescribed with weight from the start (strength focus)."""
    loads_by_pair: Mapping[str, float]
    loads_by_family: Mapping[str, float]
    side_extra: Mapping[str, str]
    """Ladder -> weaker side that gets an extra set."""
    extra_sets: int = 1
    eccentric_blocked_until: str | None = None
    """ISO date: no eccentric work up to and including it (R13)."""
    catalogue_files: tuple[str, ...] = ()
    retest_on: str | None = None
    notes: tuple[str, ...] = field(default=())
    addon: bool = False
    """The athlete already lifts: sessions are add-ons to their own (on their lifting days)."""
    covered: tuple[str, ...] = ()
    """Patterns the athlete's own lifting already covers (left out of an add-on plan)."""
    deload_weeks: tuple[int, ...] = ()
    """Plan weeks that deload, when the runner's own cutback weeks place them (R12); empty:
    every ``deload.every_weeks``-th week."""
    long_run_descent_m: float = 0.0
    """The usual descent of the long run, projected onto the coming long runs (R13)."""
    near_tie: bool = False
    """Calves, hamstrings and glute max are the top three and within the tie margin (section 2
    stability ruling): the plan opens with one calf and one hip-extension move."""

    @property
    def in_season(self) -> bool:
        return self.phase == "race"

    def race_list(self) -> list[Race]:
        return [Race(date=date.fromisoformat(d), priority=p) for d, p in self.races]

    def pattern(self) -> TrainingPattern:
        return TrainingPattern(
            long_run_weekday=self.long_run_weekday, hard_weekdays=frozenset(self.hard_weekdays)
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, tuple):
                data[key] = [list(v) if isinstance(v, tuple) else v for v in value]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlanContext:
        values = dict(data)
        for key in (
            "equipment",
            "pain",
            "flags",
            "hard_weekdays",
            "days",
            "loaded",
            "deload_weeks",
            "covered",
        ):
            values[key] = tuple(values.get(key, ()))
        for key in ("catalogue_files", "notes"):
            values[key] = tuple(values.get(key, ()))
        values["races"] = tuple((str(d), str(p)) for d, p in values.get("races", ()))
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in values.items() if k in known})


# ---------------------------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------------------------


def _weekly_targets(
    level: str, phase: str, flags: Sequence[str], model: Any, patterns: Sequence[str]
) -> dict[str, tuple[int, int]]:
    """(minimum, weekly target) per pattern from weekly-targets.csv (the analysis tables)."""
    out: dict[str, tuple[int, int]] = {}
    for name in patterns:
        found = model.target("pattern", name, level, phase=phase, flags=flags)
        if found is not None:
            minimum, weekly = found
            out[name] = (math.ceil(minimum), math.ceil(weekly))
    return out


def history_as_of(history: History | Iterable[Activity], start: date) -> date:
    """The day after the last activity, or ``start`` when the history reaches it.

    An old export still gives its athlete's level and weekly pattern, read as of its end.
    """
    last = max((a.local_date for a in history), default=None)
    if last is None:
        return start
    return min(start, last + timedelta(days=1))


def _calf_load_from_running(pattern: TrainingPattern, model: Any) -> float:
    """Weekly calf load estimated from running hours, when the analysis gives none."""
    _, rows = model.exposure_rows("running", "generic")
    base = rows.get("base")
    coefficient = base.coefficients[MUSCLE_GROUPS.index("calves")] if base else 0.0
    return float(pattern.running_hours_per_week * 60 * coefficient)


def build_context(
    history: History,
    priorities: Mapping[str, float],
    profile: AthleteProfile,
    start: date,
    assessment: Assessment | None,
    catalogue: Catalogue,
    dosing: Dosing,
    model: Any,
    catalogue_files: Sequence[Path] = (),
    analysis_level: tuple[str, str] | None = None,
    calf_load_per_week: float | None = None,
    descent_week: tuple[date, float, float] | None = None,
    pattern_sets: Mapping[str, float] | None = None,
    checkins: Sequence[CheckIn] = (),
    checkins_as_of: date | None = None,
) -> PlanContext:
    """Decide level, phase, sessions, calendar, targets, starting rungs and loads.

    ``analysis_level`` is ``(level, reason)`` from the analysis; without it the same R1 function
    (:func:`chainfix.analysis.level.athlete_level`) is run here. ``calf_load_per_week`` is the
    analysis's weekly calf exposure (else estimated from the running hours); ``descent_week`` its
    latest descent-heavy week (Monday, EQU, baseline), which keeps eccentric work out of the first
    plan week when it is the week just before the plan (R13); ``pattern_sets`` the analysis's
    logged hard sets a week per pattern (an athlete who already lifts gets add-ons);
    ``checkins`` the pain and soreness check-ins (R15: recent pain steps the area down), those
    of the days before ``checkins_as_of`` (default ``start``; a plan rebuilt mid-way reads the
    check-ins before the rebuild).
    """
    notes: list[str] = []
    as_of = history_as_of(history, start)
    if as_of < start - timedelta(weeks=4):
        notes.append(
            f"Your history ends on {as_of - timedelta(days=1):%d %b %Y}: your level and your "
            "weekly running pattern are read from the weeks before that date."
        )
    if profile.level:
        level = profile.level
        reason = f"Level {level}, as you set it (profile or --level)."
    elif analysis_level is not None:
        level, reason = analysis_level
    else:
        derived = athlete_level(model, history.activities, as_of)
        level, reason = derived.name, derived.reason
    if assessment is not None and assessment.bridge_failed:
        notes.append(
            "The single-leg glute bridge self-test was not steady: bridges and knee-flexion work "
            "start from the first step; your level and your other exercises stay as they are."
        )
    phase = profile.phase
    pattern = read_pattern(history, as_of, dosing)

    # Equipment and pain.
    equipment = list(
        normalise_equipment(
            profile.equipment, dosing.equipment_aliases, dosing.equipment_gym, known=None
        )
    )
    for item in dosing.equipment_always:
        if item not in equipment:
            equipment.append(item)
    if level == "beginner":
        equipment = [e for e in equipment if e not in dosing.equipment_barbell]
    effect = checkin_effect(checkins, checkins_as_of or start, dosing)
    pain = tuple(
        dict.fromkeys(p for p in (*profile.pain, *effect.pain_flags) if p in dosing.pain_flags)
    )
    flags: list[str] = []
    if set(pain) & set(dosing.pain_flag_hip_abduction):
        flags.append("hip_abduction")
    if assessment is not None:
        for flag in assessment.flags:
            if flag not in flags:
                flags.append(flag)
        if "back_extension" in assessment.low_ladders:
            flags.append("trunk")
    for flag in pain:
        notes.append(dosing.pain_notes[flag])
    if forward_posture(history, as_of, dosing):
        flags.append("forward_posture")
        notes.append(
            "Boxing-type sports make up much of your training and pull you into a forward "
            "posture: an upper-back pull and a hip-extension move are in every week from the "
            "first."
        )
    sitting_h = profile.sitting_hours
    threshold = model.number("sitting_hours_threshold")
    if sitting_h is not None and threshold > 0 and sitting_h >= threshold:
        flags.append("sitting")
        notes.append(
            f"You sit about {sitting_h:g} h a day, which the article chainfix grew from links to "
            "a weaker posterior chain: an upper-back pull and a hip-extension move are in every "
            "week from the first."
        )
    blocked, blocked_why = eccentric_block_until(history, start, dosing)
    if blocked_why:
        notes.append(blocked_why)
    if descent_week is not None and 0 <= (start - descent_week[0]).days <= 13:
        monday, equ, baseline = descent_week
        week_end = start + timedelta(days=6)
        if blocked is None or week_end > blocked:
            blocked = week_end
        times = f"{equ / baseline:.1f} times your recent average" if baseline > 0 else "far above"
        notes.append(
            f"The week of {monday:%d %b} had {equ:.0f} eccentric quad units of descent, {times}: "
            "no Nordic or other heavy eccentric work in the first week of this plan, while your "
            "quads and hamstrings recover."
        )

    # Sessions (R2, R16).
    sessions, focus = sessions_per_week(
        level, phase, profile.sessions_per_week, pattern, dosing, notes
    )

    # Priorities per pattern, raised by low self-test scores.
    group_priority = {k: max(0.0, min(1.0, float(v))) for k, v in priorities.items()}
    if assessment is not None:
        low_groups = {
            group
            for ladder in assessment.low_ladders
            for rule in dosing.patterns.values()
            if ladder in rule.ladders
            for group in rule.groups
        }
        for group in low_groups & set(group_priority):
            group_priority[group] = min(1.0, group_priority[group] * assessment.priority_factor)
    pattern_priority = {
        name: max((group_priority.get(g, 0.0) for g in rule.groups), default=0.0)
        for name, rule in dosing.patterns.items()
    }

    # Weekly targets (R6) from weekly-targets.csv, raised toward development by priority.
    target_phase = "race" if phase == "race" else "base"
    wanted = ["hinge_hip_extension", "knee_flexion", "calves", "upper_back_pull"]
    if "hip_abduction" in flags:
        wanted.append("hip_abduction")
    found = _weekly_targets(level, target_phase, flags, model, wanted)
    targets: dict[str, int] = {}
    minimums: dict[str, int] = {}
    for name, (minimum, weekly) in found.items():
        minimums[name] = minimum
        share = 1.0 if focus else pattern_priority.get(name, 0.0)
        targets[name] = max(minimum, round(minimum + (weekly - minimum) * share))
    if focus:
        for name, sets in dosing.full_series_extra.items():
            targets[name] = max(targets.get(name, 0), sets)
            minimums.setdefault(name, 0)
    if "trunk" in flags:
        targets.setdefault("trunk", dosing.dose[level].sets[0])
        minimums.setdefault("trunk", 0)

    # Already lifting (twice a week or more): add-ons to their own sessions.
    days = tuple(sorted(profile.weekday_numbers()))
    addon = None
    if pattern_sets is not None and level != "beginner" and not focus:
        addon = add_on(
            history, as_of, dosing, model, level, pattern_sets, targets, pattern_priority
        )
    covered: tuple[str, ...] = ()
    if addon is not None:
        covered, targets = addon.covered, addon.targets
        minimums.update(dict.fromkeys((*addon.covered, *addon.targets, *addon.left_out), 0))
        if addon.lifting_days and not profile.days:
            days = addon.lifting_days
        sessions = min(sessions, max(1, len(addon.lifting_days)))
        notes.append(addon.note)

    # Starting rungs: level default, then the self-test, then what the history shows.
    if calf_load_per_week is None:
        calf_load_per_week = _calf_load_from_running(pattern, model)
    steps = start_steps(
        level, history, start, catalogue, dosing, model, calf_load_per_week, assessment, notes
    )
    ctx_probe = PlanContext(
        level=level,
        level_reason=reason,
        phase=phase,
        focus=focus,
        sessions=sessions,
        equipment=tuple(equipment),
        pain=pain,
        flags=tuple(flags),
        long_run_weekday=pattern.long_run_weekday,
        hard_weekdays=tuple(sorted(pattern.hard_weekdays)),
        days=days,
        races=tuple((r.date.isoformat(), r.priority) for r in profile.races),
        targets=targets,
        minimums=minimums,
        pattern_priority=pattern_priority,
        start_rungs={},
        loaded=(),
        loads_by_pair={},
        loads_by_family={},
        side_extra={},
    )
    notes.extend(effect.notes)
    rungs: dict[str, str] = {}
    for ladder in catalogue.ladders():
        chosen = start_rung(catalogue.ladder(ladder), steps.get(ladder, 1), ctx_probe, dosing)
        if chosen is not None:
            rungs[ladder] = chosen.id
    for ladder, down in effect.step_down.items():  # R15: a painful area starts a rung lower
        current = rungs.get(ladder)
        if current is None or current not in catalogue:
            continue
        step = catalogue[current].step
        lower = start_rung(catalogue.ladder(ladder), step - down, ctx_probe, dosing)
        if lower is not None and lower.step < step:
            rungs[ladder] = lower.id
    loaded: tuple[str, ...] = ()
    if focus:
        loaded = tuple(
            e.id
            for e in catalogue
            if loadable(e, ctx_probe, dosing) and feasible(e, ctx_probe, dosing)
        )

    family_of: dict[tuple[str, str], str] = {}
    for e in catalogue:
        family_of.setdefault(e.fit_pair, e.family)
        for pair in e.fit_alternatives:
            family_of.setdefault(pair, e.family)
    evidence: LoadEvidence = read_loads(history, start, dosing, family_of)
    side_extra: dict[str, str] = {}
    if assessment is not None:
        for side_flag in assessment.side_flags:
            side_extra[side_flag.ladder] = side_flag.weaker
    retest = None
    if assessment is not None:
        retest = assessment.retest_on.isoformat()
        if assessment.retest_on < start:
            notes.append(
                f"Your last self-tests are from {assessment.date.isoformat()}: time to retest "
                f"(`chainfix assess`)."
            )
    deload_weeks = deload_weeks_from_running(history, as_of, start, dosing, notes)
    notes = [*pattern.explanations, *notes]
    tier = ("calves", "hamstrings", "glute_max")
    ranked = sorted(group_priority.items(), key=lambda kv: -kv[1])
    margin = model.number("tie_margin") if "tie_margin" in model.rules else 0.1
    near_tie = (
        running_share(history, as_of, dosing) >= dosing.tie_min_running_share
        and len(ranked) >= 3
        and {g for g, _ in ranked[:3]} == set(tier)
        and ranked[0][1] - ranked[2][1] <= margin
        and ranked[0][1] > 0
    )
    return replace(
        ctx_probe,
        near_tie=near_tie,
        long_run_descent_m=pattern.long_run_descent_m,
        deload_weeks=deload_weeks,
        addon=addon is not None,
        covered=covered,
        start_rungs=rungs,
        loaded=loaded,
        loads_by_pair=dict(evidence.by_pair),
        loads_by_family=dict(evidence.by_family),
        side_extra=side_extra,
        extra_sets=assessment.extra_sets if assessment is not None else 1,
        eccentric_blocked_until=blocked.isoformat() if blocked else None,
        catalogue_files=tuple(str(p) for p in catalogue_files),
        retest_on=retest,
        notes=tuple(notes),
    )


__all__ = [
    "LEVELS",
    "PlanContext",
    "build_context",
]
