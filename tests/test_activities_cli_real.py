"""`chainfix activities --json` over the whole real-fixture folder agrees with fitdecode.

One run reads every real file together (as a user would), so the test also covers the folder
source, the parallel pool and de-duplication. Each activity is matched to a fitdecode session of
its own file by start time.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from chainfix.cli import cli
from tests.test_fit_reader import _close, _unique, oracle


def test_activities_json_agrees_with_fitdecode_on_every_real_file(real_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["activities", str(real_dir), "--json", "--no-cache", "-q"])
    assert result.exit_code == 3, result.output  # the folder holds known-corrupt files
    doc = json.loads(result.stdout)
    by_file: dict[str, list[dict]] = {}
    for act in doc["activities"]:
        by_file.setdefault(act["source_file"], []).append(act)
    duplicates = {p["file"] for p in doc["problems"] if p["kind"] == "duplicate"}
    rebuilt = {p["file"] for p in doc["problems"] if "rebuilt from records" in p["message"]}
    checked = 0
    for path in sorted(real_dir.rglob("*.fit")):
        theirs = oracle(path)
        ours = by_file.get(str(path), [])
        if theirs.file_type not in (None, "activity"):
            assert ours == [], path.name
            continue
        sessions = _unique(theirs.sessions)
        if not sessions and str(path) in rebuilt:
            continue  # no session to compare with: rebuilt from its records (see the corpus)
        if str(path) in duplicates and len(ours) < len(sessions):
            continue  # the same recording as another fixture: counted once, reported
        assert len(ours) == len(sessions), path.name
        for act in ours:
            start = datetime.fromisoformat(act["start_utc"])
            twins = [
                s
                for s in sessions
                if isinstance(s.get("start_time"), datetime)
                and abs((s["start_time"].replace(tzinfo=UTC) - start).total_seconds()) < 1
            ]
            if not twins:  # device-relative start times (FR70) are placed by chainfix
                continue
            session = twins[0]
            assert act["sport"] == (session["sport"] or "generic"), path.name
            assert _close(act["timer_s"], session.get("total_timer_time")), path.name
            assert _close(act["distance_m"], session.get("total_distance")), path.name
            checked += 1
    assert checked >= 50
    named = {p["file"].rsplit("/", 1)[-1] for p in doc["problems"] if p["severity"] == "error"}
    for corrupt in ("610464_bad_crc.fit", "empty.fit", "activity_truncated.fit"):
        assert corrupt in named


@pytest.mark.parametrize("workers", ["1", "2"])
def test_broken_plugin_leaves_analyze_working(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: str
) -> None:
    from chainfix import plugins
    from tests.test_plugins import BROKEN, make_plugin

    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("CHAINFIX_LOAD_PLUGINS", raising=False)
    make_plugin(tmp_path, "cf_broken_at_import", BROKEN)
    plugins.reset()
    try:
        folder = Path(__file__).resolve().parents[1] / "sample_exports" / "fit-folder"
        result = CliRunner().invoke(cli, ["analyze", str(folder), "--workers", workers, "-q"])
        assert result.exit_code == 0, result.output
        assert "Muscle groups, a week on average" in result.output
        listed = CliRunner().invoke(cli, ["plugins"])
        assert "cf_broken_at_import" in listed.output and "broken on purpose" in listed.output
    finally:
        plugins.reset()
