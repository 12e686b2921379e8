"""One history from everything read: recorded activities and their JSON summaries linked, duplicates
counted once, the best copy of an activity kept."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from chainfix.model import Activity, ReadProblem

if TYPE_CHECKING:  # concurrent.futures is imported when a pool starts: warm runs need none
    pass


LINK_SECONDS = 5
"""A JSON summary and a FIT session starting this close together are the same activity."""


_DAMAGE = {"info": 0, "warning": 1, "error": 2}


def _completeness(act: Activity) -> int:
    """How much an activity holds: its filled values and its sets."""
    values = (
        act.elapsed_s, act.timer_s, act.distance_m, act.ascent_m, act.descent_m,
        act.avg_speed_m_s, act.avg_hr, act.max_hr, act.avg_power_w, act.avg_cadence,
        act.utc_offset_s, act.device,
    )  # fmt: skip
    return sum(v is not None for v in values) + len(act.sets) + len(act.summary_sets)


def merge(
    recorded: list[Activity],
    summaries: list[Activity],
    read_problems: Sequence[ReadProblem] = (),
) -> tuple[list[Activity], list[ReadProblem]]:
    """De-duplicate recorded activities, then link summaries to them: to the recording of the
    file a summary is attached to (same origin), else by start time (``LINK_SECONDS``).

    Of copies of one activity the best is kept, whatever the path order: the one whose file has
    the least severe problem in ``read_problems`` (an intact copy beats a bad-CRC, truncated or
    recovered one), then the most complete, then the first in time and path order.
    """
    damage: dict[tuple[str, str | None], int] = {}
    for p in read_problems:
        if p.kind != "duplicate":
            where = (p.file, p.member)
            damage[where] = max(damage.get(where, 0), _DAMAGE.get(p.severity, 0))

    def rank(act: Activity) -> tuple[int, int]:
        return damage.get((act.origin.path, act.origin.member), 0), -_completeness(act)

    best: dict[tuple[int, str, str], tuple[tuple[int, int] | None, Activity]] = {}
    copies: dict[tuple[int, str, str], list[Activity]] = {}
    for act in sorted(recorded, key=lambda a: (a.start_utc, a.leg, str(a.origin))):
        key = (int(act.start_utc.timestamp()), act.sport, act.sub_sport)
        group = copies.get(key)
        if group is None:  # ranked only when a copy turns up: most activities have none
            copies[key] = [act]
            best[key] = (None, act)
            continue
        group.append(act)
        held, winner = best[key]
        held = held if held is not None else rank(winner)
        mine = rank(act)
        best[key] = (mine, act) if mine < held else (held, winner)
    problems: list[ReadProblem] = []
    kept: list[Activity] = []
    for key, group in copies.items():
        winner = best[key][1]
        kept.append(winner)
        for act in group:
            if act is not winner:
                problems.append(
                    ReadProblem(
                        act.origin.path,
                        act.origin.member,
                        "duplicate",
                        f"same activity as {winner.origin}; counted once",
                        severity="info",
                    )
                )
    by_second: dict[int, list[int]] = {}
    by_file: dict[tuple[str, str | None], list[int]] = {}
    for index, act in enumerate(kept):
        by_second.setdefault(int(act.start_utc.timestamp()), []).append(index)
    position = {id(act): index for index, act in enumerate(kept)}
    for key, group in copies.items():
        for act in group:
            where = (act.origin.path, act.origin.member)
            by_file.setdefault(where, []).append(position[id(best[key][1])])
    extra: list[Activity] = []
    summary_seen: set[tuple[int, str]] = set()
    for summary in sorted(summaries, key=lambda a: a.start_utc):
        second = int(summary.start_utc.timestamp())
        # A summary attached to the file it describes (a Strava row and the FIT its Filename
        # column names) is that file's, whatever the times say; else the closest start wins.
        linked = by_file.get((summary.origin.path, summary.origin.member), [])
        twin = min(linked, key=lambda i: abs(kept[i].start_utc - summary.start_utc), default=None)
        if twin is None:
            twin = next(
                (
                    i
                    for delta in range(-LINK_SECONDS, LINK_SECONDS + 1)
                    for i in by_second.get(second + delta, ())
                ),
                None,
            )
        if twin is not None:
            kept[twin] = _enrich(kept[twin], summary)
            continue
        key2 = (second, summary.sport)
        if key2 in summary_seen:
            continue
        summary_seen.add(key2)
        extra.append(summary)
    merged = sorted(kept + extra, key=lambda a: (a.start_utc, a.leg))
    return merged, problems


def _enrich(recorded: Activity, summary: Activity) -> Activity:
    """Fill what the FIT lacks from its JSON twin (local offset, exercise summaries)."""
    changes: dict[str, object] = {}
    if recorded.utc_offset_s is None and summary.utc_offset_s is not None:
        changes["utc_offset_s"] = summary.utc_offset_s
    if summary.summary_sets and not recorded.summary_sets and not recorded.sets:
        changes["summary_sets"] = summary.summary_sets
    return replace(recorded, **changes) if changes else recorded  # type: ignore[arg-type]
