"""The FIT profile tables kept as literals (:mod:`chainfix.fit.profile_tables`) are
python-fitparse's profile, used only while the installed profile is the one they were made from."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from chainfix.fit import profile, profile_tables

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def fresh_tables() -> Iterator[None]:
    profile.tables.cache_clear()
    yield
    profile.tables.cache_clear()


def test_the_generated_tables_are_the_installed_profiles(fresh_tables: None) -> None:
    if profile.installed_profile_crc() != profile_tables.SOURCE_CRC:
        pytest.skip("python-fitparse's profile changed: run scripts/make_fit_profile.py")
    assert profile.tables() == profile.tables_from_fitparse()
    assert profile.tables().messages is profile_tables.MESSAGES
    check = [sys.executable, str(ROOT / "scripts/make_fit_profile.py"), "--check"]
    done = subprocess.run(check, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_another_installed_profile_is_read_directly(
    fresh_tables: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(profile_tables, "SOURCE_CRC", -1)
    tables = profile.tables()
    assert tables.messages is not profile_tables.MESSAGES
    assert tables == profile.tables_from_fitparse()


def _modules_after_reading(path: Path) -> tuple[int, list[str]]:
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from chainfix.fit import read_fit\n"
        "from chainfix.model import Origin\n"
        f"read = read_fit(Path({str(path)!r}).read_bytes(), Origin('x.fit'))\n"
        "print(json.dumps([len(read.activities), read.reader, sorted(sys.modules)]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    count, reader, modules = json.loads(done.stdout)
    return count, [reader, *modules]


def test_reading_a_plainly_valid_file_does_not_import_python_fitparse(tmp_path: Path) -> None:
    valid = sorted((ROOT / "sample_exports/fit-folder").glob("*.fit"))[0]
    count, (reader, *modules) = _modules_after_reading(valid)
    assert count == 1 and reader == "fast"
    assert not [m for m in modules if m == "fitparse" or m.startswith("fitparse.")]
    damaged = tmp_path / "truncated.fit"
    data = valid.read_bytes()
    damaged.write_bytes(data[: len(data) * 6 // 10])  # the full decoder (python-fitparse) decides
    _, (reader, *modules) = _modules_after_reading(damaged)
    assert reader == "full" and "fitparse" in modules
