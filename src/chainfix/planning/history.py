"""What the planner reads from the history: the week's rhythm, the level, loads and rungs.

* **Training pattern** (science section 4): the usual long-run weekday (the weekday the week's
  longest run falls on most often) and the hard-run weekdays (quality runs: clearly faster than
  the athlete's median grade-adjusted run speed, or a clearly higher heart rate, or repeated
  fast laps, or longer than 2 h).
* **Loads**: the best estimated 1RM per FIT exercise pair and per stimulus family, from logged
  sets with a weight, so loaded exercises can be prescribed in kilograms.
* **Rungs**: the highest ladder step the athlete logged recently (exact FIT pairs only).

Only activities that start before the plan's first day are used.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from chainfix.model import Activity, History
from chainfix.planning.catalogue import Catalogue
from chainfix.planning.dosing import Dosing

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _median(values: Sequence[float]) -> float:
    """The median of ``values`` (not empty), as :func:`statistics.median` gives it; that module
    imports ``fractions`` and ``decimal``, about 3 ms of every start that plans."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def is_strength(activity: Activity, model: Any = None) -> bool:
    """A strength workout, by the analysis's one definition (:mod:`chainfix.analysis.level`),
    with ``model`` (default: :func:`strength_model`; give it when asking of many activities)."""
    from chainfix.analysis.level import is_strength_workout

    return is_strength_workout(model if model is not None else strength_model(), activity)


def strength_model() -> Any:
    """The model :func:`is_strength` tells strength workouts by (the user's overrides too)."""
    from chainfix.analysis.tables import load_model

    return load_model()


def _endurance(activities: Iterable[Activity]) -> list[Activity]:
    """``activities`` but the strength workouts."""
    model = strength_model()
    return [a for a in activities if not is_strength(a, model)]


def _before(history: History | Iterable[Activity], until: date) -> list[Activity]:
    return [a for a in history if a.local_date < until]


@dataclass(frozen=True, slots=True)
class TrainingPattern:
    """The athlete's usual week, as the planner projects it forward."""

    long_run_weekday: int | None = None
    """``date.weekday()`` of the usual long run, None without a clear one."""
    hard_weekdays: frozenset[int] = frozenset()
    """Weekdays with a quality run (intervals, tempo, races, runs over 2 h) most weeks."""
    running_hours_per_week: float = 0.0
    """Average running hours a week over the R16 window."""
    running_weeks: int = 0
    explanations: tuple[str, ...] = field(default=())
    long_run_descent_m: float = 0.0
    """The usual (median) descent of the week's long run: the coming long runs are projected
    with it (R13)."""

    def is_hard(self, day: date) -> bool:
        return day.weekday() in self.hard_weekdays or day.weekday() == self.long_run_weekday

    def is_long_run(self, day: date) -> bool:
        return self.long_run_weekday is not None and day.weekday() == self.long_run_weekday


def _is_run(a: Activity, sports: Iterable[str]) -> bool:
    return a.sport in set(sports) and a.duration_s > 0


def fast_lap_stretches(a: Activity, median_speed: float, dosing: Dosing) -> int:
    """How many separate stretches of fast laps ``a`` holds (see ``[calendar]`` in dosing.toml).

    A fast lap lasts at least ``lap_min_s``, is not hilly, and is at least ``lap_fast_ratio``
    times ``median_speed``; consecutive fast laps are one stretch (one repetition).
    """
    stretches = 0
    previous_fast = False
    for lap in a.laps:
        speed = lap.speed_m_s
        climb = (lap.ascent_m or 0.0) + (lap.descent_m or 0.0)
        km = (lap.distance_m or 0.0) / 1000
        fast = bool(
            speed
            and lap.duration_s >= dosing.lap_min_s
            and climb < dosing.hilly_m_per_km * km
            and speed >= median_speed * dosing.lap_fast_ratio
        )
        if fast and not previous_fast:
            stretches += 1
        previous_fast = fast
    return stretches


def read_pattern(
    history: History | Iterable[Activity], until: date, dosing: Dosing
) -> TrainingPattern:
    """The usual long-run and hard-run weekdays in the ``window_weeks`` before ``until``."""
    window_start = until - timedelta(weeks=dosing.calendar_window_weeks)
    runs = [
        a
        for a in _before(history, until)
        if a.local_date >= window_start and _is_run(a, dosing.calendar_running_sports)
    ]
    focus_start = until - timedelta(days=dosing.focus_window_days)
    focus_runs = [
        a
        for a in _before(history, until)
        if a.local_date >= focus_start and _is_run(a, dosing.focus_running_sports)
    ]
    hours = sum(a.duration_s for a in focus_runs) / 3600 / (dosing.focus_window_days / 7)
    if not runs:
        return TrainingPattern(
            running_hours_per_week=hours,
            explanations=("No runs in the history: strength days are not tied to running.",),
        )

    def gap_speed(a: Activity) -> float | None:
        """Grade-adjusted speed: each metre of climb counts as ``gap_m_per_m_ascent`` flat."""
        if a.distance_m and a.duration_s > 0:
            flat = a.distance_m + dosing.gap_m_per_m_ascent * (a.ascent_m or 0.0)
            return flat / a.duration_s
        return a.avg_speed_m_s

    def hilly(a: Activity) -> bool:
        km = (a.distance_m or 0.0) / 1000
        return km > 0 and (a.ascent_m or 0.0) / km >= dosing.hilly_m_per_km

    speeds = [v for v in (gap_speed(a) for a in runs) if v]
    hrs = [a.avg_hr for a in runs if a.avg_hr]
    peaks = [a.max_hr for a in runs if a.max_hr]
    median_speed = _median(speeds) if speeds else None
    median_hr = _median(hrs) if hrs else None
    own_max = max(peaks) if peaks else None

    def quality(a: Activity) -> bool:
        if a.duration_s > dosing.long_run_hard_hours * 3600:
            return True
        speed = gap_speed(a)
        if median_speed and speed and speed >= median_speed * dosing.quality_speed_ratio:
            return True
        if median_speed and fast_lap_stretches(a, median_speed, dosing) >= dosing.lap_min_reps:
            return True
        if own_max:
            if a.avg_hr and a.avg_hr >= own_max * dosing.hr_hard_fraction:
                return True
            return bool(a.max_hr and a.max_hr >= own_max * dosing.hr_peak_fraction and not hilly(a))
        return bool(
            median_hr
            and a.avg_hr
            and a.avg_hr >= median_hr * dosing.quality_hr_ratio
            and not hilly(a)
        )

    weeks: dict[date, list[Activity]] = defaultdict(list)
    for a in runs:
        monday = a.local_date - timedelta(days=a.local_date.weekday())
        weeks[monday].append(a)
    longest: Counter[int] = Counter()
    hard_days: Counter[int] = Counter()
    long_descents: list[float] = []
    long_minutes: list[float] = []
    for items in weeks.values():
        long_run = max(items, key=lambda a: (a.duration_s, a.distance_m or 0.0))
        longest[long_run.local_date.weekday()] += 1
        long_descents.append(long_run.descent_m or 0.0)
        long_minutes.append(long_run.duration_s / 60)
        for day in {a.local_date.weekday() for a in items if quality(a)}:
            hard_days[day] += 1
    long_day: int | None = None
    if longest and _median(long_minutes) >= dosing.long_run_min_minutes:
        day, count = longest.most_common(1)[0]
        if count >= dosing.long_run_min_weeks:
            long_day = day
    n_weeks = len(weeks)
    hard = frozenset(d for d, c in hard_days.items() if c / n_weeks >= dosing.hard_day_share)
    why = []
    if long_day is not None:
        why.append(
            f"Your long run is usually on {WEEKDAY_NAMES[long_day]} "
            f"({longest[long_day]} of {n_weeks} weeks): that day and the day before stay free."
        )
    quality_days = sorted(hard - {long_day} if long_day is not None else hard)
    if quality_days:
        day_names = [WEEKDAY_NAMES[d] for d in quality_days]
        names = (
            day_names[0]
            if len(day_names) == 1
            else ", ".join(day_names[:-1]) + " and " + day_names[-1]
        )
        why.append(
            f"Hard runs usually on {names}: lower-body strength goes on those evenings, "
            f"after the run."
        )
    return TrainingPattern(
        long_run_weekday=long_day,
        hard_weekdays=hard,
        running_hours_per_week=hours,
        running_weeks=n_weeks,
        explanations=tuple(why),
        long_run_descent_m=_median(long_descents) if long_descents else 0.0,
    )


@dataclass(frozen=True, slots=True)
class LoadEvidence:
    """Best estimated 1RM from logged sets, per FIT pair and per stimulus family."""

    by_pair: Mapping[str, float] = field(default_factory=dict)
    """``"category/name"`` -> kg."""
    by_family: Mapping[str, float] = field(default_factory=dict)


def read_loads(
    history: History | Iterable[Activity],
    until: date,
    dosing: Dosing,
    family_of: Mapping[tuple[str, str], str] | None = None,
) -> LoadEvidence:
    """Estimated 1RM (Epley) from weighted sets logged within the lookback window.

    ``family_of`` maps a FIT pair to its stimulus family; pairs it does not know only count
    under their own pair.
    """
    start = until - timedelta(days=dosing.load_lookback_days)
    by_pair: dict[str, float] = {}
    by_family: dict[str, float] = {}
    for a in _before(history, until):
        if a.local_date < start:
            continue
        for s in a.active_sets:
            if not s.weight_kg or s.weight_kg <= 0 or not s.reps or s.reps <= 0:
                continue
            e1rm = s.weight_kg * (1 + s.reps / dosing.epley_divisor)
            pair = (s.category, s.exercise or "")
            key = f"{pair[0]}/{pair[1]}"
            by_pair[key] = max(by_pair.get(key, 0.0), e1rm)
            family = (family_of or {}).get(pair)
            if family:
                by_family[family] = max(by_family.get(family, 0.0), e1rm)
    return LoadEvidence(by_pair=by_pair, by_family=by_family)


def rungs_logged(
    history: History | Iterable[Activity], until: date, weeks: int, catalogue: Catalogue
) -> dict[str, int]:
    """Ladder -> highest step logged in the ``weeks`` before ``until``.

    Only a set whose FIT pair is the exact main pair of exactly one catalogue exercise counts
    (``leg_curl/leg_curl`` could be a machine curl or a Nordic, so it does not).
    """
    owners: dict[tuple[str, str], list[str]] = defaultdict(list)
    for e in catalogue:
        if e.fit_match == "exact" and e.role in ("main", "alternative"):
            owners[e.fit_pair].append(e.id)
    start = until - timedelta(weeks=weeks)
    out: dict[str, int] = {}
    for a in _before(history, until):
        if a.local_date < start:
            continue
        for s in a.active_sets:
            ids = owners.get((s.category, s.exercise or ""), [])
            if len(ids) != 1:
                continue
            e = catalogue[ids[0]]
            out[e.ladder] = max(out.get(e.ladder, 0), e.step)
    return out


def eccentric_block_until(
    history: History | Iterable[Activity], until: date, dosing: Dosing
) -> tuple[date | None, str]:
    """R13: the last day eccentric work is off after a descent-heavy activity, and why."""
    blocked: date | None = None
    why = ""
    days = -(-dosing.descent_block_hours // 24)
    for a in _before(history, until):
        if (until - a.local_date).days > days + 1:
            continue
        divisor = dosing.descent_divisors.get(a.sport)
        if not divisor or not a.descent_m:
            continue
        equ = a.descent_m / divisor
        if equ >= dosing.descent_flag_equ:
            end = a.local_date + timedelta(days=days)
            if blocked is None or end > blocked:
                blocked = end
                why = (
                    f"{a.local_date.isoformat()}: {a.descent_m:.0f} m of descent "
                    f"({equ:.0f} eccentric quad units): no Nordic work until "
                    f"{(end + timedelta(days=1)).isoformat()}."
                )
    return blocked, why


def forward_posture(history: History | Iterable[Activity], until: date, dosing: Dosing) -> bool:
    """Section 8: forward-moving sports make up a large share of recent endurance minutes."""
    start = until - timedelta(days=dosing.forward_window_days)
    recent = _endurance(a for a in _before(history, until) if a.local_date >= start)
    total = sum(a.duration_s for a in recent)
    forward = sum(a.duration_s for a in recent if a.sport in dosing.forward_sports)
    return total > 0 and forward / total >= dosing.forward_min_share


@dataclass(frozen=True, slots=True)
class CutbackCycle:
    """The runner's own cutback rhythm (R12): the Mondays of past cutback weeks and the interval."""

    mondays: tuple[date, ...] = ()
    interval_weeks: int = 0

    def projected(self, start: date, weeks: int) -> list[date]:
        """Mondays of the cutback weeks projected into ``weeks`` weeks from ``start``."""
        if not self.mondays or not self.interval_weeks:
            return []
        end = start + timedelta(weeks=weeks)
        out = []
        monday = self.mondays[-1]
        while monday < end:
            monday += timedelta(weeks=self.interval_weeks)
            if monday + timedelta(days=6) >= start and monday < end:
                out.append(monday)
        return out


def cutback_cycle(
    history: History | Iterable[Activity], until: date, dosing: Dosing
) -> CutbackCycle:
    """The regular cutback weeks in the weekly running time before ``until`` (none if irregular)."""
    this_monday = until - timedelta(days=until.weekday())
    first = this_monday - timedelta(weeks=dosing.cutback_lookback_weeks)
    minutes: dict[date, float] = {
        first + timedelta(weeks=i): 0.0 for i in range(dosing.cutback_lookback_weeks)
    }
    for a in _before(history, until):
        if a.sport not in dosing.calendar_running_sports:
            continue
        monday = a.local_date - timedelta(days=a.local_date.weekday())
        if monday in minutes:
            minutes[monday] += a.duration_s / 60
    weeks = sorted(minutes)
    n = dosing.cutback_baseline_weeks
    cutbacks = []
    for i in range(n, len(weeks)):
        base = [minutes[w] for w in weeks[i - n : i]]
        mean = sum(base) / n
        if mean > 0 and min(base) > 0 and minutes[weeks[i]] <= mean * (1 - dosing.cutback_drop):
            cutbacks.append(weeks[i])
    if len(cutbacks) < dosing.cutback_min_cycles:
        return CutbackCycle()
    gaps = {(b - a).days // 7 for a, b in zip(cutbacks, cutbacks[1:], strict=False)}
    lo, hi = dosing.cutback_interval
    if len(gaps) != 1 or not lo <= next(iter(gaps)) <= hi:
        return CutbackCycle()
    return CutbackCycle(mondays=tuple(cutbacks), interval_weeks=next(iter(gaps)))


def lifting_habit(
    history: History | Iterable[Activity], until: date, dosing: Dosing, model: Any = None
) -> tuple[float, frozenset[int]]:
    """Strength workouts a week over ``addon_window_weeks`` and the usual lifting weekdays."""
    start = until - timedelta(weeks=dosing.addon_window_weeks)
    dates = {
        a.local_date
        for a in _before(history, until)
        if a.local_date >= start and is_strength(a, model)
    }
    per_week = len(dates) / dosing.addon_window_weeks
    counts = Counter(d.weekday() for d in dates)
    usual = frozenset(
        wd for wd, n in counts.items() if n / dosing.addon_window_weeks >= dosing.addon_day_share
    )
    return per_week, usual


def running_share(history: History | Iterable[Activity], until: date, dosing: Dosing) -> float:
    """Running minutes as a share of the endurance minutes in the ``forward_window_days``."""
    start = until - timedelta(days=dosing.forward_window_days)
    recent = _endurance(a for a in _before(history, until) if a.local_date >= start)
    total = sum(a.duration_s for a in recent)
    runs = sum(a.duration_s for a in recent if a.sport in dosing.calendar_running_sports)
    return runs / total if total > 0 else 0.0
