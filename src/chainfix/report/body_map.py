"""The HTML report's body map: front and back silhouettes as inline SVG, each muscle group
coloured by its priority or load and labelled with its value."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from chainfix.analysis import Analysis
from chainfix.analysis.wording import level_word
from chainfix.model import POSTERIOR_CHAIN
from chainfix.report.html_style import LABELS, _e, _fmt, load_color, load_word, priority_color

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
