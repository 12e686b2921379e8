"""Single GPX/TCX files: given directly, or inside a folder chainfix walks (issue 14 item 10)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
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


def _count_parses(monkeypatch) -> dict[str, int]:  # type: ignore[no-untyped-def]
    from chainfix_strava import tracks

    calls = {"gpx": 0, "tcx": 0}
    for kind in calls:
        real = getattr(tracks, f"read_{kind}")

        def counted(data: bytes, _real=real, _kind=kind):  # type: ignore[no-untyped-def]
            calls[_kind] += 1
            return _real(data)

        monkeypatch.setattr(tracks, f"read_{kind}", counted)
    return calls


def test_track_files_are_cached_a_warm_folder_parses_none(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from chainfix.ingest import IngestOptions, IngestStats

    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "hill.gpx").write_text(gpx_text(HILL, "running"))
    (folder / "ride.tcx.gz").write_bytes(gzip.compress(tcx_text(HILL, "Biking").encode()))
    calls = _count_parses(monkeypatch)
    cold_stats, warm_stats = IngestStats(), IngestStats()
    cold = read_history([folder], IngestOptions(workers=1), stats=cold_stats)
    assert calls == {"gpx": 1, "tcx": 1} and cold_stats.decoded == 2
    warm = read_history([folder], IngestOptions(workers=1), stats=warm_stats)
    assert calls == {"gpx": 1, "tcx": 1}  # no track file parsed (nor opened: the folder index)
    assert warm_stats.decoded == 0 and warm_stats.cached == 2
    assert warm.activities == cold.activities and warm.problems == cold.problems
    given = read_history([folder / "hill.gpx"], IngestOptions(workers=1))  # by content, too
    assert calls == {"gpx": 1, "tcx": 1} and len(given.activities) == 1


def test_a_changed_track_file_is_parsed_again(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "hill.gpx"
    path.write_text(gpx_text(HILL, "running"))
    calls = _count_parses(monkeypatch)
    read_history([path])
    path.write_text(gpx_text(HILL, "cycling") + "\n")
    [activity] = read_history([path]).activities
    assert calls["gpx"] == 2 and activity.sport == "cycling"


def test_track_files_decode_in_the_worker_pool_like_serially(tmp_path: Path) -> None:
    from chainfix.ingest import IngestOptions

    paths = []
    for i in range(30):
        planned = Planned(str(i), T0.replace(day=1 + i % 28, hour=i % 24), "Run", "Run", 1800,
                          1800, 4000.0 + i, ascent_m=10, avg_hr=140)  # fmt: skip
        path = tmp_path / f"{i:02d}.{'gpx' if i % 2 else 'tcx'}"
        text = gpx_text(planned, "running") if i % 2 else tcx_text(planned, "Running")
        path.write_text(text)
        paths.append(path)
    serial = read_history(paths, IngestOptions(workers=1, use_cache=False))
    parallel = read_history(paths, IngestOptions(workers=2, use_cache=False))
    assert len(serial.activities) == 30
    assert parallel.activities == serial.activities and parallel.problems == serial.problems


@pytest.mark.parametrize("zipped", [True, False])
def test_a_warm_strava_export_parses_no_track(tmp_path: Path, monkeypatch, zipped: bool) -> None:  # type: ignore[no-untyped-def]
    """Linked GPX/TCX files of an export go through chainfix's decoder pool and cache: the second
    run gives the same history without parsing a track."""
    from chainfix.ingest import IngestOptions, IngestStats
    from exportgen import write_export

    export = write_export(tmp_path / ("export.zip" if zipped else "export"), zipped=zipped)
    calls = _count_parses(monkeypatch)
    cold = read_history([export], IngestOptions(workers=1, source="strava"))
    parsed = dict(calls)
    assert sum(parsed.values()) >= 2
    stats = IngestStats()
    warm = read_history([export], IngestOptions(workers=1, source="strava"), stats=stats)
    assert calls == parsed and stats.cached >= sum(parsed.values())
    assert warm.activities == cold.activities and warm.problems == cold.problems
