"""chainfix's own files read as plain files: the same bytes importlib.resources gives, and the
versions of cached results follow the code they are made by."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest

from chainfix import bundled
from chainfix.analysis import memo
from chainfix.cache import store


def test_every_data_file_reads_as_importlib_resources_gives_it() -> None:
    data = resources.files("chainfix.data")
    names = sorted(e.name for e in data.iterdir() if e.is_file() and not e.name.endswith(".pyc"))
    assert "dosing.toml" in names and "analysis-rules.csv" in names
    for name in names:
        assert bundled.data_text(name) == data.joinpath(name).read_text("utf-8"), name
        assert Path(bundled.data_file(name)).is_file()


def test_package_files_are_a_folders_own_files_by_name() -> None:
    listed = list(bundled.package_files("fit", (".py",)))
    names = [name for name, _ in listed]
    expected = sorted(
        e.name for e in resources.files("chainfix.fit").iterdir() if e.name.endswith(".py")
    )
    assert names == expected and "__init__.py" in names
    assert (
        dict(listed)["fast.py"] == resources.files("chainfix.fit").joinpath("fast.py").read_bytes()
    )
    top = [name for name, _ in bundled.package_files("", ("model.py", "fingerprint.py"))]
    assert top == ["fingerprint.py", "model.py"]  # the package's own folder; no subfolder


@pytest.fixture
def package_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the chainfix package that the versions are worked out from."""
    copy = tmp_path / "chainfix"
    shutil.copytree(
        bundled.PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    monkeypatch.setattr(bundled, "PACKAGE_DIR", str(copy))
    store.reader_version.cache_clear()
    memo.code_version.cache_clear()
    yield copy
    store.reader_version.cache_clear()
    memo.code_version.cache_clear()


def _versions() -> tuple[str, str]:
    store.reader_version.cache_clear()
    memo.code_version.cache_clear()
    return store.reader_version(), memo.code_version()


def test_the_versions_follow_the_code_and_data_that_make_each_result(package_copy: Path) -> None:
    reader, analysis = _versions()
    (package_copy / "report" / "terminal.py").write_text("# neither reads nor analyses\n")
    (package_copy / "fit" / "__pycache__").mkdir(exist_ok=True)
    (package_copy / "fit" / "__pycache__" / "fast.cpython-312.pyc").write_bytes(b"compiled")
    assert _versions() == (reader, analysis)

    with (package_copy / "fit" / "fast.py").open("a") as handle:
        handle.write("\n# a reader change\n")
    changed_reader, same_analysis = _versions()
    assert changed_reader != reader and same_analysis == analysis

    with (package_copy / "data" / "modifiers.csv").open("a") as handle:
        handle.write("\n")
    reader_now, analysis_now = _versions()
    assert reader_now == changed_reader and analysis_now != analysis

    (package_copy / "model.py").write_text("# the domain types changed\n")
    assert _versions()[0] != changed_reader
