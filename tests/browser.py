"""A real headless Chromium for the HTML report tests: Debian's ``chromium`` and
``chromium-driver`` through selenium (never a downloaded driver). Tests skip where they are absent;
install with ``apt-get update && apt-get install -y chromium chromium-driver``.

Screenshots go to ``$CHAINFIX_ARTIFACTS`` when set (CI keeps that folder), else into the test's
temporary folder; they are never committed.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = next(
    (p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if Path(p).exists()),
    shutil.which("chromium"),
)
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
GROUP_LABELS = (
    "Quads",
    "Hip flexors",
    "Hamstrings",
    "Glutes",
    "Side glutes",
    "Calves",
    "Lower back",
    "Upper back",
)

_OVERFLOW_JS = """
const w = arguments[0], out = [];  // the device width: a mobile viewport widens to its content
for (const el of document.querySelectorAll('body *')) {
  const r = el.getBoundingClientRect();
  if (!r.width && !r.height) continue;
  if (r.right > w + 0.5 || r.left < -0.5) {
    out.push(`${el.tagName.toLowerCase()}.${el.getAttribute('class') || ''}#${el.id}`
      + ` ${Math.round(r.left)}..${Math.round(r.right)}`);
  }
}
return [Math.max(document.documentElement.scrollWidth, window.innerWidth), w, out.slice(0, 10)];
"""

_LABELS_JS = """
const out = {};
for (const svg of document.querySelectorAll('svg.bodymap')) {
  const box = svg.getBoundingClientRect();
  const labels = [...svg.querySelectorAll('text.label')].map(t => {
    const r = t.getBoundingClientRect();
    const inside = r.left >= box.left - 0.5 && r.right <= box.right + 0.5 && r.width > 0;
    const [name, ...values] = [...t.querySelectorAll('tspan')].map(s => s.textContent);
    const scale = box.width / svg.viewBox.baseVal.width;
    return {group: t.dataset.group, name, text: values.join(' '), inside,
      r: [r.left, r.top, r.right, r.bottom],
      size: parseFloat(getComputedStyle(t).fontSize) * scale};
  });
  let overlaps = 0;
  for (let i = 0; i < labels.length; i++) for (let j = i + 1; j < labels.length; j++) {
    const a = labels[i].r, b = labels[j].r;
    if (a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]) overlaps++;
  }
  out[svg.id] = {labels, overlaps};
}
return out;
"""

_CHARTS_JS = """
return [...document.querySelectorAll('svg.chart')].map(svg => {
  const box = svg.getBoundingClientRect();
  const vis = sel => [...svg.querySelectorAll(sel)].filter(t => {
    const r = t.getBoundingClientRect();
    return r.width > 0 && r.left >= box.left - 1 && r.right <= box.right + 1 && t.textContent;
  }).length;
  const legend = document.querySelector(`ul.legend[data-chart="${svg.id}"]`);
  return {id: svg.id, width: box.width, yTicks: vis('text.tick-y'), xTicks: vis('text.tick-x'),
    unit: vis('text.unit'), legend: legend ? [...legend.querySelectorAll('li')]
      .map(li => li.textContent.trim()).filter(Boolean) : [],
    marks: svg.querySelectorAll('rect.bar, polyline.line').length};
});
"""

_URLS_JS = """
const found = [];
for (const el of document.querySelectorAll('*')) {
  for (const a of el.attributes) {
    if (/(https?:|\\/\\/|url\\()/i.test(a.value) && a.name !== 'content') found.push(a.name);
  }
}
const css = [...document.styleSheets].flatMap(s => [...s.cssRules].map(r => r.cssText))
  .filter(t => /url\\(|@import/i.test(t));
return [found, css, performance.getEntriesByType('resource').map(e => e.name)];
"""


def artefacts_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("CHAINFIX_ARTIFACTS") or tmp_path / "artefacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextmanager
def chromium_driver(tmp_path: Path) -> Iterator[Any]:
    """A headless Chromium WebDriver, or a skip when the Debian packages are not installed."""
    if not CHROMIUM or not Path(CHROMEDRIVER).exists():
        pytest.skip("no chromium/chromedriver (apt-get install -y chromium chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

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
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.tmp_path = tmp_path
    try:
        yield driver
    finally:
        driver.quit()


def _viewport(driver: Any, width: int, height: int) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )


def page_checks(driver: Any, page: Path, width: int, artefact: str) -> Path:
    """Load ``page`` at ``width`` px and fail on horizontal overflow, an unlabelled body map or
    chart, or any external URL; save a full-page screenshot and return its path."""
    _viewport(driver, width, 900)
    driver.get(page.as_uri())
    assert driver.execute_script("return document.readyState") == "complete"

    scroll, inner, wide = driver.execute_script(_OVERFLOW_JS, width)
    assert scroll <= inner and not wide, f"{width} px: wider than the screen: {wide}"

    maps = driver.execute_script(_LABELS_JS)
    assert set(maps) == {"bodymap-front", "bodymap-back"}
    labels = [lab for m in maps.values() for lab in m["labels"]]
    assert sorted(lab["name"] for lab in labels) == sorted(GROUP_LABELS)
    for lab in labels:
        assert lab["inside"], f"{width} px: label {lab['text']!r} leaves the body map"
        assert any(c.isdigit() for c in lab["text"]) or "load" in lab["text"], lab
        assert lab["size"] >= 9, f"{width} px: label {lab['text']!r} is {lab['size']:.1f} px"
    assert all(m["overlaps"] == 0 for m in maps.values()), maps

    charts = driver.execute_script(_CHARTS_JS)
    assert len(charts) >= 3
    for c in charts:
        assert c["width"] > 200, c
        assert c["yTicks"] >= 2 and c["xTicks"] >= 2 and c["unit"] == 1, c
        assert c["legend"] and c["marks"] >= 1, c

    attributes, css, fetched = driver.execute_script(_URLS_JS)
    assert not attributes and not css and not fetched, (attributes, css, fetched)
    assert "http" not in driver.page_source.replace("http-equiv", "")

    errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    assert not errors, errors

    height = int(driver.execute_script("return document.documentElement.scrollHeight"))
    _viewport(driver, width, min(height, 16000))
    out = artefacts_dir(driver.tmp_path) / artefact
    driver.save_screenshot(str(out))
    return out
