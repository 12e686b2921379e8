"""Hostile and broken exports: a named ReadProblem, never a traceback, and the rest still read."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from chainfix.api import Activity, Limits, ReadOptions, ReadProblem
from healthgen import FOOTER, Plan, _workout_xml, default_plan, header, write_export, write_xml

from chainfix_apple_health import scan
from chainfix_apple_health.export import read

LAUGHS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE HealthData [\n'
    '<!ENTITY lol "lol">\n'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + ']>\n<HealthData locale="en_US">&lol9;</HealthData>\n'
)


def items_of(path: Path, options: ReadOptions | None = None) -> list[object]:
    return list(read(path, options or ReadOptions()))


def problems(items: list[object]) -> list[ReadProblem]:
    return [i for i in items if isinstance(i, ReadProblem)]


def activities(items: list[object]) -> list[Activity]:
    return [i for i in items if isinstance(i, Activity)]


def full_xml(plan: Plan | None = None) -> bytes:
    buf = io.BytesIO()
    write_xml(buf, plan or default_plan(), filler_bytes=256 * 1024)
    return buf.getvalue()


def xml_file(tmp_path: Path, data: bytes, name: str = "export.xml") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("doc", "words"),
    [
        (LAUGHS, "entity declarations are refused"),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE HealthData [\n<!ENTITY xxe SYSTEM '
            '"file:///etc/passwd">\n]>\n<HealthData locale="en">&xxe;</HealthData>\n',
            "declares the entity 'xxe'",
        ),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE HealthData SYSTEM "http://example.com/h.dtd">\n'
            '<HealthData locale="en"></HealthData>\n',
            "external DTD",
        ),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE HealthData [\n<!ENTITY % p SYSTEM '
            '"http://example.com/p.dtd">\n%p;\n]>\n<HealthData locale="en"></HealthData>\n',
            "declares the entity 'p'",
        ),
    ],
)
def test_entity_attacks_are_refused_by_name(tmp_path: Path, doc: str, words: str) -> None:
    path = xml_file(tmp_path, doc.encode())
    items = items_of(path)
    (problem,) = items
    assert isinstance(problem, ReadProblem)
    assert problem.file == str(path) and problem.kind == "corrupt" and words in problem.message


def test_the_real_doctype_with_attlists_parses(tmp_path: Path) -> None:
    path = xml_file(tmp_path, full_xml())
    items = items_of(path)
    assert len(activities(items)) == len(default_plan().workouts)
    assert "<!ATTLIST Workout" in header()


def test_deep_nesting_costs_only_its_workout(tmp_path: Path) -> None:
    plan = default_plan()
    deep = _workout_xml(plan.workouts[0]).replace(
        "  <MetadataEntry", "<a>" * 50_000 + "</a>" * 50_000 + "  <MetadataEntry", 1
    )
    data = full_xml().replace(_workout_xml(plan.workouts[0]).encode(), deep.encode())
    items = items_of(xml_file(tmp_path, data))
    assert len(activities(items)) == len(plan.workouts) - 1
    (bad,) = [p for p in problems(items) if p.severity == "error"]
    assert bad.kind == "corrupt" and "nested more than 8 levels deep" in bad.message


def test_an_undefined_entity_costs_only_its_workout(tmp_path: Path) -> None:
    plan = default_plan()
    first = _workout_xml(plan.workouts[0])
    data = full_xml().replace(first.encode(), first.replace("Alex", "&boom;").encode())
    items = items_of(xml_file(tmp_path, data))
    assert len(activities(items)) == len(plan.workouts) - 1
    assert any("undefined entity" in p.message for p in problems(items))


@pytest.mark.parametrize("where", ["workout", "records"])
def test_a_truncated_file_keeps_what_came_before(tmp_path: Path, where: str) -> None:
    data = full_xml()
    plan = default_plan()
    if where == "workout":
        cut = data.index(b"<Workout", data.index(b"HKWorkoutActivityTypeCycling")) + 200
    else:
        cut = data.index(b"<ActivitySummary") + 30
    items = items_of(xml_file(tmp_path, data[:cut]))
    acts = activities(items)
    assert (
        0 < len(acts) < len(plan.workouts)
        if where == "workout"
        else len(acts) == len(plan.workouts)
    )
    (cut_problem,) = [p for p in problems(items) if p.kind == "truncated"]
    assert cut_problem.severity == "warning"
    assert (
        "inside a Workout" if where == "workout" else "before </HealthData>"
    ) in cut_problem.message


def test_utf16_and_unknown_encodings_are_named(tmp_path: Path) -> None:
    text = full_xml().decode()
    utf16 = xml_file(
        tmp_path, text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    )
    (p16,) = items_of(utf16)
    assert isinstance(p16, ReadProblem) and p16.kind == "unsupported" and "UTF-16" in p16.message
    sjis = xml_file(
        tmp_path, text.replace('encoding="UTF-8"', 'encoding="Shift_JIS"').encode(), "s.xml"
    )
    (pj,) = items_of(sjis)
    assert isinstance(pj, ReadProblem) and "'Shift_JIS'" in pj.message


def test_latin1_bytes_in_a_utf8_export_cost_only_their_workout(tmp_path: Path) -> None:
    plan = default_plan()
    first = _workout_xml(plan.workouts[0])
    bad = first.replace("Alex\u2019s", "J\u00f6rg's").encode("latin-1", "replace")
    data = full_xml().replace(first.encode(), bad)
    items = items_of(xml_file(tmp_path, data))
    assert len(activities(items)) == len(plan.workouts) - 1
    assert any("not UTF-8 (a wrong encoding?)" in p.message for p in problems(items))


def test_an_oversized_workout_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan, "MAX_ELEMENT", 64 * 1024)
    monkeypatch.setattr(scan, "CHUNK", 16 * 1024)
    plan = default_plan()
    first = _workout_xml(plan.workouts[0])
    huge = first.replace(
        "  <MetadataEntry", '  <MetadataEntry key="x" value="y"/>\n' * 5000 + "  <MetadataEntry", 1
    )
    data = full_xml().replace(first.encode(), huge.encode())
    items = items_of(xml_file(tmp_path, data))
    assert len(activities(items)) == len(plan.workouts) - 1
    assert any("larger than" in p.message and p.kind == "bad_value" for p in problems(items))


def test_not_an_export_and_empty(tmp_path: Path) -> None:
    (empty,) = items_of(xml_file(tmp_path, b"", "empty.xml"))
    assert isinstance(empty, ReadProblem) and empty.kind == "empty"
    (other,) = items_of(xml_file(tmp_path, b'<?xml version="1.0"?><gpx></gpx>', "other.xml"))
    assert isinstance(other, ReadProblem) and "not an Apple Health export" in other.message


def test_a_zip_bomb_ratio_is_refused(tmp_path: Path, export_zip: Path) -> None:
    (bomb,) = items_of(export_zip, ReadOptions(limits=Limits(max_ratio=2.0)))
    assert isinstance(bomb, ReadProblem) and bomb.kind == "unsafe_archive"
    assert bomb.member == "apple_health_export/export.xml"


def test_a_damaged_zip_member_keeps_the_workouts_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scan, "CHUNK", 64 * 1024)
    good = write_export(tmp_path / "good.zip", filler_bytes=4 * 1024**2)
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo("apple_health_export/export.xml")
    at = info.header_offset + 30 + len(info.filename) + info.compress_size * 3 // 4
    data[at : at + 64] = bytes(64)
    broken = tmp_path / "broken.zip"
    broken.write_bytes(bytes(data))
    items = items_of(broken)
    assert any(p.kind == "bad_archive" and p.member == info.filename for p in problems(items))
    assert 0 < len(activities(items)) < len(default_plan().workouts)


def test_a_route_path_that_climbs_out_is_refused(tmp_path: Path) -> None:
    plan = default_plan()
    first = _workout_xml(plan.workouts[0])
    evil = first.replace('path="/workout-routes/', 'path="/../../../etc/')
    root = write_export(tmp_path / "folder", zipped=False)
    xml = root / "apple_health_export" / "export.xml"
    xml.write_bytes(xml.read_bytes().replace(first.encode(), evil.encode()))
    items = items_of(root)
    assert len(activities(items)) == len(plan.workouts)
    assert any(
        "out of the export" in p.message and p.severity == "warning" for p in problems(items)
    )


@pytest.mark.parametrize("chunk", [7, 61, 1000, 8191])
def test_chunk_boundaries_change_nothing(tmp_path: Path, chunk: int) -> None:
    """Elements cut by every possible read boundary are still found whole."""
    data = (
        header().encode()
        + b"".join(_workout_xml(p).encode() for p in default_plan().workouts)
        + full_xml()[len(header()) :]
    )
    whole = [
        (f.kind, f.offset, f.data)
        for f in scan.XmlScan(io.BytesIO(data))
        if isinstance(f, scan.Found)
    ]
    cut = [
        (f.kind, f.offset, f.data)
        for f in scan.XmlScan(io.BytesIO(data), chunk=chunk)
        if isinstance(f, scan.Found)
    ]
    assert cut == whole
    assert sum(k == "workout" for k, _, _ in whole) == 2 * len(default_plan().workouts)
    assert sum(k == "stand" for k, _, _ in whole) == sum(
        s + i for _, s, i in default_plan().stand_days
    )
    assert data.endswith(FOOTER.encode())


def test_a_dangling_route_link_costs_nothing_but_its_route(tmp_path: Path) -> None:
    root = write_export(tmp_path / "folder", zipped=False)
    routes = root / "apple_health_export" / "workout-routes"
    (routes / "route_2024-05-12_7.41am.gpx").unlink()
    (routes / "route_2024-05-12_7.41am.gpx").symlink_to(tmp_path / "gone.gpx")
    items = items_of(root)
    assert len(activities(items)) == len(default_plan().workouts)
    (missing,) = [p for p in problems(items) if "route" in p.message]
    assert missing.severity == "warning" and "climb unknown" in missing.message


def test_a_declared_latin1_export_is_read(tmp_path: Path) -> None:
    text = full_xml().decode().replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
    data = text.replace("Alex\u2019s", "J\u00f6rg's").encode("latin-1")
    items = items_of(xml_file(tmp_path, data))
    assert len(activities(items)) == len(default_plan().workouts)
    assert not [p for p in problems(items) if p.kind == "corrupt" or p.severity == "error"]
