"""GPX and TCX tracks: values, smoothing, hostile XML, and Strava's real files."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from exportgen import T0, Planned, gpx_text, tcx_text

from chainfix_strava import tracks

HILL = Planned("1", T0, "Hill & back", "Trail Run", 1800, 1800, 4000.0, ascent_m=100, avg_hr=140)


def test_gpx_summary() -> None:
    track = tracks.read_gpx(gpx_text(HILL).encode())
    assert track.start == T0 and track.elapsed_s == 1800 and track.timer_s == 1800
    assert track.distance_m == pytest.approx(4000, rel=0.002)
    assert track.ascent_m == pytest.approx(100, abs=2) and track.descent_m == pytest.approx(
        100, abs=2
    )
    assert track.avg_hr == 140 and track.max_hr == 140 and track.avg_cadence == 85
    assert track.sport_hint == "9" and track.device == "StravaGPX" and track.points == 361


def test_tcx_with_strava_blanks_before_the_declaration() -> None:
    text = tcx_text(HILL, "Running")
    assert text.startswith("  ")
    track = tracks.read_tcx(text.encode())
    assert (track.start, track.timer_s, track.distance_m) == (T0, 1800, 4000)
    assert track.ascent_m == pytest.approx(100, abs=2) and track.avg_hr == 140
    assert track.sport_hint == "Running" and track.device == "Garmin Edge 530"


def test_pauses_and_standing_still_are_not_moving_time() -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    points = [
        tracks.Point(start + timedelta(seconds=s), 45 + s * 1e-5, 5.0) for s in range(0, 600, 5)
    ]
    paused = [tracks.Point(p.time + timedelta(seconds=900), p.lat, p.lon) for p in points]
    standing = [
        tracks.Point(start + timedelta(seconds=2000 + s), 46.0, 5.0) for s in range(0, 300, 5)
    ]
    track = tracks.summarise("gpx", points + paused + standing)
    assert track.elapsed_s == 2295
    assert track.timer_s == pytest.approx(595 * 2, abs=5)


def test_noise_does_not_climb() -> None:
    noisy = [200 + (0.8 if i % 2 else -0.8) for i in range(500)]
    assert tracks.climb(noisy) == (0.0, 0.0)
    ramp = [200 + i * 0.5 for i in range(201)]
    ascent, descent = tracks.climb(ramp) or (0, 0)
    assert ascent == pytest.approx(100, abs=2) and descent == 0


@pytest.mark.parametrize("reader", [tracks.read_gpx, tracks.read_tcx], ids=["gpx", "tcx"])
@pytest.mark.parametrize(
    "data, kind, words",
    [
        (b"", "empty", "empty"),
        (b"   \n ", "empty", "empty"),
        (b"<!DOCTYPE html><html><body>Log in</body></html>", "corrupt", "HTML"),
        (b"\x00\x01binary", "corrupt", "no XML"),
        (b'<?xml version="1.0"?><gpx><trk><trkseg><trkpt lat="1"', "corrupt", ""),
    ],
)
def test_bad_files_raise_track_errors(reader, data: bytes, kind: str, words: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(tracks.TrackError) as info:
        reader(data)
    assert info.value.kind == kind and words in info.value.message


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<{root}><trk><name>&lol3;</name></trk></{root}>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><{root}>&xxe;</{root}>"""


@pytest.mark.parametrize("template", [BILLION_LAUGHS, EXTERNAL], ids=["entities", "external"])
@pytest.mark.parametrize(
    "reader, root",
    [(tracks.read_gpx, b"gpx"), (tracks.read_tcx, b"TrainingCenterDatabase")],
    ids=["gpx", "tcx"],
)
def test_document_type_declarations_are_refused(reader, root: bytes, template: bytes) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(tracks.TrackError) as info:
        reader(template.replace(b"{root}", root))
    assert "DTD" in info.value.message


def test_gpx_without_timed_points() -> None:
    route = b'<?xml version="1.0"?><gpx version="1.1"><rte><rtept lat="1" lon="2"/></rte></gpx>'
    with pytest.raises(tracks.TrackError) as info:
        tracks.read_gpx(route)
    assert info.value.kind == "no_session"


def test_tcx_laps_without_trackpoints_still_give_a_summary() -> None:
    text = (
        '<TrainingCenterDatabase><Activities><Activity Sport="Biking"><Lap StartTime='
        '"2025-07-01T06:30:00Z"><TotalTimeSeconds>3600</TotalTimeSeconds><DistanceMeters>30000'
        "</DistanceMeters><AverageHeartRateBpm><Value>130</Value></AverageHeartRateBpm></Lap>"
        "</Activity></Activities></TrainingCenterDatabase>"
    )
    track = tracks.read_tcx(text.encode())
    assert (track.start, track.timer_s, track.distance_m, track.avg_hr) == (T0, 3600, 30000, 130)


def test_not_a_tcx_root() -> None:
    with pytest.raises(tracks.TrackError, match="TrainingCenterDatabase"):
        tracks.read_tcx(b"<gpx><TrainingCenterDatabase/></gpx>")


def test_real_strava_tcx(real_tracks: Path) -> None:
    track = tracks.read_tcx((real_tracks / "20160911_run_708752345.tcx").read_bytes())
    assert track.start == datetime(2016, 9, 11, 15, 57, 36, tzinfo=UTC)
    assert track.timer_s == 4070 and track.distance_m == pytest.approx(6106.6)
    assert track.max_hr == 191 and track.avg_hr == pytest.approx(157, abs=2)  # the lap says 157
    assert track.points == 1495 and track.sport_hint == "Running"
    assert 300 < (track.ascent_m or 0) < 500 and 300 < (track.descent_m or 0) < 500


def test_real_strava_gpx(real_tracks: Path) -> None:
    data = (real_tracks / "20170319_run_906581465.gpx").read_bytes()
    track = tracks.read_gpx(data)
    assert track.start == datetime(2017, 3, 19, 16, 49, 30, tzinfo=UTC)
    assert track.points == 1038 and track.device == "StravaGPX Android"
    assert 4400 < (track.distance_m or 0) < 4800
    assert 1800 < track.timer_s <= track.elapsed_s
    assert 120 < (track.avg_hr or 0) < 170 and track.max_hr == 176
    assert 20 < (track.ascent_m or 0) < 80
    assert tracks.read_gpx(gzip.decompress(gzip.compress(data))) == track
