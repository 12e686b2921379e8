"""The strava source on generated exports: zip and folder, linking, problems, ingest."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from chainfix import plugins
from chainfix.ingest import IngestOptions, choose_source, read_history
from chainfix.model import Activity, ReadProblem
from chainfix.sources.base import FitBlob, ReadOptions
from exportgen import (
    ORPHAN_START,
    PLAN,
    SPANISH_HEADER,
    T0,
    UNKNOWN_HEADER,
    english_date,
    export_files,
    german_date,
    write_export,
)

from chainfix_strava.detect import can_open, zip_prefix
from chainfix_strava.export import read


def items(path: Path) -> list[Activity | ReadProblem | FitBlob]:
    return list(read(path, ReadOptions()))


def problems(path: Path) -> list[ReadProblem]:
    return [i for i in items(path) if isinstance(i, ReadProblem)]


def history(*paths: Path):  # type: ignore[no-untyped-def]
    return read_history(list(paths), IngestOptions(workers=1, use_cache=False))


def test_the_strava_source_is_chosen_for_exports(export_zip: Path, export_folder: Path) -> None:
    for path in (export_zip, export_folder, export_folder / "activities.csv"):
        chosen = choose_source(path, plugins.sources(), None)
        assert chosen is not None and chosen.name == "strava", path


def test_can_open_needs_activities_csv_beside_activities(tmp_path: Path) -> None:
    export = tmp_path / "export_1"
    (export / "activities").mkdir(parents=True)
    (tmp_path / "other").mkdir()
    assert not can_open(export) and not can_open(tmp_path)
    (export / "ACTIVITIES.CSV").write_text("Activity ID\n")
    assert can_open(export) and can_open(export / "ACTIVITIES.CSV")
    assert can_open(tmp_path)  # the folder holding one unzipped export
    write_export(tmp_path / "export_2", zipped=False)
    assert not can_open(tmp_path)  # two exports: give each one by name
    assert zip_prefix(["activities.csv", "activities/1.gpx"]) == ""
    assert zip_prefix(["export_1/activities.csv", "export_1/activities/1.gpx"]) == "export_1/"
    assert zip_prefix(["activities.csv", "routes/1.gpx"]) is None
    assert zip_prefix(["a/b/activities.csv", "a/b/activities/1.gpx"]) is None
    garmin = tmp_path / "garmin.zip"
    with zipfile.ZipFile(garmin, "w") as zf:
        zf.writestr("DI_CONNECT/DI-Connect-Fitness/x_summarizedActivities.json", "[]")
    assert not can_open(garmin)


@pytest.mark.parametrize("zipped", [True, False], ids=["zip", "folder"])
def test_whole_export_through_chainfix(tmp_path: Path, zipped: bool) -> None:
    path = write_export(tmp_path / ("e.zip" if zipped else "e"), zipped=zipped)
    h = history(path)
    by_day = {a.start_utc.date(): a for a in h.activities}
    assert len(h.activities) == 12  # 13 rows - bad date - duplicate + the unlinked GPX
    run = by_day[T0.date()]
    assert (run.source, run.from_summary, run.sport) == ("strava", False, "running")
    assert run.origin.member == "activities/11111.fit.gz" or run.origin.path.endswith(
        "11111.fit.gz"
    )
    trail = by_day[PLAN[1].start.date()]
    assert (trail.sport, trail.sub_sport, trail.avg_hr) == ("running", "trail", 140)
    assert trail.ascent_m == pytest.approx(100, abs=2)
    ride = by_day[PLAN[2].start.date()]
    assert (ride.sport, ride.sub_sport, ride.distance_m) == ("cycling", "road", 10000)
    gym = by_day[PLAN[3].start.date()]
    assert (gym.sport, gym.sub_sport, gym.timer_s, gym.from_summary) == (
        "training", "strength_training", 2700, True)  # fmt: skip
    zwift = by_day[PLAN[5].start.date()]
    assert (zwift.sub_sport, zwift.from_summary, zwift.distance_m) == ("virtual_activity", False,
                                                                       30000)  # fmt: skip
    assert by_day[PLAN[8].start.date()].sport == "hiking"  # its file is missing: the CSV row
    assert by_day[PLAN[9].start.date()].from_summary  # HTML instead of GPX: the CSV row
    cut = by_day[PLAN[10].start.date()]
    assert cut.from_summary and cut.distance_m == 5500  # truncated FIT: the CSV row
    assert by_day[PLAN[11].start.date()].sport == "generic"  # Quidditch
    orphan = by_day[ORPHAN_START.date()]
    assert (orphan.sport, orphan.from_summary) == ("running", False)
    assert all(a.origin.path.startswith(str(path)) for a in h.activities)


def test_every_bad_file_is_named(export_zip: Path) -> None:
    h = history(export_zip)
    named = {(p.member, p.kind) for p in h.errors}
    assert named == {
        ("activities.csv", "bad_value"),  # the unreadable date
        ("activities.csv", "io_error"),  # the missing file
        ("activities/77777.gpx", "corrupt"),  # HTML
        ("activities/88888.fit.gz", "bad_archive"),  # truncated gzip
    }
    messages = " ".join(p.message for p in h.errors)
    assert "line 10 (activity 1008)" in messages and "activities/66666.gpx" in messages
    assert "Quidditch" in " ".join(p.message for p in h.skipped)


def test_routes_media_and_account_files_are_not_activities(export_zip: Path) -> None:
    members = {i.origin.member for i in items(export_zip) if isinstance(i, Activity | FitBlob)}
    assert not any(m and m.startswith(("routes/", "media/", "profile")) for m in members)


def test_zip_and_folder_agree(export_zip: Path, export_folder: Path) -> None:
    def key(a: Activity) -> tuple[object, ...]:
        return (a.start_utc, a.sport, a.sub_sport, a.timer_s, a.distance_m, a.from_summary)

    zipped = sorted(key(a) for a in history(export_zip).activities)
    assert zipped == sorted(key(a) for a in history(export_folder).activities)


def test_export_inside_one_top_folder(tmp_path: Path) -> None:
    path = write_export(tmp_path / "top.zip", top_folder="export_12345/")
    assert can_open(path)
    assert len(history(path).activities) == 12


@pytest.mark.parametrize(
    "header, date",
    [(SPANISH_HEADER, None), (UNKNOWN_HEADER, None), (None, german_date)],
    ids=["spanish", "unknown-language", "german-dates"],
)
def test_translated_exports(tmp_path: Path, header, date) -> None:  # type: ignore[no-untyped-def]
    kwargs = {k: v for k, v in (("header", header), ("date", date)) if v is not None}
    path = write_export(tmp_path / "x.zip", **kwargs)
    h = history(path)
    assert len(h.activities) == 12
    assert {a.sport for a in h.activities} >= {"running", "cycling", "training", "swimming"}


def test_csv_only_export(tmp_path: Path) -> None:
    files = export_files()
    root = tmp_path / "e"
    (root / "activities").mkdir(parents=True)
    (root / "activities.csv").write_bytes(files["activities.csv"])
    h = history(root)
    assert all(a.from_summary for a in h.activities)
    assert len(h.activities) == 11  # every row with a readable date, once
    assert sum(p.kind == "io_error" for p in h.problems) == 8  # each linked file is missing


def test_missing_csv_still_reads_the_files(tmp_path: Path) -> None:
    root = write_export(tmp_path / "e", zipped=False)
    (root / "activities.csv").unlink()
    (root / "activities.csv").mkdir()  # still looks like an export? no: not a file
    assert not can_open(root)
    h = read_history([root], IngestOptions(workers=1, use_cache=False, source="strava"))
    assert any("no activities.csv" in p.message for p in h.problems)
    assert len(h.activities) == 6  # the FIT, GPX and TCX files, sports from the files


def test_broken_zip_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "broken.zip"
    path.write_bytes(b"PK\x03\x04 not really")
    (problem,) = problems(path)
    assert problem.kind == "bad_archive" and problem.file == str(path)


def test_reading_is_deterministic(export_zip: Path, export_folder: Path) -> None:
    for path in (export_zip, export_folder):
        first = [i for i in items(path) if not isinstance(i, FitBlob)]
        assert first == [i for i in items(path) if not isinstance(i, FitBlob)]


def test_row_problems_are_capped(tmp_path: Path) -> None:
    header = "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description\n"
    rows = "".join(f"{i},someday,x,Run,\n" for i in range(50))
    root = tmp_path / "e"
    (root / "activities").mkdir(parents=True)
    (root / "activities.csv").write_text(header + rows)
    found = problems(root)
    assert "no row has a readable Activity Date" in found[0].message
    assert len(found) == 1 + 20 + 1 and "30 more row(s)" in found[-1].message


@pytest.mark.parametrize("shift", [timedelta(hours=2), timedelta(hours=-7), timedelta(minutes=20)])
def test_rows_and_fit_files_are_linked_by_filename_not_by_start(
    tmp_path: Path, shift: timedelta
) -> None:
    """Older exports give Activity Date in local time, and edited activities differ: a row and
    the FIT its Filename column names are still one activity."""
    exact = history(write_export(tmp_path / "exact.zip"))
    plan = [
        replace(p, date_text=english_date(p.start + shift)) if p.file == "fit" else p for p in PLAN
    ]
    shifted = history(write_export(tmp_path / "shifted.zip", plan=plan))
    assert len(shifted.activities) == len(exact.activities)
    fit_rows = [p for p in PLAN if p.file == "fit"]
    for p in fit_rows:
        mine = [a for a in shifted.activities if a.origin.member == p.filename]
        assert len(mine) == 1 and not mine[0].from_summary, (p.filename, mine)
        assert mine[0].start_utc == p.start
