"""The bad-input corpus, end to end: nothing crashes, nothing valid is lost.

Every case of ``tests/corpus`` (see its README for the table of kinds and outcomes) is mixed into
good generated files and read twice: by ``read_history`` (checked against the expected outcome,
the good files read alone, and the source contract) and by the real CLI (exit code, no traceback,
the problem in ``--json``). Then all folder cases at once through ``chainfix analyze``; then the
archive limits and the promise that nothing is ever extracted and member names are never paths.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from chainfix.cli import cli
from chainfix.ingest import IngestOptions, read_history
from chainfix.model import PROBLEM_KINDS, History, ReadProblem
from chainfix.sources.base import Limits
from chainfix.testing.contract import activity_errors, problem_errors
from tests.corpus import readme
from tests.corpus.bench import Bad, Case, Kind, Mix, Outcome, goods, real_bytes
from tests.corpus.kinds import KINDS, MB
from tests.corpus.zipbytes import Entry


@pytest.fixture(autouse=True)
def core_readers_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The corpus measures chainfix's built-in readers: an installed plugin (say one that reads
    GPX files) would change the outcomes it expects."""
    from chainfix import plugins

    monkeypatch.setenv("CHAINFIX_LOAD_PLUGINS", "")
    plugins.reset()
    yield
    plugins.reset()


CASES = [
    pytest.param(
        kind,
        case,
        id=f"{kind.name}-{index}",
        marks=[pytest.mark.xfail(strict=True, reason=case.bug)] if case.bug else [],
    )
    for kind in KINDS
    for index, case in enumerate(kind.cases)
]


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def read(paths: Sequence[Path], limits: Limits | None = None) -> History:
    """Read like the CLI does, in this process, without the cache."""
    return read_history(
        list(paths), IngestOptions(workers=1, use_cache=False, limits=limits or Limits())
    )


def limits_for(case: Case) -> Limits:
    return Limits(**case.limits)  # type: ignore[arg-type]


def cli_options(case: Case) -> list[str]:
    """The CLI options for the case's limits; the others are set by :func:`limit_defaults`."""
    options: list[str] = []
    if "max_member_bytes" in case.limits:
        options += ["--max-member-mb", str(int(case.limits["max_member_bytes"]) // MB)]
    if "max_total_bytes" in case.limits:
        options += ["--max-total-gb", str(int(case.limits["max_total_bytes"]) // 1024**3)]
    return options


@contextmanager
def limit_defaults(monkeypatch: pytest.MonkeyPatch, case: Case) -> Iterator[None]:
    """Lower ``Limits`` defaults the CLI has no option for (``max_members`` ...) for one run."""
    cli_set = {"max_member_bytes", "max_total_bytes"}
    others = {k: v for k, v in case.limits.items() if k not in cli_set}
    if not others:
        yield
        return
    names = [f.name for f in dataclasses.fields(Limits)]
    defaults = dict(zip(names, Limits.__init__.__defaults__ or (), strict=True))
    defaults.update(others)
    with monkeypatch.context() as patch:
        patch.setattr(Limits.__init__, "__defaults__", tuple(defaults[n] for n in names))
        yield


def run_cli(args: Sequence[str | Path]) -> Result:
    """The real CLI in this process; a traceback or an unexpected exception fails the test."""
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        detail = "".join(traceback.format_exception(*result.exc_info))  # type: ignore[misc]
        pytest.fail(f"the CLI raised:\n{detail}")
    assert "Traceback" not in result.output
    return result


def matching(problems: Sequence[ReadProblem], outcome: Outcome) -> list[ReadProblem]:
    return [
        p
        for p in problems
        if p.kind == outcome.problem
        and p.severity == outcome.severity
        and outcome.fragment.lower() in p.message.lower()
    ]


def problem_key(p: ReadProblem) -> tuple[str, str | None, str, str, str]:
    return (p.file, p.member, p.kind, p.severity, p.message)


def assert_case(kind: Kind, alone: History, history: History, bad: Bad) -> None:
    """The outcome holds for the bad input, and the good files are exactly as read alone."""
    outcome = kind.outcome
    assert "plugin_error" not in [p.kind for p in history.problems], history.problems
    ours = [p for p in history.problems if bad.names(p.file, p.member)]
    others = [p for p in history.problems if not bad.names(p.file, p.member)]
    if outcome.problem is None:
        assert ours == [], f"{kind.name}: expected no problem, got {ours}"
    else:
        assert matching(ours, outcome), (
            f"{kind.name}: expected {outcome.problem}/{outcome.severity} "
            f"'{outcome.fragment}' naming {bad}; got {ours or history.problems}"
        )
    # problems about the good files are those of the good files read alone
    assert Counter(map(problem_key, others)) == Counter(map(problem_key, alone.problems))
    kept = [a for a in history.activities if bad.names(a.origin.path, a.origin.member)]
    assert len(kept) == outcome.kept, f"{kind.name}: kept {len(kept)} activities: {kept}"
    good = [a for a in history.activities if not bad.names(a.origin.path, a.origin.member)]
    assert good == list(alone.activities), f"{kind.name}: the good files were not read in full"
    for activity in history.activities:
        assert activity_errors(activity) == []
    for problem in history.problems:
        assert problem_errors(problem) == []


def skip_without_real(case: Case) -> None:
    if case.real and real_bytes(case.real) is None:
        pytest.skip(f"real fixture {case.real} not present")


# ---------------------------------------------------------------------------------------------
# The definitions themselves
# ---------------------------------------------------------------------------------------------


def test_readme_is_current() -> None:
    assert readme.README.read_text(encoding="utf-8") == readme.render(), (
        "tests/corpus/README.md is stale: run `python -m tests.corpus`"
    )


def test_corpus_is_broad_and_well_formed() -> None:
    assert len(KINDS) >= 40
    for kind in KINDS:
        assert kind.cases, kind.name
        assert kind.outcome.problem in (*PROBLEM_KINDS, None)
        if kind.outcome.problem is not None:
            assert kind.outcome.fragment, f"{kind.name}: say which words the message holds"
    groups = {k.group for k in KINDS}
    assert {"fit", "gzip", "zip", "json", "export"} <= groups


# ---------------------------------------------------------------------------------------------
# Every case: library and CLI
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "case"), CASES)
def test_case(kind: Kind, case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    skip_without_real(case)
    mix = Mix(tmp_path / "mix", case.layout, goods())
    alone = read(mix.paths)
    assert alone.activities and not alone.errors, "the good files alone must read cleanly"
    bad = case.inject(mix)
    with limit_defaults(monkeypatch, case):
        history = read(mix.paths, limits_for(case))
        assert_case(kind, alone, history, bad)
        if case.check is not None:
            case.check(history, bad)
        result = run_cli(
            ["activities", "--json", "--no-cache", "--workers", "1", *cli_options(case), *mix.paths]
        )
    assert result.exit_code == kind.outcome.exit_code, result.output
    doc = json.loads(result.stdout)
    assert len(doc["activities"]) == len(history.activities)
    if kind.outcome.problem is not None:
        assert any(
            p["kind"] == kind.outcome.problem and p["file"] == str(bad.file)
            for p in doc["problems"]
        ), doc["problems"]


# ---------------------------------------------------------------------------------------------
# Every folder case at once, through `chainfix analyze`
# ---------------------------------------------------------------------------------------------


def _folder_cases() -> list[tuple[Kind, Case]]:
    return [(k, c) for k in KINDS for c in k.cases if c.layout == "folder" and not c.limits]


def test_all_folder_cases_in_one_history(tmp_path: Path) -> None:
    """One folder holding every bad file of the folder cases beside the good ones: each is
    reported as defined, the good files are read in full, and ``analyze`` finishes with 3."""
    folder = tmp_path / "history"
    alone_mix = Mix(tmp_path / "alone", "folder", goods())
    shutil.copytree(alone_mix.folder, folder)
    expected: list[tuple[Kind, Bad]] = []
    for index, (kind, case) in enumerate(_folder_cases()):
        if case.real and real_bytes(case.real) is None:
            continue
        mix = Mix(tmp_path / f"case{index}", "folder", goods())
        source = case.inject(mix).file
        suffix = "".join(source.suffixes[-2:]) if source.name.endswith(".fit.gz") else source.suffix
        target = folder / f"{index:03d}-{kind.name}{suffix}"
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        else:
            shutil.copyfile(source, target)
        expected.append((kind, Bad(target)))
    alone = read([alone_mix.folder])
    history = read([folder])
    assert "plugin_error" not in [p.kind for p in history.problems]
    for kind, bad in expected:
        ours = [
            p
            for p in history.problems
            if bad.names(p.file, p.member) and (p.kind, p.severity) != ("duplicate", "info")
        ]  # victims are damaged more than once here: their copies are duplicates of each other
        if kind.outcome.problem is None:
            assert ours == [], (kind.name, ours)
        else:
            assert matching(ours, kind.outcome), (kind.name, ours)
    bad_files = {str(b.file) for _, b in expected}
    good = [a for a in history.activities if a.origin.path not in bad_files]
    relocated = [
        dataclasses.replace(
            a,
            origin=dataclasses.replace(
                a.origin, path=a.origin.path.replace(str(alone_mix.folder), str(folder))
            ),
        )
        for a in alone.activities
    ]
    assert good == relocated
    result = run_cli(["analyze", "--no-cache", "--workers", "1", folder])
    assert result.exit_code == 3, result.output
    assert "not fully read" in result.stdout


def test_a_history_of_only_bad_files(tmp_path: Path) -> None:
    """Nothing usable: ``analyze`` exits 1 with a one-line error; ``activities`` lists the
    problems and exits 3. Never a traceback."""
    folder = tmp_path / "bad"
    folder.mkdir()
    for index, (kind, case) in enumerate(_folder_cases()):
        if kind.outcome.severity != "error" or case.real:
            continue
        mix = Mix(tmp_path / f"case{index}", "folder", goods())
        source = case.inject(mix).file
        if source.exists() and not source.is_symlink():
            shutil.copyfile(source, folder / f"{index:03d}{source.suffix}")
    analyze = run_cli(["analyze", "--no-cache", "--workers", "1", folder])
    assert analyze.exit_code == 1
    assert analyze.stderr.startswith("Error: no activities found")
    activities = run_cli(["activities", "--json", "--no-cache", "--workers", "1", folder])
    assert activities.exit_code == 3
    doc = json.loads(activities.stdout)
    assert doc["activities"] == [] and len(doc["problems"]) >= 20


# ---------------------------------------------------------------------------------------------
# Limits: each holds, with a clear message naming the file
# ---------------------------------------------------------------------------------------------

LIMIT_KINDS = {
    "zip_member_too_big": "1,048,576",
    "zip_total_size": "1,073,741,824",
    "zip_bomb_ratio": "200:1",
    "zip_nested_too_deep": "4 levels",
    "zip_too_many_members": "50",
    "gzip_bomb": "1,048,576",
}
"""Kinds that exist to test one limit, and the limit as the message must state it."""


@pytest.mark.parametrize("name", sorted(LIMIT_KINDS))
def test_each_limit_holds_and_names_the_file(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kind = next(k for k in KINDS if k.name == name)
    case = kind.cases[0]
    mix = Mix(tmp_path / "mix", case.layout, goods())
    bad = case.inject(mix)
    with limit_defaults(monkeypatch, case):
        history = read(mix.paths, limits_for(case))
        result = run_cli(
            ["activities", "--no-cache", "--workers", "1", *cli_options(case), *mix.paths]
        )
    (problem,) = matching(
        [p for p in history.problems if bad.names(p.file, p.member)], kind.outcome
    )
    assert LIMIT_KINDS[name] in problem.message, problem.message
    assert result.exit_code == 3
    text = " ".join(result.stdout.split())  # the table output wraps long paths
    assert str(bad.file) in result.stdout or bad.file.name in text
    if bad.member:
        assert bad.member in text
    assert LIMIT_KINDS[name] in text


def test_limits_are_not_applied_to_good_exports(tmp_path: Path) -> None:
    """The default limits leave a whole generated export alone (depth, ratio, sizes)."""
    mix = Mix(tmp_path / "mix", "export", goods())
    history = read(mix.paths)
    assert not [p for p in history.problems if p.kind == "unsafe_archive"]


# ---------------------------------------------------------------------------------------------
# Nothing extracted; member names never used as paths
# ---------------------------------------------------------------------------------------------

_AUDIT: list[tuple[str, str]] = []
_AUDITING = False
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def _audit(event: str, args: tuple[Any, ...]) -> None:
    """Record file creations and writes while ``_AUDITING`` (a permanent, cheap audit hook)."""
    if not _AUDITING:
        return
    if event == "open":
        path, mode, flags = (args + (None, None))[:3]
        writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & _WRITE_FLAGS
        )
        if isinstance(path, str | bytes | os.PathLike) and writes:
            _AUDIT.append(("write", os.fsdecode(path)))
        elif isinstance(path, str | bytes | os.PathLike):
            _AUDIT.append(("read", os.fsdecode(path)))
    elif event in ("os.mkdir", "os.rename", "os.symlink", "os.link", "os.truncate"):
        _AUDIT.append(
            (
                event,
                " -> ".join(
                    os.fsdecode(a) for a in args if isinstance(a, str | bytes | os.PathLike)
                ),
            )
        )


sys.addaudithook(_audit)

CANARY = "cfxcanary"
UNSAFE_NAMES = (
    f"../../{CANARY}-climb.fit",
    f"/tmp/{CANARY}-absolute.fit",
    f"sub/../../{CANARY}-hidden.fit",
    f"C:\\{CANARY}-drive.fit",
    f"{CANARY}-dir/{CANARY}-plain.fit",
)


@contextmanager
def audited() -> Iterator[list[tuple[str, str]]]:
    global _AUDITING
    _AUDIT.clear()
    _AUDITING = True
    try:
        yield _AUDIT
    finally:
        _AUDITING = False


def _archive_inputs(root: Path) -> list[Path]:
    """Every zip and export case, plus a zip whose members carry canary names, some unsafe."""
    paths: list[Path] = []
    for index, (kind, case) in enumerate(
        (k, c) for k in KINDS for c in k.cases if c.layout in ("zip", "export") and not c.limits
    ):
        mix = Mix(root / f"{index:03d}-{kind.name}", case.layout, goods())
        case.inject(mix)
        paths += mix.paths
    canaries = Mix(root / "canaries", "zip", goods())
    from tests.corpus import zipbytes

    inner = zipbytes.build([Entry(name, goods().victims["run"]) for name in UNSAFE_NAMES])
    canaries.members(
        [Entry(name, goods().victims["run2"]) for name in UNSAFE_NAMES]
        + [
            Entry(f"{CANARY}-nested.zip", inner, compress=0),
            Entry(f"{CANARY}-deflated.zip", inner),
        ],
        UNSAFE_NAMES[0],
    )
    return paths + canaries.paths


def test_nothing_is_extracted_and_member_names_are_never_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = _archive_inputs(tmp_path / "inputs")
    work = tmp_path / "cwd"
    scratch = tmp_path / "tmp"
    work.mkdir()
    scratch.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR ...
    assert tempfile.gettempdir() == str(scratch)  # ... now, outside the audit (it probes)
    # spill every nested zip to a private temp file, where the reader does that at all
    import chainfix.sources.archive as archive

    spills = hasattr(archive, "IN_MEMORY_NESTED_BYTES")
    if spills:
        monkeypatch.setattr(archive, "IN_MEMORY_NESTED_BYTES", 0)
    home = Path(os.environ["CHAINFIX_HOME"])
    with audited() as events:
        history = read(inputs)
        result = run_cli(["activities", "--json", "--workers", "1", *inputs])
    assert result.exit_code == 3
    assert history.activities
    assert any(e == "read" and "inputs" in p for e, p in events), "the audit saw no reads"
    if spills:  # deflated nested zips went through private temporary files
        assert any(e == "write" and "/chainfix-" in p and p.endswith(".zip") for e, p in events)
    assert list(work.iterdir()) == [], "something was written to the working directory"
    assert list(scratch.iterdir()) == [], "temporary files were left behind"
    writes = [(event, path) for event, path in events if event != "read"]
    for event, path in writes:
        resolved = Path(path.split(" -> ")[0]).resolve()
        inside_home = resolved.is_relative_to(home.resolve())
        private = resolved.is_relative_to(scratch.resolve()) and resolved.relative_to(
            scratch.resolve()
        ).parts[0].startswith("chainfix-")
        assert inside_home or private, f"wrote outside chainfix's own places: {event} {path}"
    touched = [path for _, path in events if CANARY in path and "inputs" not in path]
    assert touched == [], f"a member name was used as a path: {touched}"
    leaked = [p for p in Path("/tmp").glob(f"*{CANARY}*")] + list(tmp_path.rglob(f"*{CANARY}*"))
    assert leaked == [], leaked
    unsafe = {p.member for p in history.problems if p.kind == "unsafe_archive"}
    assert f"../../{CANARY}-climb.fit" in unsafe


# ---------------------------------------------------------------------------------------------
# Regressions: bugs the corpus found in the sources, fixed
# ---------------------------------------------------------------------------------------------


def test_a_named_pipe_in_a_folder_is_reported_not_waited_for(tmp_path: Path) -> None:
    import threading

    mix = Mix(tmp_path / "mix", "folder", goods())
    pipe = mix.folder / "pipe.fit"
    os.mkfifo(pipe)
    box: dict[str, History] = {}
    worker = threading.Thread(target=lambda: box.setdefault("h", read(mix.paths)), daemon=True)
    worker.start()
    worker.join(3)
    if worker.is_alive():
        for _ in range(100):  # let each blocked open() of the pipe see EOF, so the thread ends
            try:
                os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:
                pass
            worker.join(0.05)
            if not worker.is_alive():
                break
        pytest.fail("reading a folder that holds a named pipe hangs")
    history = box["h"]
    assert [p for p in history.problems if p.file == str(pipe) and p.kind == "io_error"]
    assert len(history.activities) == len(read([mix.folder]).activities)


def test_a_zip_inside_a_folder_is_read(tmp_path: Path) -> None:
    mix = Mix(tmp_path / "mix", "folder", goods())
    export = mix.folder / "export.zip"
    export.write_bytes(goods().export)
    history = read(mix.paths)
    alone = read([export])
    export.unlink()
    without = read([mix.folder])
    assert alone.activities
    assert len(history.activities) == len(without.activities) + len(alone.activities)
