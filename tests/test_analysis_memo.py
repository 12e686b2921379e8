"""A remembered analysis (``chainfix.analysis.memo``, ``chainfix.analysis.stored``): stored
exactly, made again whenever anything it is made from changes, and a warm ``analyze`` of an
unchanged history decodes no activity and prints what a run that remembers nothing prints."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
from dataclasses import fields, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from model_support import calves_override
from personas import beginner_runner, cyclist, history, hybrid, road_runner, trail_runner
from rich.console import Console

from chainfix.analysis import Analysis, AnalysisOptions, memo, stored
from chainfix.analysis.engine import analyze
from chainfix.analysis.frame import Frame
from chainfix.cli import cli
from chainfix.fingerprint import history_digest, vouch
from chainfix.ingest import remembered, snapshot
from chainfix.model import History
from chainfix.paths import cache_path
from chainfix.report import terminal
from chainfix.report.analysis_json import analysis_json

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "fixtures" / "real"
PERSONAS = {
    "road runner": lambda: road_runner(16),
    "trail runner": lambda: trail_runner(12),
    "cyclist": lambda: cyclist(12),
    "hybrid": lambda: hybrid(20),
    "beginner": lambda: beginner_runner(6),
    "nothing in the window": lambda: road_runner(4),
}


def options_for(name: str) -> AnalysisOptions:
    if name == "nothing in the window":
        return AnalysisOptions(until=date(2001, 1, 1))
    return AnalysisOptions(weeks=8, level="advanced") if name == "hybrid" else AnalysisOptions()


def rendered(a: Analysis) -> str:
    console = Console(file=io.StringIO(), width=110, color_system=None)
    terminal.render(a, console, paths=[Path("history")], explain=True)
    return console.file.getvalue()  # type: ignore[attr-defined]


def typed(value: Any) -> Any:
    """``value`` with every leaf's type beside it (1, 1.0 and True are equal, not the same)."""
    if isinstance(value, Frame):
        return typed(value.columns)
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [typed(v) for v in value])
    if hasattr(value, "__dataclass_fields__"):
        return (type(value).__name__, [typed(getattr(value, f.name)) for f in fields(value)])
    if isinstance(value, float) and value != value:
        return ("float", "nan")
    return (type(value).__name__, value)


def same(a: Analysis, b: Analysis) -> None:
    for f in fields(Analysis):
        if f.name not in ("options", "model"):
            assert typed(getattr(a, f.name)) == typed(getattr(b, f.name)), f.name


@pytest.mark.parametrize("name", PERSONAS)
def test_an_analysis_is_stored_exactly(name: str) -> None:
    a = analyze(history(PERSONAS[name]()), options_for(name))
    text = stored.analysis_text(a)
    back = stored.analysis_from_text(text, a.options, a.model)
    same(a, back)
    assert stored.analysis_text(back) == text
    assert analysis_json(back) == analysis_json(a)
    assert rendered(back) == rendered(a)


@pytest.mark.skipif(not REAL.is_dir(), reason="no real fixtures")
def test_the_analysis_of_real_device_files_is_stored_exactly() -> None:
    from chainfix.ingest import IngestOptions, read_history

    h = read_history([REAL], IngestOptions(workers=1, use_cache=False))
    for options in (AnalysisOptions(weeks=520, until=date(2026, 1, 1)), AnalysisOptions()):
        a = analyze(h, options)
        back = stored.analysis_from_text(stored.analysis_text(a), options, a.model)
        same(a, back)
        assert rendered(back) == rendered(a)


def test_awkward_values_survive_and_others_are_refused() -> None:
    a = analyze(history(road_runner(8)))
    odd = {"nan": float("nan"), "inf": float("-inf"), "zero": -0.0, "big": 10**30, "flag": True}
    odd |= {"day": date(2026, 2, 3), "pair": (1, "x"), "text": "caf\u00e9 \udcff", "none": None}
    b = replace(a, totals={**a.totals, "odd": odd}, plan_start=("Bridge", "Row"))
    back = stored.analysis_from_text(stored.analysis_text(b), b.options, b.model)
    same(b, back)
    assert str(back.totals["odd"]["zero"]) == "-0.0"
    for bad in (datetime(2026, 1, 1), {1, 2}, {"$date": "2026-01-01"}, Path("x"), {3: "x"}):
        with pytest.raises(ValueError):
            stored.analysis_text(replace(a, data_gaps={"bad": bad}))


# ---------------------------------------------------------------------------------------------
# The memo


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[AnalysisOptions]:
    """The options of every analysis actually made (not read back)."""
    calls: list[AnalysisOptions] = []
    real = memo._made

    def counting(history: History, options: AnalysisOptions, tallies: Any = None) -> Analysis:
        calls.append(options)
        return real(history, options, tallies)

    monkeypatch.setattr(memo, "_made", counting)
    return calls


def vouched(h: History) -> History:
    vouch(h, history_digest(h))
    return h


def entries() -> int:
    with sqlite3.connect(cache_path()) as db:
        return db.execute("SELECT count(*) FROM results WHERE key LIKE 'analysis:%'").fetchone()[0]


def test_an_unchanged_history_is_analysed_once(made: list[AnalysisOptions]) -> None:
    h = vouched(history(road_runner(12)))
    first = memo.analyze(h, AnalysisOptions())
    second = memo.analyze(h, AnalysisOptions())
    assert len(made) == 1 and entries() == 1
    same(first, second)
    assert second.model is first.model and second.options == AnalysisOptions()
    assert rendered(second) == rendered(analyze(h))


def test_a_history_whose_fingerprint_is_not_known_is_not_remembered(
    made: list[AnalysisOptions],
) -> None:
    h = history(road_runner(12))  # not read by the reader: its fingerprint would cost a walk
    memo.analyze(h, AnalysisOptions())
    memo.analyze(h, AnalysisOptions())
    assert len(made) == 2
    assert not cache_path().exists() or entries() == 0


CHANGES = [
    "history",
    "weeks",
    "since",
    "until",
    "level",
    "phase",
    "flags",
    "sitting",
    "model option",
    "model file bytes",
    "user model folder",
    "day",
    "code",
]


@pytest.mark.parametrize("change", CHANGES)
def test_each_thing_an_analysis_is_made_from_makes_it_again(
    change: str, made: list[AnalysisOptions], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = vouched(history(road_runner(12)))
    options = AnalysisOptions()
    if change == "model file bytes":
        options = AnalysisOptions(model=calves_override(tmp_path, "0.10"))
    memo.analyze(h, options)
    assert len(made) == 1
    if change == "history":
        h = vouched(history(road_runner(12, hours=6.0)))
    elif change == "weeks":
        options = replace(options, weeks=6)
    elif change == "since":
        options = replace(options, since=date(2025, 1, 6))
    elif change == "until":
        options = replace(options, until=date(2025, 1, 6))
    elif change == "level":
        options = replace(options, level="beginner")
    elif change == "phase":
        options = replace(options, phase="race")
    elif change == "flags":
        options = replace(options, flags=frozenset({"hip_abduction"}))
    elif change == "sitting":
        options = replace(options, sitting_hours=9.0)
    elif change == "model option":
        options = replace(options, model=calves_override(tmp_path, "0.10"))
    elif change == "model file bytes":  # same name, size and (likely) time: other bytes
        calves_override(tmp_path, "0.20")
    elif change == "user model folder":
        folder = Path(str(cache_path().parent)) / "model"
        folder.mkdir(parents=True)
        shutil.copy(calves_override(tmp_path, "0.10"), folder)
    elif change == "day":
        monkeypatch.setattr(memo, "_today", lambda: date.today() + timedelta(days=1))
    else:
        monkeypatch.setattr(memo, "code_version", lambda: "another analysis code")
    if change == "model file bytes":
        from chainfix.analysis.tables import _load_cached

        _load_cached.cache_clear()  # a process that saw the old bytes is not the question
    again = memo.analyze(h, options)
    assert len(made) == 2, change
    same(again, analyze(h, options))
    assert entries() == 1 + (change not in ("history", "day", "code", "model file bytes"))


def test_a_damaged_entry_is_made_again(made: list[AnalysisOptions]) -> None:
    h = vouched(history(road_runner(12)))
    expected = memo.analyze(h, AnalysisOptions())
    with sqlite3.connect(cache_path()) as db:
        key, payload = db.execute(
            "SELECT key, payload FROM results WHERE key LIKE 'analysis:%'"
        ).fetchone()
        crc, text = payload.split("|", 1)
        head, body = text.split("\n", 1)
        body = json.dumps({**json.loads(body), "muscles": "not muscles"})
        damaged = f"{head}\n{body}"
        from chainfix.cache.store import _crc

        db.execute(
            "UPDATE results SET payload = ? WHERE key = ?", (f"{_crc(damaged)}|{damaged}", key)
        )
    again = memo.analyze(h, AnalysisOptions())
    assert len(made) == 2
    same(again, expected)
    same(memo.analyze(h, AnalysisOptions()), expected)
    assert len(made) == 2, "stored again"


# ---------------------------------------------------------------------------------------------
# End to end


def test_a_warm_analyze_decodes_no_activity_and_prints_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "fits"
    shutil.copytree(ROOT / "sample_exports" / "fit-folder", folder)
    monkeypatch.setattr(snapshot, "RACY_NS", -(10**12))  # the copies count as settled
    monkeypatch.setenv("COLUMNS", "100")

    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(cli, ["analyze", str(folder), "-q", *args])
        return result.exit_code, result.stdout

    expected = run("--no-cache")
    json_expected = run("--no-cache", "--json", "-")
    assert run() == expected  # cold: read, analysed and remembered
    run("--json", "-")

    def refuse(doc: object) -> None:
        raise AssertionError("an activity was decoded")

    monkeypatch.setattr(remembered, "activities_from_doc", refuse)
    monkeypatch.setattr(snapshot, "activities_from_doc", refuse)
    monkeypatch.setattr(memo, "_made", refuse)
    assert run() == expected
    assert run("--json", "-") == json_expected
    assert expected[1].count("\n") > 20
