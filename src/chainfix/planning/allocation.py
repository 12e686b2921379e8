"""Which movement patterns and how many sets each session of a week gets.

R2, R3, R6, R9 and the beginner ramp, from ``data/dosing.toml``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

from chainfix.planning.catalogue import Catalogue
from chainfix.planning.context import PlanContext
from chainfix.planning.dosing import Dosing, RampWeek
from chainfix.planning.schedule import Calendar
from chainfix.planning.slots import SlotPlan


def _ladders(pattern: str, ctx: PlanContext, cat: Catalogue, dosing: Dosing) -> list[str]:
    rule = dosing.patterns.get(pattern)
    if rule is None:
        return []
    names = rule.beginner_ladders if ctx.level == "beginner" else rule.ladders
    out = []
    for ladder in names:
        rung = ctx.start_rungs.get(ladder)
        if rung and rung in cat and cat.pattern(cat[rung]) == pattern:
            out.append(ladder)
    if not out and pattern == "trunk":
        out = [ladder for ladder in names if ctx.start_rungs.get(ladder)]
    return out


def _priority_order(patterns: Sequence[str], ctx: PlanContext) -> list[str]:
    return sorted(
        patterns, key=lambda p: (-ctx.pattern_priority.get(p, 0.0), list(patterns).index(p))
    )


POSTURE_FLAGS = ("forward_posture", "sitting")
"""Section 8 flags that put an upper-back pull and a hip-extension move in every week."""


def _ramp_patterns(
    ctx: PlanContext,
    cat: Catalogue,
    dosing: Dosing,
    moves: int,
    week_index: int,
    session: int = 0,
    n_sessions: int = 1,
) -> list[str]:
    """The beginner's ``moves`` patterns in ramp week ``week_index`` (0 = the first week).

    Week 1 repeats the same one or two moves (learning them). From week 2 the free slots rotate in
    priority order across the week's sessions (or week by week with one session a week), so hinge,
    knee flexion and calves all come round (R3) and the top priority comes most. Kept: for long
    sitting or boxing-type sports an upper-back pull and a hip-extension move (section 8). When
    the runner's top three groups are within the tie margin, the plan opens with one calf and
    one hip-extension move.
    """
    usable = [p for p in dosing.ramp_patterns if _ladders(p, ctx, cat, dosing)]
    order = _priority_order(usable, ctx)
    if ctx.near_tie:
        opening = [p for p in ("calves", "hinge_hip_extension") if p in usable]
        order = opening + [p for p in order if p not in opening]
    must: list[str] = []
    if set(POSTURE_FLAGS) & set(ctx.flags):
        must = [p for p in ("hinge_hip_extension", "upper_back_pull") if p in usable]
    elif week_index + 1 >= dosing.ramp_pull_from_week and "upper_back_pull" in usable:
        must = ["upper_back_pull"]
    out = list(must[:moves])
    rotating = [p for p in order if p not in out]
    free = moves - len(out)
    if week_index == 0:
        k = 0
    elif n_sessions > 1:
        k = session * free
    else:
        k = week_index * free
    while rotating and len(out) < min(moves, len(usable)):
        p = rotating[k % len(rotating)]
        if p not in out:
            out.append(p)
        k += 1
    return out


def allocate(
    n_sessions: int,
    ctx: PlanContext,
    cat: Catalogue,
    dosing: Dosing,
    ramp: RampWeek | None = None,
    offset: int = 0,
    fill: bool = True,
) -> list[list[SlotPlan]]:
    """Slots per session for a week with ``n_sessions`` lower-body sessions.

    ``offset`` is the beginner-ramp week index (0 = the first week; from the second the moves
    rotate across the week's sessions). ``fill`` brings experienced sessions up to the level's
    fewest exercises (off for split and add-on sessions). Add-on sessions (``ctx.addon``) hold
    at most ``[add_ons] max_moves`` moves: the lowest-priority patterns give way first.
    """
    if n_sessions <= 0:
        return []
    if ramp is not None:
        return [
            [
                SlotPlan(p, _ladders(p, ctx, cat, dosing)[0], "main", ramp.sets)
                for p in _ramp_patterns(ctx, cat, dosing, ramp.moves, offset, i, n_sessions)
            ]
            for i in range(n_sessions)
        ]
    smin, smax = dosing.dose[ctx.level].sets
    targets = {p: t for p, t in ctx.targets.items() if t > 0 and _ladders(p, ctx, cat, dosing)}
    every = set(dosing.every_workout) if ctx.level != "beginner" else set()
    cap = dosing.exercises[ctx.level][1]
    if ctx.addon:
        cap = min(cap, dosing.addon_max_moves)
    order = _priority_order(list(targets), ctx)
    sessions: list[list[SlotPlan]] = []
    while True:
        sessions = [[] for _ in range(n_sessions)]
        for p in order:
            total = targets[p]
            n = max(1, math.ceil(total / smax))
            if p in every:
                n = max(n, n_sessions)
            n = min(n, n_sessions if ctx.addon else 2 * n_sessions)  # an add-on: one move each
            base, rem = divmod(total, n)
            sets = [min(smax, max(smin, base + (1 if i < rem else 0))) for i in range(n)]
            ladders = _ladders(p, ctx, cat, dosing)
            for j, s_sets in enumerate(sets):
                idx = min(
                    range(n_sessions),
                    key=lambda s: (
                        sum(1 for x in sessions[s] if x.pattern == p),
                        len(sessions[s]),
                        s,
                    ),
                )
                ladder = ladders[j % len(ladders)]
                used = {x.ladder for x in sessions[idx] if x.pattern == p}
                variant = "alt" if ladder in used else "main"
                sessions[idx].append(SlotPlan(p, ladder, variant, s_sets))
        biggest = max(len(s) for s in sessions)
        if biggest <= cap:
            break
        reducible = [p for p in reversed(order) if targets[p] > ctx.minimums.get(p, 0)]
        if reducible:
            targets[reducible[0]] = ctx.minimums.get(reducible[0], 0) or 0
            if targets[reducible[0]] <= 0:
                del targets[reducible[0]]
                order.remove(reducible[0])
            continue
        if cap < dosing.exercises_hard_cap and not ctx.addon:
            cap = dosing.exercises_hard_cap
            continue
        for s in sessions:  # merge same-pattern slots beyond the hard cap
            while len(s) > cap:
                dup = next((x for x in s if x.variant == "alt"), None)
                if dup is None:
                    break
                s.remove(dup)
                first = next(x for x in s if x.pattern == dup.pattern)
                first.sets += dup.sets  # never lose sets below the minimum
            if ctx.addon:  # an add-on is a few moves, never a second programme
                rank = {p: i for i, p in enumerate(order)}
                s.sort(key=lambda x: rank.get(x.pattern, len(rank)))
                del s[cap:]
        break
    if fill:
        _fill(sessions, ctx, cat, dosing)
    rank = {name: i for i, name in enumerate(dosing.ladder_order)}
    for s in sessions:
        s.sort(key=lambda x: (rank.get(x.ladder, 99), x.variant != "main"))
    return sessions


def _fill(sessions: list[list[SlotPlan]], ctx: PlanContext, cat: Catalogue, dosing: Dosing) -> None:
    """Bring each session up to the level's fewest exercises (R3) from ``[exercises] fill``."""
    least = dosing.exercises[ctx.level][0]
    smin, _ = dosing.dose[ctx.level].sets
    for s in sessions:
        for pattern in dosing.exercises_fill:
            if len(s) >= least:
                break
            ladders = [
                lad
                for lad in _ladders(pattern, ctx, cat, dosing)
                if lad not in {x.ladder for x in s}
            ]
            if pattern == "upper_back_pull" and any(x.pattern == pattern for x in s):
                continue
            if not ladders:
                continue
            s.append(SlotPlan(pattern, ladders[0], "main", smin))


def needs_split(cal: Calendar, ctx: PlanContext, start: date, weeks: int) -> bool:
    """True when fewer than the focus sessions fit 2 days apart in the first weeks."""
    previous: list[date] = []
    for week in range(weeks):
        days = [start + timedelta(days=7 * week + i) for i in range(7)]
        if any(cal.info(d).reason.startswith(("taper", "rest after", "race")) for d in days):
            continue
        chosen = cal.pick_days(days, ctx.sessions, previous[-4:])
        if len(chosen) < ctx.sessions:
            halves = cal.pick_days(days, ctx.sessions, previous[-4:], gap=1)
            return len(halves) >= 2 and len(halves) > len(chosen)
        previous.extend(i.day for i in chosen)
    return False


def split_allocation(
    n_sessions: int, first_half: int, ctx: PlanContext, cat: Catalogue, dosing: Dosing
) -> list[list[SlotPlan]]:
    """Slots for a split strength-focus week: sessions alternate between the two halves."""
    halves = [i % 2 for i in range(first_half, first_half + n_sessions)]
    out: list[list[SlotPlan]] = [[] for _ in range(n_sessions)]
    for h, patterns in enumerate(dosing.focus_split):
        members = [i for i, x in enumerate(halves) if x == h]
        if not members:
            continue
        sub = replace(
            ctx,
            targets={p: t for p, t in ctx.targets.items() if p in patterns},
            minimums={p: t for p, t in ctx.minimums.items() if p in patterns},
        )
        sub_dosing = replace(
            dosing, every_workout=tuple(p for p in dosing.every_workout if p in patterns)
        )
        for i, slots in zip(
            members, allocate(len(members), sub, cat, sub_dosing, fill=False), strict=True
        ):
            out[i] = slots
    return out


def upper_slots(ctx: PlanContext, cat: Catalogue, dosing: Dosing) -> list[SlotPlan]:
    smin, _ = dosing.dose[ctx.level].sets
    slots = []
    if _ladders("upper_back_pull", ctx, cat, dosing):
        sets = max(smin, ctx.minimums.get("upper_back_pull", smin))
        slots.append(SlotPlan("upper_back_pull", "upper_back_pull", "main", sets))
    if ctx.start_rungs.get("anti_rotation_core"):
        slots.append(SlotPlan("trunk", "anti_rotation_core", "main", smin))
    return slots
