"""The terminal report: fits 100 columns and says what the numbers mean."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from personas import HINGE_DAY, cyclist, days, history, hybrid, lift, road_runner, trail_runner
from rich.console import Console

from chainfix.analysis import AnalysisOptions, analyze
from chainfix.report import terminal
from chainfix.report.analysis_json import analysis_json

ROOT = Path(__file__).resolve().parents[1]


def render(width: int = 100, *groups: list) -> str:
    a = analyze(history(*(groups or (hybrid(), trail_runner(4)))))
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    terminal.render(a, console)
    return console.export_text()


def flat(text: str) -> str:
    return " ".join(line.strip(" │") for line in text.splitlines())


def test_fits_100_columns_and_shows_the_figures() -> None:
    text = render(100)
    assert max(len(line) for line in text.splitlines()) <= 100
    for words in (
        "Muscle groups",
        "hamstrings",
        "Needs",
        "Week by week",
        "not an injury prediction",
        "Run",
        "descent m",
    ):
        assert words in text
    assert "quad-dominant" not in text.lower()


def test_narrow_terminal_still_renders() -> None:
    text = render(80, cyclist())
    assert "the front of your thighs much more than the back" in flat(text)
    assert max(len(line) for line in text.splitlines()) <= 80


def test_verdict_and_next_step_come_first_in_plain_words() -> None:
    """Issue 14 item 1: the answer and the command to run next lead; no internal words."""
    a = analyze(history(trail_runner(12)))
    console = Console(width=80, record=True, file=io.StringIO(), color_system=None)
    terminal.render(a, console, paths=["my export.zip"])
    text = console.export_text()
    head = flat("\n".join(text.splitlines()[:12]))
    assert "running-heavy" in head
    assert "the front of your thighs" in head
    assert "No strength work in the last 4 weeks for your" in head
    assert "hamstrings" in head and "glutes" in head
    assert "Next: chainfix plan 'my export.zip'" in head
    for jargon in ("coef-min", "Demand", "credited", "EQU", "rule R", "balance 0."):
        assert jargon not in text, jargon
    assert max(len(line) for line in text.splitlines()) <= 80


def test_explain_adds_the_formulas() -> None:
    a = analyze(history(trail_runner(12)))
    plain = render_with(a, explain=False)
    explained = render_with(a, explain=True)
    assert "coef-min" not in plain and "Priority =" not in flat(plain)
    assert "coef-min" in explained and "Priority 0." in flat(explained)
    assert "Why" in explained and len(flat(explained)) > len(flat(plain))


def render_with(a: object, **kw: object) -> str:
    console = Console(width=100, record=True, file=io.StringIO(), color_system=None)
    terminal.render(a, console, **kw)  # type: ignore[arg-type]
    return console.export_text()


def test_thin_data_is_said_and_priorities_are_coarse() -> None:
    """Issue 14 item 2: few activities, mostly empty weeks."""
    few = [r for r in trail_runner(4) if r.sub_sport == "trail"][-3:]
    a = analyze(history(few))
    gaps = analysis_json(a)["data_gaps"]
    assert gaps["thin_data"] is True and gaps["scored_activities"] == 3
    text = flat(render_with(a))
    assert "the picture is uncertain" in text
    assert "high" in text or "medium" in text
    table = text.split("Muscle groups")[1].split("Week by week")[0]
    assert re.search(r"│ (high|medium|low)", table)
    assert not re.search(r"[█▌] +(high|medium|low)", table), "no fine-grained need bars"
    rich = flat(render_with(analyze(history(trail_runner(12)))))
    assert re.search(r"[█▌] +(high|medium|low)", rich)
    assert any("uncertain" in s for s in a.explanations)
    full = analyze(history(trail_runner(12)))
    assert analysis_json(full)["data_gaps"]["thin_data"] is False
    assert "uncertain" not in flat(render_with(full))


def test_thin_data_thresholds_come_from_the_rules_table(tmp_path: Path) -> None:
    """A coach who asks for more data gets 'uncertain' where the built-in rule would not."""
    full = analyze(history(trail_runner(12)))
    scored = analysis_json(full)["data_gaps"]["scored_activities"]
    assert analysis_json(full)["data_gaps"]["thin_data"] is False
    (tmp_path / "analysis-rules.csv").write_text(
        f"name,value\nthin_min_activities,{scored + 1}\n", encoding="utf-8"
    )
    strict = analyze(history(trail_runner(12)), AnalysisOptions(model=tmp_path))
    assert analysis_json(strict)["data_gaps"]["thin_data"] is True
    assert any("uncertain" in s for s in strict.explanations)


def test_summary_lines_cover_their_own_window() -> None:
    """Issue 14 item 3: descent-heavy days and 'no strength' refer to the last 28 days only."""
    old_lifting = [lift(d, HINGE_DAY) for d in days(12)[:7]]
    a = analyze(history(trail_runner(12), old_lifting))
    text = flat(render_with(a))
    assert "no strength training recorded in the last 4 weeks" in text
    in_window = [f for f in a.equ_flags if f.kind == "activity" and f.date >= a.score_start]
    older = [f for f in a.equ_flags if f.kind == "activity" and f.date < a.score_start]
    assert older, "the persona should have descent-heavy days before the window"
    assert f"{len(in_window)} descent-heavy day" in text
    b = analyze(history(trail_runner(12), [lift(d, HINGE_DAY) for d in days(2)]))
    assert "no strength training recorded" not in flat(render_with(b))
    # the weekly descent column is running descent
    hike_week = analyze(history(road_runner(12)))
    row = hike_week.weekly.row(-1)
    assert "Run" in render_with(hike_week) and row["run_descent_m"] <= row["descent_m"]


def test_skipped_files_and_plurals() -> None:
    """Issue 14 item 10: '1 activity', and skipped files are mentioned."""
    from chainfix.model import ReadProblem

    one = trail_runner(1)[-1:]
    a = analyze(history(one))
    base = history(one)
    h = type(base)(
        base.activities,
        (ReadProblem("x.zip", "a/b/m.fit", "not_activity", "A monitoring file.", "info"),),
    )
    text = flat(render_with(a, history=h))
    assert "1 activity " in text and "1 activities" not in text
    assert "Skipped 1 file holding no new activity: m.fit (A monitoring file)" in text


def test_bar() -> None:
    assert terminal.bar(0.5, 1.0, 10) == "█████"
    assert terminal.bar(0.25, 1.0, 10) == "██▌"
    assert terminal.bar(0, 1.0, 10) == "" and terminal.bar(1, 0, 10) == ""


def test_track_files_in_a_folder_are_read_by_a_plugin_or_name_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 14 item 10: a GPX in a folder is read when a plugin reads it, else the plugin is
    named, in the terminal as in the HTML."""
    from click.testing import CliRunner

    from chainfix.cli import cli
    from chainfix.model import Activity, Origin
    from chainfix.sources import folder as folder_source
    from chainfix.sources.base import Source

    folder = tmp_path / "mixed"
    folder.mkdir()
    fits = sorted((ROOT / "sample_exports" / "fit-folder").glob("*.fit"))
    (folder / fits[0].name).write_bytes(fits[0].read_bytes())
    (folder / "hill.gpx").write_text("<gpx/>")

    monkeypatch.setattr(folder_source, "track_reader", lambda path: None)
    result = CliRunner().invoke(cli, ["analyze", str(folder), "-q", "--no-cache"])
    text = " ".join(result.output.split())
    assert "Skipped 1 file holding no new activity: hill.gpx" in text
    assert "chainfix-strava" in text and "pip install" in text

    def read(path: Path, options: object):  # type: ignore[no-untyped-def]
        yield Activity(
            id="gpx-1",
            source="fake-gpx",
            origin=Origin(str(path)),
            sport="running",
            sub_sport="generic",
            start_utc=datetime(2025, 1, 9, 7, tzinfo=UTC),
            elapsed_s=1800.0,
            timer_s=1800.0,
            distance_m=5000.0,
        )

    fake = Source("fake-gpx", "GPX files", lambda p: p.suffix == ".gpx", read)
    monkeypatch.setattr(folder_source, "track_reader", lambda path: fake)
    result = CliRunner().invoke(cli, ["analyze", str(folder), "-q", "--no-cache", "--json"])
    doc = json.loads(result.stdout)
    assert doc["window"]["activities"] == 2
    assert not [p for p in doc["problems"] if "gpx" in p["file"]]
