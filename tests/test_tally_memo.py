"""The tallies of logged sets, remembered by the model they were made under
(``chainfix.analysis.tally_memo``): the analysis made with them is exactly the one made from the
sets, a grown history's old sets are never made again, and a changed model or a damaged entry
never gives a stale tally."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from personas import beginner_runner, history, hybrid

from chainfix.analysis import AnalysisOptions, memo, stored, strength, tally_memo
from chainfix.analysis.engine import analyze
from chainfix.analysis.strength import SetTally, tally_sets
from chainfix.analysis.tables import load_model
from chainfix.cache import open_cache
from chainfix.cache import rows as cache_rows
from chainfix.cli import cli
from chainfix.fingerprint import activity_prints, digest_of_prints, vouch
from chainfix.ingest import snapshot
from chainfix.model import History
from chainfix.paths import cache_path

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "fixtures" / "real"


def printed(h: History) -> History:
    """``h`` vouched for with its prints, as the reader hands on a history it remembered."""
    prints = activity_prints(h.activities)
    vouch(h, digest_of_prints(prints), prints)
    return h


def tally_keys() -> list[str]:
    with sqlite3.connect(cache_path()) as db:
        rows = db.execute("SELECT key FROM results WHERE key LIKE 'set-tallies:%'").fetchall()
    return [key for (key,) in rows]


def recalled(h: History, key: str) -> tally_memo.RememberedTallies | None:
    """The tallies remembered under ``key`` for ``h``, under the built-in model."""
    cache = open_cache(cache_path())
    assert cache is not None
    try:
        return tally_memo.recall(cache, key, h, load_model())
    finally:
        cache.close()


def kept(key: str, tallies: tally_memo.RememberedTallies) -> None:
    cache = open_cache(cache_path())
    assert cache is not None
    tally_memo.keep(cache, key, tallies)
    cache.close()


def lifted() -> History:
    """A runner who lifts twice a week, and a beginner who does not, in one history."""
    return history(hybrid(20), beginner_runner(6))


def test_remembered_tallies_are_the_tallies_of_the_sets() -> None:
    h = printed(lifted())
    model = load_model()
    first = recalled(h, "set-tallies:test")
    assert first is not None and first.known == {}
    made = [first(a) for a in h.activities]
    assert made == [tally_sets(model, a.sets) for a in h.activities]
    assert sum(t is not None for t in made) > 20 and len(first.fresh) == sum(
        t is not None for t in made
    )
    kept("set-tallies:test", first)
    again = recalled(h, "set-tallies:test")
    assert again is not None and again.known == first.fresh
    assert [again(a) for a in h.activities] == made
    assert again.fresh == {}  # every one was remembered


@pytest.mark.parametrize(
    "options",
    [AnalysisOptions(), AnalysisOptions(weeks=26), AnalysisOptions(until=date(2001, 1, 1))],
    ids=["default", "26 weeks", "before everything"],
)
def test_an_analysis_made_with_remembered_tallies_is_the_one_made_from_the_sets(
    options: AnalysisOptions,
) -> None:
    h = printed(lifted())
    expected = stored.analysis_text(analyze(h, options))
    made_fresh = stored.analysis_text(memo.analyze(h, options))  # tallies worked out, kept
    assert bool(tally_keys()) is (options.until is None)  # nothing to tally before 2001
    other = AnalysisOptions(weeks=options.weeks + 1, until=options.until)
    memo.analyze(h, other)  # another entry of the memo; the tallies are read back
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(memo, "_keys", lambda *a: ("analysis:other", "nothing"))
        from_remembered = stored.analysis_text(memo.analyze(h, options))
    assert made_fresh == expected == from_remembered


@pytest.mark.skipif(not REAL.is_dir(), reason="no real fixtures")
def test_the_tallies_of_real_device_files_are_the_tallies_of_their_sets() -> None:
    from chainfix.ingest import IngestOptions, read_history

    h = printed(read_history([REAL], IngestOptions(workers=1, use_cache=False)))
    model = load_model()
    tallies = recalled(h, "set-tallies:real")
    assert tallies is not None
    assert [tallies(a) for a in h.activities] == [tally_sets(model, a.sets) for a in h.activities]
    kept("set-tallies:real", tallies)
    again = recalled(h, "set-tallies:real")
    assert again is not None and again.known == tallies.fresh != {}
    options = AnalysisOptions(weeks=520, until=date(2026, 1, 1))
    assert stored.analysis_text(analyze(h, options, tallies=again)) == stored.analysis_text(
        analyze(h, options)
    )


def test_a_changed_model_never_reads_the_tallies_of_another(tmp_path: Path) -> None:
    h = printed(lifted())
    memo.analyze(h, AnalysisOptions())
    assert len(tally_keys()) == 1
    rules = tmp_path / "coach"
    rules.mkdir()
    (rules / "analysis-rules.csv").write_text(
        "name,value,unit,basis,sources,notes\n"
        "hard_set_min_reps,12,reps,assumption,,a coach's\n"
        "hard_set_min_duration_s,60,s,assumption,,a coach's\n"
    )
    options = AnalysisOptions(model=rules)
    coached = stored.analysis_text(memo.analyze(h, options))
    assert coached == stored.analysis_text(analyze(h, options))
    assert coached != stored.analysis_text(analyze(h))  # fewer hard sets: the sets were read
    assert len(tally_keys()) == 2


def test_a_damaged_or_foreign_entry_is_tallied_again(monkeypatch: pytest.MonkeyPatch) -> None:
    h = printed(lifted())
    expected = stored.analysis_text(analyze(h))
    memo.analyze(h, AnalysisOptions())
    (key,) = tally_keys()
    for text in ("{", "[1, 2]", '{"k": [true, 0, [["x", "1"]], []]}', '{"k": [1, 0, [], []]}'):
        cache = open_cache(cache_path())
        assert cache is not None
        cache.put_payload(key, text)
        cache.close()
        assert tally_memo._decoded(text) == {}
        monkeypatch.setattr(memo, "_keys", lambda *a, t=text: (f"analysis:{t}", t))
        assert stored.analysis_text(memo.analyze(h, AnalysisOptions())) == expected


def test_a_history_without_prints_is_tallied_from_its_sets() -> None:
    h = lifted()
    vouch(h, "a fingerprint without prints")
    assert recalled(h, "set-tallies:none") is None
    assert stored.analysis_text(memo.analyze(h, AnalysisOptions())) == stored.analysis_text(
        analyze(h)
    )
    assert tally_keys() == []


def test_the_tallies_in_use_answer_only_for_their_model_and_activities() -> None:
    h = printed(lifted())
    model = load_model()
    tallies = recalled(h, "set-tallies:in-use")
    assert strength.tallies_of(model) is tallies
    lifts = [a for a in h.activities if a.sets]
    fake = SetTally(False, (), 0, ())
    assert tallies is not None
    tallies.known = {tally_memo.print_key(p): fake for p in activity_prints(lifts)}
    assert all(strength.tallies_of(model)(a) is fake for a in lifts)  # remembered: not re-read
    copy = history(hybrid(20))  # the same facts, other objects: worked out from their sets
    assert [strength.tallies_of(model)(a) for a in copy.activities if a.sets] == [
        tally_sets(model, a.sets) for a in copy.activities if a.sets
    ]
    strength.use_tallies(model, lambda a: tally_sets(model, a.sets))


def _lifts() -> list[Path]:
    """The real device files that hold logged sets."""
    from chainfix.fit import read_fit
    from chainfix.model import Origin

    found = []
    for path in sorted(REAL.rglob("*")):
        if path.is_file() and path.suffix.lower() == ".fit":
            read = read_fit(path.read_bytes(), Origin(str(path)))
            if any(a.sets for a in read.activities) and not read.problems:
                found.append(path)
    return found


def _sets_in(path: Path) -> int:
    from chainfix.fit import read_fit
    from chainfix.model import Origin

    return sum(len(a.sets) for a in read_fit(path.read_bytes(), Origin(str(path))).activities)


@pytest.mark.skipif(not REAL.is_dir(), reason="no real fixtures")
@pytest.mark.parametrize("forget", [False, True], ids=["remembered", "entry removed"])
def test_analyze_after_a_new_file_makes_no_old_set_and_prints_what_a_fresh_read_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forget: bool
) -> None:
    """End to end through the command, on real strength sessions: the run that grows the
    remembered history makes the sets of no activity it already analysed (the planner's
    question included), only the new one's, and prints what ``--no-cache`` prints. Without the
    tallies' entry, the same run makes the old ones too (so the first check can fail)."""
    lifts = _lifts()
    assert len(lifts) >= 3
    folder = tmp_path / "watch"
    folder.mkdir()
    for path in lifts[1:]:
        shutil.copy(path, folder / path.name)
    monkeypatch.setattr(snapshot, "RACY_NS", -(10**12))  # the copies count as settled
    monkeypatch.setenv("COLUMNS", "100")

    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(cli, ["analyze", str(folder), "-q", *args])
        return result.exit_code, result.stdout

    run()  # cold: read, analysed, tallied and remembered
    if forget:
        (key,) = tally_keys()
        cache = open_cache(cache_path())
        assert cache is not None
        cache.forget(key)
        cache.close()
    shutil.copy(lifts[0], folder / lifts[0].name)
    made: list[int] = []
    real_sets = cache_rows._sets

    def counting(rows: list[list[object]]) -> object:
        made.append(len(rows))
        return real_sets(rows)

    with monkeypatch.context() as patch:
        patch.setattr(cache_rows, "_sets", counting)
        grown = run()
    new_sets = _sets_in(lifts[0])  # the new file's, made from what its read gave
    assert sum(made) > new_sets if forget else sum(made) == new_sets
    assert grown == run("--no-cache")
    assert grown[0] == 0 and "Your plan starts with" in grown[1]
