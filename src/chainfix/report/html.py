"""The analysis as one self-contained HTML file: body map, weekly charts, reasons, problems, plan.

Everything is inline (CSS and SVG, no script, no font or image fetches) and a Content-Security-
Policy forbids the page from loading anything, so it opens offline and leaks nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from chainfix import __version__
from chainfix.analysis import Analysis
from chainfix.analysis.explain import NAMES, day
from chainfix.model import MUSCLE_GROUPS, POSTERIOR_CHAIN, History, Plan, Workout, WorkoutStep

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

CSS = """
:root { --ink:#1f2933; --muted:#52606d; --line:#d9e2ec; --bg:#ffffff; --soft:#f5f7fa;
  --hot:#b91c1c; --warm:#f59e0b; --cool:#2563eb; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
  background: var(--bg); margin: 0; }
main { max-width: 1040px; margin: 0 auto; padding: 24px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; } h2 { font-size: 1.2rem; margin: 32px 0 8px;
  border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 1rem; margin: 16px 0 4px; }
.framing { color: var(--muted); margin: 0 0 16px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { background: var(--soft); border-radius: 8px; padding: 10px 14px; min-width: 180px;
  flex: 1; }
.card b { display: block; font-size: 1.3rem; }
.card span { color: var(--muted); font-size: .85rem; }
.bodymaps { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
.bodymap { width: 200px; height: 440px; }
.bodymap .skin { fill: #eef2f6; stroke: #9aa5b1; stroke-width: 1; }
.bodymap .muscle { stroke: #52606d; stroke-width: .8; }
.bodymap text { font-size: 10px; fill: var(--muted); }
.legend { font-size: .85rem; color: var(--muted); max-width: 420px; }
.legend .swatch { display: inline-block; width: 14px; height: 14px; vertical-align: -2px;
  border: 1px solid #9aa5b1; margin-right: 4px; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line);
  vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 16px; }
figure { margin: 0; } figcaption { font-size: .85rem; color: var(--muted); }
svg.chart { width: 100%; height: auto; display: block; }
svg.chart text { font-size: 9px; fill: var(--muted); }
svg.chart .bar.exposure { fill: #93c5fd; } svg.chart .bar.run { fill: #60a5fa; }
svg.chart .bar.endurance { fill: #a7f3d0; } svg.chart .bar.strength { fill: #c4b5fd; }
svg.chart .bar.unmodelled { fill: #e5e7eb; }
svg.chart .strength-line { fill: none; stroke: #7c3aed; stroke-width: 2; }
svg.chart .strength-dot { fill: #7c3aed; }
svg.chart .target { stroke: #7c3aed; stroke-dasharray: 4 3; stroke-width: 1; }
svg.chart .axis { stroke: #9aa5b1; stroke-width: 1; }
svg.chart .flag { fill: var(--hot); }
ul.reasons li { margin-bottom: 6px; }
.problems .error { color: var(--hot); } .problems .warning { color: #b45309; }
.workout { background: var(--soft); border-radius: 8px; padding: 8px 12px; margin-bottom: 12px; }
footer { color: var(--muted); font-size: .8rem; margin-top: 40px; }
"""


def _e(x: object) -> str:
    return escape(str(x), quote=True)


def _mix(c1: tuple[int, int, int], c2: tuple[int, int, int], t: float) -> str:
    r, g, b = (round(a + (b - a) * t) for a, b in zip(c1, c2, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


_LOW, _MID, _HIGH = (238, 242, 246), (245, 158, 11), (185, 28, 28)
_BLUE_LOW, _BLUE_HIGH = (238, 242, 246), (37, 99, 235)


def priority_color(p: float) -> str:
    """Grey (0) through amber (0.5) to red (1)."""
    p = min(max(p, 0.0), 1.0)
    return _mix(_LOW, _MID, p / 0.5) if p <= 0.5 else _mix(_MID, _HIGH, (p - 0.5) / 0.5)


def load_color(demand: float) -> str:
    """Grey to blue, for groups without a priority (front of the thigh)."""
    return _mix(_BLUE_LOW, _BLUE_HIGH, min(max(demand, 0.0), 1.0))


# ---------------------------------------------------------------------------------------------
# Body map
# ---------------------------------------------------------------------------------------------


def _mirror(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    return [(200 - x, y) for x, y in points]


def _poly(points: Iterable[tuple[float, float]]) -> str:
    return " ".join(f"{x:g},{y:g}" for x, y in points)


_TORSO = [(56, 66), (144, 66), (138, 140), (134, 214), (66, 214), (62, 140)]
_ARM = [(56, 68), (40, 74), (24, 196), (36, 198), (54, 128)]
_THIGH = [(66, 212), (99, 212), (95, 318), (72, 318)]
_SHIN = [(72, 320), (95, 320), (92, 420), (77, 420)]

_SILHOUETTE = [
    '<circle class="skin" cx="100" cy="34" r="20"/>',
    '<rect class="skin" x="91" y="52" width="18" height="12"/>',
    f'<polygon class="skin" points="{_poly(_TORSO)}"/>',
    *(
        f'<polygon class="skin" points="{_poly(pts)}"/>'
        for limb in (_ARM, _THIGH, _SHIN)
        for pts in (limb, _mirror(limb))
    ),
]

_Geo = tuple[float, float, float, float] | list[tuple[float, float]]
"""An ellipse (cx, cy, rx, ry) or a polygon, drawn on the left side and mirrored."""

_FRONT: list[tuple[str, _Geo]] = [
    ("hip_flexors", [(70, 200), (98, 210), (96, 226), (74, 222)]),
    ("quads", [(72, 228), (96, 230), (93, 312), (76, 312)]),
]
_BACK: list[tuple[str, _Geo]] = [
    ("upper_back", [(62, 70), (100, 70), (100, 132), (66, 132)]),
    ("lower_back", [(67, 136), (100, 136), (100, 184), (68, 184)]),
    ("glute_med", (74, 194, 9, 8)),
    ("glute_max", (86, 212, 14, 15)),
    ("hamstrings", [(70, 232), (97, 232), (94, 314), (75, 314)]),
    ("calves", (84, 352, 10, 28)),
]


def _region(a: Analysis, group: str, geo: _Geo, mirror: bool) -> str:
    m, d = a.muscles[group], a.details[group]
    has_priority = group in POSTERIOR_CHAIN and m.target > 0
    fill = priority_color(m.priority) if has_priority else load_color(d.demand)
    if has_priority:
        tip = (
            f"{NAMES[group]}: priority {m.priority:.2f}; {m.strength:.1f} credited hard sets a "
            f"week (target {m.target:g}); endurance load {m.exposure:,.0f} coef-min a week"
        )
    else:
        tip = (
            f"{NAMES[group]}: no priority (no target); endurance load {m.exposure:,.0f} "
            f"coef-min a week (demand {d.demand:.2f})"
        )
    attrs = f'class="muscle" data-group="{group}" data-priority="{m.priority:.4f}" fill="{fill}"'
    title = f"<title>{_e(tip)}</title>"
    if isinstance(geo, tuple):
        cx, cy, rx, ry = geo
        if mirror:
            cx = 200 - cx
        return f'<ellipse {attrs} cx="{cx:g}" cy="{cy:g}" rx="{rx:g}" ry="{ry:g}">{title}</ellipse>'
    pts = _mirror(geo) if mirror else geo
    return f'<polygon {attrs} points="{_poly(pts)}">{title}</polygon>'


def body_map(a: Analysis, side: str) -> str:
    """One inline SVG figure, ``front`` or ``back``, with muscle regions shaded."""
    regions = _FRONT if side == "front" else _BACK
    parts = [
        f'<svg class="bodymap" id="bodymap-{side}" viewBox="0 0 200 440" role="img" '
        f'aria-label="Body map, {side}" xmlns="http://www.w3.org/2000/svg">',
        *_SILHOUETTE,
    ]
    for group, geo in regions:
        parts.append(_region(a, group, geo, False))
        parts.append(_region(a, group, geo, True))
    parts.append(f'<text x="100" y="436" text-anchor="middle">{_e(side)}</text>')
    parts.append("</svg>")
    return "".join(parts)


# ---------------------------------------------------------------------------------------------
# Charts
# ---------------------------------------------------------------------------------------------

_W, _H = 320, 140
_L, _R, _T, _B = 34, 30, 12, 24


def _x_positions(n: int) -> tuple[list[float], float]:
    inner = _W - _L - _R
    step = inner / max(n, 1)
    return [_L + i * step for i in range(n)], step


def group_chart(a: Analysis, group: str) -> str:
    """Weekly endurance exposure (bars) against credited strength sets (line) for one group."""
    w = a.weekly
    exp = [float(x) for x in w[f"E_{group}"]]
    st = [float(x) for x in w[f"S_{group}"]]
    target = a.muscles[group].target
    e_max = max(exp + [1.0])
    s_max = max(st + [target, 1.0])
    xs, step = _x_positions(len(w))
    base = _H - _B
    height = base - _T
    parts = [
        f'<svg class="chart" data-group="{group}" viewBox="0 0 {_W} {_H}" role="img" '
        f'aria-label="{_e(NAMES[group])}: weekly load and strength sets" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<line class="axis" x1="{_L}" y1="{base}" x2="{_W - _R}" y2="{base}"/>',
    ]
    for x, e, row in zip(xs, exp, w.itertuples(index=False), strict=True):
        h = height * e / e_max
        parts.append(
            f'<rect class="bar exposure" x="{x + step * 0.15:.1f}" y="{base - h:.1f}" '
            f'width="{step * 0.7:.1f}" height="{max(h, 0.0):.1f}"><title>'
            f"{_e(row.week_start.isoformat())}: {e:,.0f} coef-min</title></rect>"
        )
    if target > 0:
        ty = base - height * target / s_max
        parts.append(f'<line class="target" x1="{_L}" y1="{ty:.1f}" x2="{_W - _R}" y2="{ty:.1f}"/>')
        parts.append(f'<text x="{_W - _R + 2}" y="{ty + 3:.1f}">{target:g}</text>')
    pts = [(x + step / 2, base - height * s / s_max) for x, s in zip(xs, st, strict=True)]
    if pts:
        parts.append(f'<polyline class="strength-line" points="{_poly(pts)}"/>')
        for (x, y), s in zip(pts, st, strict=True):
            parts.append(
                f'<circle class="strength-dot" cx="{x:.1f}" cy="{y:.1f}" r="2.5">'
                f"<title>{s:.1f} credited sets</title></circle>"
            )
    parts.append(f'<text x="{_L - 4}" y="{_T + 8}" text-anchor="end">{e_max:,.0f}</text>')
    parts.append(f'<text x="{_L - 4}" y="{base}" text-anchor="end">0</text>')
    if len(w):
        parts.append(
            f'<text x="{_L}" y="{_H - 8}">{_e(w["week_start"].iloc[0].strftime("%d %b"))}</text>'
        )
        parts.append(
            f'<text x="{_W - _R}" y="{_H - 8}" text-anchor="end">'
            f"{_e(w['week_start'].iloc[-1].strftime('%d %b'))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def volume_chart(a: Analysis) -> str:
    """Weekly minutes stacked by kind, with descent-heavy weeks marked."""
    w = a.weekly
    kinds = [
        ("run", "run_minutes", "running"),
        ("endurance", "endurance_minutes", "other endurance"),
        ("strength", "strength_minutes", "strength"),
        ("unmodelled", "unmodelled_minutes", "unmodelled"),
    ]
    totals = [float(x) for x in w["minutes"]]
    top = max(totals + [1.0])
    xs, step = _x_positions(len(w))
    base = _H - _B
    height = base - _T
    parts = [
        f'<svg class="chart" id="volume-chart" viewBox="0 0 {_W} {_H}" role="img" '
        'aria-label="Weekly training minutes by kind" xmlns="http://www.w3.org/2000/svg">',
        f'<line class="axis" x1="{_L}" y1="{base}" x2="{_W - _R}" y2="{base}"/>',
    ]
    for x, row in zip(xs, w.itertuples(index=False), strict=True):
        y = float(base)
        for cls, col, label in kinds:
            v = float(getattr(row, col))
            if v <= 0:
                continue
            h = height * v / top
            y -= h
            parts.append(
                f'<rect class="bar {cls}" x="{x + step * 0.15:.1f}" y="{y:.1f}" '
                f'width="{step * 0.7:.1f}" height="{h:.1f}"><title>'
                f"{_e(row.week_start.isoformat())}: {v / 60:.1f} h {label}</title></rect>"
            )
        if row.equ_flag:
            parts.append(
                f'<circle class="flag" cx="{x + step / 2:.1f}" cy="{_T - 4}" r="3">'
                f"<title>{row.equ:.1f} EQU: descent-heavy week</title></circle>"
            )
    parts.append(f'<text x="{_L - 4}" y="{_T + 8}" text-anchor="end">{top / 60:.0f} h</text>')
    parts.append(f'<text x="{_L - 4}" y="{base}" text-anchor="end">0</text>')
    parts.append("</svg>")
    return "".join(parts)


# ---------------------------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------------------------


def _cards(a: Analysis) -> str:
    share = f"{a.running_share * 100:.0f} %" if a.running_share is not None else "–"
    bal = f"{a.balance * 100:.0f} % front" if a.balance is not None else "–"
    ratio = a.lifting.ap_ratio
    ap = f"{ratio:.2f}" if ratio is not None else "none recorded"
    equ = a.totals["equ"]
    cards = [
        (share, "Running share of logged time"),
        (bal, "Thigh load: front (quads, hip flexors) vs back (hamstrings, glutes)"),
        (ap, "Lifting front:back ratio (credits)"),
        (f"{equ:.1f}", f"Eccentric quad units, last {a.score_days} days"),
        (a.level, f"Level ({a.level_source})"),
    ]
    return (
        '<div class="cards">'
        + "".join(f'<div class="card"><b>{_e(v)}</b><span>{_e(k)}</span></div>' for v, k in cards)
        + "</div>"
    )


def _muscle_table(a: Analysis) -> str:
    rows = []
    for g in MUSCLE_GROUPS:
        m, d = a.muscles[g], a.details[g]
        has = g in POSTERIOR_CHAIN and m.target > 0
        rows.append(
            f'<tr data-group="{g}"><td>{_e(NAMES[g])}</td><td class="num">{m.exposure:,.0f}</td>'
            f'<td class="num">{d.demand:.2f}</td><td class="num">{m.strength:.1f}</td>'
            f'<td class="num">{(f"{m.target:g}" if m.target > 0 else "–")}</td>'
            f'<td class="num">{(f"{m.priority:.2f}" if has else "–")}</td>'
            f"<td>{'<br>'.join(_e(r) for r in m.reasons)}</td></tr>"
        )
    return (
        "<table><thead><tr><th>Group</th><th class=num>Load coef-min/wk</th>"
        "<th class=num>Demand</th>"
        "<th class=num>Hard sets/wk</th><th class=num>Target</th><th class=num>Priority</th>"
        "<th>Why</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


def _problems(history: History) -> str:
    if not history.problems:
        return "<p>No problems: every file was read.</p>"
    rows = "".join(
        f'<tr class="{_e(p.severity)}"><td>{_e(p.severity)}</td><td>{_e(p.kind)}</td>'
        f"<td>{_e(p.where)}</td><td>{_e(p.message)}</td></tr>"
        for p in history.problems
    )
    return (
        f"<p>{len(history.errors)} problem(s) and {len(history.skipped)} skipped file(s) while "
        f"reading {history.files_read} file(s). The rest of the history was read normally.</p>"
        '<table class="problems"><thead><tr><th>Severity</th><th>Kind</th><th>File</th>'
        f"<th>Message</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _step(s: WorkoutStep) -> str:
    if s.reps is not None:
        dose = f"{s.sets} × {s.reps}{' per side' if s.per_side else ''}"
    elif s.duration_s is not None:
        dose = f"{s.sets} × {s.duration_s} s{' per side' if s.per_side else ''}"
    else:
        dose = f"{s.sets} sets"
    return (
        f"<tr><td>{_e(s.name)}</td><td>{_e(dose)}</td><td class=num>{s.rest_s} s</td>"
        f"<td>{_e(s.load)}</td><td>{_e(s.notes)}</td></tr>"
    )


def _workout(w: Workout) -> str:
    notes = "".join(f"<li>{_e(n)}</li>" for n in w.notes)
    return (
        f'<div class="workout" data-date="{w.date.isoformat()}"><h3>{_e(day(w.date))}: '
        f"{_e(w.title)} <small>(week {w.week}, {_e(w.kind)})</small></h3>"
        "<table><thead><tr><th>Exercise</th><th>Sets × reps</th><th class=num>Rest</th>"
        "<th>Load</th><th>Notes</th></tr></thead><tbody>"
        + "".join(_step(s) for s in w.steps)
        + "</tbody></table>"
        + (f"<ul>{notes}</ul>" if notes else "")
        + "</div>"
    )


def _plan(plan: Plan) -> str:
    notes = "".join(f"<li>{_e(n)}</li>" for n in plan.notes)
    workouts = sorted(plan.workouts, key=lambda w: (w.date, w.key))
    return (
        '<section id="plan"><h2>Plan</h2>'
        f"<p>{plan.weeks} weeks from {_e(day(plan.start))}, level {_e(plan.level)}, "
        f"{len(workouts)} workouts.</p>"
        + (f"<ul>{notes}</ul>" if notes else "")
        + "".join(_workout(w) for w in workouts)
        + "</section>"
    )


def render_html(analysis: Analysis, history: History, plan: Plan | None = None) -> str:
    """The whole report as one HTML document (no network access needed or allowed)."""
    a = analysis
    charts = [volume_chart(a)] + [
        group_chart(a, g)
        for g in ("hamstrings", "glute_max", "calves", "lower_back", "upper_back", "quads")
    ]
    captions = [
        "Weekly minutes: running, other endurance, strength, unmodelled; red dot = "
        "descent-heavy week"
    ] + [
        f"{NAMES[g].capitalize()}: endurance load (bars, coef-min) and credited hard sets "
        "(line; dashed = weekly target)"
        for g in ("hamstrings", "glute_max", "calves", "lower_back", "upper_back", "quads")
    ]
    figures = "".join(
        f"<figure>{c}<figcaption>{_e(cap)}</figcaption></figure>"
        for c, cap in zip(charts, captions, strict=True)
    )
    reasons = "".join(f"<li>{_e(s)}</li>" for s in a.explanations)
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
    legend = (
        '<div class="legend"><p><span class="swatch" style="background:'
        f'{priority_color(0)}"></span>priority 0 <span class="swatch" style="background:'
        f'{priority_color(0.5)}"></span>0.5 <span class="swatch" style="background:'
        f'{priority_color(1)}"></span>1: posterior-chain groups, shaded by priority (how much '
        'strength work they need given your training).</p><p><span class="swatch" '
        f'style="background:{load_color(1)}"></span>Groups without a priority (the front of the '
        "thigh; glute med unless hip abduction is flagged), shaded by endurance load.</p>"
        "<p>Hover a region for its numbers.</p></div>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>chainfix analysis {a.window_start.isoformat()} – "
        f"{a.window_end.isoformat()}</title>"
        f"<style>{CSS}</style></head><body><main>"
        f"<h1>Posterior-chain analysis</h1>"
        f'<p class="framing">{_e(day(a.window_start))} – {_e(day(a.window_end))} · '
        f"{a.activity_count} activities · A record of the work you logged, not a recovery score "
        "and not an injury prediction.</p>"
        + _cards(a)
        + '<section id="body"><h2>Body map</h2><div class="bodymaps">'
        + body_map(a, "front")
        + body_map(a, "back")
        + legend
        + "</div></section>"
        + f'<section id="muscles"><h2>Per muscle group (last {a.score_days} days, a week on '
        f"average)</h2>{_muscle_table(a)}</section>"
        + f'<section id="weekly"><h2>Week by week</h2><div class="charts">{figures}</div></section>'
        + f'<section id="why"><h2>Why</h2><ul class="reasons">{reasons}</ul></section>'
        + '<section id="problems"><h2>Problems reading your files</h2>'
        + f"{_problems(history)}</section>"
        + (_plan(plan) if plan is not None else "")
        + f"<footer><h2>Model</h2>{model_note}<p>chainfix {_e(__version__)}. Coefficients are "
        "expert judgements anchored on cited studies (see chainfix/data/sources.csv).</p></footer>"
        + "</main></body></html>\n"
    )
