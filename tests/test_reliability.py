"""Issue 15: damage stays in the file it came from, and nothing the user owns is lost.

Every input here is generated (``chainfix_synth`` and byte surgery from ``tests/corpus``); each
test failed on the code before its fix.
"""

from __future__ import annotations

import json
import os
import sqlite3
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from chainfix_synth.fitfiles import activity_fit
from chainfix_synth.garmin_export import write_export
from chainfix_synth.personas import Persona, runner

from chainfix.cache import ReadCache
from chainfix.ingest import IngestOptions, IngestStats, read_history
from chainfix.model import History
from chainfix.paths import UserFolderWarning, cache_path
from tests.corpus import fitbytes


@cache
def persona() -> Persona:
    return runner(weeks=1, seed=5)


@cache
def fits() -> list[bytes]:
    """The persona's recorded activities as FIT files (deterministic)."""
    return [activity_fit(a) for a in persona().activities if a.device]


def read(paths: list[Path], *, cache: bool = False, stats: IngestStats | None = None) -> History:
    return read_history(paths, IngestOptions(workers=1, use_cache=cache), stats=stats)


def starts(history: History) -> list[str]:
    return [a.id for a in history.activities]


# ---------------------------------------------------------------------------------------------
# 1. Any name the OS gives


def _bytes_name(folder: Path, raw: bytes) -> Path:
    target = os.path.join(os.fsencode(folder), raw)
    try:
        with open(target, "wb"):
            pass
    except OSError:
        pytest.skip("this file system refuses names that are not UTF-8")
    return Path(os.fsdecode(target))


@pytest.mark.parametrize("use_cache", [False, True])
def test_name_that_is_not_utf8_is_read_in_a_folder_and_as_an_argument(
    tmp_path: Path, use_cache: bool
) -> None:
    folder = tmp_path / "disk"
    folder.mkdir()
    odd = _bytes_name(folder, b"\xe9t\xe9 0.fit")  # Latin-1, sorts before every good file
    odd.write_bytes(fits()[0])
    for i, data in enumerate(fits()[1:3], start=1):
        (folder / f"z{i}.fit").write_bytes(data)
    alone = read([folder / f"z{i}.fit" for i in (1, 2)] + [odd])
    for _run in ("cold", "warm"):
        history = read([folder], cache=use_cache)
        assert history.problems == ()
        assert starts(history) == starts(alone)
        single = read([odd], cache=use_cache)
        assert single.problems == () and len(single.activities) == 1


# ---------------------------------------------------------------------------------------------
# 2. One bad value costs that summary, not the export


def test_integer_too_large_for_a_float_costs_only_its_summary(tmp_path: Path) -> None:
    write_export(persona(), tmp_path / "export", folder=True)
    (summary,) = (tmp_path / "export").rglob("*summarizedActivities.json")
    clean = read([tmp_path / "export"])
    doc = json.loads(summary.read_text())
    records = doc[0]["summarizedActivitiesExport"]
    records[0]["distance"] = 10**400
    records[1]["startTimeGmt"] = -(10**400)
    summary.write_text(json.dumps(doc))
    history = read([tmp_path / "export"])
    assert starts(history) == [a for a in starts(clean) if a in starts(history)]
    lost = set(starts(clean)) - set(starts(history))
    assert len(lost) <= 1  # the summary without a start; a FIT twin keeps it otherwise
    recorded = [a.id for a in clean.activities if not a.from_summary]
    assert set(recorded) <= set(starts(history))
    mine = [p for p in history.problems if p.file == str(summary)]
    assert mine and all(p.kind in ("bad_json", "bad_value") for p in mine)
    assert not [p for p in history.problems if p.kind == "plugin_error"]


# ---------------------------------------------------------------------------------------------
# 3. The best copy wins


def _bad_crc(data: bytes) -> bytes:
    return data[:-2] + bytes([data[-2] ^ 0xFF, data[-1]])


def _truncated_after_session(data: bytes) -> bytes:
    record = fitbytes.find(data, "session")
    return data[: record.offset + record.length]


@pytest.mark.parametrize("damage", [_bad_crc, _truncated_after_session])
def test_intact_copy_wins_over_a_damaged_one_whatever_the_path_order(
    tmp_path: Path, damage: object
) -> None:
    good = fits()[0]
    for first in ("damaged", "intact"):
        folder = tmp_path / first
        folder.mkdir()
        names = {"damaged": "b.fit", "intact": "c.fit"}
        if first == "intact":
            names = {"damaged": "c.fit", "intact": "b.fit"}
        (folder / names["damaged"]).write_bytes(damage(good))  # type: ignore[operator]
        (folder / names["intact"]).write_bytes(good)
        history = read([folder])
        (kept,) = history.activities
        assert kept.origin.path == str(folder / names["intact"])
        dup = [p for p in history.problems if p.kind == "duplicate"]
        assert [p.file for p in dup] == [str(folder / names["damaged"])]
        assert str(folder / names["intact"]) in dup[0].message


# ---------------------------------------------------------------------------------------------
# 6. Cache entries that do not decode are misses


POISON = [
    '{"used":0,"state":{},"items":{}}',
    '{"used":0,"state":[],"items":[]}',
    '{"used":0,"state":{},"items":[["a",null,null,[1,2,3]]]}',
    '{"used":0,"state":{},"items":[["f",null,"x.fit",[null,"fast",[],[["nope","m","error"]]]]]}',
    "[1,2,3]",
    '["activity","fast",[["id","fit","running","generic",5]],[]]',
    "not json",
    "",
]


@pytest.mark.parametrize("poison", POISON)
def test_cache_entry_of_the_wrong_shape_is_a_miss_and_is_dropped(
    tmp_path: Path, poison: str
) -> None:
    write_export(persona(), tmp_path / "export.zip")
    (tmp_path / "folder").mkdir()
    for i, data in enumerate(fits()[:2]):
        (tmp_path / "folder" / f"{i}.fit").write_bytes(data)
    paths = [tmp_path / "export.zip", tmp_path / "folder"]
    cold = read(paths, cache=True)
    assert cold.activities
    with sqlite3.connect(cache_path()) as db:
        keys = db.execute("SELECT key FROM results").fetchall()
        db.execute("UPDATE results SET payload = ?", (poison,))
    for _run in ("dropped", "rewritten"):
        stats = IngestStats()
        warm = read(paths, cache=True, stats=stats)
        assert warm.activities == cold.activities and warm.problems == cold.problems
    with sqlite3.connect(cache_path()) as db:
        rows = db.execute("SELECT key, payload FROM results").fetchall()
    assert len(rows) >= len(keys) and poison not in {r[1] for r in rows}
    assert stats.cached + stats.parts_cached > 0  # the second warm run trusted the new entries


def test_dropped_entries_are_counted(tmp_path: Path) -> None:
    (tmp_path / "0.fit").write_bytes(fits()[0])
    read([tmp_path / "0.fit"], cache=True)
    with sqlite3.connect(cache_path()) as db:
        db.execute("UPDATE results SET payload = '[1]'")
    with ReadCache(cache_path()) as store:
        (key,) = (r[0] for r in store.db.execute("SELECT key FROM results"))
        from chainfix.model import Origin

        assert store.get_read(key, Origin("x")) is None
        assert store.dropped == 1
        assert store.db.execute("SELECT count(*) FROM results").fetchone()[0] == 0


# ---------------------------------------------------------------------------------------------
# 10. Resources: stop at the declared size


def test_zip_member_is_inflated_only_to_its_declared_size(tmp_path: Path) -> None:
    from chainfix.sources.base import BlobLoadError
    from chainfix.sources.zip_member import Backing, ZipMemberLoad
    from tests.corpus import zipbytes

    big = bytes(64 * 1024**2)  # 64 MiB of zeros deflate to ~64 KiB
    data = zipbytes.build([zipbytes.Entry("liar.fit", big)])
    data = zipbytes.patch(data, "liar.fit", file_size=1000)
    path = tmp_path / "liar.zip"
    path.write_bytes(data)
    with zipfile.ZipFile(path) as zf:
        (info,) = zf.infolist()
    load = ZipMemberLoad(
        Backing(str(path), 0, len(data)),
        info.header_offset,
        info.orig_filename,
        info.flag_bits,
        info.compress_type,
        info.compress_size,
        info.file_size,
        info.CRC,
        512 * 1024**2,
    )
    import tracemalloc

    tracemalloc.start()
    with pytest.raises(BlobLoadError, match="cannot be read"):
        load()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 16 * 1024**2, f"inflated {peak:,} bytes for a member declaring 1,000"


# ---------------------------------------------------------------------------------------------
# 8 and 9. The upload ledger and the sync lock, against the local fake Garmin Connect


@pytest.fixture
def garmin(fake: Any) -> Any:
    import chainfix.garmin_client as adapter

    fake.write_token_store(adapter.token_dir())
    return fake


def _plan(weeks: int = 2) -> list[Any]:
    from tests.test_sync_engine import eight_week_plan

    return eight_week_plan(weeks=weeks)


def _sync(ledger_path: Path, plan: list[Any], **kw: Any) -> Any:
    from chainfix.delivery.ledger import Ledger
    from chainfix.delivery.sync import sync_to_garmin
    from chainfix.garmin_client import GarminConnect

    with Ledger(ledger_path) as ledger:
        return sync_to_garmin(plan, GarminConnect.from_tokens(), ledger, **kw)


def _one_copy_each(fake: Any, plan: list[Any]) -> None:
    from tests.test_sync_engine import chainfix_copies

    copies = chainfix_copies(fake)
    assert sorted(copies) == sorted(w.key for w in plan)
    for w in plan:
        [workout_id] = copies[w.key]
        assert fake.schedules_of(workout_id) == [w.date]


def _random_bytes(path: Path) -> None:
    import random

    path.write_bytes(random.Random(15).randbytes(path.stat().st_size))


def _truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 + 100])


def _bad_date(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("UPDATE workouts SET planned_date = '2026-13-45' WHERE rowid = 2")
    db.close()


@pytest.mark.parametrize("damage", [_random_bytes, _truncated, _bad_date])
def test_damaged_ledger_is_set_aside_and_rebuilt_from_the_markers(
    garmin: Any, tmp_path: Path, damage: Any
) -> None:
    from chainfix.delivery.ledger import Ledger

    plan = _plan()
    book = tmp_path / "ledger.sqlite"
    _sync(book, plan)
    _one_copy_each(garmin, plan)
    damage(book)
    writes = len(garmin.writes())
    with pytest.warns(UserFolderWarning, match="set aside"):
        report = _sync(book, plan)
    assert len(garmin.writes()) == writes, "a damaged ledger made sync upload again"
    _one_copy_each(garmin, plan)
    assert "set aside" in report.summary() and "[chainfix:" in report.summary()
    assert list(tmp_path.glob("ledger.sqlite.damaged-*"))
    with Ledger(book) as ledger:
        assert ledger.damaged is None
        assert sorted(e.key for e in ledger.entries()) == sorted(w.key for w in plan)
        assert all(e.workout_id and e.schedule_id for e in ledger.entries())


def test_damaged_ledger_in_a_dry_run_says_how_to_rebuild(tmp_path: Path) -> None:
    from chainfix.delivery.ledger import Ledger
    from chainfix.delivery.sync import sync_to_garmin

    book = tmp_path / "ledger.sqlite"
    book.write_bytes(b"\x00garbage" * 512)
    with pytest.warns(UserFolderWarning, match="set aside"), Ledger(book) as ledger:
        report = sync_to_garmin(_plan(1), None, ledger, dry_run=True)
    assert "sync garmin" in report.summary() and "set aside" in report.summary()


def test_two_syncs_at_once_upload_once_and_the_second_says_so(
    garmin: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading
    import time

    import chainfix.delivery.sync_lock as engine
    from chainfix.delivery.sync_lock import SyncBusyError

    monkeypatch.setattr(engine, "LOCK_WAIT_S", 0.5)
    plan = _plan()
    book = tmp_path / "ledger.sqlite"
    started = threading.Event()
    outcome: dict[str, Any] = {}

    def slow(_action: Any) -> None:
        started.set()
        time.sleep(0.1)

    def first() -> None:
        outcome["first"] = _sync(book, plan, on_action=slow)

    thread = threading.Thread(target=first)
    thread.start()
    assert started.wait(30)
    with pytest.raises(SyncBusyError, match="another chainfix sync is running"):
        _sync(book, plan)
    thread.join(60)
    assert outcome["first"].count("create") == len(plan)
    _one_copy_each(garmin, plan)


def test_second_sync_waits_briefly_for_the_first(
    garmin: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    import chainfix.delivery.sync_lock as engine
    from chainfix.delivery.sync_lock import sync_lock

    monkeypatch.setattr(engine, "LOCK_WAIT_S", 10)
    plan = _plan(1)
    book = tmp_path / "ledger.sqlite"
    held, release = threading.Event(), threading.Event()

    def holder() -> None:
        with sync_lock(tmp_path):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    assert held.wait(10)
    threading.Timer(0.5, release.set).start()
    report = _sync(book, plan)
    thread.join()
    assert report.count("create") == len(plan)
    _one_copy_each(garmin, plan)


# ---------------------------------------------------------------------------------------------
# 7. A user folder that cannot be used: one line, never a traceback; reading still works


def _mount_tmpfs(target: Path, options: str) -> bool:
    import subprocess

    if os.geteuid() != 0:
        return False
    target.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


def _umount(target: Path) -> None:
    import subprocess

    subprocess.run(["umount", "-l", str(target)], capture_output=True, check=False)


@pytest.fixture(params=["read-only", "a file", "disk full"])
def unusable_home(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Any:
    """A user folder on a read-only tmpfs, a file in its place, or on a full tmpfs."""
    kind = request.param
    mount = tmp_path / "mnt"
    if kind == "a file":
        home = tmp_path / "home"
        home.write_text("not a folder\n")
    elif kind == "read-only":
        if not _mount_tmpfs(mount, "ro,size=1m"):
            pytest.skip("cannot mount a read-only tmpfs here (needs root)")
        request.addfinalizer(lambda: _umount(mount))
        home = mount / "chainfix"
    else:
        if not _mount_tmpfs(mount, "size=64k"):
            pytest.skip("cannot mount a small tmpfs here (needs root)")
        request.addfinalizer(lambda: _umount(mount))
        home = mount / "chainfix"
        home.mkdir(mode=0o700)
        try:
            with open(mount / "filler", "wb", buffering=0) as fh:
                while True:
                    fh.write(bytes(4096))
        except OSError:
            pass  # full
    monkeypatch.setenv("CHAINFIX_HOME", str(home))
    return kind, home


def test_unusable_user_folder_is_one_line_and_reading_still_works(
    unusable_home: Any, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from chainfix.cli import cli

    kind, home = unusable_home
    data = tmp_path / "history"
    data.mkdir()
    for i, fit in enumerate(fits()):
        (data / f"{i}.fit").write_bytes(fit)
    runner = CliRunner()
    writers = [
        ["profile", "set", "--sessions", "2"],
        ["plan", str(data)],
        ["sync", "garmin", str(data)],
        ["garmin", "status"],
    ]
    if kind != "disk full":  # these only read what is there: a full disk does not stop them
        writers += [["sync", "status"], ["profile", "show"]]
    expected = {"read-only": "is read-only", "a file": "is a file", "disk full": "is full"}[kind]
    for args in writers:
        result = runner.invoke(cli, args)
        assert result.exit_code == 1, (args, result.output, result.exception)
        assert isinstance(result.exception, SystemExit), (args, result.exception)
        errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
        if args[:2] == ["garmin", "status"] and kind == "disk full":
            continue  # nothing to write: "not logged in"
        assert len(errors) == 1 and expected in errors[0] and str(home) in errors[0], (
            args,
            result.stderr,
        )
        assert "Traceback" not in result.output
    for args in (["analyze", str(data)], ["activities", str(data)]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, (args, result.output, result.exception)
        assert "Warning:" in result.stderr and "without" in result.stderr


def test_existing_user_folder_is_tightened_with_a_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from chainfix.cli import cli

    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    home.chmod(0o755)
    monkeypatch.setenv("CHAINFIX_HOME", str(home))
    (tmp_path / "0.fit").write_bytes(fits()[0])
    result = CliRunner().invoke(cli, ["activities", str(tmp_path / "0.fit")])
    assert result.exit_code == 0
    assert "Note:" in result.stderr and "0700" in result.stderr
    assert home.stat().st_mode & 0o777 == 0o700
    for name in ("cache.sqlite",):
        assert (home / name).stat().st_mode & 0o777 == 0o600


def test_ledger_is_private(tmp_path: Path) -> None:
    from chainfix.delivery.ledger import Ledger

    old = os.umask(0o022)  # a usual umask: files would be 0644
    try:
        with Ledger(tmp_path / "ledger.sqlite"):
            pass
    finally:
        os.umask(old)
    assert (tmp_path / "ledger.sqlite").stat().st_mode & 0o777 == 0o600


# ---------------------------------------------------------------------------------------------
# 13. garmin login --force keeps the working tokens until the new login has succeeded


@pytest.mark.parametrize("answer", ["wrong password", "wrong code"])
def test_failed_forced_login_keeps_the_working_tokens(
    garmin: Any, monkeypatch: pytest.MonkeyPatch, answer: str
) -> None:
    import garminconnect
    from click.testing import CliRunner

    import chainfix.garmin_client as adapter
    from chainfix.cli import garmin as garmin_cli
    from tests.garmin_support import root_with
    from tests.test_garmin_cli import EMAIL, PASSWORD, sso

    cli = root_with(garmin_cli.register)
    saved = adapter.token_file().read_bytes()
    monkeypatch.setattr(garminconnect.client.Client, "login", sso(garmin, []))
    typed = {"wrong password": f"{EMAIL}\nnot-it\n", "wrong code": f"{EMAIL}\n{PASSWORD}\n0\n"}
    result = CliRunner().invoke(cli, ["garmin", "login", "--force"], input=typed[answer])
    assert result.exit_code == 1 and "refused the login" in result.output
    assert adapter.token_file().read_bytes() == saved
    assert sorted(p.name for p in adapter.token_dir().iterdir()) == [adapter.TOKEN_FILE]
    status = CliRunner().invoke(cli, ["garmin", "status"])
    assert status.exit_code == 0 and "Logged in" in status.output


def test_successful_forced_login_replaces_the_tokens(
    garmin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import garminconnect
    from click.testing import CliRunner

    import chainfix.garmin_client as adapter
    from chainfix.cli import garmin as garmin_cli
    from tests.garmin_support import root_with
    from tests.test_garmin_cli import EMAIL, PASSWORD, sso

    cli = root_with(garmin_cli.register)
    saved = adapter.token_file().read_bytes()
    monkeypatch.setattr(garminconnect.client.Client, "login", sso(garmin, []))
    result = CliRunner().invoke(
        cli, ["garmin", "login", "--force"], input=f"{EMAIL}\n{PASSWORD}\n654321\n"
    )
    assert result.exit_code == 0, result.output
    assert adapter.token_file().read_bytes() != saved
    assert adapter.token_file().stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in adapter.token_dir().iterdir()) == [adapter.TOKEN_FILE]
    assert CliRunner().invoke(cli, ["garmin", "status"]).exit_code == 0


@pytest.mark.parametrize("lie", [False, True])
def test_fit_gz_bomb_costs_nothing_like_the_member_limit(lie: bool) -> None:
    import gzip
    import time
    import tracemalloc

    from chainfix.sources.fitfiles import gunzip_limited

    bomb = gzip.compress(bytes(96 * 1024**2), compresslevel=1, mtime=0)
    if lie:  # the trailer declares 1,000 bytes
        bomb = bomb[:-4] + (1000).to_bytes(4, "little")
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(ValueError, match="limit|declares"):
        gunzip_limited(bomb, 64 * 1024**2)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 8 * 1024**2, f"{peak:,} bytes for a bomb refused by its declared size"
    assert seconds < 1.0


def test_summary_json_in_a_folder_obeys_the_member_limit(tmp_path: Path) -> None:
    from chainfix.sources.base import Limits

    write_export(persona(), tmp_path / "export", folder=True)
    (summary,) = (tmp_path / "export").rglob("*summarizedActivities.json")
    with summary.open("ab") as fh:
        fh.write(b" " * (2 * 1024**2))  # valid JSON, 2 MiB over
    limits = Limits(max_member_bytes=1024**2)
    history = read_history(
        [tmp_path / "export"], IngestOptions(workers=1, use_cache=False, limits=limits)
    )
    (problem,) = [p for p in history.problems if p.file == str(summary)]
    assert problem.kind == "unsupported" and "limit" in problem.message
    assert [a for a in history.activities if not a.from_summary]


def _many_sessions(n: int) -> bytes:
    """A generated run with ``n`` more (distinct, 5-minute) sessions after its own."""
    import struct

    fields = [(253, 4, 0x86), (2, 4, 0x86), (5, 1, 0), (7, 4, 0x86), (8, 4, 0x86)]
    define = fitbytes.definition(9, 18, fields)  # session: timestamp, start, sport, times
    t0 = 1_100_000_000
    records = b"".join(
        fitbytes.data_record(
            9, struct.pack("<IIBII", t0 + 600 * i + 300, t0 + 600 * i, 1, 300_000, 300_000)
        )
        for i in range(n)
    )
    return fitbytes.insert_after(fits()[0], "session", define + records)


def test_many_sessions_in_one_file_are_read_in_linear_time() -> None:
    import time

    from chainfix.fit import read_fit
    from chainfix.model import Origin

    data = _many_sessions(40_000)
    started = time.perf_counter()
    result = read_fit(data, Origin("many.fit"))
    seconds = time.perf_counter() - started
    assert len(result.activities) == 40_001 and result.problems == []
    assert seconds < 20, f"{seconds:.1f} s for 40,000 sessions (quadratic: about 60 s)"


def _big_fit(megabytes: int) -> bytes:
    """A generated run padded with copies of its first lap's records to ``megabytes`` (CRCs
    repaired)."""
    data = fits()[0]
    first = fitbytes.find(data, "record")
    lap = fitbytes.find(data, "lap")
    block = data[first.offset : lap.offset]
    copies = megabytes * 1024**2 // len(block)
    return fitbytes.splice(data, lap.offset, 0, block * copies)


def test_large_file_whose_only_fault_is_its_crc_is_read_fast() -> None:
    import time

    from chainfix.fit import read_fit
    from chainfix.model import Origin

    intact = _big_fit(6)
    data = intact[:-1] + bytes([intact[-1] ^ 0xFF])
    started = time.perf_counter()
    result = read_fit(data, Origin("big.fit"))
    seconds = time.perf_counter() - started
    assert [(p.kind, p.severity) for p in result.problems] == [("bad_crc", "warning")]
    assert result.activities == read_fit(intact, Origin("big.fit")).activities
    assert seconds < 3, f"{seconds:.1f} s for a 6 MB file with a bad CRC (the full decoder: 15)"


# ---------------------------------------------------------------------------------------------
# 12. Names from other systems never drive the terminal


def test_control_characters_in_names_are_shown_escaped(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from chainfix.cli import cli

    folder = tmp_path / "disk"
    folder.mkdir()
    (folder / "evil\x1b[31mred\x07\x1b]0;title\x07.fit").write_bytes(b"<html>login</html>" * 8)
    (folder / "good\x1b[1m.fit").write_bytes(fits()[0])
    with zipfile.ZipFile(folder / "z.zip", "w") as zf:
        zf.writestr("m\x1b[2Jclear\r.fit", b"not a fit file at all" * 8)
        zf.writestr("ok\x9b5m.fit", fits()[1])
    for args in (["activities", str(folder)], ["analyze", str(folder)]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 3, result.output
        shown = result.stdout + result.stderr
        assert not any(c in shown for c in "\x1b\x07\x9b\r"), args
        assert "evil\\x1b[31mred\\x07" in shown.replace("\n", "")
        assert "m\\x1b[2Jclear\\x0d.fit" in shown.replace("\n", "")
    history = read([folder])
    assert len(history.activities) == 2
    assert all(a.origin.path.isprintable() for a in history.activities)
    assert {a.origin.member for a in history.activities} == {None, "ok\\x9b5m.fit"}


# ---------------------------------------------------------------------------------------------
# 11. Leftovers: workers die with their parent; stale spill folders go at the next start


def _marked_pids(marker: str) -> list[int]:
    """Processes whose environment holds ``marker`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_bytes().split(b") ", 1)[-1][:1]
        except OSError:
            continue
        if marker.encode() in environ and state != b"Z":
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
def test_decoder_workers_exit_when_the_main_process_is_killed(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time
    import uuid

    folder = tmp_path / "slow"
    folder.mkdir()
    slow = _big_fit(1)[:-10]  # cut short: the full decoder reads it, for a few seconds
    for i in range(30):
        (folder / f"{i:02d}.fit").write_bytes(slow)
    marker = f"CHAINFIX_TEST_LIFELINE={uuid.uuid4().hex}"
    env = {**os.environ, "CHAINFIX_TEST_LIFELINE": marker.split("=", 1)[1]}
    env["CHAINFIX_HOME"] = str(tmp_path / "home")
    command = [sys.executable, "-m", "chainfix", "activities", str(folder), "--no-cache"]
    main = subprocess.Popen([*command, "--workers", "2", "-q"], env=env)
    try:
        deadline = time.monotonic() + 60
        while len([p for p in _marked_pids(marker) if p != main.pid]) < 2:
            assert time.monotonic() < deadline, "the decoder processes never started"
            assert main.poll() is None, "the run ended before it could be killed"
            time.sleep(0.05)
        time.sleep(0.5)  # the workers are busy decoding
        main.send_signal(signal.SIGKILL)
        main.wait()
        deadline = time.monotonic() + 5
        while _marked_pids(marker) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = _marked_pids(marker)
        assert not left, f"decoder processes outlived the killed run: {left}"
    finally:
        main.kill()
        for pid in _marked_pids(marker):
            os.kill(pid, signal.SIGKILL)


def test_stale_spill_folders_are_removed_at_the_next_start(tmp_path: Path) -> None:
    import subprocess
    import sys

    from chainfix.sources.spill import remove_stale_spills

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # reaped: its id names no process now
    stale = tmp_path / f"chainfix-{dead.pid}-abc123"
    stale.mkdir()
    (stale / "spill.zip").write_bytes(bytes(1024))
    live = tmp_path / f"chainfix-{os.getppid()}-def456"
    live.mkdir()
    mine = tmp_path / f"chainfix-{os.getpid()}-ghi789"
    mine.mkdir()
    other = tmp_path / "chainfix-unrelated"
    other.mkdir()
    assert remove_stale_spills(str(tmp_path)) == 1
    assert not stale.exists() and live.exists() and mine.exists() and other.exists()


def test_sync_status_with_a_damaged_ledger_says_so_in_one_line(_isolated_home: Path) -> None:
    import random

    from click.testing import CliRunner

    from chainfix.cli import cli

    (_isolated_home / "ledger.sqlite").write_bytes(random.Random(8).randbytes(4096))
    result = CliRunner().invoke(cli, ["sync", "status"])
    assert result.exit_code == 0, result.output
    warning = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert len(warning) == 1 and "set aside" in warning[0] and "[chainfix:" in warning[0]
    assert "Traceback" not in result.output
