"""Issue 13, item 8: hard sessions from lap structure (repeated fast laps).

Synthetic FIT files from the repo's generator: a runner without a heart-rate strap runs intervals
on Thursdays (warm-up, 6 fast repetitions with recovery jogs, cool-down, lapped at each step as a
watch following a workout does) at the same slow average pace as the easy runs, which the watch
auto-laps every kilometre. Only the laps tell the intervals apart. The real fixtures check that an
even-paced run and a hilly trail run with fast downhill laps are not read as intervals.
"""

from __future__ import annotations

import statistics
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from chainfix_synth.fitfiles import activity_fit
from chainfix_synth.personas import Device, PlannedActivity
from hypothesis import given
from hypothesis import strategies as st
from personas import run

from chainfix.cache import activity_from_row, activity_row
from chainfix.fit import read_fit
from chainfix.fit.activities import build
from chainfix.fit.full import decode_full
from chainfix.ingest import IngestOptions, read_history
from chainfix.model import Lap, Origin
from chainfix.planning.dosing import load_dosing
from chainfix.planning.history import _median, fast_lap_stretches, read_pattern

START = date(2025, 6, 2)
"""A Monday: the plan starts here, the history ends the day before."""
WATCH = Device("fr965", serial_number=3_400_012_345)
PACE_S_KM = 330  # 5:30 per km, every run's average


def _run(day: date, kind: str, minutes: int, seed: int, workout_laps: bool) -> PlannedActivity:
    timer = minutes * 60
    return PlannedActivity(
        kind=kind,
        name="Running",
        sport="running",
        sub_sport="generic",
        start_utc=datetime(day.year, day.month, day.day, 6, 0, tzinfo=UTC),
        utc_offset_s=3600,
        timer_s=timer,
        elapsed_s=timer,
        distance_m=round(timer / PACE_S_KM * 1000, 2),
        ascent_m=0,
        descent_m=0,
        device=WATCH,
        seed=seed,
        workout_laps=workout_laps,
        start_lat=52.0,
        start_lon=4.3,
    )


def _weeks(weeks: int = 6, workout_laps: bool = True) -> list[PlannedActivity]:
    """Easy runs Monday, Tuesday and Saturday, intervals on Thursday, all at 5:30 per km."""
    out = []
    first = START - timedelta(weeks=weeks)
    for i in range(weeks * 7):
        day = first + timedelta(days=i)
        if day.weekday() in (0, 1, 5):
            out.append(_run(day, "easy", 45, i, False))
        elif day.weekday() == 3:
            out.append(_run(day, "intervals", 50, i, workout_laps))
    return out


def _write(planned: list[PlannedActivity], folder: Path) -> Path:
    folder.mkdir()
    for p in planned:
        (folder / f"{p.start_utc:%Y%m%d}-{p.kind}.fit").write_bytes(activity_fit(p, hz=0.2))
    return folder


def test_intervals_with_a_slow_average_are_hard_from_their_laps(tmp_path: Path) -> None:
    dosing = load_dosing()
    folder = _write(_weeks(), tmp_path / "laps")
    h = read_history([folder], IngestOptions())
    assert read_history([folder], IngestOptions()) == h  # the cache gives the laps back too
    intervals = [a for a in h if a.local_date.weekday() == 3]
    easy = [a for a in h if a.local_date.weekday() != 3]
    assert intervals and easy and all(a.avg_hr is None for a in h)  # no heart rate to go on
    assert all(len(a.laps) == 14 for a in intervals)  # warm-up, 6 x (fast, jog), cool-down
    assert all(len(a.laps) >= 8 for a in easy)  # auto-lap every km
    for a in intervals:
        assert sum(lap.distance_m or 0 for lap in a.laps) == pytest.approx(a.distance_m, abs=1)
        assert sum(lap.duration_s for lap in a.laps) == pytest.approx(a.timer_s, abs=1)
    median = sorted(a.distance_m / a.timer_s for a in h)[len(h) // 2]  # type: ignore[operator]
    assert max(a.avg_speed_m_s or 0 for a in intervals) < median * dosing.quality_speed_ratio
    assert [fast_lap_stretches(a, median, dosing) for a in intervals] == [6] * len(intervals)
    assert all(fast_lap_stretches(a, median, dosing) == 0 for a in easy)

    pattern = read_pattern(h, START, dosing)
    assert 3 in pattern.hard_weekdays  # Thursday: the intervals
    assert not pattern.hard_weekdays & {0, 1}  # the even-paced easy runs, auto-lapped
    assert any("Thursday" in line for line in pattern.explanations)

    # The same sessions lapped every km (no workout followed): nothing shows they are intervals.
    plain = read_history([_write(_weeks(workout_laps=False), tmp_path / "plain")], IngestOptions())
    assert 3 not in read_pattern(plain, START, dosing).hard_weekdays


def test_both_fit_readers_give_the_same_laps() -> None:
    planned = _run(START - timedelta(days=4), "intervals", 50, 7, True)
    data = activity_fit(planned, hz=0.2)
    fast = read_fit(data, Origin("x.fit"))
    full = build(decode_full(data), Origin("x.fit"))
    assert fast.reader == "fast"
    assert [a.laps for a in fast.activities] == [a.laps for a in full.activities]
    assert len(fast.activities[0].laps) == 14


def test_laps_go_through_the_cache_codec() -> None:
    planned = _run(START - timedelta(days=4), "intervals", 50, 7, True)
    a = read_fit(activity_fit(planned, hz=0.2), Origin("x.fit")).activities[0]
    row = activity_row(a)
    assert activity_from_row(row, a.origin) == a
    with pytest.raises(ValueError):  # a row of the layout before laps is refused, not misread
        activity_from_row(row[:-1], a.origin)


def test_a_lap_rule_counts_only_separate_flat_fast_stretches() -> None:
    dosing = load_dosing()
    easy = Lap(330.0, 1000.0, 0.0, 0.0)
    fast = Lap(180.0, 800.0, 0.0, 0.0)  # 4.4 m/s against a 3.0 m/s median
    jog = Lap(150.0, 400.0, 0.0, 0.0)
    downhill = Lap(240.0, 1000.0, 0.0, 120.0)
    stride = Lap(20.0, 110.0, 0.0, 0.0)

    def stretches(*laps: Lap) -> int:
        return fast_lap_stretches(replace(run(START, 60, 10), laps=laps), 3.0, dosing)

    assert stretches(easy, fast, jog, fast, jog, fast, easy) == 3
    assert stretches(easy, fast, fast, fast, easy) == 1  # one block (tempo): one stretch
    assert stretches(easy, downhill, easy, downhill, easy, downhill) == 0
    assert stretches(easy, stride, easy, stride, easy, stride, easy) == 0


def test_real_runs_with_even_or_hilly_laps_are_not_intervals(real_dir: Path) -> None:
    dosing = load_dosing()
    found = 0
    for name, laps in (("fr935_karaul-fitplotter.fit", 17), ("loup-blanc.fit", 37)):
        paths = list(real_dir.glob(f"*/{name}"))
        if not paths:
            continue
        found += 1
        a = read_fit(paths[0].read_bytes(), Origin(str(paths[0]))).activities[0]
        assert len(a.laps) == laps, name
        assert sum(lap.distance_m or 0 for lap in a.laps) == pytest.approx(a.distance_m, abs=1)
        own = a.distance_m / a.duration_s  # type: ignore[operator]  # a one-run history
        assert fast_lap_stretches(a, own, dosing) < dosing.lap_min_reps, name
        if name == "loup-blanc.fit":  # its fast laps are the downhill ones: flat, they would count
            flat = replace(dosing, hilly_m_per_km=10_000.0)
            assert fast_lap_stretches(a, own, flat) >= dosing.lap_min_reps
    if not found:
        pytest.skip("the lapped real runs are not among the fixtures")


@given(st.lists(st.floats(min_value=0, max_value=1e6) | st.integers(0, 10**6), min_size=1))
def test_the_planners_median_is_the_statistics_modules(values: list[float]) -> None:
    assert _median(values) == statistics.median(values)
