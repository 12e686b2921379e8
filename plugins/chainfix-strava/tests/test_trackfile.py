"""Single GPX/TCX files: given directly, or inside a folder chainfix walks (issue 14 item 10)."""

from __future__ import annotations

import gzip
from pathlib import Path

from chainfix.ingest import read_history
from exportgen import T0, Planned, gpx_text, tcx_text

HILL = Planned("1", T0, "Hill & back", "Trail Run", 1800, 1800, 4000.0, ascent_m=100, avg_hr=140)


def test_track_files_in_a_folder_become_activities(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "hill.gpx").write_text(gpx_text(HILL, "running"))
    (folder / "ride.tcx.gz").write_bytes(gzip.compress(tcx_text(HILL, "Biking").encode()))
    history = read_history([folder])
    assert sorted(a.sport for a in history.activities) == ["cycling", "running"]
    assert not [p for p in history.problems if p.kind == "unsupported"]


def test_a_single_track_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "hill.gpx"
    path.write_text(gpx_text(HILL, "running"))
    [activity] = read_history([path]).activities
    assert activity.distance_m is not None and abs(activity.distance_m - 4000) < 20


def test_a_broken_track_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "broken.gpx").write_text("<gpx><trk><trkseg><trkpt lat=")
    history = read_history([folder])
    assert not history.activities
    assert [p.file for p in history.problems] == [str(folder / "broken.gpx")]


def test_gpx_tcx_source_keeps_the_contract(tmp_path: Path) -> None:
    from chainfix.testing.contract import check_source

    good = tmp_path / "hill.gpx"
    good.write_text(gpx_text(HILL, "running"))
    tcx = tmp_path / "ride.tcx.gz"
    tcx.write_bytes(gzip.compress(tcx_text(HILL, "Biking").encode()))
    broken = tmp_path / "broken.tcx"
    broken.write_text("<TrainingCenterDatabase><Activities>")
    report = check_source(
        "gpx-tcx", samples=[good, tcx, broken], junk_dir=tmp_path / "junk", forced_read=True
    )
    assert {a.sport for a in report.activities} == {"running", "cycling"}
