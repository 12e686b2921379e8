"""The analysis as one self-contained HTML page, answer first: verdict and next step, a labelled
body map, charts with axes and legends, the long-term trend, the plan as week cards, then the
details behind every number.

Everything is inline (CSS and SVG, no script, no font or image fetches, not even an SVG namespace
URL) and a Content-Security-Policy forbids the page from loading anything, so it opens offline and
leaks nothing. The layout is one column on a phone (nothing wider than 390 px) and prints.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from math import floor, log10
from pathlib import Path
from typing import Any

from chainfix import __version__
from chainfix.analysis import Analysis
from chainfix.analysis.explain import day, level_word, period, plural, thin_data
from chainfix.analysis.frame import Frame
from chainfix.atomic import write_atomic
from chainfix.fit.names import exercise_title, watch_name
from chainfix.model import MUSCLE_GROUPS, POSTERIOR_CHAIN, History, Plan, Workout, WorkoutStep
from chainfix.planning.checkin import CheckInReport
from chainfix.report.checkins import checkins_html
from chainfix.report.terminal import next_command, verdict

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
REPORT_MODE = 0o644
"""File mode of every HTML report (``analyze --html`` and ``plan --html``)."""

LABELS: dict[str, str] = {
    "quads": "Quads",
    "hamstrings": "Hamstrings",
    "glute_max": "Glutes",
    "glute_med": "Side glutes",
    "calves": "Calves",
    "hip_flexors": "Hip flexors",
    "lower_back": "Lower back",
    "upper_back": "Upper back",
}
"""Group names as headings and labels."""

STRENGTH_GROUPS = ("hamstrings", "glute_max", "calves", "lower_back", "upper_back")
"""The posterior-chain groups with weekly strength targets, in the order the charts show them."""

CSS = """
:root { --ink:#1f2933; --muted:#52606d; --line:#d9e2ec; --bg:#ffffff; --soft:#f5f7fa;
  --hot:#b91c1c; --warm:#d97706; --ok:#15803d; --cool:#2563eb; --back:#7c3aed; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
  background: var(--bg); margin: 0; }
main { max-width: 1080px; margin: 0 auto; padding: 16px; }
h1 { font-size: 1.5rem; line-height: 1.25; margin: 8px 0 4px; }
h2 { font-size: 1.2rem; margin: 32px 0 8px; border-bottom: 1px solid var(--line);
  padding-bottom: 4px; }
h3 { font-size: 1rem; margin: 0 0 6px; }
p, li { overflow-wrap: anywhere; }
code { font: .95em ui-monospace, SFMono-Regular, Menlo, monospace; background: var(--soft);
  padding: 2px 6px; border-radius: 4px; overflow-wrap: anywhere; }
.framing { color: var(--muted); margin: 0 0 12px; }
.verdict { background: #fff7ed; border: 1px solid #fed7aa; border-radius: 10px;
  padding: 12px 16px; }
.verdict ul { margin: 0; padding-left: 20px; } .verdict li { margin: 4px 0; }
.verdict .next { margin: 12px 0 0; font-weight: 600; }
.verdict .uncertain { color: var(--warm); font-weight: 600; }
.bodymaps { display: grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr));
  gap: 16px; }
svg { max-width: 100%; }
svg.bodymap { width: 100%; height: auto; display: block; }
svg.bodymap .skin { fill: #eef2f6; stroke: #9aa5b1; stroke-width: 1; }
svg.bodymap .muscle { stroke: #52606d; stroke-width: .8; }
svg.bodymap .lead { stroke: #9aa5b1; stroke-width: 1; }
svg.bodymap text { font-size: 15px; fill: var(--ink); }
svg.bodymap text .value { fill: var(--muted); font-size: 14px; }
svg.bodymap .side { font-size: 14px; font-weight: 600; fill: var(--muted); }
.key { font-size: .9rem; color: var(--muted); }
.swatch { display: inline-block; width: 14px; height: 14px; vertical-align: -2px;
  border: 1px solid #9aa5b1; margin: 0 4px 0 10px; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: 6px 6px; border-bottom: 1px solid var(--line);
  vertical-align: middle; overflow-wrap: break-word; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.meter { background: var(--soft); border-radius: 3px; height: 10px; min-width: 40px; }
.meter span { display: block; height: 10px; border-radius: 3px; background: #60a5fa; }
.need { font-weight: 600; } .need.high { color: var(--hot); } .need.medium { color: var(--warm); }
.need.low { color: var(--ok); } .need.none { color: var(--muted); font-weight: 400; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 420px), 1fr));
  gap: 20px; }
figure { margin: 0; min-width: 0; } figcaption { font-weight: 600; margin-bottom: 4px; }
svg.chart { width: 100%; height: auto; display: block; }
svg.chart text { font-size: 15px; fill: var(--muted); }
ul.legend { list-style: none; margin: 0 0 2px; padding: 0; font-size: .85rem; color: var(--muted);
  display: flex; flex-wrap: wrap; gap: 2px 14px; }
ul.legend i { display: inline-block; width: 14px; height: 12px; margin-right: 5px;
  vertical-align: -1px; }
ul.legend i.run { background: #3b82f6; } ul.legend i.endurance { background: #34d399; }
ul.legend i.strength { background: #a78bfa; } ul.legend i.unmodelled { background: #cbd2d9; }
ul.legend i.front { background: #3b82f6; } ul.legend i.back { background: #7c3aed; }
ul.legend i.sets { background: #a78bfa; }
ul.legend i.target { height: 0; border-top: 2px dashed var(--hot); vertical-align: 3px; }
ul.legend i.flag { width: 0; height: 0; border: 6px solid transparent;
  border-top: 9px solid var(--hot); vertical-align: -4px; }
svg.chart .grid { stroke: #e4e7eb; stroke-width: 1; }
svg.chart .axis { stroke: #9aa5b1; stroke-width: 1; }
svg.chart .run { fill: #3b82f6; } svg.chart .endurance { fill: #34d399; }
svg.chart .strength { fill: #a78bfa; } svg.chart .unmodelled { fill: #cbd2d9; }
svg.chart .front { fill: #3b82f6; stroke: #3b82f6; } svg.chart .back { fill: #7c3aed;
  stroke: #7c3aed; }
svg.chart .sets { fill: #a78bfa; }
svg.chart polyline.line { fill: none; stroke-width: 2.5; }
svg.chart .target { stroke: var(--hot); stroke-dasharray: 6 4; stroke-width: 1.5; }
svg.chart .flag { fill: var(--hot); }
.weeks { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 12px; }
.week { background: var(--soft); border-radius: 10px; padding: 12px; min-width: 0; }
.workout { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 8px 10px;
  margin-top: 8px; }
.workout h4 { margin: 0; font-size: .95rem; } .workout .when { color: var(--muted);
  font-size: .85rem; }
.workout ol { margin: 6px 0 0; padding-left: 20px; font-size: .9rem; }
.workout small { color: var(--muted); display: block; }
ul.problems li.error { color: var(--hot); }
details { margin-top: 12px; } summary { cursor: pointer; font-weight: 600; }
footer { color: var(--muted); font-size: .85rem; margin-top: 40px; }
@media (max-width: 480px) { main { padding: 12px; } th, td { padding: 6px 3px; }
  table { font-size: .85rem; } }
@media print { .verdict { border-color: #999; } details > * { display: block; }
  .charts, .weeks, .bodymaps { display: block; } figure, .week { break-inside: avoid;
  margin-bottom: 12px; } }
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


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if v >= 10 or v == int(v) else f"{v:.1f}"


def load_word(demand: float) -> str:
    """Training load relative to the most-loaded group: high, medium or low."""
    return "high" if demand >= 0.66 else "medium" if demand >= 0.33 else "low"


# ---------------------------------------------------------------------------------------------
# Body map
# ---------------------------------------------------------------------------------------------

_DX = 120
"""The figure is drawn at x 0..200 and shifted right, leaving room for labels on both sides."""
_MAP_W, _MAP_H = 440, 450


def _mirror(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    return [(200 - x, y) for x, y in points]


def _poly(points: Iterable[tuple[float, float]]) -> str:
    return " ".join(f"{x + _DX:g},{y:g}" for x, y in points)


_TORSO = [(56, 66), (144, 66), (138, 140), (134, 214), (66, 214), (62, 140)]
_ARM = [(56, 68), (40, 74), (24, 196), (36, 198), (54, 128)]
_THIGH = [(66, 212), (99, 212), (95, 318), (72, 318)]
_SHIN = [(72, 320), (95, 320), (92, 420), (77, 420)]

_SILHOUETTE = [
    f'<circle class="skin" cx="{100 + _DX}" cy="34" r="20"/>',
    f'<rect class="skin" x="{91 + _DX}" y="52" width="18" height="12"/>',
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
_LABEL_AT: dict[str, tuple[str, float]] = {
    "hip_flexors": ("left", 200),
    "quads": ("right", 270),
    "upper_back": ("left", 96),
    "lower_back": ("right", 160),
    "glute_med": ("left", 190),
    "glute_max": ("right", 222),
    "hamstrings": ("left", 272),
    "calves": ("right", 352),
}
"""Where each group's label sits: which side of the figure, and its height."""


def _centre(geo: _Geo) -> tuple[float, float]:
    if isinstance(geo, tuple):
        return geo[0], geo[1]
    return sum(x for x, _ in geo) / len(geo), sum(y for _, y in geo) / len(geo)


def _region(a: Analysis, group: str, geo: _Geo, mirror: bool) -> str:
    m, d = a.muscles[group], a.details[group]
    has_priority = group in POSTERIOR_CHAIN and m.target > 0
    fill = priority_color(m.priority) if has_priority else load_color(d.demand)
    attrs = f'class="muscle" data-group="{group}" data-priority="{m.priority:.4f}" fill="{fill}"'
    if isinstance(geo, tuple):
        cx, cy, rx, ry = geo
        cx = 200 - cx if mirror else cx
        return f'<ellipse {attrs} cx="{cx + _DX:g}" cy="{cy:g}" rx="{rx:g}" ry="{ry:g}"/>'
    pts = _mirror(geo) if mirror else geo
    return f'<polygon {attrs} points="{_poly(pts)}"/>'


def group_value(a: Analysis, group: str) -> str:
    """The figure printed next to a group (``|`` separates lines): its need for strength work
    and its sets against target, or its training load."""
    m, d = a.muscles[group], a.details[group]
    if group in POSTERIOR_CHAIN and m.target > 0:
        word = level_word(m.priority)
        need = "on target" if word == "none" else f"{word} need"
        return f"{need}|{_fmt(m.strength)} of {m.target:g} sets/wk"
    return f"load: {load_word(d.demand)}"


def _label(a: Analysis, group: str, geo: _Geo) -> str:
    side, y = _LABEL_AT[group]
    cx, cy = _centre(geo)
    if side == "right":
        cx = 200 - cx
        x, anchor, lx = _MAP_W - 4, "end", 200 + _DX + 4
    else:
        x, anchor, lx = 4, "start", _DX - 4
    return (
        f'<line class="lead" x1="{lx:g}" y1="{y - 4:g}" x2="{cx + _DX:g}" y2="{cy:g}"/>'
        f'<text class="label" data-group="{group}" x="{x}" y="{y - 10:g}" text-anchor="{anchor}">'
        f'<tspan font-weight="600">{_e(LABELS[group])}</tspan>'
        + "".join(
            f'<tspan class="value" x="{x}" dy="16">{_e(line)}</tspan>'
            for line in group_value(a, group).split("|")
        )
        + "</text>"
    )


def body_map(a: Analysis, side: str) -> str:
    """One inline SVG figure, ``front`` or ``back``, shaded and labelled on the figure."""
    regions = _FRONT if side == "front" else _BACK
    parts = [
        f'<svg class="bodymap" id="bodymap-{side}" viewBox="0 0 {_MAP_W} {_MAP_H}" role="img" '
        f'aria-label="Body map, {side}">',
        *_SILHOUETTE,
    ]
    for group, geo in regions:
        parts.append(_region(a, group, geo, False))
        parts.append(_region(a, group, geo, True))
    for group, geo in regions:
        parts.append(_label(a, group, geo))
    parts.append(
        f'<text class="side" x="{100 + _DX}" y="{_MAP_H - 6}" text-anchor="middle">'
        f"{_e(side.capitalize())}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


# ---------------------------------------------------------------------------------------------
# Charts
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """One data series of a chart: bars (stacked or side by side) or a line."""

    name: str
    values: list[float]
    cls: str
    kind: str = "bar"


_W, _H = 480, 230
_L, _R, _T, _B = 44, 10, 28, 44


def nice_ticks(top: float, count: int = 4) -> list[float]:
    """Round axis ticks from 0 to at least ``top`` (steps of 1, 2 or 5 times a power of ten)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    power = 10 ** floor(log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    n = int(-(-top // step))
    return [i * step for i in range(n + 1)]


def _x_labels(days: Sequence[date], monthly: bool, slots: int = 6) -> list[tuple[int, str, str]]:
    """(index, label, year line) for up to ``slots`` evenly spaced points; the year shows on the
    first label and wherever it changes, so long windows say which year they are in."""
    n = len(days)
    if not n:
        return []
    every = max(1, -(-n // slots))
    out = []
    last_year = None
    for i in range(0, n, every):
        d = days[i]
        text = f"{d:%b}" if monthly else f"{d.day} {d:%b}"
        year = str(d.year) if d.year != last_year else ""
        last_year = d.year
        out.append((i, text, year))
    return out


def chart(
    cid: str,
    title: str,
    days: Sequence[date],
    series: Sequence[Series],
    *,
    unit: str,
    stacked: bool = False,
    target: float | None = None,
    marks: Sequence[bool] | None = None,
    mark_label: str = "",
    monthly: bool = False,
    height: int = _H,
) -> str:
    """A legend (HTML, wraps on a phone) and an SVG chart: y axis with ticks and unit, x axis
    with dates (and years).

    Every series shares the one y scale. ``target`` draws a dashed line; ``marks`` flags points.
    """
    n = len(days)
    bars = [s for s in series if s.kind == "bar"]
    lines = [s for s in series if s.kind == "line"]
    if stacked:
        tops = [sum(s.values[i] for s in bars) for i in range(n)]
    else:
        tops = [v for s in bars for v in s.values]
    tops += [v for s in lines for v in s.values]
    ticks = nice_ticks(max([*tops, target or 0.0, 0.0]))
    y_max = ticks[-1]
    chart_h = height
    base, height = chart_h - _B, chart_h - _B - _T
    inner = _W - _L - _R
    step = inner / max(n, 1)

    def y(v: float) -> float:
        return base - height * v / y_max

    parts = [
        f'<svg class="chart" id="{_e(cid)}" viewBox="0 0 {_W} {chart_h}" role="img" '
        f'aria-label="{_e(title)}">'
    ]
    for t in ticks:
        parts.append(
            f'<line class="grid" x1="{_L}" y1="{y(t):.1f}" x2="{_W - _R}" y2="{y(t):.1f}"/>'
        )
        parts.append(
            f'<text class="tick-y" x="{_L - 6}" y="{y(t) + 4:.1f}" text-anchor="end">'
            f"{_fmt(t)}</text>"
        )
    parts.append(f'<text class="unit" x="2" y="{_T - 14}">{_e(unit)}</text>')
    parts.append(f'<line class="axis" x1="{_L}" y1="{base}" x2="{_W - _R}" y2="{base}"/>')
    for i, text, year in _x_labels(days, monthly):
        x = _L + step * (i + 0.5)
        parts.append(
            f'<text class="tick-x" x="{x:.1f}" y="{base + 17}" text-anchor="middle">'
            f"{_e(text)}</text>"
        )
        if year:
            parts.append(
                f'<text class="tick-year" x="{x:.1f}" y="{base + 33}" text-anchor="middle">'
                f"{year}</text>"
            )
    width = step * 0.72 / (1 if stacked or not bars else len(bars))
    for i in range(n):
        left = _L + step * i + step * 0.14
        acc = 0.0
        for k, s in enumerate(bars):
            v = max(s.values[i], 0.0)
            if v <= 0:
                continue
            x = left if stacked else left + k * width
            top = y(acc + v) if stacked else y(v)
            bottom = y(acc) if stacked else base
            parts.append(
                f'<rect class="bar {s.cls}" x="{x:.1f}" y="{top:.1f}" width="{width:.1f}" '
                f'height="{max(bottom - top, 0.0):.1f}"><title>{_e(days[i].isoformat())}: '
                f"{_fmt(v)} {_e(unit)} {_e(s.name)}</title></rect>"
            )
            if stacked:
                acc += v
    for s in lines:
        pts = " ".join(f"{_L + step * (i + 0.5):.1f},{y(v):.1f}" for i, v in enumerate(s.values))
        parts.append(f'<polyline class="line {s.cls}" points="{pts}"/>')
    if target:
        parts.append(
            f'<line class="target" x1="{_L}" y1="{y(target):.1f}" x2="{_W - _R}" '
            f'y2="{y(target):.1f}"/>'
        )
    if marks:
        for i, flagged in enumerate(marks):
            if flagged:
                x = _L + step * (i + 0.5)
                parts.append(
                    f'<path class="flag" d="M{x - 5:.1f},{_T - 2} h10 l-5,8 z">'
                    f"<title>{_e(days[i].isoformat())}: {_e(mark_label)}</title></path>"
                )
    legend: list[tuple[str, str]] = [(s.cls, s.name) for s in series]
    if target:
        legend.append(("target", f"target {_fmt(target)} a week"))
    if marks and any(marks):
        legend.append(("flag", mark_label))
    items = "".join(f'<li><i class="{cls}"></i>{_e(name)}</li>' for cls, name in legend)
    parts.append("</svg>")
    return f'<ul class="legend" data-chart="{_e(cid)}">{items}</ul>' + "".join(parts)


def _figure(title: str, svg: str, note: str = "") -> str:
    small = f'<p class="key">{_e(note)}</p>' if note else ""
    return f"<figure><figcaption>{_e(title)}</figcaption>{svg}{small}</figure>"


def _thigh(frame: Frame, a: Analysis) -> tuple[list[float], list[float]]:
    front = [f"E_{g}" for g in a.model.groups("balance_groups_front")]
    back = [f"E_{g}" for g in a.model.groups("balance_groups_back")]
    rows = list(frame.rows())
    return (
        [float(sum(row[c] for c in front)) for row in rows],
        [float(sum(row[c] for c in back)) for row in rows],
    )


def weekly_charts(a: Analysis) -> str:
    """The recent weeks: training time, thigh load front and back, strength sets per group."""
    w = a.weekly
    days = list(w["week_start"])
    time_series = [
        Series("running", [float(v) / 60 for v in w["run_minutes"]], "run"),
        Series("other endurance", [float(v) / 60 for v in w["endurance_minutes"]], "endurance"),
        Series("strength", [float(v) / 60 for v in w["strength_minutes"]], "strength"),
        Series("not modelled", [float(v) / 60 for v in w["unmodelled_minutes"]], "unmodelled"),
    ]
    time_series = [s for s in time_series if any(s.values)] or time_series[:1]
    figures = [
        _figure(
            "Training time per week",
            chart(
                "chart-time",
                "Training time per week",
                days,
                time_series,
                unit="hours",
                stacked=True,
                marks=[bool(v) for v in w["equ_flag"]],
                mark_label="descent-heavy week",
            ),
        )
    ]
    front, back = _thigh(w, a)
    figures.append(
        _figure(
            "Endurance load on the thigh per week",
            chart(
                "chart-thigh",
                "Endurance load on the thigh per week",
                days,
                [Series("front", front, "front"), Series("back", back, "back")],
                unit="load",
            ),
            "Front: quads and hip flexors. Back: hamstrings and glutes. Load is training minutes "
            "weighted by how hard each sport works the muscle.",
        )
    )
    figures += _sets_figures(a, w, days, "chart-sets", "per week", "sets", "sets")
    return '<div class="charts">' + "".join(figures) + "</div>"


def _sets_figures(
    a: Analysis,
    frame: Frame,
    days: list[date],
    chart_id: str,
    when: str,
    series: str,
    unit: str,
    *,
    monthly: bool = False,
) -> list[str]:
    """One chart per strength group: its hard sets against the weekly target."""
    figures = []
    for g in STRENGTH_GROUPS:
        title = f"{LABELS[g]}: strength sets {when}"
        values = [float(v) for v in frame[f"S_{g}"]]
        figures.append(
            _figure(
                title,
                chart(
                    f"{chart_id}-{g}",
                    title,
                    days,
                    [Series(series, values, "sets")],
                    unit=unit,
                    target=a.muscles[g].target or None,
                    monthly=monthly,
                    height=180,
                ),
            )
        )
    return figures


def monthly(frame: Frame) -> Frame:
    """Weekly rows averaged per calendar month of their Monday: a typical week of each month."""
    cols = [c for c in frame.names if c[:2] in ("E_", "S_")]
    months: dict[date, list[dict[str, Any]]] = {}
    for row in frame.rows():
        start = row["week_start"]
        months.setdefault(date(start.year, start.month, 1), []).append(row)
    return Frame.from_rows(
        ["month", *cols],
        [
            [month, *(sum(row[c] for row in rows) / len(rows) for c in cols)]
            for month, rows in sorted(months.items())
        ],
    )


def trend_charts(a: Analysis, whole: Frame) -> str:
    """The whole history month by month: thigh load front and back, strength sets per group."""
    m = monthly(whole)
    if not len(m):
        return "<p>No history to show.</p>"
    days = list(m["month"])
    front, back = _thigh(m, a)
    figures = [
        _figure(
            "Endurance load on the thigh, a week on average, month by month",
            chart(
                "trend-thigh",
                "Endurance load on the thigh, month by month",
                days,
                [
                    Series("front", front, "front", "line"),
                    Series("back", back, "back", "line"),
                ],
                unit="load/week",
                monthly=True,
            ),
        )
    ]
    figures += _sets_figures(
        a, m, days, "trend-sets", "a week, month by month", "sets/week", "sets/week", monthly=True
    )
    return '<div class="charts">' + "".join(figures) + "</div>"


def whole_history(a: Analysis, history: History) -> Frame:
    """The weekly table over the whole history (same model, level and options as ``a``)."""
    from chainfix.analysis import analyze

    if not history.activities:
        return a.weekly
    first = min(x.local_date for x in history.activities)
    if first >= a.window_start:
        return a.weekly
    options = dataclasses.replace(
        a.options, since=first, until=a.window_end, model=a.model, level=a.level
    )
    return analyze(history, options).weekly


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
