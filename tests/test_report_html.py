"""The HTML report: self-contained, body map and charts present, and rendered by a real browser.

The browser test runs Debian's chromium through selenium with ``/usr/bin/chromedriver`` (never a
downloaded driver) and skips only where no browser is installed. Install on Debian/Ubuntu:
``apt-get update && apt-get install -y chromium chromium-driver``.
"""

from __future__ import annotations

import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from personas import END, history, hybrid, trail_runner

from chainfix.analysis import analyze
from chainfix.model import History, Plan, ReadProblem, Workout, WorkoutStep
from chainfix.report.html import render_html
from chainfix.report.html_style import priority_color

CHROMIUM = next(
    (p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if Path(p).exists()),
    shutil.which("chromium"),
)
CHROMEDRIVER = "/usr/bin/chromedriver"


def sample_history() -> History:
    h = history(hybrid(), trail_runner(4))
    problems = (
        ReadProblem("export.zip", "DI_CONNECT/x/123.fit", "bad_crc", "file CRC does not match"),
        ReadProblem("notes.fit", None, "not_fit", "an HTML page <script>alert(1)</script>"),
        ReadProblem("sleep.fit", None, "not_activity", "sleep file skipped", "info"),
    )
    return History(h.activities, problems, files_read=len(h.activities) + 3)


def sample_plan() -> Plan:
    step = WorkoutStep(
        "sl_rdl",
        "Single-leg Romanian deadlift",
        "deadlift",
        "single_leg_romanian_deadlift_with_dumbbell",
        3,
        reps=8,
        per_side=True,
        load="RPE 7-8 (2-3 reps in reserve)",
    )
    hold = WorkoutStep("side_plank", "Side plank", "plank", "side_plank", 2, duration_s=30)
    first = END + timedelta(days=1)
    workouts = (
        Workout("w1b", "Posterior chain B", first + timedelta(days=3), (hold,), week=1),
        Workout(
            "w1a",
            "Posterior chain A",
            first,
            (step, hold),
            week=1,
            notes=("after the interval run",),
        ),
    )
    return Plan(first, 4, "beginner", workouts, ("Deload in week 4",))


def test_self_contained_document() -> None:
    h = sample_history()
    page = render_html(analyze(h), h)
    assert page.startswith("<!DOCTYPE html>")
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert not re.search(r"\s(src|href)=", page)  # nothing to fetch
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", page, re.I)  # no URL at all
    assert "<script" not in page  # and untrusted text is escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count('class="bodymap"') == 2
    assert page.count('class="muscle"') == 16  # 2 front + 6 back groups, both sides
    assert page.count('class="label"') == 8  # every group named on the figure
    assert page.count('class="chart"') == 2 + 5 + 1 + 5
    assert page.count('class="legend"') == page.count('class="chart"')
    assert "not an injury prediction" in page
    assert "quad-dominant" not in page.lower()
    for p in h.problems:
        assert p.kind.replace("_", " ") in page
    assert 'id="plan"' not in page


def test_verdict_and_next_step_lead_the_page() -> None:
    h = sample_history()
    page = render_html(analyze(h), h, paths=["my export.zip"])
    verdict = page.index('id="verdict"')
    assert verdict < page.index('id="body"') < page.index('id="weekly"') < page.index('id="why"')
    assert "Next: run <code>chainfix plan &#x27;my export.zip&#x27;</code>" in page
    with_plan = render_html(analyze(h), h, sample_plan(), paths=["x.zip"])
    assert "chainfix sync watch x.zip" in with_plan
    assert with_plan.index('id="plan"') < with_plan.index('id="weekly"')


def test_long_term_trend_covers_the_whole_history_with_years() -> None:
    old = [r for r in trail_runner(60)]  # more than a year of history
    h = history(old)
    a = analyze(h)
    page = render_html(a, h)
    trend = page[page.index('id="trend"') : page.index('id="why"')]
    years = {d.year for d in (r.local_date for r in old)}
    assert len(years) >= 2
    for year in years:
        assert f">{year}</text>" in trend  # the x axis says which year
    assert a.weekly["week_start"][0].year == max(years) or len(a.weekly) == 12
    assert "target 5 a week" in trend and "front" in trend and "back" in trend


def test_analyze_and_plan_reports_share_one_file_mode(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from chainfix.cli import cli

    sample = Path(__file__).resolve().parents[1] / "sample_exports" / "garmin-export-runner.zip"
    a, p = tmp_path / "a.html", tmp_path / "p.html"
    env = {"CHAINFIX_HOME": str(tmp_path / "home")}
    CliRunner(env=env).invoke(cli, ["analyze", str(sample), "-q", "--html", str(a)])
    CliRunner(env=env).invoke(
        cli, ["plan", str(sample), "-q", "--start", "2026-12-07", "--html", str(p)]
    )
    assert a.stat().st_mode & 0o777 == p.stat().st_mode & 0o777 == 0o644


def test_plan_section_lists_workouts_by_date_with_steps() -> None:
    h = sample_history()
    page = render_html(analyze(h), h, sample_plan())
    assert 'id="plan"' in page
    first = page.index("Posterior chain A")
    assert first < page.index("Posterior chain B")  # by date, not by input order
    assert "Single-leg Romanian deadlift" in page and "3 × 8 per side" in page
    assert "Posterior chain A " + (END + timedelta(days=1)).strftime("%d %b") in page  # watch name
    assert page.count('class="week"') == 1
    assert "2 × 30 s" in page and "RPE 7-8" in page and "Deload in week 4" in page


def test_body_map_shading_follows_priority() -> None:
    h = sample_history()
    a = analyze(h)
    page = render_html(a, h)
    calves = a.muscles["calves"].priority
    assert (
        f'data-group="calves" data-priority="{calves:.4f}" fill="{priority_color(calves)}"' in page
    )
    assert priority_color(0) != priority_color(1)


@pytest.mark.browser
def test_renders_in_headless_chromium(tmp_path: Path) -> None:
    """Issue 14 item 5: the page in a real browser at 1280 and 390 px (screenshots kept)."""
    from tests.browser import chromium_driver, page_checks

    h = sample_history()
    page = tmp_path / "report.html"
    page.write_text(render_html(analyze(h), h, sample_plan()), encoding="utf-8")
    with chromium_driver(tmp_path) as driver:
        for width in (1280, 390):
            page_checks(driver, page, width, artefact=f"report-{width}.png")


@pytest.mark.browser
def test_sample_export_reports_in_headless_chromium(tmp_path: Path) -> None:
    """The pages users get from the README's sample: analyze --html and plan --html."""
    from click.testing import CliRunner

    from chainfix.cli import cli
    from tests.browser import chromium_driver, page_checks

    sample = Path(__file__).resolve().parents[1] / "sample_exports" / "garmin-export-runner.zip"
    env = {"CHAINFIX_HOME": str(tmp_path / "home")}
    pages = {"analyze": tmp_path / "analyze.html", "plan": tmp_path / "plan.html"}
    CliRunner(env=env).invoke(cli, ["analyze", str(sample), "-q", "--html", str(pages["analyze"])])
    CliRunner(env=env).invoke(
        cli, ["plan", str(sample), "-q", "--start", "2026-12-07", "--html", str(pages["plan"])]
    )
    with chromium_driver(tmp_path) as driver:
        for name, page in pages.items():
            for width in (1280, 390):
                shot = page_checks(driver, page, width, artefact=f"{name}-{width}.png")
                assert shot.stat().st_size > 10_000
        driver.get(pages["plan"].as_uri())
        cards = driver.find_elements("css selector", "#plan .week")
        assert cards and all(c.is_displayed() for c in cards)


def test_thin_data_is_said_on_the_page() -> None:
    few = history([r for r in trail_runner(4) if r.sub_sport == "trail"][-3:])
    page = render_html(analyze(few), few)
    verdict = page[page.index('id="verdict"') : page.index('id="body"')]
    assert "the picture is uncertain" in verdict
    full = sample_history()
    assert "picture is uncertain" not in render_html(analyze(full), full)
