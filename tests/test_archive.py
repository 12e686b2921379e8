"""The zip walker: streaming, nested zips, and the safety limits."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from chainfix.model import ReadProblem
from chainfix.sources.archive import Member, walk_zip
from chainfix.sources.base import Limits


def build_zip(entries: list[tuple[str | zipfile.ZipInfo, bytes]], compression: int = 8) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return buf.getvalue()


def walk(data: bytes, tmp_path: Path, limits: Limits | None = None) -> list[Member | ReadProblem]:
    zf = zipfile.ZipFile(io.BytesIO(data))
    return list(walk_zip(zf, "export.zip", limits or Limits(), str(tmp_path)))


def problems(items: list[Member | ReadProblem]) -> list[ReadProblem]:
    return [i for i in items if isinstance(i, ReadProblem)]


def members(items: list[Member | ReadProblem]) -> dict[str, bytes]:
    return {i.path: i.load() for i in items if isinstance(i, Member)}


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_nested_zip_members_are_streamed(tmp_path: Path, compression: int) -> None:
    inner = build_zip([("a.fit", b"A" * 100), ("b.fit", b"B" * 50)])
    outer = build_zip(
        [("DI_CONNECT/x/UploadedFiles_0-_Part1.zip", inner), ("top.json", b"[]")], compression
    )
    got = members(walk(outer, tmp_path))
    assert got == {
        "DI_CONNECT/x/UploadedFiles_0-_Part1.zip!/a.fit": b"A" * 100,
        "DI_CONNECT/x/UploadedFiles_0-_Part1.zip!/b.fit": b"B" * 50,
        "top.json": b"[]",
    }
    assert list(tmp_path.iterdir()) == []  # nothing extracted to disk


@pytest.mark.parametrize(
    "name, why",
    [("../evil.fit", "'..'"), ("/etc/evil.fit", "absolute"), ("a/../../evil.fit", "'..'")],
)
def test_unsafe_member_names_are_refused(tmp_path: Path, name: str, why: str) -> None:
    items = walk(build_zip([(name, b"x"), ("ok.fit", b"y")]), tmp_path)
    (problem,) = problems(items)
    assert problem.kind == "unsafe_archive" and why in problem.message and problem.member == name
    assert members(items) == {"ok.fit": b"y"}


def test_symlink_member_is_refused(tmp_path: Path) -> None:
    info = zipfile.ZipInfo("link.fit")
    info.external_attr = 0o120777 << 16
    items = walk(build_zip([(info, b"/etc/passwd"), ("ok.fit", b"y")]), tmp_path)
    assert [p.kind for p in problems(items)] == ["unsafe_archive"]
    assert "symbolic link" in problems(items)[0].message


def test_zip_bomb_ratio_is_refused(tmp_path: Path) -> None:
    items = walk(build_zip([("bomb.fit", b"\0" * 5_000_000), ("ok.fit", b"y")]), tmp_path)
    (problem,) = problems(items)
    assert problem.kind == "unsafe_archive" and "ratio" in problem.message
    assert "ok.fit" in members(items)


def test_member_size_limit(tmp_path: Path) -> None:
    data = bytes(range(256)) * 100
    items = walk(build_zip([("big.fit", data)], 0), tmp_path, Limits(max_member_bytes=1000))
    (problem,) = problems(items)
    assert problem.kind == "unsafe_archive" and "1,000" in problem.message


def test_too_many_members(tmp_path: Path) -> None:
    items = walk(
        build_zip([(f"{i}.fit", b"x") for i in range(20)]), tmp_path, Limits(max_members=10)
    )
    (problem,) = problems(items)
    assert "20 members" in problem.message and not members(items)


def test_nesting_depth_limit(tmp_path: Path) -> None:
    data = build_zip([("deep.fit", b"d")])
    for level in range(5):
        data = build_zip([(f"level{level}.zip", data)])
    items = walk(data, tmp_path, Limits(max_depth=3))
    (problem,) = problems(items)
    assert "nested deeper than 3" in problem.message


def test_duplicate_member_names(tmp_path: Path) -> None:
    with pytest.warns(UserWarning):
        data = build_zip([("a.fit", b"1"), ("a.fit", b"2")])
    items = walk(data, tmp_path)
    assert [p.kind for p in problems(items)] == ["duplicate"]
    assert members(items) == {"a.fit": b"1"}


def test_encrypted_member_is_reported(tmp_path: Path) -> None:
    info = zipfile.ZipInfo("secret.fit")
    data = bytearray(build_zip([(info, b"x" * 10)], 0))
    # set the "encrypted" flag bit in the local and central headers
    data[6] |= 1
    central = data.rfind(b"PK\x01\x02")
    data[central + 8] |= 1
    items = walk(bytes(data), tmp_path)
    (problem,) = problems(items)
    assert problem.kind == "bad_archive" and "encrypted" in problem.message


def test_corrupt_nested_zip_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    items = walk(
        build_zip([("UploadedFiles_0-_Part1.zip", b"PK\x03\x04garbage"), ("ok.fit", b"y")]),
        tmp_path,
    )
    assert [p.kind for p in problems(items)] == ["bad_archive"]
    assert members(items) == {"ok.fit": b"y"}
