"""Linking JSON summaries to recorded activities, and de-duplication."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chainfix.ingest import LINK_SECONDS, merge
from chainfix.model import Activity, ExerciseSummary, Origin

T0 = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)


def act(
    start: datetime, sport: str = "running", *, summary: bool = False, **kw: object
) -> Activity:
    return Activity(
        id=f"{start:%Y%m%dT%H%M%SZ}-{sport}",
        source="test",
        origin=Origin("x.json" if summary else f"{start:%H%M%S}.fit"),
        sport=sport,
        sub_sport="generic",
        start_utc=start,
        timer_s=3600.0,
        from_summary=summary,
        **kw,  # type: ignore[arg-type]
    )


def test_summary_within_link_window_is_dropped_and_enriches() -> None:
    fit = act(T0)
    summary = act(T0 + timedelta(seconds=LINK_SECONDS), summary=True, utc_offset_s=3600)
    merged, problems = merge([fit], [summary])
    assert len(merged) == 1 and not merged[0].from_summary
    assert merged[0].utc_offset_s == 3600  # the FIT lacked it; the summary supplied it
    assert problems == []


def test_summary_outside_window_is_its_own_activity() -> None:
    merged, _ = merge([act(T0)], [act(T0 + timedelta(seconds=LINK_SECONDS + 1), summary=True)])
    assert [a.from_summary for a in merged] == [False, True]


def test_fit_offset_is_never_overwritten() -> None:
    merged, _ = merge([act(T0, utc_offset_s=7200)], [act(T0, summary=True, utc_offset_s=3600)])
    assert merged[0].utc_offset_s == 7200


def test_duplicate_recorded_activity_is_counted_once_and_reported() -> None:
    merged, problems = merge([act(T0), act(T0)], [])
    assert len(merged) == 1
    assert [(p.kind, p.severity) for p in problems] == [("duplicate", "info")]


def test_strength_summary_sets_fill_a_setless_recording() -> None:
    sets = (ExerciseSummary("deadlift", "romanian_deadlift", 3, 24, 60.0, 120.0),)
    fit = act(T0, "training")
    merged, _ = merge([fit], [act(T0, "training", summary=True, summary_sets=sets)])
    assert merged[0].summary_sets == sets and not merged[0].from_summary


def test_duplicate_summaries_are_counted_once() -> None:
    merged, _ = merge([], [act(T0, summary=True), act(T0, summary=True)])
    assert len(merged) == 1


def test_result_is_time_ordered() -> None:
    merged, _ = merge([act(T0 + timedelta(days=1))], [act(T0, summary=True)])
    assert [a.start_utc for a in merged] == [T0, T0 + timedelta(days=1)]
