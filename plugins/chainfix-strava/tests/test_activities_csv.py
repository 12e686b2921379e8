"""activities.csv: columns by position and by name, translated headers, units, dates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from exportgen import (
    ENGLISH_HEADER,
    OLD_HEADER,
    PLAN,
    SPANISH_HEADER,
    UNKNOWN_HEADER,
    csv_bytes,
    german_date,
)

from chainfix_strava import activities_csv as ac


def test_english_header_duplicates_are_told_apart_by_position() -> None:
    columns = ac.column_map(ENGLISH_HEADER)
    assert columns["elapsed_display"] == 5 and columns["elapsed"] == 15
    assert columns["distance_display"] == 6 and columns["distance"] == 17
    assert columns["max_hr_display"] == 7 and columns["max_hr"] == 30
    assert columns["filename"] == 12 and columns["avg_hr"] == 31 and columns["moving"] == 16


@pytest.mark.parametrize("header", [SPANISH_HEADER, UNKNOWN_HEADER], ids=["spanish", "unknown"])
def test_translated_or_unknown_headers_use_the_standard_positions(header: list[str]) -> None:
    columns = ac.column_map(header)
    expected = {"id": 0, "date": 1, "type": 3, "filename": 12, "elapsed": 15, "distance": 17}
    assert {k: columns[k] for k in expected} == expected


def test_old_short_layout_is_read_by_name() -> None:
    columns = ac.column_map(OLD_HEADER)
    assert columns["filename"] == 10 and columns["distance_display"] == 6
    assert "distance" not in columns and "avg_hr" not in columns  # not in old exports


def test_filename_column_found_by_content_when_name_and_position_fail() -> None:
    header = ["Kolumn 0", "Kolumn 1", "Kolumn 2", "Kolumn 3", "x", "y", "z", "Dosya"]
    rows = [["1", "Jul 1, 2025, 6:30:00 AM", "n", "Run", "", "60", "1", "activities/1.gpx"]]
    assert ac.column_map(header, rows)["filename"] == 7


def test_rows_in_si_units_and_quoted_commas_and_newlines() -> None:
    table = ac.parse(csv_bytes())
    assert table.error is None
    first = table.rows[0]
    assert first.name == 'Morning Run, "easy"\nwith strides'
    assert first.start == datetime(2025, 7, 1, 6, 30, tzinfo=UTC)
    assert (first.elapsed_s, first.moving_s, first.distance_m) == (3000.0, 2950.0, 9000.0)
    assert (first.avg_hr, first.max_hr) == (150.0, 170.0)
    assert first.filename == "activities/11111.fit.gz"
    assert table.rows[1].line == 4  # the first row spans two lines
    swim = next(r for r in table.rows if r.type == "Swim")
    assert swim.distance_m == 1500.0
    assert [r.activity_id for r in table.rows] == [p.activity_id for p in PLAN]


def test_display_distance_is_used_only_without_the_metres_column() -> None:
    rows = ac.parse(csv_bytes(header=OLD_HEADER)).rows
    run = rows[0]
    assert run.distance_m == pytest.approx(9000.0) and run.elapsed_s == 3000.0
    swim = next(r for r in rows if r.type == "Swim")
    assert swim.distance_m == 1500.0  # swims are shown in metres ("1,500")


def test_german_export_with_numeric_dates() -> None:
    header = ["Aktivitäts-ID", "Aktivitätsdatum", "Name der Aktivität", "Aktivitätsart",
              *ENGLISH_HEADER[4:]]  # fmt: skip
    rows = ac.parse(csv_bytes(header=header, date=german_date)).rows
    assert rows[0].start == datetime(2025, 7, 1, 6, 30, tzinfo=UTC)
    assert rows[0].filename == "activities/11111.fit.gz"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Jul 1, 2025, 6:30:00 AM", datetime(2025, 7, 1, 6, 30)),
        ("Dec 31, 2024, 11:59:59 PM", datetime(2024, 12, 31, 23, 59, 59)),
        ("Jan 5, 2020, 12:05:00 AM", datetime(2020, 1, 5, 0, 5)),
        ("Jan 5, 2020, 12:05:00 PM", datetime(2020, 1, 5, 12, 5)),
        ("1 jul. 2025, 6:30:00", datetime(2025, 7, 1, 6, 30)),
        ("5 déc. 2024 à 18:02:03", datetime(2024, 12, 5, 18, 2, 3)),
        ("3 mar 2024, 7:00:00 p. m.", datetime(2024, 3, 3, 19, 0)),
        ("01.07.2025, 06:30:00", datetime(2025, 7, 1, 6, 30)),
        ("2025-07-01 06:30:00", datetime(2025, 7, 1, 6, 30)),
        ("2025-07-01T08:30:00+02:00", datetime(2025, 7, 1, 6, 30)),
    ],
)
def test_dates_are_utc(text: str, expected: datetime) -> None:
    assert ac.parse_date(text) == expected.replace(tzinfo=UTC)


@pytest.mark.parametrize("text", ["", "yesterday", "Jul 32, 2025, 6:30:00 AM", "13:00 PM 2025"])
def test_unreadable_dates_are_none(text: str) -> None:
    assert ac.parse_date(text) is None


@pytest.mark.parametrize(
    "cell, expected",
    [("", None), ("10.02", 10.02), ("1,500", 1500.0), ("1,234.5", 1234.5), ("10,5", 10.5),
     ("nan", None), ("inf", None), ("abc", None), ("1,2,3", None), (" 7 ", 7.0)],
)  # fmt: skip
def test_numbers(cell: str, expected: float | None) -> None:
    assert ac.number(cell) == expected


def test_clock_durations() -> None:
    assert ac.seconds("1:02:03") == 3723 and ac.seconds("3600") == 3600


def test_broken_and_empty_files_are_reported_not_raised() -> None:
    assert ac.parse(b"").error == "the file is empty"
    assert "Activity Date" in (ac.parse(b"just,some,columns\n1,2,3\n").error or "")
    header = "Activity ID,Activity Date,Activity Name,Activity Type\n"
    windows = header + '1,"Jul 1, 2025, 6:30:00 AM",Café,Run\n'
    assert ac.parse(windows.encode("cp1252")).rows[0].name == "Café"
    table = ac.parse((header + '1,"Jul 1, 2025, 6:30:00 AM').encode())
    assert table.error is None or "cannot be read" in table.error


def test_semicolon_separated_files() -> None:
    text = 'Activity ID;Activity Date;Activity Name;Activity Type\n1;"Jul 1, 2025, 6:30";x;Run\n'
    assert ac.parse(text.encode()).rows[0].type == "Run"
