"""chainfix's source contract, on good, partial and hostile exports."""

from __future__ import annotations

import zipfile
from pathlib import Path

from chainfix.testing.contract import check_source
from healthgen import header, write_export


def lookalikes(tmp_path: Path) -> list[Path]:
    """Exports that look right from outside and are junk (or an attack) inside."""
    bomb = tmp_path / "laughs.xml"
    bomb.write_bytes(
        b'<?xml version="1.0"?>\n<!DOCTYPE HealthData [\n<!ENTITY a "aaaaaaaaaa">\n'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n]>\n<HealthData locale="en">&b;'
        b"</HealthData>\n"
    )
    cut = tmp_path / "cut.zip"
    with zipfile.ZipFile(cut, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("apple_health_export/export.xml", header() + ' <Workout workoutActivityType="')
        zf.writestr("../evil.gpx", b"<gpx/>")
    folder = tmp_path / "junk-export"
    (folder / "apple_health_export" / "workout-routes").mkdir(parents=True)
    (folder / "apple_health_export" / "export.xml").write_text(header() + " <Workout/>\n")
    (folder / "apple_health_export" / "workout-routes" / "x.gpx").symlink_to(folder / "gone")
    return [bomb, cut, folder]


def test_apple_health_source_keeps_the_contract(
    tmp_path: Path, export_zip: Path, export_folder: Path
) -> None:
    spanish = write_export(tmp_path / "es", zipped=False, xml_name="exportación.xml")
    report = check_source(
        "apple-health",
        samples=[
            export_zip,
            export_folder,
            export_folder / "apple_health_export" / "export.xml",
            spanish,
            *lookalikes(tmp_path),
        ],
        junk_dir=tmp_path,
        forced_read=True,
    )
    assert {a.source for a in report.activities} == {"apple-health"}
    assert {a.sport for a in report.activities} >= {"running", "cycling", "training", "hiking"}
    (laughs,) = report.items[str(tmp_path / "laughs.xml")]
    assert "entity" in laughs.message  # type: ignore[union-attr]
    cut = report.items[str(tmp_path / "cut.zip")]
    assert [p.kind for p in cut] == ["truncated"]  # type: ignore[union-attr]


def test_an_export_zipped_inside_a_folder_is_found(tmp_path: Path) -> None:
    """A user who unzipped and zipped again adds a folder level (and macOS adds __MACOSX/)."""
    from healthgen import default_plan, write_xml

    target = tmp_path / "again.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("__MACOSX/Export/apple_health_export/._export.xml", b"\x00\x05\x16\x07junk")
        with zf.open("Export/apple_health_export/export.xml", "w") as fh:
            write_xml(fh, default_plan())
    report = check_source("apple-health", samples=[target])
    assert len(report.activities) == len(default_plan().workouts)
    assert {a.origin.member for a in report.activities} == {"Export/apple_health_export/export.xml"}
