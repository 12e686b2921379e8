"""Plan generation: weeks of posterior-chain strength sessions around the athlete's running.

:func:`make_plan` decides the context once (:mod:`chainfix.planning.context`), lays out the weeks
(:func:`build_sessions`: days by :mod:`~chainfix.planning.schedule`, patterns and sets per
session by R2, R3, R6 and the beginner ramp) and then prescribes every session from the
progression state (:func:`prescribe`), moving the state on at the end of each week. Reconciling a
plan with newer history (:mod:`~chainfix.planning.reconcile`) runs :func:`prescribe` again with
the recorded outcomes.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from chainfix.errors import UsageError
from chainfix.model import History, Plan, Workout
from chainfix.planning.assessment import Assessment
from chainfix.planning.catalogue import Catalogue, Exercise, load_catalogue
from chainfix.planning.checkin import CheckIn, load_checkins
from chainfix.planning.context import PlanContext, build_context, is_bodyweight
from chainfix.planning.profile import AthleteProfile
from chainfix.planning.progression import Progression
from chainfix.planning.rules import Dosing, RampWeek, load_dosing
from chainfix.planning.schedule import Calendar
from chainfix.planning.state import (
    PlannedStep,
    PlanState,
    StepOutcome,
    TrackedPlan,
    WorkoutRecord,
)

LETTERS = "abcdefg"
UPPER_PATTERNS = frozenset({"upper_back_pull", "trunk"})
"""Patterns that are not lower-body work (R9: may go on an easy day)."""
_AUTO_NOTES = ("After your hard run", "Deload week", "Light taper session", "Race in ")
"""Workout notes the builder writes itself (dropped and rewritten when a plan is re-prescribed)."""


@dataclass
class SlotPlan:
    """One exercise slot of a session before an exercise is chosen."""

    pattern: str
    ladder: str
    variant: str = "main"
    sets: int = 3


@dataclass
class SessionPlan:
    """A dated session: kind and slots; exercises come from the progression state."""

    key: str
    day: date
    week: int
    letter: str
    kind: str
    slots: list[SlotPlan]
    eccentric_ok: bool = True
    ramp: RampWeek | None = None
    upper_only: bool = False
    after_hard_run: bool = False
    days_to_race: int | None = None
    notes: list[str] = field(default_factory=list)


def is_deload_week(week: int, ctx: PlanContext, dosing: Dosing) -> bool:
    """R12: the runner's own cutback weeks when the history shows a cycle, else every 4th."""
    if ctx.deload_weeks:
        return week in ctx.deload_weeks
    return week % dosing.deload_every == 0


def workout_key(day: date, letter: str) -> str:
    return f"{day.isoformat()}-posterior-chain-{letter}"


# ---------------------------------------------------------------------------------------------
# Allocation: which patterns and sets go into each session of a week
# ---------------------------------------------------------------------------------------------


def _ladders(pattern: str, ctx: PlanContext, cat: Catalogue, dosing: Dosing) -> list[str]:
    rule = dosing.patterns.get(pattern)
    if rule is None:
        return []
    names = rule.beginner_ladders if ctx.level == "beginner" else rule.ladders
    out = []
    for ladder in names:
        rung = ctx.start_rungs.get(ladder)
        if rung and rung in cat and cat.pattern(cat[rung]) == pattern:
            out.append(ladder)
    if not out and pattern == "trunk":
        out = [ladder for ladder in names if ctx.start_rungs.get(ladder)]
    return out


def _priority_order(patterns: Sequence[str], ctx: PlanContext) -> list[str]:
    return sorted(
        patterns, key=lambda p: (-ctx.pattern_priority.get(p, 0.0), list(patterns).index(p))
    )


POSTURE_FLAGS = ("forward_posture", "sitting")
"""Section 8 flags that put an upper-back pull and a hip-extension move in every week."""


def _ramp_patterns(
    ctx: PlanContext,
    cat: Catalogue,
    dosing: Dosing,
    moves: int,
    week_index: int,
    session: int = 0,
    n_sessions: int = 1,
) -> list[str]:
    """The beginner's ``moves`` patterns in ramp week ``week_index`` (0 = the first week).

    Week 1 repeats the same one or two moves (learning them). From week 2 the free slots rotate in
    priority order across the week's sessions (or week by week with one session a week), so hinge,
    knee flexion and calves all come round (R3) and the top priority comes most. Kept: for long
    sitting or boxing-type sports an upper-back pull and a hip-extension move (section 8). When
    the runner's top three groups are within the tie margin, the plan opens with one calf and
    one hip-extension move.
    """
    usable = [p for p in dosing.ramp_patterns if _ladders(p, ctx, cat, dosing)]
    order = _priority_order(usable, ctx)
    if ctx.near_tie:
        opening = [p for p in ("calves", "hinge_hip_extension") if p in usable]
        order = opening + [p for p in order if p not in opening]
    must: list[str] = []
    if set(POSTURE_FLAGS) & set(ctx.flags):
        must = [p for p in ("hinge_hip_extension", "upper_back_pull") if p in usable]
    elif week_index + 1 >= dosing.ramp_pull_from_week and "upper_back_pull" in usable:
        must = ["upper_back_pull"]
    out = list(must[:moves])
    rotating = [p for p in order if p not in out]
    free = moves - len(out)
    if week_index == 0:
        k = 0
    elif n_sessions > 1:
        k = session * free
    else:
        k = week_index * free
    while rotating and len(out) < min(moves, len(usable)):
        p = rotating[k % len(rotating)]
        if p not in out:
            out.append(p)
        k += 1
    return out


def allocate(
    n_sessions: int,
    ctx: PlanContext,
    cat: Catalogue,
    dosing: Dosing,
    ramp: RampWeek | None = None,
    offset: int = 0,
    fill: bool = True,
) -> list[list[SlotPlan]]:
    """Slots per session for a week with ``n_sessions`` lower-body sessions.

    ``offset`` is the beginner-ramp week index (0 = the first week; from the second the moves
    rotate across the week's sessions). ``fill`` brings experienced sessions up to the level's
    fewest exercises (off for split and add-on sessions). Add-on sessions (``ctx.addon``) hold
    at most ``[add_ons] max_moves`` moves: the lowest-priority patterns give way first.
    """
    if n_sessions <= 0:
        return []
    if ramp is not None:
        return [
            [
                SlotPlan(p, _ladders(p, ctx, cat, dosing)[0], "main", ramp.sets)
                for p in _ramp_patterns(ctx, cat, dosing, ramp.moves, offset, i, n_sessions)
            ]
            for i in range(n_sessions)
        ]
    smin, smax = dosing.dose[ctx.level].sets
    targets = {p: t for p, t in ctx.targets.items() if t > 0 and _ladders(p, ctx, cat, dosing)}
    every = set(dosing.every_workout) if ctx.level != "beginner" else set()
    cap = dosing.exercises[ctx.level][1]
    if ctx.addon:
        cap = min(cap, dosing.addon_max_moves)
    order = _priority_order(list(targets), ctx)
    sessions: list[list[SlotPlan]] = []
    while True:
        sessions = [[] for _ in range(n_sessions)]
        for p in order:
            total = targets[p]
            n = max(1, math.ceil(total / smax))
            if p in every:
                n = max(n, n_sessions)
            n = min(n, n_sessions if ctx.addon else 2 * n_sessions)  # an add-on: one move each
            base, rem = divmod(total, n)
            sets = [min(smax, max(smin, base + (1 if i < rem else 0))) for i in range(n)]
            ladders = _ladders(p, ctx, cat, dosing)
            for j, s_sets in enumerate(sets):
                idx = min(
                    range(n_sessions),
                    key=lambda s: (
                        sum(1 for x in sessions[s] if x.pattern == p),
                        len(sessions[s]),
                        s,
                    ),
                )
                ladder = ladders[j % len(ladders)]
                used = {x.ladder for x in sessions[idx] if x.pattern == p}
                variant = "alt" if ladder in used else "main"
                sessions[idx].append(SlotPlan(p, ladder, variant, s_sets))
        biggest = max(len(s) for s in sessions)
        if biggest <= cap:
            break
        reducible = [p for p in reversed(order) if targets[p] > ctx.minimums.get(p, 0)]
        if reducible:
            targets[reducible[0]] = ctx.minimums.get(reducible[0], 0) or 0
            if targets[reducible[0]] <= 0:
                del targets[reducible[0]]
                order.remove(reducible[0])
            continue
        if cap < dosing.exercises_hard_cap and not ctx.addon:
            cap = dosing.exercises_hard_cap
            continue
        for s in sessions:  # merge same-pattern slots beyond the hard cap
            while len(s) > cap:
                dup = next((x for x in s if x.variant == "alt"), None)
                if dup is None:
                    break
                s.remove(dup)
                first = next(x for x in s if x.pattern == dup.pattern)
                first.sets += dup.sets  # never lose sets below the minimum
            if ctx.addon:  # an add-on is a few moves, never a second programme
                rank = {p: i for i, p in enumerate(order)}
                s.sort(key=lambda x: rank.get(x.pattern, len(rank)))
                del s[cap:]
        break
    if fill:
        _fill(sessions, ctx, cat, dosing)
    rank = {name: i for i, name in enumerate(dosing.ladder_order)}
    for s in sessions:
        s.sort(key=lambda x: (rank.get(x.ladder, 99), x.variant != "main"))
    return sessions


def _fill(sessions: list[list[SlotPlan]], ctx: PlanContext, cat: Catalogue, dosing: Dosing) -> None:
    """Bring each session up to the level's fewest exercises (R3) from ``[exercises] fill``."""
    least = dosing.exercises[ctx.level][0]
    smin, _ = dosing.dose[ctx.level].sets
    for s in sessions:
        for pattern in dosing.exercises_fill:
            if len(s) >= least:
                break
            ladders = [
                lad
                for lad in _ladders(pattern, ctx, cat, dosing)
                if lad not in {x.ladder for x in s}
            ]
            if pattern == "upper_back_pull" and any(x.pattern == pattern for x in s):
                continue
            if not ladders:
                continue
            s.append(SlotPlan(pattern, ladders[0], "main", smin))


def _needs_split(cal: Calendar, ctx: PlanContext, start: date, weeks: int) -> bool:
    """True when fewer than the focus sessions fit 2 days apart in the first weeks."""
    previous: list[date] = []
    for week in range(weeks):
        days = [start + timedelta(days=7 * week + i) for i in range(7)]
        if any(cal.info(d).reason.startswith(("taper", "rest after", "race")) for d in days):
            continue
        chosen = cal.pick_days(days, ctx.sessions, previous[-4:])
        if len(chosen) < ctx.sessions:
            halves = cal.pick_days(days, ctx.sessions, previous[-4:], gap=1)
            return len(halves) >= 2 and len(halves) > len(chosen)
        previous.extend(i.day for i in chosen)
    return False


def _split_allocation(
    n_sessions: int, first_half: int, ctx: PlanContext, cat: Catalogue, dosing: Dosing
) -> list[list[SlotPlan]]:
    """Slots for a split strength-focus week: sessions alternate between the two halves."""
    halves = [i % 2 for i in range(first_half, first_half + n_sessions)]
    out: list[list[SlotPlan]] = [[] for _ in range(n_sessions)]
    for h, patterns in enumerate(dosing.focus_split):
        members = [i for i, x in enumerate(halves) if x == h]
        if not members:
            continue
        sub = replace(
            ctx,
            targets={p: t for p, t in ctx.targets.items() if p in patterns},
            minimums={p: t for p, t in ctx.minimums.items() if p in patterns},
        )
        sub_dosing = replace(
            dosing, every_workout=tuple(p for p in dosing.every_workout if p in patterns)
        )
        for i, slots in zip(
            members, allocate(len(members), sub, cat, sub_dosing, fill=False), strict=True
        ):
            out[i] = slots
    return out


def _upper_slots(ctx: PlanContext, cat: Catalogue, dosing: Dosing) -> list[SlotPlan]:
    smin, _ = dosing.dose[ctx.level].sets
    slots = []
    if _ladders("upper_back_pull", ctx, cat, dosing):
        sets = max(smin, ctx.minimums.get("upper_back_pull", smin))
        slots.append(SlotPlan("upper_back_pull", "upper_back_pull", "main", sets))
    if ctx.start_rungs.get("anti_rotation_core"):
        slots.append(SlotPlan("trunk", "anti_rotation_core", "main", smin))
    return slots


# ---------------------------------------------------------------------------------------------
# Sessions
# ---------------------------------------------------------------------------------------------


def build_sessions(
    ctx: PlanContext, cat: Catalogue, dosing: Dosing, start: date, weeks: int
) -> tuple[list[SessionPlan], list[str]]:
    """Dated sessions with their slots for ``weeks`` weeks from ``start``; plus notes."""
    cal = Calendar(ctx, dosing)
    sessions: list[SessionPlan] = []
    notes: list[str] = []
    previous: list[date] = []
    short_weeks: list[int] = []
    split = ctx.focus and _needs_split(cal, ctx, start, min(weeks, 3))
    """Strength focus whose sessions do not fit 2 days apart: split the series in two halves
    on alternating days, decided once for the whole plan."""
    half = 0
    whole_days: list[date] = []
    if split:
        notes.append(
            dosing.focus_split_note.format(n=ctx.sessions, gap=dosing.min_days_between_sessions)
        )
    for week in range(1, weeks + 1):
        days = [start + timedelta(days=7 * (week - 1) + i) for i in range(7)]
        ramp = None
        if ctx.level == "beginner" and week <= len(dosing.ramp):
            ramp = dosing.ramp[week - 1]
        split_week = split
        if split:
            # A half may follow the other half the next day, never a whole-series session.
            guard = [*previous[-4:], *(d + timedelta(days=1) for d in whole_days[-2:])]
            chosen = cal.pick_days(days, ctx.sessions, guard, gap=1)
            if len(chosen) < 2:  # one session: the whole series, 2 days from the last one
                whole = cal.pick_days(days, ctx.sessions, previous[-4:])
                if whole:
                    chosen, split_week = whole, False
                    whole_days.extend(i.day for i in whole)
        else:
            chosen = cal.pick_days(days, ctx.sessions, previous[-4:])
        deload = is_deload_week(week, ctx, dosing)
        if (
            not split
            and not ctx.addon
            and len(chosen) < ctx.sessions
            and not any(
                cal.info(d).reason.startswith(("taper", "rest after", "race")) for d in days
            )
        ):
            short_weeks.append(week)
        if not chosen:
            upper = cal.upper_day(days, previous[-4:])
            if upper is not None and not any(
                cal.info(d).reason.startswith("rest after") for d in days
            ):
                slots = _upper_slots(ctx, cat, dosing)
                if slots:
                    sessions.append(
                        SessionPlan(
                            key=workout_key(upper.day, "a"),
                            day=upper.day,
                            week=week,
                            letter="a",
                            kind="deload" if deload else "strength",
                            slots=slots,
                            eccentric_ok=False,
                            ramp=ramp,
                            upper_only=True,
                            notes=[
                                "No day this week keeps the rest you need around your runs and "
                                "races: upper back and core only."
                            ],
                        )
                    )
                    previous.append(upper.day)
            continue
        if split_week:
            per_session = _split_allocation(len(chosen), half, ctx, cat, dosing)
            half += len(chosen)
        else:
            per_session = allocate(
                len(chosen), ctx, cat, dosing, ramp, week - 1, fill=not ctx.addon
            )
        for i, (info, slots) in enumerate(zip(chosen, per_session, strict=True)):
            letter = LETTERS[i]
            kind = "taper" if info.taper else ("deload" if deload else "strength")
            to_race = None
            for race in cal.races:
                gap = (race.date - info.day).days
                if gap > 0 and (to_race is None or gap < to_race):
                    to_race = gap
            sessions.append(
                SessionPlan(
                    key=workout_key(info.day, letter),
                    day=info.day,
                    week=week,
                    letter=letter,
                    kind=kind,
                    slots=slots,
                    eccentric_ok=info.eccentric_ok,
                    ramp=ramp,
                    after_hard_run=info.hard,
                    days_to_race=to_race,
                )
            )
            previous.append(info.day)
    if short_weeks:
        listed = ", ".join(str(w) for w in short_weeks)
        gap = dosing.min_days_between_sessions
        weeks_word = "Week" if len(short_weeks) == 1 else "Weeks"
        notes.append(
            f"{weeks_word} {listed}: fewer than {ctx.sessions} sessions fit around your runs and "
            f"training days with at least {gap} days between sessions (the same muscles are "
            f"never trained on consecutive days), so the week's sets go into the sessions that "
            f"fit."
        )
    return sessions, notes


# ---------------------------------------------------------------------------------------------
# Prescription
# ---------------------------------------------------------------------------------------------


def _half_up(value: float) -> int:
    return int(math.floor(value + 0.5))


def _title(s: SessionPlan, ctx: PlanContext) -> str:
    if s.upper_only:
        base = "Upper back and core"
    elif ctx.addon:
        base = f"Add to your own session {s.letter.upper()}"
    elif ctx.focus:
        base = f"Strength focus {s.letter.upper()}"
    else:
        base = f"Posterior chain {s.letter.upper()}"
    if s.kind == "deload":
        return f"{base} (deload)"
    if s.kind == "taper":
        return f"{base} (light, taper)"
    return base


class _Builder:
    """Prescribes sessions from a :class:`Progression`."""

    def __init__(self, ctx: PlanContext, cat: Catalogue, dosing: Dosing, prog: Progression) -> None:
        self.ctx = ctx
        self.cat = cat
        self.dosing = dosing
        self.prog = prog
        self.nordic_this_week = 0
        self.introduced: set[str] = set()
        """Exercises already prescribed in a loading week (a deload or taper adds none, R11/R12)."""
        self.first_week: dict[str, int] = {}
        """Exercise id -> the plan week it first appears (a loaded one finds its load then)."""
        self.last_in_ladder: dict[tuple[str, str], str] = {}
        """(ladder, slot variant) -> the exercise of the last loading-week session."""

    def _choose(
        self, s: SessionPlan, slot: SlotPlan, used: set[tuple[str, str]]
    ) -> Exercise | None:
        prog = self.prog
        if slot.variant == "alt":
            ex = prog.alternative(slot.ladder, tuple(used))
        else:
            ex = prog.current(slot.ladder)
        if ex is None:
            return None
        if s.ramp is not None and (not is_bodyweight(ex) or prog.is_loaded(ex)):
            options = [
                e
                for e in self.cat.ladder(ex.ladder)
                if e.step <= ex.step
                and is_bodyweight(e)
                and e.id not in prog.loaded
                and e.role in ("main", "alternative")
                and self.cat.pattern(e) == self.cat.pattern(ex)
                and e.fit_pair not in used
                and not prog.is_nordic(e)
                and e.needs(self.ctx.equipment)
                and not set(e.remove_if_pain) & set(self.ctx.pain)
            ]
            ex = max(options, key=lambda e: e.step) if options else None
            if ex is None:
                return None
        if prog.is_nordic(ex):
            cap = (
                self.dosing.nordic_intro_per_week
                if prog.nordic_weeks < self.dosing.nordic_intro_weeks
                else self.dosing.nordic_per_week
            )
            if not s.eccentric_ok or self.nordic_this_week >= cap or s.kind == "taper":
                ex = prog.below(ex, tuple(used), nordic_ok=False)
        if ex is not None and ex.fit_pair in used:
            ex = prog.below(ex, tuple(used), nordic_ok=not prog.is_nordic(ex))
        return ex

    def _rpe(self, s: SessionPlan) -> tuple[int, int]:
        d = self.dosing
        lo, hi = d.dose[self.ctx.level].rpe
        if s.kind == "deload":
            return min(lo, d.deload_max_rpe), d.deload_max_rpe
        if s.kind == "taper":
            return min(lo, d.taper_max_rpe), d.taper_max_rpe
        if s.days_to_race is not None:
            hours = d.hours_between(s.days_to_race)
            if hours < d.pre_race_hours:
                hi = min(hi, d.pre_race_max_rpe)
                lo = min(lo, hi)
        return lo, hi

    def step(self, s: SessionPlan, slot: SlotPlan, ex: Exercise) -> PlannedStep:
        prog, d = self.prog, self.dosing
        dose = prog.dose(ex)
        lo, hi = prog.rep_range(ex)
        target = min(max(dose.reps, lo), hi)
        weight = dose.weight_kg if prog.is_loaded(ex) else None
        load_step = dose.load_step
        if s.kind in ("deload", "taper") and dose.last is not None:
            target, weight, load_step = dose.last
        elif s.kind == "strength":
            dose.last = (target, weight, load_step)
        sets = slot.sets
        if prog.is_nordic(ex):
            a, b = (
                d.nordic_intro_sets if prog.nordic_weeks < d.nordic_intro_weeks else d.nordic_sets
            )
            sets = min(max(sets, a), b)
        base_sets = sets
        if s.kind == "deload":
            sets = max(1, math.floor(sets * d.deload_set_factor + 1e-9))
        elif s.kind == "taper":
            sets = max(1, _half_up(sets * d.taper_light_set_factor))
        rpe_lo, rpe_hi = self._rpe(s)
        rpe = f"{rpe_lo}-{rpe_hi}" if rpe_lo != rpe_hi else f"{rpe_hi}"
        rir = f"{10 - rpe_hi}-{10 - rpe_lo}" if rpe_lo != rpe_hi else f"{10 - rpe_hi}"
        loaded = prog.is_loaded(ex)
        first_week = self.first_week.setdefault(ex.id, s.week)
        finding = (
            loaded
            and weight is None
            and s.kind == "strength"
            and s.week == first_week
            and not load_step
        )
        if finding:  # no logged kilograms: the first week finds the load
            lo_r, hi_r = prog.rep_range(ex)
            target = min(max(d.find_reps, lo_r), hi_r)
            rpe = f"{d.find_rpe}"
            load = d.find_note.format(reps=target, rpe=d.find_rpe, rir=10 - d.find_rpe)
        elif s.kind in ("deload", "taper"):
            easy = "deload" if s.kind == "deload" else "light taper session"
            if weight:
                load = f"{weight:g} kg, RPE {rpe_hi} or less ({easy}), far from failure"
            elif loaded:
                load = f"Same load as last week, RPE {rpe_hi} or less ({easy}), far from failure"
            else:
                load = f"RPE {rpe_hi} or less ({easy}), far from failure"
        elif loaded and weight:
            load = f"{weight:g} kg, RPE {rpe} ({rir} reps in reserve)"
        elif loaded:
            load = f"RPE {rpe}: a load you could lift {rir} more times"
            if load_step:
                load += f"; heavier than at the start (+{load_step} load step)"
        elif ex.load_type == "band":
            load = f"Band: tension for RPE {rpe} ({rir} reps in reserve)"
        elif ex.load_type == "eccentric" or prog.is_nordic(ex):
            load = "Bodyweight: lower as slowly as possible, stop before form breaks"
        elif ex.timed:
            load = f"Hold with good form, RPE {rpe}"
        else:
            load = f"Bodyweight, RPE {rpe} ({rir} reps in reserve)"
        if ex.timed:
            rest = d.rest["isometric"]
        elif prog.is_nordic(ex) or ex.load_type == "eccentric":
            rest = d.rest["eccentric"]
        elif ex.load_type == "ballistic":
            rest = d.rest["ballistic"]
        elif loaded and self.cat.pattern(ex) != "calves":
            rest = d.rest["loaded_heavy"] if target <= d.heavy_max_reps else d.rest["loaded"]
        elif self.cat.pattern(ex) == "calves":
            rest = d.rest["calves"]
        elif ex.load_type == "band":
            rest = d.rest["band"]
        else:
            rest = d.rest["bodyweight"]
        notes = []
        side = self.ctx.side_extra.get(ex.ladder) if ex.unilateral else None
        if side and s.kind == "strength":
            notes.append(
                f"{side.capitalize()} side: +{self.ctx.extra_sets} set (weaker in the self-test)"
            )
        else:
            side = None
        if "achilles" in self.ctx.pain and self.cat.pattern(ex) == "calves":
            notes.append("Achilles: pain-monitored range")
        if "knee" in self.ctx.pain and self.cat.pattern(ex) == "knee_dominant":
            notes.append("Knee: pain-free range")
        return PlannedStep(
            exercise_id=ex.id,
            name=ex.name,
            fit_exercise_category=ex.fit_category,
            fit_exercise_name=ex.fit_name,
            sets=sets,
            reps=None if ex.timed else target,
            duration_s=target if ex.timed else None,
            rest_s=rest,
            load=load,
            weight_kg=weight,
            watch_title=ex.watch_title if ex.fit_match == "approximate" else None,
            garmin_category=ex.garmin_category,
            garmin_exercise_name=ex.garmin_exercise_name,
            per_side=ex.per_side,
            notes="; ".join(notes),
            ladder=ex.ladder,
            ladder_step=ex.step,
            pattern=self.cat.pattern(ex),
            family=ex.family,
            slot=slot.variant,
            base_sets=base_sets,
            load_step=load_step if loaded else 0,
            rpe=rpe,
            rep_range=(lo, hi),
            extra_set_side=side,
            cue=ex.tempo_notes,
        )

    def _keep_known(self, s: SessionPlan, slot: SlotPlan, ex: Exercise | None) -> Exercise | None:
        """In a deload or taper week, the exercise the athlete already knows (else none)."""
        if s.kind not in ("deload", "taper") or ex is None or ex.id in self.introduced:
            return ex
        known = self.last_in_ladder.get((slot.ladder, slot.variant))
        if known is not None and known in self.cat:
            return self.cat[known]
        return None

    def workout(self, s: SessionPlan) -> Workout:
        used: set[tuple[str, str]] = set()
        steps: list[PlannedStep] = []
        for slot in s.slots:
            ex = self._keep_known(s, slot, self._choose(s, slot, used))
            if ex is None:
                continue
            if ex.fit_pair in used:
                continue
            used.add(ex.fit_pair)
            if s.kind == "strength":
                self.introduced.add(ex.id)
                self.last_in_ladder[(slot.ladder, slot.variant)] = ex.id
            if self.prog.is_nordic(ex):
                self.nordic_this_week += 1
            steps.append(self.step(s, slot, ex))
        notes = [n for n in s.notes if not n.startswith(_AUTO_NOTES)]
        if s.after_hard_run and not s.upper_only:
            notes.append("After your hard run, ideally 3-6 h later.")
        if s.kind == "deload":
            notes.append(
                "Deload week: the same exercises with about half the sets, same load, RPE 6 or "
                "less."
            )
        if s.kind == "taper":
            notes.append("Light taper session: half the sets, normal load, far from failure.")
        if s.days_to_race is not None and s.kind == "strength":
            if self.dosing.hours_between(s.days_to_race) < self.dosing.pre_race_hours:
                notes.append(f"Race in {s.days_to_race} days: no set to failure.")
        return Workout(
            key=s.key,
            title=_title(s, self.ctx),
            date=s.day,
            steps=tuple(steps),
            week=s.week,
            kind=s.kind,
            notes=tuple(notes),
        )


def prescribe(
    ctx: PlanContext,
    cat: Catalogue,
    dosing: Dosing,
    sessions: Sequence[SessionPlan],
    records: Mapping[str, WorkoutRecord] | None = None,
    frozen: Mapping[str, Workout] | None = None,
) -> tuple[list[Workout], Progression]:
    """Prescribe every session in date order, moving the progression on week by week.

    ``frozen`` workouts (already done or missed) keep their prescription; ``records`` say what
    was done. Sessions without a record are assumed done as prescribed.
    """
    records = records or {}
    frozen = frozen or {}
    prog = Progression(ctx, cat, dosing)
    builder = _Builder(ctx, cat, dosing, prog)
    by_week: dict[int, list[SessionPlan]] = defaultdict(list)
    for s in sessions:
        by_week[s.week].append(s)
    out: list[Workout] = []
    prev_sets = 0
    for week in sorted(by_week):
        week_start = len(out)
        outcomes: dict[str, list[StepOutcome]] = defaultdict(list)
        main_of: dict[str, str] = {}
        nordic_done = False
        builder.nordic_this_week = 0
        for s in sorted(by_week[week], key=lambda x: x.day):
            if s.key in frozen:
                w = frozen[s.key]
                if w.kind == "strength":
                    builder.introduced.update(st.exercise_id for st in w.steps)
                for st in w.steps:
                    if st.exercise_id in cat and prog.is_nordic(cat[st.exercise_id]):
                        builder.nordic_this_week += 1
            else:
                w = builder.workout(s)
            out.append(w)
            if s.kind in ("deload", "taper"):
                continue
            record = records.get(s.key)
            for index, st in enumerate(w.steps):
                if st.exercise_id not in cat:
                    continue
                if record is not None and record.status == "done":
                    outcome = (
                        record.steps[index] if index < len(record.steps) else StepOutcome("skipped")
                    )
                elif record is not None:
                    outcome = StepOutcome("missed")
                else:
                    outcome = StepOutcome("met")
                outcomes[st.exercise_id].append(outcome)
                ladder = getattr(st, "ladder", "") or cat[st.exercise_id].ladder
                if (
                    getattr(st, "slot", "main") == "main"
                    and prog.rung.get(ladder) == st.exercise_id
                ):
                    main_of[st.exercise_id] = ladder
                if prog.is_nordic(cat[st.exercise_id]) and outcome.status != "missed":
                    nordic_done = True
        built = out[week_start:]
        if prev_sets and any(w.kind == "deload" for w in built):
            cap = math.floor(prev_sets * dosing.deload_set_factor + 1e-9)
            out[week_start:] = _cap_sets(built, max(1, cap), frozen)
        if all(w.kind == "strength" for w in built):
            prev_sets = sum(st.sets for w in built for st in w.steps)
        prog.week = week
        prog.end_week(outcomes, main_of, nordic_done)
    return out, prog


def _cap_sets(
    workouts: Sequence[Workout], cap: int, frozen: Mapping[str, Workout]
) -> list[Workout]:
    """A deload week trimmed to ``cap`` sets in all (R12: -40-50 % of the week before).

    Sets come off the steps with the most sets first; only when every step is down to one set
    does a session lose its last exercise (never its only one). Frozen workouts stay as done.
    """
    steps = {w.key: list(w.steps) for w in workouts}
    total = sum(st.sets for w in workouts for st in w.steps)
    while total > cap:
        free = [(k, i) for k, v in steps.items() if k not in frozen for i in range(len(v))]
        multi = [(k, i) for k, i in free if steps[k][i].sets > 1]
        if multi:
            k, i = max(multi, key=lambda x: steps[x[0]][x[1]].sets)
            steps[k][i] = replace(steps[k][i], sets=steps[k][i].sets - 1)
            total -= 1
            continue
        longest = max(
            (k for k in steps if k not in frozen and len(steps[k]) > 1),
            key=lambda k: len(steps[k]),
            default=None,
        )
        if longest is None:
            break
        total -= steps[longest].pop().sets
    return [replace(w, steps=tuple(steps[w.key])) for w in workouts]


# ---------------------------------------------------------------------------------------------
# Public entry point
# ---------------------------------------------------------------------------------------------


def _plan_notes(ctx: PlanContext, sessions: Sequence[SessionPlan], dosing: Dosing) -> list[str]:
    notes = [ctx.level_reason, *ctx.notes]
    if ctx.retest_on:
        retest = date.fromisoformat(ctx.retest_on)
        deload_starts = sorted(
            {s.day - timedelta(days=s.day.weekday()) for s in sessions if s.kind == "deload"}
        )
        near = [d for d in deload_starts if abs((d - retest).days) <= 7]
        if near:
            retest = near[0] - timedelta(days=1)
            notes.append(
                f"Retest your self-tests around {retest.isoformat()}, just before a deload week "
                f"(`chainfix assess`)."
            )
        else:
            notes.append(f"Retest your self-tests around {retest.isoformat()} (`chainfix assess`).")
    else:
        notes.append("Run `chainfix assess` so the self-tests can set your starting rungs.")
    return notes


def make_plan(
    history: History,
    priorities: Mapping[str, float] | Any,
    profile: AthleteProfile,
    start: date,
    weeks: int = 8,
    assessment: Assessment | None = None,
    *,
    catalogue: Catalogue | None = None,
    catalogue_files: Sequence[Path] = (),
    dosing: Dosing | None = None,
    model: Any = None,
    checkins: Sequence[CheckIn] | None = None,
    checkins_as_of: date | None = None,
) -> TrackedPlan:
    """A plan of posterior-chain strength sessions for ``weeks`` weeks from ``start``.

    ``priorities`` is the analysis result (:class:`~chainfix.analysis.engine.Analysis`: its
    priorities and its level are used, so R1 is computed once), or a plain mapping muscle group ->
    0..1 (then the level comes from the same R1 function, run here); missing groups count as 0,
    which keeps their patterns at the weekly minimum. ``profile`` gives
    level, equipment, days, sessions, races, phase and pain flags; ``assessment`` the latest
    self-tests. ``catalogue``/``dosing``/``model`` override the built-in data (``model`` is the
    analysis tables' :class:`~chainfix.analysis.tables.Model`, for the weekly targets).
    ``checkins`` are the pain and soreness check-ins; None reads the stored ones
    (``chainfix checkin``); those before ``checkins_as_of`` (default ``start``) count.
    """
    if weeks < 1 or weeks > 52:
        raise UsageError(f"a plan needs 1-52 weeks, not {weeks}")
    dosing = dosing or load_dosing()
    if model is None:
        from chainfix.analysis.tables import load_model

        model = load_model()
    if catalogue is None:
        families = {f.family: f.pattern for f in model.families.values()}
        catalogue = load_catalogue(catalogue_files, families=families)
    analysis_level: tuple[str, str] | None = None
    calf_load: float | None = None
    descent_week: tuple[date, float, float] | None = None
    pattern_sets: Mapping[str, float] | None = None
    scores: Mapping[str, float]
    if isinstance(priorities, Mapping):
        scores = priorities
    else:  # the analysis result: its priorities and its level (R1 is computed once, there)
        scores = {g: float(m.priority) for g, m in priorities.muscles.items()}
        analysis_level = (priorities.level, priorities.level_reason)
        calf_load = float(priorities.muscles["calves"].exposure)
        pattern_sets = {n: float(p.sets_per_week) for n, p in priorities.patterns.items()}
        weeks_flagged = [f for f in priorities.equ_flags if f.kind == "week"]
        if weeks_flagged:
            last = max(weeks_flagged, key=lambda f: f.date)
            descent_week = (last.date, float(last.equ), float(last.baseline or 0.0))
    ctx = build_context(
        history,
        scores,
        profile,
        start,
        assessment,
        catalogue,
        dosing,
        model,
        catalogue_files,
        analysis_level=analysis_level,
        calf_load_per_week=calf_load,
        descent_week=descent_week,
        pattern_sets=pattern_sets,
        checkins=load_checkins() if checkins is None else checkins,
        checkins_as_of=checkins_as_of,
    )
    sessions, notes = build_sessions(ctx, catalogue, dosing, start, weeks)
    workouts, _ = prescribe(ctx, catalogue, dosing, sessions)
    plan_notes = _plan_notes(ctx, sessions, dosing) + notes
    return TrackedPlan(
        start=start,
        weeks=weeks,
        level=ctx.level,
        workouts=tuple(workouts),
        notes=tuple(plan_notes),
        state=PlanState(
            context={
                **ctx.to_dict(),
                "start": start.isoformat(),
                "weeks": weeks,
            }
        ),
    )


def sessions_from_workouts(
    workouts: Sequence[Workout], ctx: PlanContext, dosing: Dosing
) -> list[SessionPlan]:
    """Rebuild session plans (for :func:`prescribe`) from planned workouts."""
    cal = Calendar(ctx, dosing)
    out = []
    for w in workouts:
        info = cal.info(w.date)
        slots = []
        for st in w.steps:
            pattern = getattr(st, "pattern", "")
            ladder = getattr(st, "ladder", "")
            base = getattr(st, "base_sets", 0) or st.sets
            slots.append(SlotPlan(pattern, ladder, getattr(st, "slot", "main"), base))
        ramp = None
        if ctx.level == "beginner" and w.week <= len(dosing.ramp):
            ramp = dosing.ramp[w.week - 1]
        to_race = None
        for race in cal.races:
            gap = (race.date - w.date).days
            if gap > 0 and (to_race is None or gap < to_race):
                to_race = gap
        letter = w.key.rsplit("-", 1)[-1] if w.key.rsplit("-", 1)[-1] in LETTERS else "a"
        out.append(
            SessionPlan(
                key=w.key,
                day=w.date,
                week=w.week,
                letter=letter,
                kind=w.kind,
                slots=slots,
                eccentric_ok=info.eccentric_ok,
                ramp=ramp,
                upper_only=all(s.pattern in UPPER_PATTERNS for s in slots) and bool(slots),
                after_hard_run=info.hard,
                days_to_race=to_race,
                notes=list(w.notes),
            )
        )
    return out


def first_exercises(plan: Plan, since: date | None = None, count: int = 3) -> tuple[str, ...]:
    """The first ``count`` exercise names of the plan's first week (the week of its first session
    on or after ``since``), in the order the sessions hold them, each once."""
    workouts = sorted(
        (w for w in plan.workouts if since is None or w.date >= since), key=lambda w: w.date
    )
    if not workouts:
        return ()
    names: list[str] = []
    for w in workouts:
        if w.week != workouts[0].week:
            break
        names.extend(s.name for s in w.steps if s.name not in names)
    return tuple(names[:count])
