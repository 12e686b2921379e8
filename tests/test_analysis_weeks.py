"""Local calendar weeks (Monday start) and the analysis window."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from personas import END, activity, history, road_runner, run

from chainfix.analysis import AnalysisOptions, analyze

SUNDAY = date(2025, 3, 16)
MONDAY = date(2025, 3, 10)


@pytest.mark.parametrize("offset_h", [h / 2 for h in range(-24, 29)])  # -12:00 .. +14:00
def test_sunday_2330_local_belongs_to_its_week_in_every_zone(offset_h: float) -> None:
    late = run(SUNDAY, 45, 8, hour=23.5, offset_h=offset_h)
    early = run(SUNDAY + timedelta(days=1), 30, 5, hour=0.25, offset_h=offset_h)  # Monday 00:15
    a = analyze(history([late, early]))
    assert late.local_date == SUNDAY
    weeks = {row["week_start"]: row for row in a.weekly.rows()}
    assert weeks[MONDAY]["run_km"] == pytest.approx(8)
    assert weeks[MONDAY + timedelta(days=7)]["run_km"] == pytest.approx(5)
    assert a.window_end == SUNDAY + timedelta(days=1)
    day_of = dict(zip(a.activities["id"], a.activities["day"], strict=True))
    assert date.fromordinal(day_of[late.id]) == SUNDAY
    assert weeks[MONDAY]["activities"] == 1


def test_window_defaults_to_last_activity_of_an_old_export() -> None:
    acts = [run(date(2016, 5, 4) + timedelta(days=i), 40, 8) for i in range(0, 200, 2)]
    a = analyze(history(acts))
    assert a.window_end == acts[-1].local_date
    assert len(a.weekly) == 12
    assert a.weekly["week_start"][0].weekday() == 0
    assert a.weekly["week_start"][-1] <= a.window_end
    assert (a.window_end - a.score_start).days == 27
    assert a.totals["running_activities"] == 14


def test_since_until_and_weeks() -> None:
    h = history(road_runner(weeks=20))
    a = analyze(h, AnalysisOptions(weeks=4))
    assert len(a.weekly) == 4 and a.window_start == END - timedelta(days=28)
    b = analyze(h, AnalysisOptions(until=END - timedelta(days=29)))
    assert b.window_end == END - timedelta(days=29)
    assert all(day <= b.window_end.toordinal() for day in b.activities["day"])
    c = analyze(h, AnalysisOptions(since=END - timedelta(days=10), until=END - timedelta(days=1)))
    assert c.score_days == 10 and len(c.weekly) == 2
    # per-week figures scale by days/7, so a 10-day window still reads "a week"
    per_week = c.details["calves"].exposure_window / (10 / 7)
    assert c.muscles["calves"].exposure == pytest.approx(per_week)
    first = c.weekly.row(0)
    assert first["week_start"] == END - timedelta(days=14)  # partial week: only days >= since
    assert first["minutes"] < analyze(h).weekly.row(-2)["minutes"]


def test_weekly_equ_flag_needs_a_baseline() -> None:
    acts = [run(END - timedelta(days=7 * w + 2), 60, 10, 100, 100) for w in range(1, 8)]
    big = run(END - timedelta(days=2), 120, 20, 700, 700, "trail")
    a = analyze(history(acts, [big]))
    weeks = [f for f in a.equ_flags if f.kind == "week"]
    assert len(weeks) == 1
    assert weeks[0].equ == pytest.approx(7.0) and weeks[0].baseline == pytest.approx(1.0)
    assert "7.0× the previous 6-week average of 1.0" in " ".join(a.explanations)


def test_utc_offset_unknown_uses_utc() -> None:
    a1 = activity("running", "generic", SUNDAY, 30, km=5, hour=23.5, offset_h=0)
    from dataclasses import replace

    a2 = replace(a1, utc_offset_s=None)
    assert analyze(history([a2])).window_end == SUNDAY
