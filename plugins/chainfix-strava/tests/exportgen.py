"""A deterministic generator of Strava bulk exports for the tests (no real data involved).

:func:`write_export` lays out ``activities.csv`` (the English header with its duplicate column
names, or a translated, old or unknown-language one), ``activities/`` with gzipped and plain FIT
(made by chainfix's ``FitWriter``), GPX and TCX files, plus the noise a real export carries:
``routes/``, account CSVs, broken files, a missing file, manual entries. ``EXPECTED`` says what
chainfix should find in it.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

ENGLISH_HEADER = [
    "Activity ID", "Activity Date", "Activity Name", "Activity Type", "Activity Description",
    "Elapsed Time", "Distance", "Max Heart Rate", "Relative Effort", "Commute",
    "Activity Private Note", "Activity Gear", "Filename", "Athlete Weight", "Bike Weight",
    "Elapsed Time", "Moving Time", "Distance", "Max Speed", "Average Speed",
    "Elevation Gain", "Elevation Loss", "Elevation Low", "Elevation High", "Max Grade",
    "Average Grade", "Average Positive Grade", "Average Negative Grade", "Max Cadence",
    "Average Cadence", "Max Heart Rate", "Average Heart Rate", "Max Watts", "Average Watts",
    "Calories", "Max Temperature", "Average Temperature", "Relative Effort",
    "Total Work", "Number of Runs", "Uphill Time", "Downhill Time", "Other Time",
    "Perceived Exertion", "Type", "Start Time", "Weighted Average Power", "Power Count",
    "Prefer Perceived Exertion", "Perceived Relative Effort", "Commute", "Total Weight Lifted",
    "From Upload", "Grade Adjusted Distance", "Weather Observation Time", "Weather Condition",
]  # fmt: skip
SPANISH_HEADER = [
    "ID de actividad", "Fecha de la actividad", "Nombre de la actividad", "Tipo de actividad",
    "Descripción de la actividad", "Tiempo transcurrido", "Distancia",
    "Frecuencia cardíaca máxima", "Esfuerzo relativo", "Desplazamiento",
    "Nota privada de la actividad", "Equipo de la actividad", "Nombre del archivo",
    "Peso del deportista", "Peso de la bicicleta", "Tiempo transcurrido",
    "Tiempo en movimiento", "Distancia", "Velocidad máxima", "Velocidad promedio",
    "Desnivel positivo", "Desnivel negativo", "Elevación mínima", "Elevación máxima",
    "Pendiente máxima", "Pendiente promedio", "Pendiente positiva promedio",
    "Pendiente negativa promedio", "Cadencia máxima", "Cadencia promedio",
    "Frecuencia cardíaca máxima", "Frecuencia cardíaca promedio", "Vatios máximos",
    "Vatios promedio", "Calorías",
]  # fmt: skip
UNKNOWN_HEADER = [f"Kolumn {i}" for i in range(len(ENGLISH_HEADER))]
OLD_HEADER = [
    "Activity ID", "Activity Date", "Activity Name", "Activity Type", "Activity Description",
    "Elapsed Time", "Distance", "Relative Effort", "Commute", "Activity Gear", "Filename",
]  # fmt: skip

T0 = datetime(2025, 7, 1, 6, 30, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Planned:
    """One row of the generated activities.csv and, maybe, its file."""

    activity_id: str
    start: datetime
    name: str
    type: str
    seconds: int
    moving: int
    distance_m: float
    filename: str = ""
    file: str = ""
    """What to write at ``filename``: ``fit``, ``gpx``, ``tcx``, ``html``, ``truncated``, or ``""``
    (nothing: a manual activity, or a missing file when ``filename`` is set)."""
    date_text: str | None = None
    """The Activity Date cell when it is not the English form of ``start``."""
    ascent_m: float = 0.0
    avg_hr: float = 0.0


def english_date(when: datetime) -> str:
    """``Jul 1, 2025, 6:30:00 AM``."""
    hour = when.hour % 12 or 12
    meridiem = "AM" if when.hour < 12 else "PM"
    return f"{when:%b} {when.day}, {when.year}, {hour}:{when:%M:%S} {meridiem}"


def german_date(when: datetime) -> str:
    return f"{when:%d.%m.%Y, %H:%M:%S}"


PLAN: tuple[Planned, ...] = (
    Planned("1001", T0, 'Morning Run, "easy"\nwith strides', "Run", 3000, 2950, 9000.0,
            "activities/11111.fit.gz", "fit", avg_hr=150),
    Planned("1002", T0 + timedelta(days=1), "Trail, up and down", "Trail Run", 1800, 1800, 0,
            "activities/22222.gpx", "gpx", ascent_m=100, avg_hr=140),
    Planned("1003", T0 + timedelta(days=2, hours=10), "Commute", "Ride", 1800, 1800, 10000.0,
            "activities/33333.tcx.gz", "tcx", avg_hr=130),
    Planned("1004", T0 + timedelta(days=3), "Gym", "Weight Training", 2700, 2700, 0.0),
    Planned("1005", T0 + timedelta(days=4), "Pool", "Swim", 2400, 2100, 1500.0),
    Planned("1006", T0 + timedelta(days=5), "Zwift", "Virtual Ride", 3600, 3600, 30000.0,
            "activities/44444.fit", "fit"),
    Planned("1007", T0 + timedelta(days=6), "Walk", "Walk", 1800, 1700, 2500.0,
            "activities/55555.tcx", "tcx", avg_hr=100),
    Planned("1008", T0 + timedelta(days=7), "Bad date", "Run", 1800, 1800, 5000.0,
            date_text="the 32nd of Julember"),
    Planned("1009", T0 + timedelta(days=8), "Lost file", "Hike", 7200, 6000, 12000.0,
            "activities/66666.gpx"),
    Planned("1010", T0 + timedelta(days=9), "HTML instead of GPX", "Run", 1500, 1500, 4000.0,
            "activities/77777.gpx", "html"),
    Planned("1011", T0 + timedelta(days=10), "Cut short", "Run", 2000, 2000, 5500.0,
            "activities/88888.fit.gz", "truncated"),
    Planned("1012", T0 + timedelta(days=11), "Broom sport", "Quidditch", 3600, 3600, 0.0),
    Planned("1001", T0, "duplicate of the first row", "Run", 3000, 2950, 9000.0),
)  # fmt: skip
ORPHAN = "activities/99999.gpx"
ORPHAN_START = T0 + timedelta(days=12)


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------


def fit_bytes(p: Planned) -> bytes:
    """A small FIT activity for a planned row, made by chainfix's own FitWriter."""
    encode = pytest.importorskip("chainfix.fit.encode", reason="needs chainfix's FitWriter")
    sport, sub_sport = {
        "Run": ("running", "generic"),
        "Virtual Ride": ("cycling", "virtual_activity"),
    }.get(p.type, ("generic", "generic"))
    w = encode.FitWriter()
    w.add("file_id", type="activity", manufacturer="garmin", product=3113,
          time_created=p.start, serial_number=1234567)  # fmt: skip
    for i in range(0, p.seconds + 1, 60):
        w.add("record", timestamp=p.start + timedelta(seconds=i),
              distance=p.distance_m * i / p.seconds, heart_rate=int(p.avg_hr or 120))  # fmt: skip
    w.add("session", message_index=0, timestamp=p.start + timedelta(seconds=p.seconds),
          start_time=p.start, sport=sport, sub_sport=sub_sport,
          total_elapsed_time=float(p.seconds), total_timer_time=float(p.moving),
          total_distance=p.distance_m, avg_heart_rate=int(p.avg_hr or 120))  # fmt: skip
    w.add("activity", timestamp=p.start + timedelta(seconds=p.seconds), num_sessions=1,
          type="manual", event="activity", event_type="stop")  # fmt: skip
    data: bytes = w.to_bytes()
    return data


def track_points(p: Planned, step_s: int = 5) -> list[tuple[datetime, float, float, float]]:
    """(time, lat, lon, elevation): north at a steady speed; a hill of ``ascent_m`` mid-way."""
    points = []
    n = p.seconds // step_s
    metres_per_step = (p.distance_m or 4000.0) / n
    for i in range(n + 1):
        lat = 45.0 + (i * metres_per_step) / 111_195.0
        ele = 200.0 + p.ascent_m * math.sin(math.pi * i / n) ** 2
        points.append((p.start + timedelta(seconds=i * step_s), lat, 5.7, ele))
    return points


def gpx_text(p: Planned, type_text: str = "9") -> str:
    rows = []
    for when, lat, lon, ele in track_points(p):
        rows.append(
            f'   <trkpt lat="{lat:.7f}" lon="{lon:.7f}">\n    <ele>{ele:.1f}</ele>\n'
            f"    <time>{when:%Y-%m-%dT%H:%M:%SZ}</time>\n"
            f"    <extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{int(p.avg_hr)}</gpxtpx:hr>"
            f"<gpxtpx:cad>85</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions>\n   </trkpt>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx creator="StravaGPX" version="1.1" xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">\n'
        f" <metadata><time>{p.start:%Y-%m-%dT%H:%M:%SZ}</time></metadata>\n"
        f" <trk>\n  <name>{p.name.replace('&', '&amp;')}</name>\n  <type>{type_text}</type>\n"
        "  <trkseg>\n" + "\n".join(rows) + "\n  </trkseg>\n </trk>\n</gpx>\n"
    )


def tcx_text(p: Planned, sport: str = "Biking") -> str:
    """A TCX file as Strava writes it, blanks before the XML declaration included."""
    tps = []
    for i, (when, lat, lon, ele) in enumerate(track_points(p)):
        dist = p.distance_m * i * 5 / p.seconds
        tps.append(
            f"     <Trackpoint><Time>{when:%Y-%m-%dT%H:%M:%SZ}</Time><Position>"
            f"<LatitudeDegrees>{lat:.7f}</LatitudeDegrees><LongitudeDegrees>{lon:.7f}"
            f"</LongitudeDegrees></Position><AltitudeMeters>{ele:.1f}</AltitudeMeters>"
            f"<DistanceMeters>{dist:.1f}</DistanceMeters><HeartRateBpm><Value>{int(p.avg_hr)}"
            "</Value></HeartRateBpm></Trackpoint>"
        )
    return (
        '          <?xml version="1.0" encoding="UTF-8"?>\n'
        '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">'
        f'\n <Activities>\n  <Activity Sport="{sport}">\n'
        f"   <Id>{p.start:%Y-%m-%dT%H:%M:%SZ}</Id>\n"
        f'   <Lap StartTime="{p.start:%Y-%m-%dT%H:%M:%SZ}">\n'
        f"    <TotalTimeSeconds>{p.moving}</TotalTimeSeconds>\n"
        f"    <DistanceMeters>{p.distance_m:.1f}</DistanceMeters>\n"
        "    <Track>\n" + "\n".join(tps) + "\n    </Track>\n   </Lap>\n"
        "   <Creator><Name>Garmin Edge 530</Name></Creator>\n"
        "  </Activity>\n </Activities>\n</TrainingCenterDatabase>\n"
    )


HTML_PAGE = b"<!DOCTYPE html><html><body>Log in to Strava</body></html>"


def file_bytes(p: Planned) -> bytes | None:
    """The bytes to write at ``p.filename`` (gzipped when the name says so), or None."""
    if p.file == "fit":
        raw = fit_bytes(p)
    elif p.file == "truncated":
        return gzip.compress(fit_bytes(p), mtime=0)[:60]
    elif p.file == "gpx":
        raw = gpx_text(p).encode()
    elif p.file == "tcx":
        raw = tcx_text(p, "Biking" if "Ride" in p.type else "Other").encode()
    elif p.file == "html":
        raw = HTML_PAGE
    else:
        return None
    return gzip.compress(raw, mtime=0) if p.filename.endswith(".gz") else raw


# ---------------------------------------------------------------------------------------------
# activities.csv
# ---------------------------------------------------------------------------------------------


def csv_row(p: Planned, header: Sequence[str], date: Callable[[datetime], str]) -> list[str]:
    """One row laid out by position like Strava's current export (old layout: by name)."""
    cells = [""] * len(header)
    shown_km = p.distance_m if p.type == "Swim" else p.distance_m / 1000
    shown = f"{shown_km:,.0f}" if p.type == "Swim" else f"{shown_km:.2f}"
    values = {
        0: p.activity_id,
        1: p.date_text or date(p.start),
        2: p.name,
        3: p.type,
        4: "",
        5: str(p.seconds),
        6: shown,
        7: f"{p.avg_hr + 20:.1f}" if p.avg_hr else "",
        12: p.filename,
        15: f"{p.seconds:.1f}",
        16: f"{p.moving:.1f}",
        17: f"{p.distance_m:.1f}",
        19: f"{p.distance_m / p.moving:.3f}" if p.distance_m else "0.0",
        20: f"{p.ascent_m:.1f}",
        21: f"{p.ascent_m:.1f}",
        30: f"{p.avg_hr + 20:.1f}" if p.avg_hr else "",
        31: f"{p.avg_hr:.1f}" if p.avg_hr else "",
        33: "",
    }
    if header is OLD_HEADER:
        values = {0: values[0], 1: values[1], 2: values[2], 3: values[3], 5: values[5],
                  6: values[6], 10: values[12]}  # fmt: skip
    for index, value in values.items():
        if index < len(cells):
            cells[index] = value
    return cells


def csv_bytes(
    plan: Sequence[Planned] = PLAN,
    header: Sequence[str] = ENGLISH_HEADER,
    date: Callable[[datetime], str] = english_date,
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for p in plan:
        writer.writerow(csv_row(p, header, date))
    return out.getvalue().encode("utf-8")


# ---------------------------------------------------------------------------------------------
# The export
# ---------------------------------------------------------------------------------------------


def export_files(
    plan: Sequence[Planned] = PLAN,
    header: Sequence[str] = ENGLISH_HEADER,
    date: Callable[[datetime], str] = english_date,
) -> dict[str, bytes]:
    """Every file of the export, by its path inside the export, in a fixed order."""
    files: dict[str, bytes] = {"activities.csv": csv_bytes(plan, header, date)}
    for p in plan:
        data = file_bytes(p)
        if data is not None and p.filename not in files:
            files[p.filename] = data
    orphan = Planned("-", ORPHAN_START, "orphan", "Run", 1200, 1200, 3000.0, avg_hr=155)
    files[ORPHAN] = gpx_text(orphan, type_text="running").encode()
    files["routes/1.gpx"] = gpx_text(orphan).encode()  # a planned route, not an activity
    files["profile.csv"] = b"Athlete ID,Email\n1,someone@example.com\n"
    files["media/photo.jpg"] = b"\xff\xd8\xff\xe0 not really a photo"
    return files


def write_export(
    target: Path,
    *,
    zipped: bool = True,
    plan: Sequence[Planned] = PLAN,
    header: Sequence[str] = ENGLISH_HEADER,
    date: Callable[[datetime], str] = english_date,
    top_folder: str = "",
) -> Path:
    """Write the export as ``target`` (a zip file or a folder) and return it."""
    files = export_files(plan, header, date)
    if zipped:
        info_time = (2025, 8, 1, 0, 0, 0)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in files.items():
                info = zipfile.ZipInfo(top_folder + name, info_time)
                zf.writestr(info, data, zipfile.ZIP_DEFLATED)
        return target
    for name, data in files.items():
        path = target / top_folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return target
