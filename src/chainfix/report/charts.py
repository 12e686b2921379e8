"""The HTML report's charts: inline SVG line charts with axes and legends, the weekly and
monthly strength-set charts per group, and the long-term trend."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from math import floor, log10
from typing import Any

from chainfix.analysis import Analysis
from chainfix.analysis.frame import Frame
from chainfix.model import History
from chainfix.report.html_style import LABELS, STRENGTH_GROUPS, _e, _fmt


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
