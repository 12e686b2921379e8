"""Sentences that justify every figure, built from the same numbers that ``to_json`` shows.

Wording rules (science README): name muscles and numbers, never print a bare "quad-dominant"
label, frame everything as a record of logged work (not an injury prediction or recovery score),
and say "reduces injuries in the sports studied, likely helpful for runners".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from chainfix.analysis.coefficients import UNKNOWN_FAMILY
from chainfix.analysis.wording import (
    NAMES,
    PATTERN_NAMES,
    day,
    dominant,
    hours,
    join,
    km,
    pct,
    period,
    plural,
    sets,
    thin_data,
)
from chainfix.model import MUSCLE_GROUPS, POSTERIOR_CHAIN

if TYPE_CHECKING:
    from chainfix.analysis.result import Analysis


# ---------------------------------------------------------------------------------------------
# Per-muscle reasons
# ---------------------------------------------------------------------------------------------


def muscle_reasons(a: Analysis) -> dict[str, tuple[str, ...]]:
    """Two or three sentences per group: its load, its strength work, how the priority follows."""
    e_max_group = max(MUSCLE_GROUPS, key=lambda g: a.details[g].exposure_window)
    modelled = a.details[e_max_group].exposure_window > 0
    wd = a.model.number("priority_demand_weight")
    wb = a.model.number("priority_balance_weight")
    term = set(a.model.groups("balance_term_groups"))
    out: dict[str, tuple[str, ...]] = {}
    for g in MUSCLE_GROUPS:
        s, d = a.muscles[g], a.details[g]
        name = NAMES[g]
        lines = []
        if not modelled:
            lines.append(f"No modelled endurance load on your {name} in {period(a)}.")
        elif g == e_max_group:
            lines.append(
                f"Endurance load on your {name}: {s.exposure:,.0f} coefficient-minutes a week, "
                "your most-loaded group."
            )
        else:
            lines.append(
                f"Endurance load on your {name}: {s.exposure:,.0f} coefficient-minutes a week, "
                f"{pct(d.demand)} of your most-loaded group ({NAMES[e_max_group]})."
            )
        if s.target > 0:
            lines.append(
                f"Strength: {sets(s.strength)} credited hard sets a week against a target of "
                f"{s.target:g} ({a.level}, {d.target_source.replace('_', '-')})."
            )
        elif g == "glute_med":
            lines.append(
                f"Strength: {sets(s.strength)} credited hard sets a week; no weekly target unless "
                f"hip abduction is flagged, so no priority "
                f"(it would score {d.score_if_targeted:.2f})."
            )
        elif g not in POSTERIOR_CHAIN:
            lines.append(
                f"Strength: {sets(s.strength)} credited hard sets a week; not a posterior-chain "
                "group, so chainfix sets no target and no priority for it."
            )
        else:
            lines.append(f"Strength: {sets(s.strength)} credited hard sets a week; no target.")
        if s.target > 0:
            factor = f" × {d.factor:g} (sitting or forward-posture nudge)" if d.factor != 1 else ""
            if not modelled:
                lines.append(
                    f"Priority {s.priority:.2f} = gap {d.gap:.2f}{factor}: with no modelled "
                    "endurance minutes, groups are ranked by their gap alone."
                )
            elif g in term:
                lines.append(
                    f"Priority {s.priority:.2f} = gap {d.gap:.2f} × ({wd:g} × demand {d.demand:.2f}"
                    f" + {wb:g} × balance {a.balance or 0:.2f}){factor}."
                )
            else:
                lines.append(
                    f"Priority {s.priority:.2f} = gap {d.gap:.2f} × {wd:g} × demand "
                    f"{d.demand:.2f}{factor}."
                )
        out[g] = tuple(lines)
    return out


# ---------------------------------------------------------------------------------------------
# Top-level explanations
# ---------------------------------------------------------------------------------------------


def with_plan_start(a: Analysis, exercises: Sequence[str]) -> Analysis:
    """``a`` advising the plan's first ``exercises`` (names as the plan shows them)."""
    planned = replace(a, plan_start=tuple(exercises))
    return replace(planned, explanations=explanations(planned))


def explanations(a: Analysis) -> list[str]:
    """The report's sentences, most important first."""
    out = [
        f"This is a record of the work you logged from {day(a.window_start)} to "
        f"{day(a.window_end)}, not a recovery score and not an injury prediction.",
        a.level_reason,
    ]
    if a.activity_count == 0:
        out.append(
            "No activities in this window. Choose a window that holds your training "
            "(the history's last activity sets the default end)."
        )
    out.append(_headline(a))
    out.extend(_thin(a))
    out.extend(_loads_without_sets(a))
    if a.plan_start:  # the plan is the one source of what to do first
        out.append(f"Your plan starts with: {'; '.join(a.plan_start)}.")
    out.extend(_balance(a))
    out.extend(_running_share(a))
    out.extend(_ranking(a))
    out.extend(_patterns(a))
    out.append(_ap(a))
    out.extend(_equ(a))
    out.extend(_gaps(a))
    out.extend(_nudges(a))
    if a.totals["minutes"] > 0 and any(m.priority > 0 for m in a.ranked):
        runner = (a.running_share or 0.0) >= 0.5
        out.append(
            "Strength training reduces injuries in the sports studied (Lauersen 2018) and is "
            f"likely helpful {'for runners' if runner else 'in your training too'}; no strength "
            "test predicts an individual injury (van Dyk 2018)."
        )
    return [s for s in out if s]


def _headline(a: Analysis) -> str:
    t, lift = a.totals, a.lifting
    when = f"In {period(a)} (to {day(a.window_end)})"
    if lift.hard_sets + lift.estimated_sets > 0:
        strength = (
            f"and logged {lift.hard_sets:,.0f} strength sets in {lift.workouts} "
            f"workout{'s' if lift.workouts != 1 else ''}"
        )
        if lift.estimated_sets:
            strength += f" (plus about {lift.estimated_sets:,.0f} sets estimated from duration)"
    else:
        strength = "and logged no strength sets"
    if t["running_minutes"] > 0:
        equ = t["run_descent_m"] / a.model.modifiers.equ_divisors.get("running", 100.0)
        descent = (
            f"with {t['run_descent_m']:,.0f} m of descent ({equ:,.1f} eccentric quad units)"
            if t["run_descent_m"] > 0
            else "with no recorded descent"
        )
        return (
            f"{when} you ran {km(t['run_km'])} in {hours(t['running_minutes'])} {descent} "
            f"{strength}."
        )
    if t["minutes"] > 0:
        return (
            f"{when} you logged {hours(t['minutes'])} of training, none of it running, {strength}."
        )
    return f"{when} you logged no training."


def _thin(a: Analysis) -> list[str]:
    t = thin_data(a)
    if not t["thin_data"] or a.activity_count == 0:
        return []
    return [
        f"Only {plural(t['scored_activities'], 'activity')} in {period(a)}, in "
        f"{t['active_weeks']} of {t['scored_weeks']} weeks: the picture is uncertain, so "
        "priorities are shown only as high, medium or low."
    ]


def _loads_without_sets(a: Analysis) -> list[str]:
    ranked = [m for m in a.ranked if m.priority > 0]
    if not ranked:
        return []
    who, _ = dominant(a)
    loaded = [m for m in ranked if a.details[m.group].demand >= 0.5 and m.group != "upper_back"]
    out = []
    if loaded:
        no_sets = [m for m in loaded if a.details[m.group].strength_window == 0]
        some = [m for m in loaded if a.details[m.group].strength_window > 0]
        weekly = a.weekly.tail(max(1, a.score_days // 7))
        every = len(weekly) > 0 and all(
            sum(row[f"E_{g}"] for g in MUSCLE_GROUPS) > 0 for row in weekly.rows()
        )
        names = join([NAMES[m.group] for m in loaded])
        sentence = f"{who} loads your {names}{' every week' if every else ''}"
        if no_sets and not some:
            if len(no_sets) > 1:
                sentence += f", but none of them got a hard set in {period(a)}."
            else:
                pron = "it" if no_sets[0].group in ("lower_back", "upper_back") else "they"
                sentence += f", but {pron} got no hard set in {period(a)}."
        elif no_sets:
            sentence += (
                f"; your {join([NAMES[m.group] for m in no_sets])} got no hard set in {period(a)}, "
                + join(
                    [
                        f"your {NAMES[m.group]} {sets(m.strength)} credited sets a week of "
                        f"{m.target:g}"
                        for m in some
                    ]
                )
                + "."
            )
        else:
            sentence += (
                "; they got "
                + join(
                    [
                        f"{sets(m.strength)} credited sets a week ({NAMES[m.group]}, target "
                        f"{m.target:g})"
                        for m in some
                    ]
                )
                + "."
            )
        out.append(sentence)
    ub = a.muscles["upper_back"]
    if ub.target > 0 and ub.strength < ub.target:
        out.append("Add a weekly upper-back pull.")
    return out


def _balance(a: Analysis) -> list[str]:
    if a.balance is None:
        return []
    r = a.model
    b = a.balance
    who, _ = dominant(a)
    split = f"{pct(b)} of the thigh load is at the front, {pct(1 - b)} at the back; balance {b:.2f}"
    if b >= r.number("balance_front_much"):
        return [
            f"{who} loads the front of your thighs (quads and hip flexors) much more than the back "
            f"(hamstrings and glutes): {split}. Hinges and bridges first."
        ]
    if b >= r.number("balance_front_some"):
        return [
            f"{who} loads the front of your thighs (quads and hip flexors) somewhat more than the "
            f"back (hamstrings and glutes): {split}."
        ]
    if b <= r.number("balance_back_some"):
        return [
            f"{who} loads the back of your thighs (hamstrings and glutes) more than the front: "
            f"{split}."
        ]
    return [f"{who} loads the front and the back of your thighs about evenly: {split}."]


def _running_share(a: Analysis) -> list[str]:
    t = a.totals
    if t["minutes"] <= 0:
        return []
    if not t["running_minutes"]:
        return [
            f"None of your {hours(t['minutes'])} of logged training in {period(a)} was running."
        ]
    return [
        f"Running was {pct(a.running_share or 0)} of your {hours(t['minutes'])} of logged training "
        f"in {period(a)} ({plural(t['running_activities'], 'run')})."
    ]


def _ranking(a: Analysis) -> list[str]:
    ranked = a.ranked
    if not any(m.priority > 0 for m in ranked):
        if a.lifting.hard_sets > 0 or a.lifting.estimated_sets > 0:
            return ["Every posterior-chain group with a target met it: no priority is above 0."]
        return []
    parts = [f"{NAMES[m.group]} {m.priority:.2f}" for m in ranked if a.muscles[m.group].target > 0]
    out = [
        f"Posterior-chain priority (0 to 1, higher needs more strength work): {', '.join(parts)}."
    ]
    top = ranked[:3]
    runner = (a.running_share or 0.0) >= 0.5
    if (
        runner
        and {m.group for m in top} == {"calves", "hamstrings", "glute_max"}
        and (top[0].priority - top[2].priority <= a.model.number("tie_margin"))
    ):
        out.append(
            "Your calves, hamstrings and glutes are within "
            f"{a.model.number('tie_margin'):g} of each other: all three need work, and the "
            "order between them is within the uncertainty of the model."
        )
    ub = a.muscles["upper_back"]
    if ub.target > 0 and a.details["upper_back"].demand < 0.3 and ub.strength < ub.target:
        out.append(
            f"Your upper back rarely wins on endurance load; the weekly upper-back minimum of "
            f"{a.details['upper_back'].minimum or 0:g} hard sets covers it."
        )
    return out


def _patterns(a: Analysis) -> list[str]:
    parts = []
    for name, p in a.patterns.items():
        if p.target <= 0 and p.sets_per_week <= 0:
            continue
        parts.append(
            f"{PATTERN_NAMES.get(name, name.replace('_', ' '))} {sets(p.sets_per_week)} "
            f"(target {p.target:g}, minimum {p.minimum:g})"
        )
    if not parts:
        return []
    return [f"Hard sets a week by movement pattern in {period(a)}: {'; '.join(parts)}."]


def _ap(a: Analysis) -> str:
    lift = a.lifting
    if lift.ap_ratio is None:
        if lift.anterior > 0:
            return (
                f"Your lifting credited {sets(lift.anterior)} sets to the front of the thigh and "
                "none to the back (hamstrings, glutes, lower back) in "
                f"{period(a)}: all of it was quad work."
            )
        return (
            f"No strength training recorded in {period(a)}, so there is no lifting balance to show."
        )
    r = a.model
    ratio = lift.ap_ratio
    if ratio > r.number("ap_quad_biased_above"):
        verdict = f"quad-biased lifting (above {r.number('ap_quad_biased_above'):g})"
    elif ratio < r.number("ap_hinge_biased_below"):
        verdict = f"hinge-biased lifting (below {r.number('ap_hinge_biased_below'):g})"
    else:
        verdict = "balanced between front and back"
    return (
        f"Your lifting credited {sets(lift.anterior)} sets to the front of the thigh (quads, hip "
        f"flexors) and {sets(lift.posterior)} to the back (hamstrings, glutes, lower back) in "
        f"{period(a)}: anterior:posterior ratio {ratio:.2f}, {verdict}."
    )


def _equ(a: Analysis) -> list[str]:
    out = []
    m = a.model.modifiers
    acts = [f for f in a.equ_flags if f.kind == "activity"]
    for f in acts[:5]:
        out.append(
            f"On {day(f.date)} your {f.sport.replace('_', ' ')} had {f.descent_m:,.0f} m of "
            f"descent ({f.equ:.1f} eccentric quad units, at or above "
            f"{m.equ_flag_activity:g}): downhill work hits the quads hardest; expect sore quads "
            "for a day or two, and keep Nordics and heavy quad work out of the 48 h after such a "
            "day."
        )
    if len(acts) > 5:
        out.append(
            f"{plural(len(acts) - 5, 'more activity', 'more activities')} had at least "
            f"{m.equ_flag_activity:g} EQU."
        )
    for f in (f for f in a.equ_flags if f.kind == "week"):
        base = f.baseline or 0.0
        times = (
            f" ({f.equ / base:.1f}× the previous {m.equ_week_baseline}-week average of {base:.1f})"
            if base > 0
            else f" (after {m.equ_week_baseline} weeks with almost none)"
        )
        out.append(
            f"The week of {day(f.date)} had {f.equ:.1f} eccentric quad units{times}: a "
            "descent-heavy week; the repeated-bout effect means regular, progressive downhill "
            "running protects better than sudden big descents. This is a warning, not a "
            "strength prescription."
        )
    return out


def _gaps(a: Analysis) -> list[str]:
    out = []
    t, g, lift = a.totals, a.data_gaps, a.lifting
    if t["unmodelled_minutes"] > 0:
        names = join(
            [k.replace("/*", "").replace("_", " ") for k in list(t["unmodelled_by_sport"])[:4]]
        )
        out.append(
            f"{hours(t['unmodelled_minutes'])} of {names} are not modelled: chainfix has no "
            "coefficients for them and does not guess, so they add no load."
        )
    if lift.unknown_sets > 0:
        per = max(a.model.families[UNKNOWN_FAMILY].credits)
        out.append(
            f"{lift.unknown_sets:,.0f} of {lift.hard_sets:,.0f} logged strength sets were not "
            "classified (the watch's guess was unknown, or a whole-body move such as a burpee): "
            f"each counts as unclassified strength work at {per:g} per lower-body group."
        )
    if lift.estimated_workouts:
        mins = a.model.number("strength_minutes_per_set")
        n = lift.estimated_workouts
        out.append(
            f"{n} strength workout{'s' if n != 1 else ''} had no set data (older watches): counted "
            f"as one unclassified hard set per {mins:g} minutes, {lift.estimated_sets:,.0f} sets."
        )
    if g["no_grade_data"]:
        n = g["no_grade_data"]
        out.append(
            f"{n} of your runs, walks or hikes had no distance, ascent or descent data and "
            "count as flat."
        )
    if g["no_speed_data"]:
        n = g["no_speed_data"]
        runs, verb = ("runs", "count") if n != 1 else ("run", "counts")
        out.append(f"{n} {runs} had no speed data and {verb} as steady running.")
    if g["steady_no_zones"]:
        n = g["steady_no_zones"]
        rides, verb = ("rides", "count") if n != 1 else ("ride", "counts")
        out.append(
            f"{n} {rides} {verb} as steady (submaximal): chainfix does not read "
            "power or heart-rate zones, so hard efforts are not weighted up."
        )
    return out


def _nudges(a: Analysis) -> list[str]:
    out = []
    if a.details["glute_max"].factor != 1 and a.options.sitting_hours:
        out.append(
            f"You sit about {a.options.sitting_hours:g} h a day, which the article chainfix grew "
            "from links to a weaker posterior chain: glute and upper-back priority × "
            f"{a.model.number('sitting_factor'):g} (weak evidence, an assumption)."
        )
    t = a.totals
    if t["forward_posture_minutes"] > 0 and t["modelled_minutes"] > 0:
        share = t["forward_posture_minutes"] / t["modelled_minutes"]
        if share >= a.model.number("forward_posture_share"):
            out.append(
                f"{pct(share)} of your modelled minutes were boxing or similar forward-moving "
                "sports, which flag forward posture: upper-back priority × "
                f"{a.model.number('forward_posture_factor'):g} (weak evidence, an assumption)."
            )
    return out
