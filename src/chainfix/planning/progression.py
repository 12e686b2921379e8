"""Progression state (R7, R8, R14): the current rung of each ladder and each exercise's dose.

One :class:`Progression` walks through a plan week by week. Each week's prescriptions come from
the state; at the end of the week the outcomes (assumed when the week is in the future, recorded
when it was done) move it on: add reps, then load (2-for-2), then step up the ladder at the top of
the rep range; hold after a miss; step down after two failed workouts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from chainfix.planning.catalogue import Catalogue, Exercise
from chainfix.planning.context import PlanContext
from chainfix.planning.dosing import Dosing
from chainfix.planning.feasibility import feasible, loadable
from chainfix.planning.state import StepOutcome

DONE = ("met", "exceeded", "below")


@dataclass
class Dose:
    """The current prescription of one exercise."""

    reps: int
    """Target reps (or seconds for holds)."""
    load_step: int = 0
    weight_kg: float | None = None
    top: int = 0
    """Consecutive workouts done at the top of the range."""
    exceed: int = 0
    """Consecutive workouts with >= 2 reps beyond the target (R7)."""
    fail: int = 0
    """Consecutive failed workouts (R8)."""
    last: tuple[int, float | None, int] | None = None
    """(reps, kg, load step) of the last normal session: what a deload or taper repeats."""


class Progression:
    """Rungs and doses for one plan."""

    def __init__(self, ctx: PlanContext, catalogue: Catalogue, dosing: Dosing) -> None:
        self.ctx = ctx
        self.cat = catalogue
        self.dosing = dosing
        self.rung: dict[str, str] = dict(ctx.start_rungs)
        self.doses: dict[str, Dose] = {}
        self.loaded: set[str] = set(ctx.loaded)
        self.nordic_weeks = 0
        self.week = 0
        """The plan week being closed by :meth:`end_week` (set by the caller)."""
        self.events: list[tuple[int, str]] = []
        """(week, sentence) about rung and load changes, oldest first."""

    # -- lookups ---------------------------------------------------------------------------

    def is_nordic(self, ex: Exercise) -> bool:
        return ex.family in self.dosing.nordic_families

    def is_loaded(self, ex: Exercise) -> bool:
        return ex.load_type == "loaded" or ex.id in self.loaded

    def rep_range(self, ex: Exercise) -> tuple[int, int]:
        """Reps (or seconds) range: R14 for Nordics; for loaded lifts R4's level range where it
        overlaps the catalogue's by two reps or more; else the catalogue's range."""
        d = self.dosing
        if self.is_nordic(ex):
            return (
                d.nordic_intro_reps if self.nordic_weeks < d.nordic_intro_weeks else d.nordic_reps
            )
        if ex.timed:
            lo, hi = ex.reps
            return max(lo, d.isometric_seconds[0]), max(min(hi, d.isometric_seconds[1]), lo)
        if ex.load_type == "loaded" and self.cat.pattern(ex) != "calves":
            a, b = d.dose[self.ctx.level].loaded_reps
            lo, hi = max(a, ex.reps[0]), min(b, ex.reps[1])
            if hi > lo:
                return lo, hi
        return ex.reps

    def dose(self, ex: Exercise) -> Dose:
        found = self.doses.get(ex.id)
        if found is None:
            lo, _ = self.rep_range(ex)
            found = Dose(reps=lo, weight_kg=self.initial_weight(ex, lo))
            self.doses[ex.id] = found
        return found

    def rir(self) -> float:
        lo, hi = self.dosing.dose[self.ctx.level].rpe
        return 10 - (lo + hi) / 2

    def initial_weight(self, ex: Exercise, reps: int) -> float | None:
        """Kilograms from the history's estimated 1RM for this pair or family, else None."""
        if not self.is_loaded(ex):
            return None
        e1rm = self.ctx.loads_by_pair.get(f"{ex.fit_category}/{ex.fit_name}")
        if e1rm is None:
            for cat, name in ex.fit_alternatives:
                e1rm = self.ctx.loads_by_pair.get(f"{cat}/{name}")
                if e1rm is not None:
                    break
        if e1rm is None:
            e1rm = self.ctx.loads_by_family.get(ex.family)
        if not e1rm:
            return None
        kg = e1rm / (1 + (reps + self.rir()) / self.dosing.epley_divisor)
        return self.round_down(ex, kg) or None

    def implement(self, ex: Exercise) -> str:
        used = ex.options_used(self.ctx.equipment)
        for kind in ("barbell", "trap_bar", "dumbbell", "kettlebell", "machine", "cable"):
            if kind in used:
                return "barbell" if kind == "trap_bar" else kind
        return "other"

    def round_down(self, ex: Exercise, kg: float) -> float:
        step = self.dosing.rounding.get(self.implement(ex), self.dosing.rounding["other"])
        return round(math.floor(kg / step + 1e-9) * step, 2)

    def next_weight(self, ex: Exercise, kg: float) -> float:
        """R7: about +5 % (rows +2.5 %), rounded up to the next load the equipment allows.

        The step is the implement's increment (barbell 2.5 kg, dumbbell 2 kg, kettlebell 4 kg,
        machine and cable like a barbell, else ``round_other_kg``), at least one increment.
        """
        d = self.dosing
        kind = self.implement(ex)
        percent = d.row_percent if ex.family in d.row_families else d.barbell_percent
        minimum = d.row_min_kg if ex.family in d.row_families else d.barbell_min_kg
        if kind in ("machine", "cable"):
            percent, minimum = d.machine_percent, d.machine_min_kg
        if kind not in ("barbell", "machine", "cable"):
            minimum = 0.0
        step = d.rounding.get(
            kind, d.rounding["barbell"] if kind in ("machine", "cable") else d.rounding["other"]
        )
        raw = kg + max(kg * percent / 100, minimum)
        return round(max(kg + step, math.ceil(raw / step - 1e-9) * step), 2)

    def main_rungs(self, ladder: str) -> list[Exercise]:
        return [
            e
            for e in self.cat.ladder(ladder)
            if e.role == "main" and feasible(e, self.ctx, self.dosing)
        ]

    def current(self, ladder: str) -> Exercise | None:
        ex_id = self.rung.get(ladder)
        return self.cat[ex_id] if ex_id and ex_id in self.cat else None

    def below(
        self, ex: Exercise, avoid: Sequence[tuple[str, str]] = (), nordic_ok: bool = True
    ) -> Exercise | None:
        """The best feasible exercise of the same ladder below ``ex`` (for caps and fallbacks)."""
        pattern = self.cat.pattern(ex)
        options = [
            e
            for e in self.cat.ladder(ex.ladder)
            if e.id != ex.id
            and e.step <= ex.step
            and e.role in ("main", "alternative", "parallel")
            and feasible(e, self.ctx, self.dosing)
            and self.cat.pattern(e) == pattern
            and e.fit_pair not in avoid
            and (nordic_ok or not self.is_nordic(e))
        ]
        if not options:
            return None
        role_rank = {"main": 0, "parallel": 1, "alternative": 2}
        return max(options, key=lambda e: (e.step, -role_rank[e.role]))

    def alternative(self, ladder: str, avoid: Sequence[tuple[str, str]]) -> Exercise | None:
        """A second exercise of a ladder for the same session: same or lower step, other pair."""
        main = self.current(ladder)
        if main is None:
            return None
        options = [
            e
            for e in self.cat.ladder(ladder)
            if e.id != main.id
            and e.step <= main.step
            and e.role in ("alternative", "parallel", "main")
            and feasible(e, self.ctx, self.dosing)
            and self.cat.pattern(e) == self.cat.pattern(main)
            and e.fit_pair not in avoid
            and e.fit_pair != main.fit_pair
            and not self.is_nordic(e)
        ]
        if not options:
            return None
        role_rank = {"alternative": 0, "parallel": 1, "main": 2}
        return max(options, key=lambda e: (e.step, -role_rank[e.role]))

    # -- moving on -------------------------------------------------------------------------

    def _step_up(self, ex: Exercise) -> bool:
        higher = [e for e in self.main_rungs(ex.ladder) if e.step > ex.step]
        if not higher:
            return False
        nxt = min(higher, key=lambda e: e.step)
        self.rung[ex.ladder] = nxt.id
        self.events.append((self.week, f"{ex.name} -> {nxt.name} (top of the range twice)."))
        return True

    def _step_down(self, ex: Exercise) -> bool:
        lower = [e for e in self.main_rungs(ex.ladder) if e.step < ex.step]
        if not lower:
            return False
        prev = max(lower, key=lambda e: e.step)
        self.rung[ex.ladder] = prev.id
        self.events.append((self.week, f"{ex.name} -> {prev.name} (two failed workouts)."))
        return True

    def _add_load(self, ex: Exercise, dose: Dose) -> None:
        dose.load_step += 1
        if dose.weight_kg:
            dose.weight_kg = self.next_weight(ex, dose.weight_kg)
        self.events.append((self.week, f"{ex.name}: more load."))

    def end_week(
        self,
        outcomes: Mapping[str, Sequence[StepOutcome]],
        main_of: Mapping[str, str],
        nordic_done: bool,
    ) -> None:
        """Move the state on after a (non-deload, non-taper) week.

        ``outcomes`` maps exercise id -> its outcomes this week in date order; ``main_of`` maps
        exercise id -> ladder when it was the ladder's main rung (only those move rungs).
        """
        d = self.dosing
        for ex_id, results in outcomes.items():
            ex = self.cat[ex_id]
            dose = self.dose(ex)
            done = [o for o in results if o.status in DONE]
            if not done:
                continue
            lo, hi = self.rep_range(ex)
            failed = False
            for o in done:
                if o.weight_kg and o.weight_kg > 0 and self.is_loaded(ex):
                    dose.weight_kg = o.weight_kg
                if o.status == "below":
                    dose.fail += 1
                    dose.top = 0
                    dose.exceed = 0
                    failed = True
                    continue
                dose.fail = 0
                dose.exceed = dose.exceed + 1 if o.status == "exceeded" else 0
                if dose.reps >= hi:
                    dose.top += 1
            if failed:
                if dose.fail >= d.fail_workouts:
                    dose.fail = 0
                    if ex_id in main_of and self._step_down(ex):
                        continue
                    dose.reps = lo
                continue
            increment = d.hold_increment_s if ex.timed else d.rep_increment
            if self.is_loaded(ex) and dose.exceed >= d.exceed_workouts:
                self._add_load(ex, dose)  # 2-for-2: more load, reps back to the range's bottom
                dose.reps = lo
                dose.exceed = 0
                dose.top = 0
                continue
            last_reps = done[-1].reps_done
            if last_reps and not ex.timed and min(last_reps) < dose.reps:
                # Done inside the range but short of the projected reps: build from what was
                # logged instead of regressing (R8 regresses only below the range).
                dose.top = 0
                dose.reps = min(hi, max(lo, min(last_reps)) + increment)
                continue
            if dose.reps < hi:
                best = max((max(o.reps_done) for o in done if o.reps_done), default=0)
                target = dose.reps + increment
                if done[-1].status == "exceeded" and best:
                    target = max(target, best)
                dose.reps = min(hi, target)
                continue
            if dose.top < d.top_workouts:
                continue
            dose.top = 0
            dose.exceed = 0
            if self.is_loaded(ex):
                self._add_load(ex, dose)
                dose.reps = lo
            elif ex_id in main_of and self._step_up(ex):
                pass
            elif loadable(ex, self.ctx, self.dosing):
                self.loaded.add(ex.id)
                lo2, _ = self.rep_range(ex)
                dose.reps = lo2
                dose.weight_kg = dose.weight_kg or self.initial_weight(ex, lo2)
                self._add_load(ex, dose)
        if nordic_done:
            self.nordic_weeks += 1
