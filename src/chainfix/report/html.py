"""The analysis as one self-contained HTML page, answer first: verdict and next step, a labelled
body map, charts with axes and legends, the long-term trend, the plan as week cards, then the
details behind every number.

Everything is inline (CSS and SVG, no script, no font or image fetches, not even an SVG namespace
URL) and a Content-Security-Policy forbids the page from loading anything, so it opens offline and
leaks nothing. The layout is one column on a phone (nothing wider than 390 px) and prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from chainfix import __version__
from chainfix.analysis import Analysis
from chainfix.analysis.wording import day, level_word, period, plural, thin_data
from chainfix.atomic import write_atomic
from chainfix.fit.names import exercise_title, watch_name
from chainfix.model import MUSCLE_GROUPS, POSTERIOR_CHAIN, History, Plan, Workout, WorkoutStep
from chainfix.planning.checkin import CheckInReport
from chainfix.report.body_map import body_map
from chainfix.report.charts import trend_charts, weekly_charts, whole_history
from chainfix.report.checkins import checkins_html
from chainfix.report.html_style import CSS, LABELS, _e, load_color, priority_color
from chainfix.report.terminal import next_command, verdict

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
REPORT_MODE = 0o644
"""File mode of every HTML report (``analyze --html`` and ``plan --html``)."""


# ---------------------------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------------------------


def _verdict(a: Analysis, paths: Sequence[str | Path], plan: Plan | None) -> str:
    items = "".join(f"<li>{_e(s)}</li>" for s in verdict(a) if "uncertain" not in s)
    thin = thin_data(a)
    warn = ""
    if thin["thin_data"]:
        warn = (
            f'<p class="uncertain">Only {plural(thin["scored_activities"], "activity")} in '
            f"{period(a)} ({thin['active_weeks']} of {thin['scored_weeks']} weeks with training): "
            "the picture is uncertain, so needs show only as high, medium or low.</p>"
        )
    if plan is not None:
        watch = next_command(paths).replace("chainfix plan", "chainfix sync watch", 1)
        nxt = (
            f"Next: put the plan below on your watch with <code>{_e(watch)}</code> "
            "(or <code>chainfix sync garmin</code> with the same paths)."
        )
    else:
        nxt = (
            f"Next: run <code>{_e(next_command(paths))}</code> for posterior-chain strength "
            "workouts, ready for your watch."
        )
    return (
        f'<section id="verdict" class="verdict"><ul>{items}</ul>{warn}'
        f'<p class="next">{nxt}</p></section>'
    )


def _muscle_table(a: Analysis) -> str:
    rows = []
    for g in MUSCLE_GROUPS:
        m, d = a.muscles[g], a.details[g]
        has = g in POSTERIOR_CHAIN and m.target > 0
        word = level_word(m.priority) if has else "none"
        need = (word if word != "none" else "on target") if has else "–"
        rows.append(
            f'<tr data-group="{g}"><td>{_e(LABELS[g])}</td>'
            f'<td><div class="meter" title="{d.demand * 100:.0f} % of your most-loaded group">'
            f'<span style="width:{max(d.demand, 0) * 100:.0f}%"></span></div></td>'
            f'<td class="num">{m.strength:.1f}</td>'
            f'<td class="num">{(f"{m.target:g}" if m.target > 0 else "–")}</td>'
            f'<td class="need {word}">{_e(need)}</td></tr>'
        )
    return (
        '<table class="muscles"><thead><tr><th>Group</th><th>Load from training</th>'
        "<th class=num>Sets a week</th><th class=num>Target</th><th>Needs work</th>"
        "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
        '<p class="key">Load: how hard your endurance training works each group, against your '
        "most-loaded group. Sets: hard strength sets a week that reach the group.</p>"
    )


def _problems(history: History) -> str:
    if not history.problems:
        return "<p>Every file was read.</p>"
    items = "".join(
        f'<li class="{_e(p.severity)}"><b>{_e(p.kind.replace("_", " "))}</b> · '
        f"<code>{_e(p.where)}</code>: {_e(p.message)}</li>"
        for p in history.problems
    )
    return (
        f"<p>{plural(len(history.errors), 'file')} not fully read and "
        f"{plural(len(history.skipped), 'file')} skipped (no activity in them) out of "
        f"{plural(history.files_read, 'file')}; the rest of the history was read normally.</p>"
        f'<details open><summary>Which files</summary><ul class="problems">{items}</ul></details>'
    )


def _dose(s: WorkoutStep) -> str:
    side = " per side" if s.per_side else ""
    if s.reps is not None:
        dose = f"{s.sets} × {s.reps}{side}"
    elif s.duration_s is not None:
        dose = f"{s.sets} × {s.duration_s} s{side}"
    else:
        dose = f"{s.sets} sets"
    return dose + (f", rest {s.rest_s} s" if s.rest_s else "")


def _step(s: WorkoutStep) -> str:
    title = exercise_title(s) or s.name
    extra = [x for x in (s.name if s.name != title else "", s.load, s.notes) if x and x.strip()]
    small = f"<small>{_e(' · '.join(extra))}</small>" if extra else ""
    return f"<li><b>{_e(title)}</b> {_e(_dose(s))}{small}</li>"


def _workout(w: Workout) -> str:
    notes = "".join(f"<small>{_e(n)}</small>" for n in w.notes)
    return (
        f'<div class="workout" data-date="{w.date.isoformat()}">'
        f'<h4>{_e(watch_name(w))}</h4><span class="when">{_e(f"{w.date:%a}")} '
        f"{_e(day(w.date))} · {_e(w.kind)}</span>"
        f"<ol>{''.join(_step(s) for s in w.steps)}</ol>{notes}</div>"
    )


def _plan(plan: Plan) -> str:
    notes = "".join(f"<li>{_e(n)}</li>" for n in plan.notes)
    workouts = sorted(plan.workouts, key=lambda w: (w.date, w.key))
    weeks: dict[int, list[Workout]] = {}
    for w in workouts:
        weeks.setdefault(w.week, []).append(w)
    cards = "".join(
        f'<article class="week"><h3>Week {n} · from '
        f"{_e(day(min(x.date for x in ws) - timedelta(days=min(x.date for x in ws).weekday())))}"
        f"</h3>{''.join(_workout(x) for x in ws)}</article>"
        for n, ws in sorted(weeks.items())
    )
    return (
        '<section id="plan"><h2>Your plan</h2>'
        f"<p>{plural(plan.weeks, 'week')} from {_e(day(plan.start))}, level {_e(plan.level)}, "
        f"{plural(len(workouts), 'session')}. Each session shows the name your watch will show, "
        "and each exercise its title on the watch.</p>"
        + (f"<ul>{notes}</ul>" if notes else "")
        + f'<div class="weeks">{cards}</div></section>'
    )


def _why(a: Analysis) -> str:
    reasons = "".join(f"<li>{_e(s)}</li>" for s in a.explanations)
    per_group = "".join(
        f"<li><b>{_e(LABELS[g])}</b>: {_e(' '.join(a.muscles[g].reasons))}</li>"
        for g in MUSCLE_GROUPS
    )
    numbers = "".join(
        f"<tr><td>{_e(LABELS[g])}</td><td class=num>{a.muscles[g].exposure:,.0f}</td>"
        f"<td class=num>{a.details[g].demand:.2f}</td><td class=num>{a.muscles[g].priority:.2f}"
        "</td></tr>"
        for g in MUSCLE_GROUPS
    )
    return (
        '<section id="why"><h2>How the numbers are worked out</h2><details>'
        "<summary>Every reason, formula and coefficient</summary>"
        f'<ul class="reasons">{reasons}</ul><ul>{per_group}</ul>'
        "<table><thead><tr><th>Group</th><th class=num>Load (coefficient-minutes a week)</th>"
        "<th class=num>Demand</th><th class=num>Priority</th></tr></thead>"
        f"<tbody>{numbers}</tbody></table></details></section>"
    )


def render_html(
    analysis: Analysis,
    history: History,
    plan: Plan | None = None,
    *,
    paths: Sequence[str | Path] = (),
    checkins: Sequence[CheckInReport] = (),
) -> str:
    """The whole report as one HTML document (no network access needed or allowed).

    ``paths`` are the user's own paths, for the next command the page suggests; ``checkins``
    the recent pain and soreness check-ins.
    """
    a = analysis
    files = "".join(
        f"<li>{_e(f.table)}: {_e(f.origin)} ({_e(f.path)})</li>"
        for f in a.model.files
        if f.origin != "built-in"
    )
    model_note = (
        f"<p>Your overrides:</p><ul>{files}</ul>"
        if files
        else "<p>Built-in coefficient tables (no overrides).</p>"
    )
    key = (
        '<p class="key">Back-of-body groups are shaded by how much strength work they need:'
        f'<span class="swatch" style="background:{priority_color(0)}"></span>none'
        f'<span class="swatch" style="background:{priority_color(0.3)}"></span>medium'
        f'<span class="swatch" style="background:{priority_color(1)}"></span>high. '
        "Quads, hip flexors and side glutes get no strength target here and are shaded by "
        f'training load<span class="swatch" style="background:{load_color(1)}"></span>.</p>'
    )
    span = f"{day(a.window_start)} – {day(a.window_end)}"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>chainfix: {a.window_start.isoformat()} – {a.window_end.isoformat()}</title>"
        f"<style>{CSS}</style></head><body><main>"
        "<h1>Your training and your posterior chain</h1>"
        f'<p class="framing">{_e(span)} · {plural(a.activity_count, "activity")} · '
        "A record of the work you logged, not a recovery score and not an injury "
        "prediction.</p>"
        + _verdict(a, paths, plan)
        + f'<section id="body"><h2>Where your training loads you, and what needs strength work '
        f"({_e(period(a))})</h2>"
        + '<div class="bodymaps">'
        + body_map(a, "front")
        + body_map(a, "back")
        + "</div>"
        + key
        + "</section>"
        + f'<section id="muscles"><h2>Muscle groups, a week on average over {_e(period(a))}</h2>'
        + _muscle_table(a)
        + "</section>"
        + (_plan(plan) if plan is not None else "")
        + checkins_html(checkins)
        + f'<section id="weekly"><h2>Week by week, {_e(span)}</h2>'
        + weekly_charts(a)
        + "</section>"
        + '<section id="trend"><h2>Your whole history, month by month</h2>'
        + trend_charts(a, whole_history(a, history))
        + "</section>"
        + _why(a)
        + '<section id="problems"><h2>Reading your files</h2>'
        + _problems(history)
        + "</section>"
        + f"<footer>{model_note}<p>chainfix {_e(__version__)}. Coefficients are expert "
        "judgements anchored on cited studies (chainfix/data/sources.csv).</p></footer>"
        + "</main></body></html>\n"
    )


def write_report(path: Path, page: str) -> None:
    """Write an HTML report atomically with :data:`REPORT_MODE`, whichever command made it."""
    write_atomic(path, page, mode=REPORT_MODE)
