"""The terminal report: fits 100 columns and says what the numbers mean."""

from __future__ import annotations

import io

from personas import cyclist, history, hybrid, trail_runner
from rich.console import Console

from chainfix.analysis import analyze
from chainfix.report import terminal


def render(width: int = 100, *groups: list) -> str:
    a = analyze(history(*(groups or (hybrid(), trail_runner(4)))))
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    terminal.render(a, console)
    return console.export_text()


def test_fits_100_columns_and_shows_the_figures() -> None:
    text = render(100)
    assert max(len(line) for line in text.splitlines()) <= 100
    for words in (
        "chainfix analysis",
        "Running share",
        "Thigh load",
        "hamstrings",
        "Priority",
        "Week by week",
        "not an injury prediction",
        "eccentric quad units",
    ):
        assert words in text
    assert "quad-dominant" not in text.lower()


def test_narrow_terminal_still_renders() -> None:
    text = render(80, cyclist())
    flat = " ".join(line.strip(" │") for line in text.splitlines())
    assert "loads the front of your thighs (quads and hip flexors) much more than the back" in flat
    assert "but they got no hard set" in flat
    assert max(len(line) for line in text.splitlines()) <= 80


def test_bar() -> None:
    assert terminal.bar(0.5, 1.0, 10) == "█████"
    assert terminal.bar(0.25, 1.0, 10) == "██▌"
    assert terminal.bar(0, 1.0, 10) == "" and terminal.bar(1, 0, 10) == ""
