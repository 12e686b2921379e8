"""Prescribing sessions from the progression state, week by week.

Exercises, sets, reps and loads, with the deload and taper rules and the weekly set caps.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace

from chainfix.model import Workout
from chainfix.planning.catalogue import Catalogue, Exercise
from chainfix.planning.context import PlanContext
from chainfix.planning.dosing import Dosing
from chainfix.planning.feasibility import is_bodyweight
from chainfix.planning.progression import Progression
from chainfix.planning.slots import SessionPlan, SlotPlan
from chainfix.planning.state import (
    PlannedStep,
    StepOutcome,
    WorkoutRecord,
)

_AUTO_NOTES = ("After your hard run", "Deload week", "Light taper session", "Race in ")
"""Workout notes the builder writes itself (dropped and rewritten when a plan is re-prescribed)."""


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
