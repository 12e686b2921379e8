"""What every part of the HTML report shares: the stylesheet, group labels, the priority and
load colour scales, escaping and number words."""

from __future__ import annotations

from html import escape

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
