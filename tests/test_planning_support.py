"""Test support for the planning tests: generated personas and an independent rule checker.

The checker does not use the planner's code: it reads the data files (exercises.csv,
strength-credits.csv, weekly-targets.csv) with the csv module and encodes the science rules
itself, so a planner bug cannot hide behind a shared helper. Besides the buffers, races, deloads,
minimum sets and progression it enforces (issue 13): no movement pattern on consecutive days; a
deload week holds at most 60 % of the sets of the week before; nothing is first introduced in a
deload or taper week; a beginner's first two weeks have at most two moves a session. No tests
live here.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib import resources

from hypothesis import strategies as st

from chainfix.model import Activity, History, Origin, StrengthSet

GROUPS = (
    "quads",
    "hamstrings",
    "glute_max",
    "glute_med",
    "calves",
    "hip_flexors",
    "lower_back",
    "upper_back",
)
EQUIPMENT = (
    "dumbbell",
    "kettlebell",
    "barbell",
    "trap_bar",
    "bench",
    "band",
    "mini_band",
    "ball",
    "bar",
    "machine",
    "cable",
    "anchor",
    "pad",
    "ghd",
    "back_extension_bench",
    "suspension",
)
PAIN = ("lower_back", "hamstring", "achilles", "knee", "itb")

# Times of day the checker assumes (science section 4 example: strength in the evening after a
# morning run; "Thursday evening is >= 48 h before Sunday").
STRENGTH_HOUR = 18
RUN_HOUR = 8


def _data(name: str) -> list[dict[str, str]]:
    text = resources.files("chainfix").joinpath("data", name).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


EXERCISES = {row["id"]: row for row in _data("exercises.csv")}
FAMILY_PATTERN = {row["family"]: row["pattern"] for row in _data("strength-credits.csv")}
TARGET_ROWS = [row for row in _data("weekly-targets.csv") if row["kind"] == "pattern"]
UPPER_OR_CORE = {"upper_back_pull", "trunk"}
NORDIC_FAMILIES = {"nordic", "glute_ham_raise"}


def pattern_of(exercise_id: str) -> str:
    return FAMILY_PATTERN[EXERCISES[exercise_id]["stimulus_family"]]


def is_barbell_work(exercise_id: str) -> bool:
    row = EXERCISES[exercise_id]
    items = [set(item.split("|")) for item in row["equipment"].split(";")]
    barbell_item = any(item <= {"barbell", "trap_bar"} for item in items)
    return barbell_item or "barbell" in row["display_name"].lower()


def minimum_sets(level: str, pattern: str, flagged: bool) -> int:
    rows = [r for r in TARGET_ROWS if r["name"] == pattern and r["level"] == level]
    chosen = [r for r in rows if r["condition"] == "if_flagged"] if flagged else []
    chosen = chosen or [r for r in rows if r["condition"] == "always"]
    return int(float(chosen[0]["minimum"])) if chosen else 0


# ---------------------------------------------------------------------------------------------
# Personas
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Persona:
    """An athlete's usual week; history is generated from it and the checker trusts it."""

    start: date
    long_run: int | None
    hard: frozenset[int]
    easy: frozenset[int]
    hr_only: bool = False
    offset_s: int = 0
    history_weeks: int = 10
    strength_days: frozenset[int] = frozenset()
    strength_weeks: int = 0
    """Strength workouts logged on ``strength_days`` in the last N weeks (with loads)."""
    easy_speed: float = 2.9
    hard_factor: float = 1.3
    long_minutes: int = 110

    def hard_days(self) -> frozenset[int]:
        """Weekdays with a hard run, the long run included (it protects the day before too)."""
        return self.hard | ({self.long_run} if self.long_run is not None else set())


def _activity(
    p: Persona, n: int, day: date, sport: str, sub: str, minutes: float, **kw: object
) -> Activity:
    local = datetime(day.year, day.month, day.day, 7, 0)
    start_utc = (local - timedelta(seconds=p.offset_s)).replace(tzinfo=UTC)
    return Activity(
        id=f"gen-{n}",
        source="test",
        origin=Origin(f"gen-{n}.fit"),
        sport=sport,
        sub_sport=sub,
        start_utc=start_utc,
        utc_offset_s=p.offset_s,
        elapsed_s=minutes * 60,
        timer_s=minutes * 60,
        **kw,  # type: ignore[arg-type]
    )


LOGGED_SETS = (
    ("deadlift", "romanian_deadlift", 50.0, 8),
    ("hip_raise", "barbell_hip_thrust_with_bench", 70.0, 8),
    ("calf_raise", "single_leg_standing_dumbbell_calf_raise", 12.0, 12),
    ("row", "one_arm_bent_over_row", 22.0, 10),
    ("leg_curl", "sliding_leg_curl", 0.0, 8),
)


def persona_history(p: Persona) -> History:
    """Runs (and strength workouts) for the ``history_weeks`` before the plan start."""
    out: list[Activity] = []
    n = 0
    first = p.start - timedelta(weeks=p.history_weeks)
    day = first
    while day < p.start:
        wd = day.weekday()
        n += 1
        speed = None if p.hr_only else p.easy_speed
        if wd == p.long_run:
            minutes = p.long_minutes
            out.append(
                _activity(
                    p,
                    n,
                    day,
                    "running",
                    "generic",
                    minutes,
                    distance_m=p.easy_speed * minutes * 60,
                    avg_speed_m_s=speed,
                    avg_hr=140.0,
                )
            )
        elif wd in p.hard:
            minutes = 50
            v = p.easy_speed * p.hard_factor
            out.append(
                _activity(
                    p,
                    n,
                    day,
                    "running",
                    "street",
                    minutes,
                    distance_m=v * minutes * 60,
                    avg_speed_m_s=None if p.hr_only else v,
                    avg_hr=140.0 * (1 + (p.hard_factor - 1) * 0.5),
                )
            )
        elif wd in p.easy:
            minutes = 40
            out.append(
                _activity(
                    p,
                    n,
                    day,
                    "running",
                    "generic",
                    minutes,
                    distance_m=p.easy_speed * minutes * 60,
                    avg_speed_m_s=speed,
                    avg_hr=140.0,
                )
            )
        if wd in p.strength_days and day >= p.start - timedelta(weeks=p.strength_weeks):
            n += 1
            when = datetime(day.year, day.month, day.day, 19, 0, tzinfo=UTC)
            sets = tuple(
                StrengthSet(
                    start=when,
                    duration_s=40.0,
                    reps=reps,
                    weight_kg=kg or None,
                    set_type="active",
                    categories=(cat,),
                    exercise=name,
                )
                for cat, name, kg, reps in LOGGED_SETS
                for _ in range(3)
            )
            out.append(_activity(p, n, day, "training", "strength_training", 45, sets=sets))
        day += timedelta(days=1)
    out.sort(key=lambda a: a.start_utc)
    return History(activities=tuple(out))


@st.composite
def personas(draw: st.DrawFn) -> Persona:
    start = draw(st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31)))
    runner = draw(st.integers(0, 9)) > 0
    if not runner:
        return Persona(start=start, long_run=None, hard=frozenset(), easy=frozenset())
    long_run = draw(st.integers(0, 6))
    others = [d for d in range(7) if d != long_run]
    hard = draw(st.sets(st.sampled_from(others), max_size=2))
    rest = [d for d in others if d not in hard]
    easy = draw(st.sets(st.sampled_from(rest), min_size=max(1, len(hard)), max_size=3))
    strength_weeks = draw(st.sampled_from([0, 0, 10, 30]))
    strength_days = (
        draw(st.sets(st.integers(0, 6), min_size=1, max_size=3)) if strength_weeks else set()
    )
    return Persona(
        start=start,
        long_run=long_run,
        hard=frozenset(hard),
        easy=frozenset(easy),
        hr_only=draw(st.booleans()),
        offset_s=draw(st.sampled_from([-5 * 3600, 0, 3600, 9 * 3600])),
        history_weeks=max(8, strength_weeks),
        strength_days=frozenset(strength_days),
        strength_weeks=strength_weeks,
        easy_speed=draw(st.floats(2.5, 3.4)),
        hard_factor=draw(st.floats(1.2, 1.45)),
        long_minutes=draw(st.integers(75, 170)),
    )


# ---------------------------------------------------------------------------------------------
# The rule checker
# ---------------------------------------------------------------------------------------------


@dataclass
class Calendar:
    """The persona's future week and races, as the checker sees them."""

    persona: Persona
    races: dict[date, str] = field(default_factory=dict)
    """Race date -> priority (A/B)."""
    days: frozenset[int] = frozenset(range(7))

    def long_run(self, d: date) -> bool:
        return self.persona.long_run is not None and d.weekday() == self.persona.long_run

    def hard(self, d: date) -> bool:
        return d.weekday() in self.persona.hard_days()

    def hours_to(self, d: date, test) -> float | None:  # noqa: ANN001
        for k in range(1, 30):
            if test(d + timedelta(days=k)):
                return 24 * k + RUN_HOUR - STRENGTH_HOUR
        return None

    def lower_body_problems(self, d: date) -> list[str]:
        """Why lower-body strength on ``d`` breaks a spacing rule (empty when it does not)."""
        out = []
        if self.long_run(d):
            out.append("on the long-run day")
        if self.long_run(d + timedelta(days=1)):
            out.append("the day before the long run")
        h = self.hours_to(d, self.long_run)
        if h is not None and h < 48:
            out.append(f"{h} h before the long run")
        h = self.hours_to(d, self.hard)
        if h is not None and h < 24:
            out.append(f"{h} h before a hard run")
        if d in self.races:
            out.append("on race day")
        h = self.hours_to(d, lambda x: x in self.races)
        if h is not None and h < 48:
            out.append(f"{h} h before a race")
        return out

    def feasible(self, d: date) -> bool:
        return d.weekday() in self.days and not self.lower_body_problems(d)


def lower_body(step: dict) -> bool:
    return pattern_of(step["exercise_id"]) not in UPPER_OR_CORE


def check_plan(plan_json: dict, cal: Calendar, level: str, weeks: int, flagged: bool) -> list[str]:
    """Every rule violation in a plan (the ``--json`` document), as sentences."""
    problems: list[str] = []
    start = date.fromisoformat(plan_json["start"])
    sessions = plan_json["sessions"]
    by_week: dict[int, list[dict]] = {}
    for s in sessions:
        d = date.fromisoformat(s["date"])
        week = (d - start).days // 7 + 1
        if not 1 <= week <= weeks:
            problems.append(f"{s['key']}: outside the plan")
        by_week.setdefault(week, []).append(s)
        lower = any(lower_body(st_) for st_ in s["steps"])
        if lower:
            if d.weekday() not in cal.days:
                problems.append(f"{s['key']}: not an available day")
            for why in cal.lower_body_problems(d):
                problems.append(f"{s['key']}: lower-body strength {why}")
            for st_ in s["steps"]:
                if EXERCISES[st_["exercise_id"]]["stimulus_family"] in NORDIC_FAMILIES:
                    h = cal.hours_to(d, cal.hard)
                    if h is not None and h < 48:
                        problems.append(f"{s['key']}: Nordic {h} h before a hard run")
        for race, priority in cal.races.items():
            before = (race - d).days
            if priority == "A" and 0 <= before < 7 and s["kind"] != "taper":
                problems.append(f"{s['key']}: heavy session {before} days before an A-race")
            if priority == "A" and 0 <= before <= 4:
                problems.append(f"{s['key']}: session {before} days before an A-race")
        if s["kind"] == "taper" and not any(
            p == "A" and 5 <= (r - d).days <= 7 for r, p in cal.races.items()
        ):
            problems.append(f"{s['key']}: a taper session not 5-7 days before an A-race")
    for race, priority in cal.races.items():
        if priority == "A":
            light = [
                s
                for s in sessions
                if s["kind"] == "taper" and 0 < (race - date.fromisoformat(s["date"])).days <= 7
            ]
            if len(light) > 1:
                problems.append(f"race {race}: {len(light)} light taper sessions")
    days_by_date: dict[str, int] = {}
    for s in sessions:
        days_by_date[s["date"]] = days_by_date.get(s["date"], 0) + 1
    problems.extend(f"{d}: two sessions on one day" for d, n in days_by_date.items() if n > 1)

    # Beginners: never loaded barbell work.
    if level == "beginner":
        for s in sessions:
            for st_ in s["steps"]:
                if is_barbell_work(st_["exercise_id"]):
                    problems.append(f"{s['key']}: beginner gets barbell work {st_['exercise_id']}")

    # Deload weeks: every 4th week's sessions are deload (or taper) sessions with fewer sets.
    for week, items in by_week.items():
        if week % 4 == 0:
            for s in items:
                if s["kind"] not in ("deload", "taper"):
                    problems.append(f"{s['key']}: week {week} should be a deload week")
        else:
            for s in items:
                if s["kind"] == "deload":
                    problems.append(f"{s['key']}: deload outside every 4th week")
    for week, items in by_week.items():
        if week % 4 != 0 or week - 1 not in by_week:
            continue
        before = {}
        for s in by_week[week - 1]:
            if s["kind"] == "strength":
                for st_ in s["steps"]:
                    before[st_["exercise_id"]] = max(before.get(st_["exercise_id"], 0), st_["sets"])
        for s in items:
            for st_ in s["steps"]:
                prev = before.get(st_["exercise_id"])
                if prev and prev >= 2 and st_["sets"] > -(-prev * 6 // 10):
                    problems.append(f"{s['key']}: deload keeps {st_['sets']} of {prev} sets")

    # No movement pattern on consecutive days (min_days_between_sessions is a hard rule).
    patterns_on: dict[date, set[str]] = {}
    for s in sessions:
        d = date.fromisoformat(s["date"])
        patterns_on.setdefault(d, set()).update(pattern_of(x["exercise_id"]) for x in s["steps"])
    for d, pats in sorted(patterns_on.items()):
        shared = pats & patterns_on.get(d + timedelta(days=1), set())
        if shared:
            problems.append(f"{d}: {', '.join(sorted(shared))} on consecutive days")

    # A deload week holds at most 60 % of the sets of the week before (R12: -40-50 %).
    for week, items in by_week.items():
        if not any(s["kind"] == "deload" for s in items) or week - 1 not in by_week:
            continue
        if any(s["kind"] != "strength" for s in by_week[week - 1]):
            continue
        total = sum(x["sets"] for s in items for x in s["steps"])
        prev_total = sum(x["sets"] for s in by_week[week - 1] for x in s["steps"])
        if prev_total >= 4 and total > 0.6 * prev_total:
            problems.append(f"week {week}: deload keeps {total} of {prev_total} sets")

    # Nothing is first introduced in a deload or taper week.
    introduced: set[str] = set()
    for s in sorted(sessions, key=lambda x: x["date"]):
        for x in s["steps"]:
            if x["exercise_id"] not in introduced and s["kind"] in ("deload", "taper"):
                problems.append(f"{s['key']}: {x['exercise_id']} first appears in a {s['kind']}")
            introduced.add(x["exercise_id"])

    # A beginner's first two weeks: at most two bodyweight moves a session.
    if level == "beginner":
        for week in (1, 2):
            for s in by_week.get(week, []):
                if len(s["steps"]) > 2:
                    problems.append(f"{s['key']}: {len(s['steps'])} moves in beginner week {week}")

    # Weekly minimum hard sets per pattern, after the beginner ramp.
    first_full = 5 if level == "beginner" else 1
    for week in range(first_full, weeks + 1):
        items = by_week.get(week, [])
        if week % 4 == 0 or any(s["kind"] != "strength" for s in items):
            continue
        wk_start = start + timedelta(days=7 * (week - 1))
        days = [wk_start + timedelta(days=i) for i in range(7)]
        if any(abs((r - d).days) <= 10 for r in cal.races for d in days):
            continue
        if not any(cal.feasible(d) for d in days):
            continue
        totals: dict[str, int] = {}
        for s in items:
            for st_ in s["steps"]:
                p = pattern_of(st_["exercise_id"])
                totals[p] = totals.get(p, 0) + st_["sets"]
        patterns = ["hinge_hip_extension", "knee_flexion", "calves", "upper_back_pull"]
        if flagged:
            patterns.append("hip_abduction")
        for p in patterns:
            need = minimum_sets(level, p, flagged)
            if totals.get(p, 0) < need:
                problems.append(f"week {week}: {totals.get(p, 0)} {p} sets < minimum {need}")

    # Progression: monotone per exercise outside deload and taper weeks; a ladder's top rung
    # never goes down from one week to the next (a Nordic may give way to the rung below when
    # the calendar forbids eccentric work, R10).
    seen: dict[str, tuple] = {}
    top_rung: dict[int, dict[str, tuple[int, str]]] = {}
    for s in sorted(sessions, key=lambda x: x["date"]):
        if s["kind"] != "strength":
            continue
        week = (date.fromisoformat(s["date"]) - start).days // 7 + 1
        for st_ in s["steps"]:
            ex = st_["exercise_id"]
            amount = st_.get("reps") if st_.get("reps") is not None else st_.get("duration_s")
            key = (st_.get("load_step", 0), st_.get("weight_kg") or 0.0, amount)
            if ex in seen and key < seen[ex]:
                problems.append(f"{s['key']}: {ex} went back from {seen[ex]} to {key}")
            seen[ex] = max(seen.get(ex, key), key)
            row = EXERCISES[ex]
            if row["role"] == "main":
                rungs = top_rung.setdefault(week, {})
                step = int(row["ladder_step"])
                if step > rungs.get(row["ladder"], (0, ""))[0]:
                    rungs[row["ladder"]] = (step, ex)
    weeks_seen = sorted(top_rung)
    for a, b in zip(weeks_seen, weeks_seen[1:], strict=False):
        for ladder, (step, ex) in top_rung[a].items():
            if ladder not in top_rung[b]:
                continue
            if EXERCISES[ex]["stimulus_family"] in NORDIC_FAMILIES:
                continue
            if top_rung[b][ladder][0] < step:
                problems.append(f"week {b}: {ladder} ladder went down from {ex}")
    return problems


# ---------------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------------


def planning_cli():  # noqa: ANN201
    """A root group with the planning commands, as the lead's root group wires them."""
    import click

    from chainfix.cli import assess, plan, profile

    try:
        from chainfix.cli import ChainfixGroup as Group
    except ImportError:  # pragma: no cover - the root group is the lead's
        Group = click.Group  # noqa: N806

    # the real root's help options: a plain group would leave ``plan`` caching ``--help`` alone
    root = Group(name="chainfix", context_settings={"help_option_names": ["-h", "--help"]})
    for module in (plan, assess, profile):
        module.register(root)
    return root
