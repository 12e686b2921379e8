"""Generated docs are up to date, and the README's commands are the ones CI runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cogapp import Cog

ROOT = Path(__file__).resolve().parents[1]
GENERATED = ("docs/cli.md", "docs/plugins.md", "docs/json.md")
"""Docs with blocks cog generates from the code (``scripts/docs_reference.py``)."""


@pytest.mark.parametrize("name", GENERATED)
def test_generated_docs_are_current(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code = Cog().main(["cog", "--check", "-I", "scripts", name])
    assert code == 0, f"run `cog -r -I scripts {' '.join(GENERATED)}` to update {name}"


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)```", text, re.S)
    return [
        line
        for block in blocks[:2]
        for line in block.splitlines()
        if line and not line.startswith("#")
    ]


def test_readme_first_screen_has_the_two_commands() -> None:
    first, second = readme_commands()[:2]
    assert "pip install -e ." in first and "chainfix analyze sample_exports/" in first
    assert "pip install -e '.[test]'" in second and "pytest" in second
    sample = re.search(r"chainfix analyze (\S+)", first)
    assert sample and (ROOT / sample.group(1)).exists()


def test_ci_runs_both_readme_commands() -> None:
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    first, second = readme_commands()[:2]
    assert first in ci and second in ci


def documented_keys(section: str) -> set[str]:
    text = (ROOT / "docs" / "json.md").read_text()
    part = text.split(section, 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    return set(re.findall(r"^\| `(\w+)` \|", part, re.M))


def test_every_activities_json_key_is_documented() -> None:
    import json

    from click.testing import CliRunner

    from chainfix.cli import cli

    folder = ROOT / "sample_exports" / "fit-folder"
    result = CliRunner().invoke(cli, ["activities", str(folder), "--json", "-q"])
    doc = json.loads(result.stdout)
    assert set(doc) == {"schema_version", "activities", "problems"}
    acts = doc["activities"]
    assert set(acts[0]) == documented_keys("## `activities[]`")
    sets = [s for a in acts for s in a["sets"]]
    assert sets and set(sets[0]) == documented_keys("### `sets[]`")
    from chainfix.codec import problem_to_dict, summary_to_dict
    from chainfix.model import ExerciseSummary, ReadProblem

    summary = summary_to_dict(ExerciseSummary("squat", None, 3, 24, None, None))
    assert documented_keys("### `summary_sets[]`") == set(summary)
    problem = problem_to_dict(ReadProblem("f.fit", None, "empty", "The file is empty."))
    assert documented_keys("## `problems[]`") == set(problem)


def test_readme_excerpt_is_what_command_1_prints(tmp_path: Path) -> None:
    """The README's excerpt of command 1 leads with the verdict, and is the real output."""
    import os
    import subprocess
    import sys

    text = (ROOT / "README.md").read_text()
    excerpt = re.search(r"```text\n(.*?)\n…\n```", text, re.S)
    assert excerpt, "the README shows an excerpt of command 1's output"
    lines = excerpt.group(1).splitlines()
    assert "Next: chainfix plan sample_exports/garmin-export-runner.zip" in excerpt.group(1)
    env = {**os.environ, "COLUMNS": "80", "CHAINFIX_HOME": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-m", "chainfix", "analyze", "sample_exports/garmin-export-runner.zip"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 3, run.stderr
    assert [ln.rstrip() for ln in run.stdout.splitlines()[: len(lines)]] == [
        ln.rstrip() for ln in lines
    ]
