"""The dosing rules, ``data/dosing.toml``: sets, reps, progression, deloads, calendar, check-ins.

Read once through :class:`~chainfix.planning.rules.RuleTable`, cross-checked, handed out as a
typed :class:`Dosing`. A user overrides the file with ``<user dir>/dosing.toml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from chainfix.errors import DataFileError
from chainfix.model import LEVELS
from chainfix.planning.rules import RuleTable, read_rule_file

DOSING_FILE = "dosing.toml"


@dataclass(frozen=True, slots=True)
class LevelDose:
    """R4/R5 numbers for one level."""

    sets: tuple[int, int]
    loaded_reps: tuple[int, int]
    rpe: tuple[int, int]


@dataclass(frozen=True, slots=True)
class PatternRule:
    """Which ladders serve a pattern and which muscle groups' priorities raise it."""

    ladders: tuple[str, ...]
    beginner_ladders: tuple[str, ...]
    groups: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RampWeek:
    """One week of the beginner ramp: distinct moves and sets per move per session."""

    moves: int
    sets: int


@dataclass(frozen=True)
class Dosing:
    """Every planning number, from ``dosing.toml``. Attribute names follow the file's tables."""

    file: str
    # R2
    beginner_sessions: tuple[int, int]
    beginner_default_sessions: int
    experienced_sessions: int
    in_season_sessions: int
    snack_note: str
    # R16
    focus_max_running_hours: float
    focus_window_days: int
    focus_sessions: tuple[int, int]
    focus_phases: tuple[str, ...]
    focus_running_sports: tuple[str, ...]
    focus_warning: str
    focus_split: tuple[tuple[str, ...], tuple[str, ...]]
    focus_split_note: str
    full_series_extra: Mapping[str, int]
    addon_min_per_week: float
    addon_window_weeks: int
    addon_day_share: float
    addon_max_moves: int
    # R3
    exercises: Mapping[str, tuple[int, int]]
    exercises_hard_cap: int
    exercises_fill: tuple[str, ...]
    every_workout: tuple[str, ...]
    weekly_at_least_once: tuple[str, ...]
    ladder_order: tuple[str, ...]
    patterns: Mapping[str, PatternRule]
    # ramp
    ramp: tuple[RampWeek, ...]
    ramp_patterns: tuple[str, ...]
    ramp_pull_from_week: int
    # R4/R5
    dose: Mapping[str, LevelDose]
    isometric_seconds: tuple[int, int]
    deload_max_rpe: int
    taper_max_rpe: int
    pre_race_hours: int
    pre_race_max_rpe: int
    rest: Mapping[str, int]
    heavy_max_reps: int
    # R7/R8
    rep_increment: int
    hold_increment_s: int
    top_workouts: int
    exceed_reps: int
    exceed_workouts: int
    fail_workouts: int
    barbell_percent: float
    barbell_min_kg: float
    row_percent: float
    row_min_kg: float
    row_families: tuple[str, ...]
    machine_percent: float
    machine_min_kg: float
    # loads
    load_lookback_days: int
    epley_divisor: float
    rounding: Mapping[str, float]
    find_reps: int
    find_rpe: int
    find_note: str
    # R12
    deload_every: int
    deload_set_factor: float
    cutback_drop: float
    cutback_baseline_weeks: int
    cutback_min_cycles: int
    cutback_interval: tuple[int, int]
    cutback_lookback_weeks: int
    first_deload_week: int
    # R11
    taper_last_heavy_min_days: int
    taper_light_days: tuple[int, int]
    taper_light_set_factor: float
    taper_stop_days: int
    rest_after_race_days: Mapping[str, int]
    # R9/R10
    strength_hour: int
    run_hour: int
    hours_before_long_run: int
    hours_before_race: int
    hours_before_hard: int
    eccentric_hours_before_hard: int
    min_days_between_sessions: int
    # section 4
    calendar_window_weeks: int
    calendar_running_sports: tuple[str, ...]
    quality_speed_ratio: float
    quality_hr_ratio: float
    gap_m_per_m_ascent: float
    hr_hard_fraction: float
    hr_peak_fraction: float
    hilly_m_per_km: float
    lap_fast_ratio: float
    lap_min_s: float
    lap_min_reps: int
    long_run_hard_hours: float
    hard_day_share: float
    long_run_min_weeks: int
    long_run_min_minutes: float
    # R13
    descent_flag_equ: float
    descent_block_hours: int
    descent_divisors: Mapping[str, float]
    # section 8
    forward_sports: tuple[str, ...]
    forward_min_share: float
    forward_window_days: int
    tie_min_running_share: float
    # R14
    nordic_families: tuple[str, ...]
    nordic_intro_weeks: int
    nordic_intro_per_week: int
    nordic_intro_sets: tuple[int, int]
    nordic_intro_reps: tuple[int, int]
    nordic_per_week: int
    nordic_sets: tuple[int, int]
    nordic_reps: tuple[int, int]
    # reconcile
    match_days: int
    # R15
    pain_flags: tuple[str, ...]
    pain_flag_hip_abduction: tuple[str, ...]
    pain_notes: Mapping[str, str]
    checkin_window_days: int
    checkin_regress_pain: float
    checkin_heavy_soreness: float
    checkin_areas: tuple[str, ...]
    checkin_ladders: Mapping[str, tuple[str, ...]]
    # equipment
    equipment_always: tuple[str, ...]
    equipment_loading: tuple[str, ...]
    equipment_barbell: tuple[str, ...]
    beginner_max_difficulty: int
    equipment_aliases: Mapping[str, str]
    equipment_gym: tuple[str, ...]
    # start steps
    start_history_weeks: int
    start_steps: Mapping[str, Mapping[str, int]]
    running_calf_step: int

    def hours_between(self, strength_day_offset: int) -> int:
        """Hours from a strength session to a run ``strength_day_offset`` days later."""
        return strength_day_offset * 24 + self.run_hour - self.strength_hour

    def min_days_before(self, hours: int) -> int:
        """The fewest whole days between a strength day and a run day that give ``hours``."""
        days = 0
        while self.hours_between(days) < hours:
            days += 1
        return days


def load_dosing(path: Path | None = None) -> Dosing:
    """The dosing rules: ``path``, else ``<user dir>/dosing.toml``, else the built-in file."""
    data, file = read_rule_file(DOSING_FILE, path)
    top = RuleTable(data, file, "")
    if top.integer("schema", 1, 1) != 1:  # pragma: no cover - guarded by the range
        raise DataFileError(f"{file}: unknown schema")
    se = top.table("sessions")
    sf = top.table("strength_focus")
    ex = top.table("exercises")
    pa = top.table("patterns")
    fs = top.table("full_series")
    ad = top.table("add_ons")
    ra = top.table("ramp")
    do = top.table("dose")
    ef = top.table("effort")
    re_ = top.table("rest")
    pr = top.table("progression")
    lo = top.table("loads")
    de = top.table("deload")
    ta = top.table("taper")
    bu = top.table("buffers")
    ca = top.table("calendar")
    no = top.table("nordic")
    ds = top.table("descent")
    fp = top.table("forward_posture")
    divisors_t = ds.table("divisors")
    rc = top.table("reconcile")
    pn = top.table("pain")
    eq = top.table("equipment")
    ci = top.table("checkin")
    ci_ladders = ci.table("ladders")
    st = top.table("start")

    patterns: dict[str, PatternRule] = {}
    for name in pa.keys():
        if name in ("rule", "basis", "sources", "notes"):
            continue
        t = pa.table(name)
        patterns[name] = PatternRule(
            ladders=t.words("ladders"),
            beginner_ladders=t.words("beginner_ladders"),
            groups=t.words("groups"),
        )
    ramp_raw = ra.raw("weeks")
    if not isinstance(ramp_raw, list):
        raise DataFileError(f"{file}: [ramp] weeks: must be a list of {{moves, sets}} tables")
    ramp = []
    for i, item in enumerate(ramp_raw, start=1):
        if not isinstance(item, Mapping):
            raise DataFileError(f"{file}: [ramp] weeks[{i}]: must be a table")
        t = RuleTable(item, file, f"ramp.weeks[{i}]")
        ramp.append(RampWeek(moves=t.integer("moves", 1, 6), sets=t.integer("sets", 1, 6)))
    dose = {}
    for level in LEVELS:
        t = do.table(level)
        dose[level] = LevelDose(
            sets=t.int_range("sets", 1, 10),
            loaded_reps=t.int_range("loaded_reps", 1, 50),
            rpe=t.int_range("rpe", 1, 10),
        )
    exercises = {level: ex.int_range(level, 1, 12) for level in LEVELS}
    rest_keys = ("loaded_heavy", "loaded", "bodyweight", "band", "isometric", "eccentric")
    rest = {k: re_.integer(k, 0, 600) for k in (*rest_keys, "ballistic", "calves")}
    aliases_t = eq.table("aliases")
    aliases = {k: aliases_t.text(k) for k in aliases_t.keys()}
    pain_flags = pn.words("flags")
    pain_notes = {flag: pn.text(flag) for flag in pain_flags}
    start_steps = {level: st.steps(level) for level in LEVELS}
    full_series = {k: fs.integer(k, 0, 20) for k in fs.keys() if k not in _META}

    dosing = Dosing(
        file=file,
        beginner_sessions=(se.integer("beginner_min", 1, 7), se.integer("beginner_max", 1, 7)),
        beginner_default_sessions=se.integer("beginner_default", 1, 7),
        experienced_sessions=se.integer("experienced_base_build", 1, 7),
        in_season_sessions=se.integer("experienced_in_season", 1, 7),
        snack_note=se.text("snack_note"),
        focus_max_running_hours=sf.number("max_running_hours_per_week", 0, 100),
        focus_window_days=sf.integer("window_days", 1, 365),
        focus_sessions=(sf.integer("min_sessions", 1, 7), sf.integer("max_sessions", 1, 7)),
        focus_phases=sf.words("phases"),
        focus_running_sports=sf.words("running_sports"),
        focus_warning=sf.text("warning"),
        focus_split=(sf.words("split_a"), sf.words("split_b")),
        focus_split_note=sf.text("split_note"),
        full_series_extra=full_series,
        addon_min_per_week=ad.number("min_per_week", 0, 14),
        addon_window_weeks=ad.integer("window_weeks", 1, 52),
        addon_day_share=ad.number("day_share", 0, 1),
        addon_max_moves=ad.integer("max_moves", 1, 6),
        exercises=exercises,
        exercises_hard_cap=ex.integer("hard_cap", 1, 12),
        exercises_fill=ex.words("fill"),
        every_workout=ex.words("every_workout"),
        weekly_at_least_once=ex.words("weekly_at_least_once"),
        ladder_order=ex.words("order"),
        patterns=patterns,
        ramp=tuple(ramp),
        ramp_patterns=ra.words("patterns"),
        ramp_pull_from_week=ra.integer("pull_from_week", 1, 52),
        dose=dose,
        isometric_seconds=do.int_range("isometric_seconds", 1, 600),
        deload_max_rpe=ef.integer("deload_max_rpe", 1, 10),
        taper_max_rpe=ef.integer("taper_max_rpe", 1, 10),
        pre_race_hours=ef.integer("pre_race_hours", 0, 500),
        pre_race_max_rpe=ef.integer("pre_race_max_rpe", 1, 10),
        rest=rest,
        heavy_max_reps=re_.integer("heavy_max_reps", 1, 50),
        rep_increment=pr.integer("rep_increment", 0, 20),
        hold_increment_s=pr.integer("hold_increment_s", 0, 120),
        top_workouts=pr.integer("top_workouts", 1, 10),
        exceed_reps=pr.integer("exceed_reps", 1, 20),
        exceed_workouts=pr.integer("exceed_workouts", 1, 10),
        fail_workouts=pr.integer("fail_workouts", 1, 10),
        barbell_percent=pr.number("barbell_percent", 0, 50),
        barbell_min_kg=pr.number("barbell_min_kg", 0, 50),
        row_percent=pr.number("row_percent", 0, 50),
        row_min_kg=pr.number("row_min_kg", 0, 50),
        row_families=pr.words("row_families"),
        machine_percent=pr.number("machine_percent", 0, 50),
        machine_min_kg=pr.number("machine_min_kg", 0, 50),
        load_lookback_days=lo.integer("lookback_days", 1, 3650),
        epley_divisor=lo.number("epley_divisor", 1, 1000),
        rounding={
            "barbell": lo.number("round_barbell_kg", 0.1, 50),
            "dumbbell": lo.number("round_dumbbell_kg", 0.1, 50),
            "kettlebell": lo.number("round_kettlebell_kg", 0.1, 50),
            "other": lo.number("round_other_kg", 0.1, 50),
        },
        find_reps=lo.integer("find_reps", 1, 50),
        find_rpe=lo.integer("find_rpe", 1, 10),
        find_note=lo.text("find_note"),
        deload_every=de.integer("every_weeks", 2, 52),
        deload_set_factor=de.number("set_factor", 0.05, 1),
        cutback_drop=de.number("cutback_drop", 0, 1),
        cutback_baseline_weeks=de.integer("cutback_baseline_weeks", 1, 12),
        cutback_min_cycles=de.integer("cutback_min_cycles", 1, 10),
        cutback_interval=(
            de.integer("cutback_min_interval", 2, 12),
            de.integer("cutback_max_interval", 2, 12),
        ),
        cutback_lookback_weeks=de.integer("cutback_lookback_weeks", 4, 104),
        first_deload_week=de.integer("first_deload_week", 1, 12),
        taper_last_heavy_min_days=ta.integer("last_heavy_min_days", 0, 60),
        taper_light_days=(ta.integer("light_min_days", 0, 60), ta.integer("light_max_days", 0, 60)),
        taper_light_set_factor=ta.number("light_set_factor", 0.05, 1),
        taper_stop_days=ta.integer("stop_days", 0, 60),
        rest_after_race_days={
            "A": ta.integer("rest_after_a_race_days", 0, 60),
            "B": ta.integer("rest_after_b_race_days", 0, 60),
        },
        strength_hour=bu.integer("strength_hour", 0, 23),
        run_hour=bu.integer("run_hour", 0, 23),
        hours_before_long_run=bu.integer("min_hours_before_long_run", 0, 240),
        hours_before_race=bu.integer("min_hours_before_race", 0, 240),
        hours_before_hard=bu.integer("min_hours_before_hard", 0, 240),
        eccentric_hours_before_hard=bu.integer("eccentric_min_hours_before_hard", 0, 240),
        min_days_between_sessions=bu.integer("min_days_between_sessions", 1, 7),
        calendar_window_weeks=ca.integer("window_weeks", 1, 104),
        calendar_running_sports=ca.words("running_sports"),
        quality_speed_ratio=ca.number("quality_speed_ratio", 1, 3),
        quality_hr_ratio=ca.number("quality_hr_ratio", 1, 3),
        gap_m_per_m_ascent=ca.number("gap_m_per_m_ascent", 0, 50),
        hr_hard_fraction=ca.number("hr_hard_fraction", 0, 1),
        hr_peak_fraction=ca.number("hr_peak_fraction", 0, 1),
        hilly_m_per_km=ca.number("hilly_m_per_km", 0, 500),
        lap_fast_ratio=ca.number("lap_fast_ratio", 1, 3),
        lap_min_s=ca.number("lap_min_s", 0, 3600),
        lap_min_reps=ca.integer("lap_min_reps", 2, 50),
        long_run_hard_hours=ca.number("long_run_hard_hours", 0, 24),
        hard_day_share=ca.number("hard_day_share", 0, 1),
        long_run_min_weeks=ca.integer("long_run_min_weeks", 1, 52),
        long_run_min_minutes=ca.number("long_run_min_minutes", 0, 600),
        descent_flag_equ=ds.number("flag_equ", 0, 1000),
        descent_block_hours=ds.integer("block_hours", 0, 500),
        descent_divisors={k: divisors_t.number(k, 1, 10_000) for k in divisors_t.keys()},
        forward_sports=fp.words("sports"),
        forward_min_share=fp.number("min_share", 0, 1),
        forward_window_days=fp.integer("window_days", 1, 365),
        tie_min_running_share=fp.number("tie_min_running_share", 0, 1),
        nordic_families=no.words("families"),
        nordic_intro_weeks=no.integer("intro_weeks", 0, 52),
        nordic_intro_per_week=no.integer("intro_per_week", 1, 7),
        nordic_intro_sets=no.int_range("intro_sets", 1, 10),
        nordic_intro_reps=no.int_range("intro_reps", 1, 50),
        nordic_per_week=no.integer("per_week", 1, 7),
        nordic_sets=no.int_range("sets", 1, 10),
        nordic_reps=no.int_range("reps", 1, 50),
        match_days=rc.integer("match_days", 0, 14),
        pain_flags=pain_flags,
        pain_flag_hip_abduction=pn.words("flag_hip_abduction"),
        pain_notes=pain_notes,
        checkin_window_days=ci.integer("window_days", 0, 60),
        checkin_regress_pain=ci.number("regress_pain", 0, 10),
        checkin_heavy_soreness=ci.number("heavy_soreness", 0, 10),
        checkin_areas=ci.words("areas"),
        checkin_ladders={k: ci_ladders.words(k) for k in ci_ladders.keys()},
        equipment_always=eq.words("always"),
        equipment_loading=eq.words("loading"),
        equipment_barbell=eq.words("barbell"),
        beginner_max_difficulty=eq.integer("beginner_max_difficulty", 1, 10),
        equipment_aliases=aliases,
        equipment_gym=eq.words("gym"),
        start_history_weeks=st.integer("history_weeks", 0, 520),
        start_steps=start_steps,
        running_calf_step=st.integer("running_calf_step", 1, 50),
    )
    _check_dosing(dosing)
    return dosing


_META = ("rule", "basis", "sources", "notes")


def _check_dosing(d: Dosing) -> None:
    """Cross-checks that single values cannot express."""
    lo, hi = d.beginner_sessions
    if not lo <= d.beginner_default_sessions <= hi:
        raise DataFileError(f"{d.file}: [sessions] beginner_default must lie in beginner_min..max")
    if d.focus_sessions[0] > d.focus_sessions[1]:
        raise DataFileError(f"{d.file}: [strength_focus] min_sessions > max_sessions")
    for pattern in (*d.every_workout, *d.weekly_at_least_once, *d.ramp_patterns):
        if pattern not in d.patterns:
            raise DataFileError(f"{d.file}: pattern {pattern!r} has no entry in [patterns]")
    for pattern in d.full_series_extra:
        if pattern not in d.patterns:
            raise DataFileError(f"{d.file}: [full_series] {pattern}: not a pattern of [patterns]")
    if not d.ramp:
        raise DataFileError(f"{d.file}: [ramp] weeks: needs at least one week")
    a, b = d.taper_light_days
    if a > b:
        raise DataFileError(f"{d.file}: [taper] light_min_days > light_max_days")
    if d.taper_stop_days >= a:
        raise DataFileError(f"{d.file}: [taper] stop_days must be below light_min_days")
    if b >= d.taper_last_heavy_min_days:
        raise DataFileError(f"{d.file}: [taper] light_max_days must be below last_heavy_min_days")
    for area in d.checkin_areas:
        if area not in d.pain_flags:
            raise DataFileError(f"{d.file}: [checkin] areas: {area!r} is not a [pain] flag")
    for flag in d.pain_flag_hip_abduction:
        if flag not in d.pain_flags:
            raise DataFileError(f"{d.file}: [pain] flag_hip_abduction: {flag!r} is not in flags")
