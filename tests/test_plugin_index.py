"""The installed plugins' entry points, remembered between runs: found again whenever an install
changes (a distribution added, upgraded or removed, an entry_points.txt rewritten, a new folder on
sys.path), never trusted when damaged, and the same list importlib.metadata gives."""

from __future__ import annotations

import json
import os
import time
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from chainfix import plugin_index
from chainfix.paths import plugin_index_path


def dist(root: Path, name: str, version: str = "0.1", group: str = "chainfix") -> Path:
    info = root / f"{name}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (info / "entry_points.txt").write_text(f"[{group}]\n{name} = {name}_mod:plugin\n")
    return info


def age(*paths: Path) -> None:
    """Date files and folders back a minute (a later change then shows in their times)."""
    old = time.time() - 60
    for path in paths:
        os.utime(path, (old, old))


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder on sys.path, whose files count as settled (a test cannot date a ctime back)."""
    monkeypatch.setattr(plugin_index, "RACY_NS", -(10**12))
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    return root


def names() -> list[str]:
    return [e.name for e in plugin_index.plugin_entries()]


def expected() -> list[str]:
    return [ep.name for ep in entry_points(group="chainfix")]


def test_the_list_is_importlib_metadata_s_and_remembered(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = dist(site, "cf_one")
    age(info / "entry_points.txt", info, site)
    assert names() == expected() and "cf_one" in names()
    assert plugin_index_path().is_file()
    assert plugin_index_path().stat().st_mode & 0o777 == 0o600

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("searched again")

    monkeypatch.setattr(plugin_index, "_discover", refuse)
    entries = plugin_index.plugin_entries()
    assert [e.name for e in entries] == expected()
    one = next(e for e in entries if e.name == "cf_one")
    assert (one.value, one.distribution, one.version) == ("cf_one_mod:plugin", "cf_one", "0.1")


def test_an_install_an_upgrade_and_a_removal_are_seen(site: Path) -> None:
    age(site)
    assert "cf_two" not in names()
    info = dist(site, "cf_two")
    assert "cf_two" in names()  # a new .dist-info folder: the folder's time changed
    age(info / "entry_points.txt", info, site)
    names()
    info.rename(site / "cf_two-0.2.dist-info")  # an upgrade: pip replaces the folder
    (site / "cf_two-0.2.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: cf_two\nVersion: 0.2\n"
    )
    entry = next(e for e in plugin_index.plugin_entries() if e.name == "cf_two")
    assert entry.version == "0.2"
    for child in (site / "cf_two-0.2.dist-info").iterdir():
        child.unlink()
    (site / "cf_two-0.2.dist-info").rmdir()
    assert "cf_two" not in names()


def test_an_entry_points_file_rewritten_in_place_is_seen(site: Path) -> None:
    info = dist(site, "cf_three")
    age(info / "entry_points.txt", info, site)
    assert "cf_three" in names()
    # rewritten in place: the folders' times stay as they were, only the file's own tell
    (info / "entry_points.txt").write_text("[chainfix]\ncf_three_renamed = cf_three_mod:plugin\n")
    assert "cf_three_renamed" in names() and "cf_three" not in names()


def test_recent_changes_are_not_remembered(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plugin_index, "RACY_NS", 2_000_000_000)
    dist(site, "cf_four")  # just written: within the racy window
    assert "cf_four" in names()
    assert not plugin_index_path().exists()


@pytest.mark.parametrize(
    "damage",
    [
        "not json",
        '{"lists": 1}',
        '{"lists": [{"stamp": 1}]}',
        '{"lists": [{"stamp": [], "files": [], "entries": [[1, 2, 3, 4]]}]}',
    ],
)
def test_a_damaged_list_is_never_trusted(site: Path, damage: str) -> None:
    info = dist(site, "cf_five")
    age(info / "entry_points.txt", info, site)
    names()
    plugin_index_path().write_text(damage)
    assert names() == expected()


def test_a_forged_list_with_the_right_stamp_is_still_checked_for_shape(site: Path) -> None:
    info = dist(site, "cf_six")
    age(info / "entry_points.txt", info, site)
    names()
    data = json.loads(plugin_index_path().read_text())
    data["lists"][-1]["entries"] = [["cf_six", None, None, None]]
    plugin_index_path().write_text(json.dumps(data))
    assert names() == expected()


def test_load_follows_the_entry_point_value(site: Path) -> None:
    (site / "cf_seven_mod.py").write_text("class Outer:\n    class Inner:\n        x = 7\n")
    entry = plugin_index.PluginEntry("cf_seven", "cf_seven_mod:Outer.Inner [extra]")
    assert entry.load().x == 7


def test_each_sys_path_keeps_its_own_list(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``python -m chainfix`` and the ``chainfix`` script see different sys.path lists: both
    are remembered, neither pushes the other out."""
    info = dist(site, "cf_eight")
    age(info / "entry_points.txt", info, site)
    other = site.parent / "other"
    other.mkdir()
    names()
    with monkeypatch.context() as m:
        m.syspath_prepend(str(other))
        names()

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("searched again")

    monkeypatch.setattr(plugin_index, "_discover", refuse)
    assert "cf_eight" in names()
    with monkeypatch.context() as m:
        m.syspath_prepend(str(other))
        assert "cf_eight" in names()
