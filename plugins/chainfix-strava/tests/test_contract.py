"""chainfix's source contract, on good, translated and broken exports."""

from __future__ import annotations

import gzip
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from chainfix.testing.contract import check_source
from exportgen import SPANISH_HEADER, Planned, csv_bytes, write_export


def lookalikes(tmp_path: Path) -> list[Path]:
    """Exports that look right from outside and are junk inside."""
    junk_zip = tmp_path / "junk.zip"
    with zipfile.ZipFile(junk_zip, "w") as zf:
        zf.writestr("activities.csv", b"\x00\xff\xfe garbage \x00")
        zf.writestr("activities/1.gpx", b"<!DOCTYPE html><html></html>")
        zf.writestr("activities/2.fit.gz", b"not gzip")
        zf.writestr("activities/3.tcx.gz", b"\x1f\x8b\x08 truncated")
        zf.writestr("activities/4.json", b"{}")
        zf.writestr("../evil.gpx", b"<gpx/>")
    folder = tmp_path / "junk-folder"
    (folder / "activities").mkdir(parents=True)
    (folder / "activities.csv").write_bytes(b'Activity ID,Activity Date\n1,"unterminated\n')
    (folder / "activities" / "1.tcx").write_bytes(b"<TrainingCenterDatabase><Activities>")
    (folder / "activities" / "dangling.gpx").symlink_to(folder / "missing.gpx")
    return [junk_zip, folder]


def test_strava_source_keeps_the_contract(tmp_path: Path, export_zip: Path) -> None:
    folder = write_export(tmp_path / "export", zipped=False)
    spanish = write_export(tmp_path / "es.zip", header=SPANISH_HEADER)
    report = check_source(
        "strava",
        samples=[export_zip, folder, folder / "activities.csv", spanish, *lookalikes(tmp_path)],
        junk_dir=tmp_path,
        forced_read=True,
    )
    assert {a.source for a in report.activities} == {"strava"}
    assert {a.sport for a in report.activities} >= {"running", "cycling", "training", "hiking"}
    junk = [  # track files are parsed by the decoder chainfix runs: their problems come from it
        *report.items[str(tmp_path / "junk.zip")],
        *report.blob_problems.get(str(tmp_path / "junk.zip"), []),
    ]
    assert {(p.member, p.kind) for p in junk if hasattr(p, "kind")} >= {
        ("activities/1.gpx", "corrupt"),
        ("../evil.gpx", "unsafe_archive"),
        ("activities/4.json", "unsupported"),
    }


def test_real_strava_tracks_in_an_export(tmp_path: Path, real_tracks: Path) -> None:
    """Strava's own GPX and gzipped TCX, linked from activities.csv, through the source."""
    root = tmp_path / "export"
    (root / "activities").mkdir(parents=True)
    tcx = (real_tracks / "20160911_run_708752345.tcx").read_bytes()
    (root / "activities" / "708752345.tcx.gz").write_bytes(gzip.compress(tcx, mtime=0))
    gpx = (real_tracks / "20170319_run_906581465.gpx").read_bytes()
    (root / "activities" / "906581465.gpx").write_bytes(gpx)
    tcx_start = datetime(2016, 9, 11, 15, 57, 36, tzinfo=UTC)
    gpx_start = datetime(2017, 3, 19, 16, 49, 30, tzinfo=UTC)
    plan = [
        Planned("708752345", tcx_start, "Bastille", "Trail Run", 4070, 4070, 6106.6,
                "activities/708752345.tcx.gz"),
        Planned("906581465", gpx_start, "Run avec Nico & Mag", "Run", 1958, 1946, 4600.0,
                "activities/906581465.gpx"),
    ]  # fmt: skip
    (root / "activities.csv").write_bytes(csv_bytes(plan))
    report = check_source("strava", samples=[root], junk_dir=tmp_path)
    # each row's summary comes along, attached to its track; chainfix drops it for the track's
    # activity (and keeps it when the track cannot be read)
    recorded = [a for a in report.activities if not a.from_summary]
    assert len(report.activities) == 2 * len(recorded)
    trail, run = sorted(recorded, key=lambda a: a.start_utc)
    assert (trail.start_utc, trail.sub_sport, trail.from_summary) == (tcx_start, "trail", False)
    assert trail.distance_m == 6106.6 and trail.timer_s == 4070 and trail.max_hr == 191
    assert (run.start_utc, run.sport, run.device) == (gpx_start, "running", "StravaGPX Android")
    assert 4400 < (run.distance_m or 0) < 4800 and run.avg_hr and 120 < run.avg_hr < 170
    assert not report.problems
