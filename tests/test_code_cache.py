"""The store of the methods :mod:`dataclasses` generates (:mod:`chainfix.cli.code_cache`): a
class made from stored code behaves as one compiled afresh, a damaged or foreign store is
ignored, and the console script writes it beside its bytecode (never in the user folder) once,
then compiles nothing."""

from __future__ import annotations

import dataclasses
import marshal
import os
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from chainfix.cli import code_cache

SAMPLE_FOLDER = Path(__file__).resolve().parents[1] / "sample_exports" / "fit-folder"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The store installed at a path of ``tmp_path`` for one test, and removed again."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    path = tmp_path / "dataclass-code.marshal"
    code_cache.uninstall()
    code_cache.install(path)
    try:
        yield path
    finally:
        code_cache.uninstall()


def _reinstall(path: Path) -> None:
    code_cache.uninstall()
    code_cache.install(path)


def _make_point() -> type:
    @dataclasses.dataclass(frozen=True, slots=True, order=True)
    class Point:
        """A point with a default and a factory."""

        x: int
        y: int = 2
        tags: list[str] = dataclasses.field(default_factory=list)

    return Point


def _new_count() -> int:
    assert code_cache._STORE is not None
    return code_cache._STORE.new


def test_a_class_made_from_stored_code_behaves_as_a_compiled_one(store: Path) -> None:
    fresh = _make_point()
    assert _new_count() > 0
    code_cache.save()
    assert store.is_file()
    if os.name == "posix":  # readable as the .pyc files beside it are
        assert store.stat().st_mode & 0o777 == Path(code_cache.__file__).stat().st_mode & 0o666

    _reinstall(store)
    stored = _make_point()
    assert _new_count() == 0  # every method came from the store
    for cls in (fresh, stored):
        p = cls(1)
        assert (p.x, p.y, p.tags) == (1, 2, [])
        assert cls(1, 2) == cls(1, 2) and cls(1, 2) != cls(1, 3)
        assert cls(1, 2) < cls(1, 3)
        assert repr(cls(1, 3)).endswith("Point(x=1, y=3, tags=[])")
        with pytest.raises(dataclasses.FrozenInstanceError):
            p.x = 5  # type: ignore[misc]
        assert cls(1).tags is not cls(1).tags
    with pytest.raises(TypeError):
        hash(stored(1))  # a list field: unhashable, as without the store


def test_a_run_with_nothing_new_does_not_write_the_store(store: Path) -> None:
    _make_point()
    code_cache.save()
    written = store.stat().st_mtime_ns
    _reinstall(store)
    _make_point()
    code_cache.save()
    assert store.stat().st_mtime_ns == written


def test_nothing_is_written_where_python_writes_no_bytecode(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    _make_point()
    code_cache.save()
    assert not store.exists()


def test_a_damaged_or_foreign_store_is_ignored(store: Path) -> None:
    _make_point()
    code_cache.save()
    good = store.read_bytes()
    assert code_cache.load(store)

    flipped = bytearray(good)
    flipped[-10] ^= 0xFF
    head = len(code_cache._HEADER) + 4
    foreign = good.replace(sys.version.encode(), b"3.0.0 (other interpreter)", 1)
    not_a_dict = marshal.dumps([1, 2])
    wrong_shape = code_cache._HEADER + zlib.crc32(not_a_dict).to_bytes(4, "big") + not_a_dict
    bad_values = marshal.dumps({"text": "not code"})
    not_code = code_cache._HEADER + zlib.crc32(bad_values).to_bytes(4, "big") + bad_values
    for damaged in (bytes(flipped), good[: head + 20], good[:10], foreign, wrong_shape, not_code):
        store.write_bytes(damaged)
        assert code_cache.load(store) == {}

    _reinstall(store)  # the damaged store is compiled around and written afresh
    _make_point()
    assert _new_count() > 0
    code_cache.save()
    assert code_cache.load(store)


def test_past_the_limit_a_run_keeps_only_what_it_used(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _make_point()
    code_cache.save()
    before = code_cache.load(store)
    monkeypatch.setattr(code_cache, "MAX_ENTRIES", 1)

    @dataclasses.dataclass
    class Other:
        z: int

    code_cache.save()
    kept = code_cache.load(store)
    assert kept.keys() == code_cache._STORE.used.keys()  # type: ignore[union-attr]
    assert before.keys() - kept.keys() == set()  # the point's methods were used here too
    assert len(kept) > len(before)


def _analyze(home: Path, pycache: Path, *, bytecode: bool = True) -> str:
    env = dict(os.environ, CHAINFIX_HOME=str(home), PYTHONPYCACHEPREFIX=str(pycache))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if not bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    script = Path(sys.executable).with_name("chainfix")
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "chainfix"]
    done = subprocess.run(
        [*command, "analyze", str(SAMPLE_FOLDER)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_console_script_writes_the_store_once_beside_its_bytecode(tmp_path: Path) -> None:
    home, pycache = tmp_path / "home", tmp_path / "pycache"
    first = _analyze(home, pycache)
    stores = list(pycache.rglob("dataclass-code.*.marshal"))
    assert len(stores) == 1
    assert stores[0].parent.parts[-2:] == ("chainfix", "cli")  # beside code_cache's .pyc
    assert not list(home.rglob("*.marshal"))  # never in the user folder
    codes = code_cache.load(stores[0])
    assert len(codes) > 100  # the model's, the analysis's, the planner's, rich's...
    written = stores[0].stat().st_mtime_ns
    assert _analyze(home, pycache) == first
    assert stores[0].stat().st_mtime_ns == written  # nothing new was compiled


def test_the_console_script_writes_no_store_without_bytecode(tmp_path: Path) -> None:
    _analyze(tmp_path / "home", tmp_path / "pycache", bytecode=False)
    assert not list(tmp_path.rglob("*.marshal"))


def test_a_command_that_makes_no_dataclass_does_not_look_for_the_store() -> None:
    """``--version``: the store's place (pathlib, importlib.util) is not even worked out."""
    code = (
        "import sys\n"
        "from chainfix.cli import main\n"
        "sys.argv = ['chainfix', sys.argv[1]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "found = [m for m in ('pathlib', 'importlib.util') if m in sys.modules]\n"
        "print(found, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "--version"], capture_output=True, text=True, check=True
    )
    assert done.stderr.strip().splitlines()[-1] == "[]", done.stderr
