"""``chainfix analyze`` ends without the interpreter's teardown (``chainfix.cli.ending``), yet with
its whole output, its exit status, every exit handler run and no thread cut short."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_exports" / "garmin-export-runner.zip"

PRELUDE = """
import atexit, sys, threading, time
from pathlib import Path
marks = Path(sys.argv[1])

import os
ends_now = os._exit

def spy(code):  # the short ending: the process ends here, not through the teardown
    (marks / "ended_now").write_text(str(code))
    ends_now(code)

os._exit = spy
atexit.register(lambda: (marks / "atexit").write_text("ran"))
from chainfix.cli import ending, main

done_with_command = threading.Event()
leave = ending.leave

def leaving(status):  # the command is done: the process is about to end, one way or the other
    done_with_command.set()
    leave(status)

ending.leave = leaving
if sys.argv[2] == "thread":
    def late():  # still running when the command is done, however long the command took
        done_with_command.wait(60)
        time.sleep(0.5)
        (marks / "thread").write_text("done")
    threading.Thread(target=late).start()
sys.argv = ["chainfix", *sys.argv[3:]]
main()
"""


def run(
    tmp_path: Path, *args: str, thread: bool = False
) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    marks = tmp_path / "marks"
    marks.mkdir()
    env = {**os.environ, "CHAINFIX_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [sys.executable, "-c", PRELUDE, str(marks), "thread" if thread else "-", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    return done, {p.name for p in marks.iterdir()}


def test_analyze_ends_without_teardown_with_its_output_status_and_exit_handlers(
    tmp_path: Path,
) -> None:
    done, marks = run(tmp_path, "analyze", str(SAMPLE), "-q", "--json", "-")
    assert done.returncode == 3  # the sample's one corrupt upload, as the README says
    assert done.stdout.rstrip().endswith("}") and '"problems"' in done.stdout  # all of it
    assert "atexit" in marks  # exit handlers ran
    assert "ended_now" in marks  # without the interpreter's teardown
    assert (tmp_path / "marks" / "ended_now").read_text() == "3"


def test_other_commands_end_the_usual_way(tmp_path: Path) -> None:
    done, marks = run(tmp_path, "--version")
    assert done.returncode == 0 and "chainfix" in done.stdout
    assert marks == {"atexit"}


def test_a_thread_still_running_is_waited_for(tmp_path: Path) -> None:
    done, marks = run(tmp_path, "analyze", str(SAMPLE), "-q", thread=True)
    assert done.returncode == 3
    assert marks == {"thread", "atexit"}  # the usual ending, after the thread
