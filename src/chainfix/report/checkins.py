"""The recent pain and soreness check-ins, as the terminal and HTML reports show them.

One row per check-in, newest first: the day, the areas with pain, the soreness, and what the plan
did about it (:func:`chainfix.planning.checkin.recent_reports`).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from rich.table import Table

from chainfix.planning.checkin import CheckIn, CheckInReport, area_name

TITLE = "Check-ins"
EMPTY = "No check-ins yet: run `chainfix checkin` after a session to record pain and soreness."


def pain_text(c: CheckIn) -> str:
    """``Achilles 5/10, knee 2/10``; ``none`` when no area hurt."""
    hurt = [f"{area_name(a)} {v:g}/10" for a, v in c.pain.items() if v > 0]
    return ", ".join(hurt) or "none"


def soreness_text(c: CheckIn) -> str:
    return f"{c.soreness:g}/10" if c.soreness is not None else "–"


def checkins_table(items: Sequence[CheckInReport]) -> Table:
    """The check-ins as a terminal table."""
    t = Table(title=TITLE, title_justify="left", expand=False)
    t.add_column("Date", no_wrap=True)
    t.add_column("Pain")
    t.add_column("Soreness", justify="right")
    t.add_column("What the plan does")
    for r in items:
        c = r.checkin
        t.add_row(c.date.isoformat(), pain_text(c), soreness_text(c), r.response)
    return t


def checkins_html(items: Sequence[CheckInReport]) -> str:
    """The check-ins as one HTML ``<section>`` (an empty-state sentence without any)."""
    if not items:
        body = "<p>" + escape(EMPTY).replace("`chainfix checkin`", "<code>chainfix checkin</code>")
        body += "</p>"
    else:
        rows = "".join(
            f'<tr class="{"current" if r.current else "old"}">'
            f"<td>{r.checkin.date.isoformat()}</td><td>{escape(pain_text(r.checkin))}</td>"
            f'<td class="num">{escape(soreness_text(r.checkin))}</td>'
            f"<td>{escape(r.response)}</td></tr>"
            for r in items
        )
        body = (
            '<table class="checkins"><thead><tr><th>Date</th><th>Pain</th>'
            "<th class=num>Soreness</th><th>What the plan does</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
    return f'<section id="checkins"><h2>{TITLE}</h2>{body}</section>'
