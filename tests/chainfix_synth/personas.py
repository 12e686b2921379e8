"""Seeded activity plans for a few athlete personas.

A plan is a list of :class:`PlannedActivity` in SI units, already quantised the way FIT and the
Garmin export store them (whole seconds, centimetres, whole metres of climb, whole bpm), so the
FIT files and the JSON written from one plan agree exactly.

Times are planned in the athlete's local wall-clock time with EU summer time (+01:00 in winter,
+02:00 in summer), so a run at 00:40 on a Monday falls on Sunday in UTC: week boundaries differ
between local time and UTC.

Exercise and product names are FIT profile names; :func:`exercise_number` and the profile tables
give their numbers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Literal

from fitparse.profile import FIELD_TYPES

__all__ = [
    "UNKNOWN_SUBTYPE",
    "Device",
    "Persona",
    "PlannedActivity",
    "PlannedSet",
    "beginner_runner",
    "cyclist",
    "eu_utc_offset",
    "exercise_number",
    "extra_activity",
    "hybrid_lifter",
    "runner",
    "trail_runner",
]

UNKNOWN_SUBTYPE = 65534
"""FIT's value for "the watch did not recognise the exercise"."""

DEFAULT_START = date(2025, 1, 6)
"""A Monday: 26 weeks from here cross the March and (with more weeks) October DST changes."""


def eu_utc_offset(when_utc: datetime, standard_s: int = 3600) -> int:
    """UTC offset in seconds under EU summer-time rules (last Sunday of March to October)."""
    year = when_utc.year

    def last_sunday(month: int) -> datetime:
        day = datetime(year, month, 31, 1, tzinfo=UTC)
        return day - timedelta(days=(day.weekday() + 1) % 7)

    summer = last_sunday(3) <= when_utc.astimezone(UTC) < last_sunday(10)
    return standard_s + 3600 if summer else standard_s


def _local_to_utc(local: datetime, standard_s: int = 3600) -> tuple[datetime, int]:
    guess = local.replace(tzinfo=UTC) - timedelta(seconds=standard_s)
    offset = eu_utc_offset(guess, standard_s)
    return local.replace(tzinfo=UTC) - timedelta(seconds=offset), offset


def exercise_number(category: str, exercise: str) -> int:
    """FIT exercise-name number of ``exercise`` within ``category`` (KeyError if unknown)."""
    table = FIELD_TYPES[f"{category}_exercise_name"].values
    for number, name in table.items():
        if name == exercise:
            return int(number)
    raise KeyError(f"{exercise!r} is not a FIT {category} exercise")


def _product_number(name: str) -> int:
    for number, product in FIELD_TYPES["garmin_product"].values.items():
        if product == name:
            return int(number)
    raise KeyError(f"unknown Garmin product {name!r}")


@dataclass(frozen=True, slots=True)
class Device:
    """The recording device, as ``file_id`` / ``device_info`` describe it."""

    product: str
    """FIT ``garmin_product`` name, e.g. ``fr965``."""
    serial_number: int
    software_version: float = 20.26
    manufacturer: str = "garmin"

    @property
    def product_number(self) -> int:
        return _product_number(self.product)

    @property
    def device_id(self) -> int:
        """The export's ``deviceId``: the serial number."""
        return self.serial_number


@dataclass(frozen=True, slots=True)
class PlannedSet:
    """One strength set as the watch records it, with what was really done."""

    set_type: Literal["active", "rest"]
    duration_s: float
    reps: int | None = None
    weight_kg: float | None = None
    """Multiple of 0.5 kg (exact in FIT's 1/16 kg); ``None`` for bodyweight."""
    category: tuple[str, ...] = ()
    """The watch's exercise-category candidates (FIT names, ``"unknown"`` allowed)."""
    subtype: tuple[int, ...] = ()
    """Exercise-name numbers matching ``category`` (65534 for unknown)."""
    true_category: str | None = None
    """What was done (Garmin Connect's corrected category, FIT name)."""
    true_exercise: str | None = None
    weight_display_unit: str | None = None


@dataclass(slots=True)
class PlannedActivity:
    """One planned activity (or one leg of a multisport activity)."""

    kind: str
    """easy, long, intervals, tempo, trail, ride, strength, multisport, manual ..."""
    name: str
    sport: str
    sub_sport: str
    start_utc: datetime
    utc_offset_s: int
    timer_s: int
    elapsed_s: int
    distance_m: float | None = None
    ascent_m: int | None = None
    descent_m: int | None = None
    avg_hr: int | None = None
    max_hr: int | None = None
    avg_power_w: int | None = None
    avg_cadence: int | None = None
    calories: int = 0
    start_lat: float | None = None
    start_lon: float | None = None
    start_alt_m: float = 100.0
    sets: list[PlannedSet] = field(default_factory=list)
    legs: list[PlannedActivity] = field(default_factory=list)
    """Multisport legs, back to back; empty for single-sport activities."""
    device: Device | None = None
    """``None`` for a manual (JSON-only) entry."""
    seed: int = 0
    """Seed for the recorded detail (GPS, heart rate ...)."""
    workout_laps: bool = False
    """The watch followed a structured workout: an ``intervals`` or ``tempo`` run is lapped at
    each step (warm-up, every repetition and recovery, cool-down) instead of every kilometre."""

    @property
    def end_utc(self) -> datetime:
        return self.start_utc + timedelta(seconds=self.elapsed_s)

    @property
    def local_tz(self) -> timezone:
        return timezone(timedelta(seconds=self.utc_offset_s))

    @property
    def start_local(self) -> datetime:
        return self.start_utc.astimezone(self.local_tz)

    @property
    def is_multisport(self) -> bool:
        return bool(self.legs)

    @property
    def parts(self) -> list[PlannedActivity]:
        """The activities a reader should produce: the legs, or the activity itself."""
        return list(self.legs) if self.legs else [self]

    @property
    def avg_speed_m_s(self) -> float | None:
        if not self.distance_m or not self.timer_s:
            return None
        return self.distance_m / self.timer_s


@dataclass(slots=True)
class Persona:
    """An athlete and their planned history."""

    key: str
    display_name: str
    user: str
    """Export user name (prefix of the export's file names)."""
    city: str
    home_lat: float
    home_lon: float
    weight_kg: float
    resting_hr: int
    max_hr: int
    activities: list[PlannedActivity] = field(default_factory=list)

    @property
    def parts(self) -> list[PlannedActivity]:
        return [p for a in self.activities for p in a.parts]


# ---------------------------------------------------------------------------------------------
# Planning helpers

_RUN_CADENCE = (80, 90)
_RIDE_CADENCE = (82, 94)


class _Planner:
    def __init__(self, persona: Persona, seed: int, start: date) -> None:
        self.p = persona
        self.rng = random.Random(seed)
        self.start = start
        self.watch = Device(self._pick_watch(), serial_number=3_400_000_000 + seed % 99_991)
        self.bike = Device("edge_1040", serial_number=3_500_000_000 + seed % 99_989)

    def _pick_watch(self) -> str:
        return {"runner": "fr965", "trail_runner": "fenix7", "cyclist": "fr255"}.get(
            self.p.key, "fr255"
        )

    def day(self, week: int, weekday: int) -> date:
        return self.start + timedelta(days=7 * week + weekday)

    def when(self, week: int, weekday: int, hhmm: str, jitter_min: int = 20) -> datetime:
        hour, minute = (int(x) for x in hhmm.split(":"))
        local = datetime.combine(self.day(week, weekday), time(hour, minute))
        return local + timedelta(minutes=self.rng.randint(0, jitter_min))

    def _finish(self, a: PlannedActivity) -> PlannedActivity:
        self.p.activities.append(a)
        return a

    def _base(
        self, kind: str, sport: str, sub_sport: str, local: datetime, timer_s: int, pause_p: float
    ) -> PlannedActivity:
        start_utc, offset = _local_to_utc(local)
        pause = self.rng.randint(20, 240) if self.rng.random() < pause_p else 0
        label = {"running": "Running", "cycling": "Cycling", "training": "Strength"}[sport]
        if sub_sport == "trail":
            label = "Trail Running"
        return PlannedActivity(
            kind=kind,
            name=f"{self.p.city} {label}",
            sport=sport,
            sub_sport=sub_sport,
            start_utc=start_utc,
            utc_offset_s=offset,
            timer_s=timer_s,
            elapsed_s=timer_s + pause,
            device=self.watch,
            seed=self.rng.getrandbits(32),
        )

    def _hr(self, a: PlannedActivity, frac_of_reserve: float) -> None:
        reserve = self.p.max_hr - self.p.resting_hr
        avg = round(self.p.resting_hr + reserve * frac_of_reserve + self.rng.uniform(-3, 3))
        a.avg_hr = avg
        a.max_hr = min(self.p.max_hr, avg + self.rng.randint(8, 18))

    def run(
        self,
        kind: str,
        local: datetime,
        km: float,
        pace_s_km: float,
        climb_m: float,
        effort: float,
        sub_sport: str = "generic",
        descent_ratio: float = 1.0,
        keep: bool = True,
    ) -> PlannedActivity:
        distance = round(km * 1000 * self.rng.uniform(0.97, 1.03), 2)
        timer = round(distance / 1000 * pace_s_km * self.rng.uniform(0.97, 1.03))
        a = self._base(kind, "running", sub_sport, local, timer, pause_p=0.3)
        a.distance_m = distance
        a.ascent_m = round(climb_m * self.rng.uniform(0.8, 1.2))
        a.descent_m = round(a.ascent_m * descent_ratio)
        a.start_alt_m = 60.0 + (900.0 if sub_sport == "trail" else 0.0) + self.rng.uniform(0, 40)
        if sub_sport == "trail" and descent_ratio > 1:
            a.start_alt_m += a.descent_m - a.ascent_m  # point-to-point, ending lower
        self._hr(a, effort)
        a.avg_cadence = self.rng.randint(*_RUN_CADENCE)
        a.calories = round(self.p.weight_kg * distance / 1000 * 1.02)
        self._place(a, trail=sub_sport == "trail")
        return self._finish(a) if keep else a

    def ride(
        self,
        kind: str,
        local: datetime,
        km: float,
        kmh: float,
        climb_m: float,
        watts: int,
        keep: bool = True,
    ) -> PlannedActivity:
        distance = round(km * 1000 * self.rng.uniform(0.97, 1.03), 2)
        timer = round(distance / (kmh / 3.6) * self.rng.uniform(0.97, 1.03))
        a = self._base(kind, "cycling", "road", local, timer, pause_p=0.6)
        a.device = self.bike
        a.distance_m = distance
        a.ascent_m = round(climb_m * self.rng.uniform(0.8, 1.2))
        a.descent_m = a.ascent_m
        self._hr(a, 0.55)
        a.avg_power_w = round(watts * self.rng.uniform(0.93, 1.07))
        a.avg_cadence = self.rng.randint(*_RIDE_CADENCE)
        a.calories = round(a.avg_power_w * timer / 1000 * 1.05)
        self._place(a, trail=False)
        return self._finish(a) if keep else a

    def strength(
        self, local: datetime, program: list[tuple[str, str, int, int, float]]
    ) -> PlannedActivity:
        """``program``: (category, exercise, sets, reps, kg; 0 kg = bodyweight)."""
        sets: list[PlannedSet] = []
        clock = self.rng.uniform(90, 240)  # warm-up before the first set
        for category, exercise, n_sets, reps, kg in program:
            exercise_number(category, exercise)  # fail early on a typo
            for i in range(n_sets):
                done = max(1, reps + self.rng.choice((0, 0, 0, -1, 1)))
                active = round(done * self.rng.uniform(2.4, 3.6) + 4, 3)
                sets.append(self._set(category, exercise, done, kg, active))
                clock += active
                last = i == n_sets - 1 and (category, exercise) == program[-1][:2]
                if not last:
                    rest = round(self.rng.uniform(60, 150), 3)
                    sets.append(PlannedSet("rest", rest))
                    clock += rest
        timer = round(clock + self.rng.uniform(60, 180))
        a = self._base("strength", "training", "strength_training", local, timer, pause_p=0.0)
        a.sets = sets
        self._hr(a, 0.35)
        a.calories = round(timer / 60 * 5.5)
        return self._finish(a)

    def _set(
        self, category: str, exercise: str, reps: int, kg: float, duration: float
    ) -> PlannedSet:
        rng = self.rng
        number = exercise_number(category, exercise)
        others = [
            c for c in ("squat", "lunge", "deadlift", "row", "core", "plank") if c != category
        ]
        roll = rng.random()
        cats: tuple[str, ...]
        subs: tuple[int, ...]
        if roll < 0.35:  # the watch did not know: unknown first, the right guess second
            cats = ("unknown", category, rng.choice(others))
            subs = (UNKNOWN_SUBTYPE, number, UNKNOWN_SUBTYPE)
        elif roll < 0.45:  # wrong first guess
            cats = (rng.choice(others), category)
            subs = (UNKNOWN_SUBTYPE, number)
        else:
            cats = (category, rng.choice(others), "unknown")
            subs = (number, UNKNOWN_SUBTYPE, UNKNOWN_SUBTYPE)
        weight = kg * rng.choice((1.0, 1.0, 1.05, 0.95)) if kg else None
        if weight is not None:
            weight = round(weight * 2) / 2
        return PlannedSet(
            "active",
            duration,
            reps=reps,
            weight_kg=weight,
            category=cats,
            subtype=subs,
            true_category=category,
            true_exercise=exercise,
            weight_display_unit="kilogram" if weight is not None and rng.random() < 0.5 else None,
        )

    def brick(self, local: datetime, ride_km: float, run_km: float) -> PlannedActivity:
        """A multisport outing: a road ride then a run, back to back, no pauses."""
        ride = self.ride("ride", local, ride_km, 29, 250, 195, keep=False)
        ride.elapsed_s = ride.timer_s
        run_start = ride.end_utc
        run_local = (run_start + timedelta(seconds=ride.utc_offset_s)).replace(tzinfo=None)
        run = self.run("easy", run_local, run_km, 300, 20, 0.7, keep=False)
        run.elapsed_s = run.timer_s
        run.start_utc, run.utc_offset_s = run_start, ride.utc_offset_s
        run.start_lat, run.start_lon, run.start_alt_m = (
            ride.start_lat,
            ride.start_lon,
            ride.start_alt_m,
        )
        for leg in (ride, run):
            leg.device = self.watch
        timer = ride.timer_s + run.timer_s
        parent = PlannedActivity(
            kind="multisport",
            name=f"{self.p.city} Multisport",
            sport="multisport",
            sub_sport="generic",
            start_utc=ride.start_utc,
            utc_offset_s=ride.utc_offset_s,
            timer_s=timer,
            elapsed_s=ride.elapsed_s + run.elapsed_s,
            distance_m=round((ride.distance_m or 0) + (run.distance_m or 0), 2),
            ascent_m=(ride.ascent_m or 0) + (run.ascent_m or 0),
            descent_m=(ride.descent_m or 0) + (run.descent_m or 0),
            avg_hr=round(
                ((ride.avg_hr or 0) * ride.timer_s + (run.avg_hr or 0) * run.timer_s) / timer
            ),
            max_hr=max(ride.max_hr or 0, run.max_hr or 0),
            calories=ride.calories + run.calories,
            start_lat=ride.start_lat,
            start_lon=ride.start_lon,
            start_alt_m=ride.start_alt_m,
            legs=[ride, run],
            device=self.watch,
            seed=self.rng.getrandbits(32),
        )
        return self._finish(parent)

    def _place(self, a: PlannedActivity, trail: bool) -> None:
        spread = 0.15 if trail else 0.03
        a.start_lat = round(self.p.home_lat + self.rng.uniform(-spread, spread), 6)
        a.start_lon = round(self.p.home_lon + self.rng.uniform(-spread, spread), 6)

    def done(self) -> Persona:
        self.p.activities.sort(key=lambda a: a.start_utc)
        return self.p


# Strength programmes: (FIT category, FIT exercise name, sets, reps, kg; 0 = bodyweight)
RUNNER_STRENGTH = [
    ("hip_raise", "barbell_hip_thrust_with_bench", 3, 10, 50.0),
    ("deadlift", "romanian_deadlift", 3, 8, 40.0),
    ("lunge", "dumbbell_bulgarian_split_squat", 3, 8, 12.0),
    ("calf_raise", "standing_calf_raise", 3, 15, 0.0),
    ("plank", "plank", 2, 1, 0.0),
]
HINGE_ROW_SQUAT_A = [
    ("deadlift", "barbell_deadlift", 4, 5, 110.0),
    ("row", "barbell_row", 4, 8, 55.0),
    ("squat", "barbell_back_squat", 4, 6, 85.0),
    ("hyperextension", "single_leg_back_extension", 2, 12, 0.0),
]
HINGE_ROW_SQUAT_B = [
    ("deadlift", "romanian_deadlift", 3, 8, 70.0),
    ("row", "dumbbell_row", 3, 10, 26.0),
    ("squat", "goblet_squat", 3, 12, 24.0),
    ("hip_raise", "barbell_hip_thrust_with_bench", 3, 10, 80.0),
    ("leg_curl", "good_morning", 2, 10, 30.0),
]


def _persona(key: str, name: str, user: str, **kw: float | int | str) -> Persona:
    defaults: dict = dict(city="Leipzig", home_lat=51.3397, home_lon=12.3731)
    defaults.update(kw)
    return Persona(key=key, display_name=name, user=user, **defaults)


def runner(weeks: int = 26, seed: int = 1, start: date = DEFAULT_START) -> Persona:
    """Road runner: intervals Tue, easy Wed/Sat, tempo Thu, long run Sun, trail every 3rd Sat,
    a ride every 6 weeks, exactly two strength sessions and a few Monday-midnight runs."""
    p = _persona("runner", "Alex Runner", "alex.runner", weight_kg=68.0, resting_hr=48, max_hr=188)
    pl = _Planner(p, seed, start)
    strength_weeks = {max(0, weeks // 4), max(1, (3 * weeks) // 4)}
    if len(strength_weeks) < 2:
        strength_weeks = {0, 1}
    midnight_weeks = {w for w in (3, 14, 22) if w < weeks}
    for w in range(weeks):
        deload = w % 4 == 3
        long_km = min(24.0, 14.0 + w * 0.5) * (0.75 if deload else 1.0)
        if w in midnight_weeks:
            pl.run("easy", pl.when(w, 0, "00:35", 15), 5.0, 345, 25, 0.55)
        if pl.rng.random() > 0.1:
            pl.run("intervals", pl.when(w, 1, "06:30"), 9.5, 305, 40, 0.75)
        if w in strength_weeks:
            pl.strength(pl.when(w, 2, "19:00"), RUNNER_STRENGTH)
        elif pl.rng.random() > 0.15:
            pl.run("easy", pl.when(w, 2, "18:15"), 8.0, 350, 45, 0.6)
        if pl.rng.random() > 0.1:
            pl.run("tempo", pl.when(w, 3, "06:30"), 11.0, 295, 50, 0.8)
        if w % 6 == 4:
            pl.ride("ride", pl.when(w, 5, "09:30"), 55, 27, 450, 180)
        elif w % 3 == 2:
            ratio = 1.0 if w % 2 else 1.6
            pl.run("trail", pl.when(w, 5, "08:30"), 15.0, 480, 650, 0.65, "trail", ratio)
        elif pl.rng.random() > 0.2:
            pl.run("easy", pl.when(w, 5, "09:00"), 7.0, 355, 35, 0.58)
        pl.run("long", pl.when(w, 6, "08:00"), long_km, 360, 120, 0.65)
    return pl.done()


def trail_runner(weeks: int = 26, seed: int = 2, start: date = DEFAULT_START) -> Persona:
    """Mountain trail runner: hill sessions, long trail runs with big descents, fortnightly
    strength, occasional ride."""
    p = _persona(
        "trail_runner",
        "Sam Trail",
        "sam.trail",
        city="Garmisch-Partenkirchen",
        home_lat=47.4921,
        home_lon=11.0958,
        weight_kg=62.0,
        resting_hr=45,
        max_hr=192,
    )
    pl = _Planner(p, seed, start)
    for w in range(weeks):
        pl.run("easy", pl.when(w, 1, "17:30"), 9.0, 360, 150, 0.6, "trail")
        if w % 2 == 0:
            pl.strength(pl.when(w, 2, "18:30"), RUNNER_STRENGTH)
        pl.run("intervals", pl.when(w, 3, "06:45"), 10.0, 420, 600, 0.75, "trail", 1.0)
        ratio = 1.0 if w % 3 else 2.2
        km = min(32.0, 18.0 + w * 0.6)
        pl.run("long", pl.when(w, 5, "07:00"), km, 520, 1200, 0.65, "trail", ratio)
        if w % 5 == 2:
            pl.ride("ride", pl.when(w, 6, "10:00"), 45, 24, 600, 170)
        else:
            pl.run("easy", pl.when(w, 6, "09:00"), 8.0, 370, 120, 0.55)
    return pl.done()


def cyclist(weeks: int = 26, seed: int = 3, start: date = DEFAULT_START) -> Persona:
    """Road cyclist: three rides a week, a short run, a brick (multisport) every fourth week,
    fortnightly strength."""
    p = _persona("cyclist", "Kim Cyclist", "kim.cyclist", weight_kg=72.0, resting_hr=50, max_hr=185)
    pl = _Planner(p, seed, start)
    for w in range(weeks):
        pl.ride("ride", pl.when(w, 1, "17:30"), 40, 30, 250, 230)
        pl.ride("ride", pl.when(w, 3, "17:30"), 50, 29, 350, 210)
        if w % 4 == 1:
            pl.brick(pl.when(w, 5, "09:00"), 40, 6)
        else:
            pl.ride("ride", pl.when(w, 5, "08:30"), 95, 28, 900, 190)
        pl.run("easy", pl.when(w, 6, "10:00"), 7.0, 330, 40, 0.6)
        if w % 2:
            pl.strength(pl.when(w, 2, "19:00"), HINGE_ROW_SQUAT_B[:3])
    return pl.done()


def hybrid_lifter(weeks: int = 26, seed: int = 4, start: date = DEFAULT_START) -> Persona:
    """Lifts twice a week (hinges, rows, squats) and runs three times."""
    p = _persona(
        "hybrid_lifter", "Jo Hybrid", "jo.hybrid", weight_kg=84.0, resting_hr=54, max_hr=186
    )
    pl = _Planner(p, seed, start)
    for w in range(weeks):
        pl.strength(pl.when(w, 0, "18:00"), HINGE_ROW_SQUAT_A)
        pl.run("easy", pl.when(w, 1, "07:00"), 6.0, 360, 30, 0.6)
        pl.strength(pl.when(w, 3, "18:00"), HINGE_ROW_SQUAT_B)
        pl.run("easy", pl.when(w, 5, "09:30"), 8.0, 355, 40, 0.6)
        pl.run("long", pl.when(w, 6, "09:00"), 12.0 + (w % 4), 370, 80, 0.62)
    return pl.done()


def beginner_runner(weeks: int = 12, seed: int = 5, start: date = DEFAULT_START) -> Persona:
    """New runner: three short, slow runs a week, some weeks missed."""
    p = _persona(
        "beginner_runner", "Lee Beginner", "lee.beginner", weight_kg=78.0, resting_hr=64, max_hr=190
    )
    pl = _Planner(p, seed, start)
    for w in range(weeks):
        if pl.rng.random() < 0.15:
            continue
        km = 3.0 + w * 0.15
        for weekday, hhmm in ((1, "18:30"), (3, "18:30"), (6, "10:00")):
            if pl.rng.random() > 0.2:
                pl.run("easy", pl.when(w, weekday, hhmm), km, 450, 20, 0.72)
    return pl.done()


ExtraKind = Literal["run", "brick", "manual_run", "strength", "strength_summary"]


def extra_activity(persona: Persona, kind: ExtraKind, at: float, seed: int) -> PlannedActivity:
    """One more activity for ``persona`` (not added to it), on the Friday of the week at
    fraction ``at`` (0..1) of its history, around noon local time.

    ``manual_run`` and ``strength_summary`` have no device: they exist only as JSON summaries
    (a manual treadmill entry; a strength session typed in on Garmin Connect).
    """
    scratch = replace(persona, activities=[])
    first = min((a.start_local.date() for a in persona.activities), default=DEFAULT_START)
    last = max((a.start_local.date() for a in persona.activities), default=DEFAULT_START)
    monday = first - timedelta(days=first.weekday())
    weeks = (last - monday).days // 7 + 1
    pl = _Planner(scratch, seed, monday)
    week = min(weeks - 1, max(0, int(at * weeks)))
    local = pl.when(week, 4, "12:15")
    if kind == "run":
        a = pl.run("easy", local, 8.0, 340, 40, 0.6)
    elif kind == "brick":
        a = pl.brick(local, 35, 5)
    elif kind == "manual_run":
        a = pl.run("easy", local, 6.0, 360, 0, 0.6, "treadmill")
        a.device, a.elapsed_s, a.name = None, a.timer_s, "Treadmill Running"
        a.ascent_m = a.descent_m = a.start_lat = a.start_lon = None
    else:
        a = pl.strength(local, RUNNER_STRENGTH if kind == "strength" else HINGE_ROW_SQUAT_B[:3])
        if kind == "strength_summary":
            a.device = None
    return a
