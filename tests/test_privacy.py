"""Privacy and safety: no unsafe deserialisation, no positions or names in output or logs, and a
``doctor`` report that is safe to paste into a bug report."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import fitdecode
import pytest
from click.testing import CliRunner, Result

from chainfix.cli import cli
from tests.conftest import REPO
from tests.corpus.bench import Mix, goods, real_bytes
from tests.corpus.kinds import JSON_START, SUMMARY_MEMBER, export_doc, record

SRC = REPO / "src"
UNSAFE_CALLS = {
    "pickle": re.compile(r"\b(c?pickle|dill|cloudpickle)\b"),
    "marshal / shelve": re.compile(r"\b(marshal|shelve)\b"),
    "eval(": re.compile(r"(?<![\w.])eval\s*\("),
    "exec(": re.compile(r"(?<![\w.])exec\s*\("),
    "yaml.load(": re.compile(r"\byaml\s*\.\s*(unsafe_)?load(_all)?\s*\("),
    "__import__ of data": re.compile(r"\b__import__\s*\("),
}
"""What must never read user data: each can run code hidden in a file."""
BYTECODE_ONLY = {"src/chainfix/cli/code_cache.py": {"marshal / shelve"}}
"""The one module that uses ``marshal``: for compiled methods kept beside chainfix's own ``.pyc``
files, as trusted as they are, never in the user folder (``tests/test_code_cache.py`` holds
that), and for nothing else."""


def test_no_pickle_eval_or_exec_in_the_package() -> None:
    found = [
        f"{path.relative_to(REPO)}:{number}: {label}: {line.strip()}"
        for path in sorted(SRC.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for label, pattern in UNSAFE_CALLS.items()
        if pattern.search(line)
        and label not in BYTECODE_ONLY.get(path.relative_to(REPO).as_posix(), ())
    ]
    assert found == [], "\n".join(found)


def test_the_scan_would_see_them(tmp_path: Path) -> None:
    """The patterns match what they are meant to catch, and not look-alikes."""
    bad = [
        "import pickle",
        "data = eval(text)",
        "exec (code)",
        "yaml.load(fh)",
        "yaml.unsafe_load(x)",
        "from marshal import loads",
        "__import__(name)",
    ]
    fine = [
        "ast.literal_eval(x)",
        "self.evaluate(x)",
        "a picklable loader",
        "yaml.safe_load(x)",
        "executor.submit(f)",
        "df.eval_rows()",
    ]
    hits = lambda line: [k for k, p in UNSAFE_CALLS.items() if p.search(line)]  # noqa: E731
    assert all(hits(line) for line in bad), [line for line in bad if not hits(line)]
    assert not any(hits(line) for line in fine), [line for line in fine if hits(line)]


# ---------------------------------------------------------------------------------------------
# Positions and names stay out of output and logs
# ---------------------------------------------------------------------------------------------

GPS_FIXTURES = ("road-cycling.fit", "Run.fit", "mountain-biking.fit")
SEMICIRCLE = 180 / 2**31


def positions(data: bytes) -> set[tuple[int, int]]:
    """Every (lat, long) in semicircles of a FIT file's record and lap messages (fitdecode)."""
    out: set[tuple[int, int]] = set()
    with fitdecode.FitReader(data) as reader:
        for frame in reader:
            if not isinstance(frame, fitdecode.FitDataMessage):
                continue
            for lat_name, lon_name in (
                ("position_lat", "position_long"),
                ("start_position_lat", "start_position_long"),
            ):
                lat = frame.get_raw_value(lat_name, fallback=None)
                lon = frame.get_raw_value(lon_name, fallback=None)
                if isinstance(lat, int) and isinstance(lon, int):
                    out.add((lat, lon))
    return out


def traces(points: set[tuple[int, int]]) -> set[str]:
    """How a position could show up in text: degrees to 4+ decimals, or raw semicircles."""
    out: set[str] = set()
    for lat, lon in points:
        for raw in (lat, lon):
            out.add(str(raw))
            degrees = raw * SEMICIRCLE
            out.add(f"{degrees:.4f}")
    return {t for t in out if len(t.replace("-", "").replace(".", "")) >= 6}


@pytest.fixture
def debug_logging(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every log record of every logger, at DEBUG, as if a user turned logging all the way up."""
    caplog.set_level(logging.DEBUG)
    yield caplog


def everything_said(paths: list[Path], caplog: pytest.LogCaptureFixture) -> str:
    """stdout, stderr and log records of the history commands on ``paths``."""
    chunks: list[str] = []
    runner = CliRunner()
    for args in (
        ["activities"],
        ["activities", "--json"],
        ["activities", "--csv"],
        ["analyze"],
        ["analyze", "--json"],
        ["analyze", "--summary"],
    ):
        result: Result = runner.invoke(cli, [*args, "--workers", "1", *map(str, paths)])
        assert result.exit_code in (0, 3), (args, result.output)
        chunks += [result.stdout, result.stderr]
    chunks.append(caplog.text)
    chunks += [r.getMessage() for r in caplog.records]
    return "\n".join(chunks)


@pytest.mark.parametrize("name", GPS_FIXTURES)
def test_gps_positions_stay_out_of_output_and_logs(
    name: str, tmp_path: Path, debug_logging: pytest.LogCaptureFixture
) -> None:
    data = real_bytes(name)
    if data is None:
        pytest.skip(f"real fixture {name} not present")
    path = tmp_path / name
    path.write_bytes(data)
    points = positions(data)
    assert len(points) > 100, "the fixture should hold a GPS track"
    said = everything_said([path], debug_logging)
    leaked = sorted(t for t in traces(points) if t in said)
    assert leaked == [], f"positions in output or logs: {leaked[:10]}"


def test_activity_names_and_positions_from_an_export_stay_out(
    tmp_path: Path, debug_logging: pytest.LogCaptureFixture
) -> None:
    """Export summaries carry names and start positions: neither is ever shown or logged,
    not even in problem messages about the record that holds them."""
    name = "Canary ride past Dr Smith's house"
    lat, lon = 47.987654, 7.654321
    good = record(name=name, startLatitude=lat, startLongitude=lon)
    broken = record(
        name=name + " 2",
        activityId=990_000_002,
        startLatitude=lat,
        startLongitude=lon,
        startTimeGmt=1e300,
        distance=-4.0,
    )
    odd = record(
        activityId=990_000_003,
        startTimeGmt=int(JSON_START.timestamp() * 1000) + 86_400_000,
        avgHr="Smith's pace",
        name=name + " 3",
    )  # text where a number belongs
    mix = Mix(tmp_path / "mix", "export", goods())
    mix.export_member(SUMMARY_MEMBER, json.dumps(export_doc(good, broken, odd)).encode())
    said = everything_said(mix.paths, debug_logging)
    assert "avg_hr=<text>" in said, "the odd record's warning is shown, without its text"
    assert "Canary" not in said and "Smith" not in said
    assert "47.9876" not in said and "7.6543" not in said
    names = {str(r["name"]) for r in _summaries(mix.export) if r.get("name")}
    assert len(names) > 3, "the generated export's summaries hold names too"
    assert [n for n in names if n in said] == []


def _summaries(export: Path) -> list[dict[str, object]]:
    """Every record of the export's summarizedActivities files."""
    import zipfile

    with zipfile.ZipFile(export) as zf:
        docs = [json.loads(zf.read(n)) for n in zf.namelist() if "summarizedActivities" in n]
    return [r for doc in docs for item in doc for r in item.get("summarizedActivitiesExport", [])]


# ---------------------------------------------------------------------------------------------
# `chainfix doctor` is safe to paste
# ---------------------------------------------------------------------------------------------

SECRET = "s3cr3t-0auth-t0ken-f00"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def test_doctor_output_holds_no_tokens_or_email(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    home = Path(os.environ["CHAINFIX_HOME"])
    garmin = home / "garmin"
    garmin.mkdir(parents=True, mode=0o700)
    (garmin / "garmin_tokens.json").write_text(
        json.dumps(
            {
                "di_token": SECRET,
                "di_refresh_token": SECRET + "-refresh",
                "email": "ada@example.com",
            }
        )
    )
    (home / "profile.toml").write_text('email = "ada@example.com"\nname = "Ada"\n')
    monkeypatch.setenv("GARMIN_EMAIL", "ada@example.com")
    monkeypatch.setenv("GARMIN_PASSWORD", SECRET + "-password")
    for args in (["doctor"], ["doctor", "--json"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        assert SECRET not in result.output
        assert EMAIL.search(result.output) is None, result.output
        assert "Ada" not in result.output
    report = json.loads(CliRunner().invoke(cli, ["doctor", "--json"]).stdout)
    assert report["garmin_tokens_present"] is True  # says whether, never what
