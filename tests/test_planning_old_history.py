"""An old export still gives its athlete's running pattern: it is read as of the history's end."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from chainfix.ingest import IngestOptions, read_history
from chainfix.planning.context import history_as_of

ROOT = Path(__file__).resolve().parents[1]


def test_history_as_of_is_the_day_after_the_last_activity() -> None:
    history = read_history(
        [ROOT / "sample_exports" / "garmin-export-runner.zip"], IngestOptions(workers=1)
    )
    last = max(a.local_date for a in history.activities)
    assert history_as_of(history, date(2030, 1, 1)) == date.fromordinal(last.toordinal() + 1)
    assert history_as_of(history, last) == last  # a start inside the history is kept
    assert history_as_of([], date(2030, 1, 1)) == date(2030, 1, 1)


def test_plan_on_an_old_export_finds_the_long_run_day() -> None:
    from click.testing import CliRunner

    from chainfix.cli import cli

    sample = ROOT / "sample_exports" / "garmin-export-runner.zip"
    result = CliRunner().invoke(cli, ["plan", str(sample), "--start", "2030-01-07", "--json"])
    assert result.exit_code in (0, 3), result.output
    assert "No runs in the history" not in result.output
    import json

    doc = json.loads(result.stdout)
    weekdays = {date.fromisoformat(s["date"]).weekday() for s in doc["sessions"]}
    # the sample runner's long run is on Sunday: no strength on Saturday or Sunday
    assert weekdays and not weekdays & {5, 6}
