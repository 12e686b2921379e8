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
from chainfix.report.html import priority_color, render_html

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
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) <= {"http://www.w3.org/2000/svg"}
    assert "<script" not in page  # and untrusted text is escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count('class="bodymap"') == 2
    assert page.count('class="muscle"') == 16  # 2 front + 6 back groups, both sides
    assert page.count('class="chart"') == 7
    assert "not an injury prediction" in page
    assert "quad-dominant" not in page.lower()
    for p in h.problems:
        assert p.kind in page
    assert 'id="plan"' not in page


def test_plan_section_lists_workouts_by_date_with_steps() -> None:
    h = sample_history()
    page = render_html(analyze(h), h, sample_plan())
    assert 'id="plan"' in page
    first = page.index("Posterior chain A")
    assert first < page.index("Posterior chain B")  # by date, not by input order
    assert "Single-leg Romanian deadlift" in page and "3 × 8 per side" in page
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
    if not CHROMIUM or not Path(CHROMEDRIVER).exists():
        pytest.skip("no chromium/chromedriver (apt-get install -y chromium chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    h = sample_history()
    page = tmp_path / "report.html"
    page.write_text(render_html(analyze(h), h, sample_plan()), encoding="utf-8")

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        "--window-size=1200,1600",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.get(page.as_uri())
        assert driver.execute_script("return document.readyState") == "complete"

        def size(el: object) -> tuple[float, float]:
            r = driver.execute_script(
                "const r = arguments[0].getBoundingClientRect();return [r.width, r.height];", el
            )
            return float(r[0]), float(r[1])

        maps = driver.find_elements(By.CSS_SELECTOR, "svg.bodymap")
        assert len(maps) == 2
        assert all(w > 50 and h > 100 for w, h in map(size, maps))
        regions = driver.find_elements(By.CSS_SELECTOR, "svg.bodymap .muscle")
        assert len(regions) == 16
        assert all(w > 0 and h > 0 for w, h in map(size, regions))
        fills = {r.get_attribute("fill") for r in regions}
        assert len(fills) > 2  # shaded, not one colour

        charts = driver.find_elements(By.CSS_SELECTOR, "svg.chart")
        assert len(charts) == 7
        assert all(w > 100 and h > 30 for w, h in map(size, charts))
        bars = driver.find_elements(By.CSS_SELECTOR, "svg.chart rect.bar")
        assert sum(1 for b in bars if size(b)[1] > 0) >= 12
        lines = driver.find_elements(By.CSS_SELECTOR, "svg.chart .strength-line")
        assert lines and all(size(x)[0] > 0 for x in lines)

        assert driver.find_element(By.ID, "plan").is_displayed()
        assert "Posterior chain A" in driver.find_element(By.ID, "plan").text
        assert len(driver.find_elements(By.CSS_SELECTOR, "#problems tbody tr")) == 3

        errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
        assert not errors, errors
    finally:
        driver.quit()
