"""Done-when check of the planner: `chainfix plan` on the sample export prints an 8-week plan that
the independent rule checker (tests/test_planning_support.py) accepts.

The checker's idea of the athlete's week comes from the generator's inputs (the persona's planned
long runs and hard sessions), not from the planner.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from pathlib import Path

from chainfix_synth.personas import runner
from click.testing import CliRunner

from chainfix.cli import cli
from tests.test_planning_support import Calendar, Persona, check_plan

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_exports" / "garmin-export-runner.zip"
SAMPLE_SEED = int(
    re.search(r"^SEED = (\d+)", (ROOT / "scripts" / "make_sample_exports.py").read_text(), re.M)[1]
)


def sample_week() -> Persona:
    """The sample runner's usual week, from the persona the sample export was generated from."""
    planned = runner(weeks=26, seed=SAMPLE_SEED).activities
    long_days = Counter(a.start_local.weekday() for a in planned if a.kind == "long")
    hard_days = Counter(
        a.start_local.weekday() for a in planned if a.kind in ("intervals", "tempo")
    )
    weeks = len({a.start_local.isocalendar()[:2] for a in planned})
    hard = frozenset(d for d, n in hard_days.items() if n >= weeks / 2)
    return Persona(
        start=date(2025, 7, 7),
        long_run=long_days.most_common(1)[0][0],
        hard=hard,
        easy=frozenset(),
    )


def test_sample_export_plan_passes_the_rule_checker() -> None:
    persona = sample_week()
    assert persona.long_run == 6 and persona.hard  # Sunday long run, weekday hard sessions
    result = CliRunner().invoke(
        cli, ["plan", str(SAMPLE), "--start", "2026-12-07", "--new", "--json", "-q"]
    )
    assert result.exit_code == 3, result.output  # the sample's corrupt upload is reported
    doc = json.loads(result.stdout)
    assert doc["weeks"] == 8 and len(doc["sessions"]) >= 8
    problems = check_plan(doc, Calendar(persona), doc["level"], 8, flagged=False)
    assert problems == []
