"""Generate realistic Apple Health exports, deterministically and as a stream.

The layout, DOCTYPE, both generations of ``Workout``, units, metadata, events, statistics, stand
hours and GPX routes follow ``shared/reference/apple-health.md``. Everything is written as it is
generated (``export.xml`` straight into the zip when zipped), so a multi-gigabyte export costs no
memory: filler ``Record`` blocks are generated once per seed and repeated with shifted dates.

The expected values of every planned workout are computed here from the plan (SI units), so tests
compare the reader against the generator's own numbers, never against numbers typed by hand.
"""

from __future__ import annotations

import random
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import IO

ROOT = "apple_health_export"
XML_NAME = "export.xml"
PREFIX = "HKWorkoutActivityType"
KM_PER_MI = 1.609344
KJ_PER_KCAL = 4.184

DTD = """<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 14 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary|ClinicalRecord|Audiogram|VisionPrescription)*)>
<!ATTLIST HealthData
  locale CDATA #REQUIRED
>
<!ELEMENT ExportDate EMPTY>
<!ATTLIST ExportDate
  value CDATA #REQUIRED
>
<!ELEMENT Me EMPTY>
<!ATTLIST Me
  HKCharacteristicTypeIdentifierDateOfBirth         CDATA #REQUIRED
  HKCharacteristicTypeIdentifierBiologicalSex       CDATA #REQUIRED
  HKCharacteristicTypeIdentifierBloodType           CDATA #REQUIRED
  HKCharacteristicTypeIdentifierFitzpatrickSkinType CDATA #REQUIRED
  HKCharacteristicTypeIdentifierCardioFitnessMedicationsUse CDATA #REQUIRED
>
<!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
<!ATTLIST Record
  type          CDATA #REQUIRED
  unit          CDATA #IMPLIED
  value         CDATA #IMPLIED
  sourceName    CDATA #REQUIRED
  sourceVersion CDATA #IMPLIED
  device        CDATA #IMPLIED
  creationDate  CDATA #IMPLIED
  startDate     CDATA #REQUIRED
  endDate       CDATA #REQUIRED
>
<!-- Note: Any Records that appear as children of a correlation also appear as top-level records in this document. -->
<!ELEMENT Correlation ((MetadataEntry|Record)*)>
<!ATTLIST Correlation
  type          CDATA #REQUIRED
  sourceName    CDATA #REQUIRED
  sourceVersion CDATA #IMPLIED
  device        CDATA #IMPLIED
  creationDate  CDATA #IMPLIED
  startDate     CDATA #REQUIRED
  endDate       CDATA #REQUIRED
>
<!ELEMENT Workout ((MetadataEntry|WorkoutEvent|WorkoutRoute|WorkoutStatistics)*)>
<!ATTLIST Workout
  workoutActivityType   CDATA #REQUIRED
  duration              CDATA #IMPLIED
  durationUnit          CDATA #IMPLIED
  totalDistance         CDATA #IMPLIED
  totalDistanceUnit     CDATA #IMPLIED
  totalEnergyBurned     CDATA #IMPLIED
  totalEnergyBurnedUnit CDATA #IMPLIED
  sourceName            CDATA #REQUIRED
  sourceVersion         CDATA #IMPLIED
  device                CDATA #IMPLIED
  creationDate          CDATA #IMPLIED
  startDate             CDATA #REQUIRED
  endDate               CDATA #REQUIRED
>
<!ELEMENT WorkoutEvent (MetadataEntry?)>
<!ATTLIST WorkoutEvent
  type         CDATA #REQUIRED
  date         CDATA #REQUIRED
  duration     CDATA #IMPLIED
  durationUnit CDATA #IMPLIED
>
<!ELEMENT WorkoutStatistics EMPTY>
<!ATTLIST WorkoutStatistics
  type      CDATA #REQUIRED
  startDate CDATA #REQUIRED
  endDate   CDATA #REQUIRED
  average   CDATA #IMPLIED
  minimum   CDATA #IMPLIED
  maximum   CDATA #IMPLIED
  sum       CDATA #IMPLIED
  unit      CDATA #IMPLIED
>
<!ELEMENT WorkoutRoute ((MetadataEntry|FileReference)*)>
<!ATTLIST WorkoutRoute
  sourceName    CDATA #REQUIRED
  sourceVersion CDATA #IMPLIED
  device        CDATA #IMPLIED
  creationDate  CDATA #IMPLIED
  startDate     CDATA #REQUIRED
  endDate       CDATA #REQUIRED
>
<!ELEMENT FileReference EMPTY>
<!ATTLIST FileReference
  path CDATA #REQUIRED
>
<!ELEMENT ActivitySummary EMPTY>
<!ATTLIST ActivitySummary
  dateComponents           CDATA #IMPLIED
  activeEnergyBurned       CDATA #IMPLIED
  activeEnergyBurnedGoal   CDATA #IMPLIED
  activeEnergyBurnedUnit   CDATA #IMPLIED
  appleExerciseTime        CDATA #IMPLIED
  appleExerciseTimeGoal    CDATA #IMPLIED
  appleStandHours          CDATA #IMPLIED
  appleStandHoursGoal      CDATA #IMPLIED
>
<!ELEMENT MetadataEntry EMPTY>
<!ATTLIST MetadataEntry
  key   CDATA #REQUIRED
  value CDATA #REQUIRED
>
]>
"""

WATCH = "Alex\u2019s Apple Watch"
DEVICE = (
    "&lt;&lt;HKDevice: 0x283a8a8f0&gt;, name:Apple Watch, manufacturer:Apple Inc., "
    "model:Watch, hardware:Watch6,2, software:10.4&gt;"
)
DISTANCE_TYPES = {
    "Running": "DistanceWalkingRunning",
    "Walking": "DistanceWalkingRunning",
    "Hiking": "DistanceWalkingRunning",
    "Cycling": "DistanceCycling",
    "Swimming": "DistanceSwimming",
    "Rowing": "DistanceRowing",
}


def fmt(when: datetime) -> str:
    """Apple's date format: local time with the offset, ``2024-05-12 07:41:10 +0200``."""
    return when.strftime("%Y-%m-%d %H:%M:%S %z")


def zone(hours: float) -> timezone:
    return timezone(timedelta(hours=hours))


@dataclass(frozen=True, slots=True)
class Planned:
    """One workout to write, and what chainfix should read from it."""

    health_type: str
    start: datetime
    """Local start, aware (its offset is written into the dates)."""
    minutes: float
    distance_km: float | None = None
    energy_kcal: float | None = None
    modern: bool = True
    """iOS 16+ (WorkoutStatistics children) or older (totals as attributes)."""
    imperial: bool = False
    """Distances in miles (and the route's climb in metadata in ft is not used: cm or m only)."""
    kilojoules: bool = False
    indoor: bool | None = None
    swim_location: int | None = None
    ascent_cm: int | None = None
    """HKElevationAscended metadata; None leaves it out."""
    route_climb_m: float | None = None
    """Write a GPX route that climbs and then descends this much (None: no route)."""
    hr: tuple[int, int] | None = None
    pause_s: int = 0
    laps: int = 0
    source_name: str = WATCH
    time_zone: str = "Europe/Paris"

    @property
    def start_utc(self) -> datetime:
        return self.start.astimezone(UTC)

    @property
    def elapsed_s(self) -> float:
        return self.minutes * 60 + self.pause_s

    @property
    def distance_m(self) -> float | None:
        return None if self.distance_km is None else self.distance_km * 1000

    @property
    def route_name(self) -> str | None:
        if self.route_climb_m is None:
            return None
        hour = self.start.hour % 12 or 12
        half = "am" if self.start.hour < 12 else "pm"
        return f"route_{self.start:%Y-%m-%d}_{hour}.{self.start:%M}{half}.gpx"


@dataclass(slots=True)
class Plan:
    """The workouts and stand hours of a generated export."""

    workouts: list[Planned]
    stand_days: list[tuple[date, int, int]] = field(default_factory=list)
    """(local date, hours stood, hours idle) per day."""
    stand_offset_h: float = 1.0


def default_plan() -> Plan:
    """Several sports in three time zones, both generations, metric and imperial units."""
    paris, la, tokyo = zone(2), zone(-7), zone(9)
    w = [
        Planned("Running", datetime(2024, 5, 12, 7, 41, 10, tzinfo=paris), 48.5, 8.62, 436.5,
                indoor=False, route_climb_m=60.0, hr=(142, 171), pause_s=95, laps=8),
        Planned("Running", datetime(2024, 5, 14, 18, 5, 0, tzinfo=paris), 30, 6.1, 320,
                indoor=True, hr=(150, 176)),
        Planned("Walking", datetime(2024, 5, 15, 12, 30, 0, tzinfo=paris), 40, 3.4, 150,
                indoor=False, ascent_cm=1250),
        Planned("Hiking", datetime(2024, 6, 1, 9, 0, 0, tzinfo=la), 185, 7.9, 1300,
                imperial=True, ascent_cm=61000, route_climb_m=600.0, hr=(118, 160),
                time_zone="America/Los_Angeles"),
        Planned("Cycling", datetime(2024, 6, 2, 8, 15, 0, tzinfo=la), 95, 31.5, 900,
                imperial=True, indoor=False, hr=(135, 168), time_zone="America/Los_Angeles"),
        Planned("Cycling", datetime(2024, 6, 20, 19, 0, 0, tzinfo=tokyo), 45, 20.0, 500,
                indoor=True, time_zone="Asia/Tokyo"),
        Planned("Swimming", datetime(2024, 6, 21, 7, 0, 0, tzinfo=tokyo), 35, 1.5, 380,
                swim_location=1, time_zone="Asia/Tokyo"),
        Planned("Rowing", datetime(2024, 6, 22, 7, 0, 0, tzinfo=tokyo), 25, 5.2, 300,
                indoor=True, time_zone="Asia/Tokyo"),
        Planned("TraditionalStrengthTraining", datetime(2021, 3, 3, 18, 0, 0, tzinfo=zone(1)), 50,
                None, 1250, modern=False, kilojoules=True),
        Planned("Running", datetime(2021, 3, 6, 9, 30, 0, tzinfo=zone(1)), 62, 6.4, 700,
                modern=False, imperial=True, indoor=False),
        Planned("FunctionalStrengthTraining", datetime(2024, 5, 16, 18, 0, 0, tzinfo=paris), 35,
                None, 250, hr=(118, 150)),
        Planned("HighIntensityIntervalTraining", datetime(2024, 5, 17, 7, 0, 0, tzinfo=paris),
                20, None, 230, hr=(155, 184), laps=6),
        Planned("CoreTraining", datetime(2024, 5, 18, 7, 0, 0, tzinfo=paris), 15, None, 90),
        Planned("Yoga", datetime(2024, 5, 18, 19, 0, 0, tzinfo=paris), 60, None, 160),
        Planned("Kickboxing", datetime(2024, 5, 19, 10, 0, 0, tzinfo=paris), 55, None, 600),
        Planned("Elliptical", datetime(2024, 5, 20, 7, 0, 0, tzinfo=paris), 30, 4.2, 280,
                indoor=True),
        Planned("StairClimbing", datetime(2024, 5, 21, 7, 0, 0, tzinfo=paris), 20, None, 200,
                indoor=True),
        Planned("Dance", datetime(2024, 5, 22, 20, 0, 0, tzinfo=paris), 45, None, 300),
        Planned("Fencing", datetime(2024, 5, 23, 20, 0, 0, tzinfo=paris), 60, None, 450),
    ]  # fmt: skip
    days = [date(2024, 4, 1) + timedelta(days=i) for i in range(42)]
    stand = [(d, 8 + (i % 3), 4 + (i % 4)) for i, d in enumerate(days)]
    return Plan(w, stand)


# ---------------------------------------------------------------------------------------------
# Writing


def _workout_xml(p: Planned) -> str:
    start, end = p.start, p.start + timedelta(seconds=p.elapsed_s)
    dates = f'startDate="{fmt(start)}" endDate="{fmt(end)}"'
    attrs = [
        f'workoutActivityType="{PREFIX}{p.health_type}"',
        f'duration="{p.minutes:g}"',
        'durationUnit="min"',
    ]
    dist_unit = "mi" if p.imperial else "km"
    dist = None if p.distance_km is None else p.distance_km / (KM_PER_MI if p.imperial else 1)
    energy_unit = "kJ" if p.kilojoules else "kcal"
    energy = None if p.energy_kcal is None else p.energy_kcal * (KJ_PER_KCAL if p.kilojoules else 1)
    if not p.modern:
        if dist is not None:
            attrs += [f'totalDistance="{dist:.6f}"', f'totalDistanceUnit="{dist_unit}"']
        if energy is not None:
            attrs += [f'totalEnergyBurned="{energy:.3f}"', f'totalEnergyBurnedUnit="{energy_unit}"']
    attrs += [
        f'sourceName="{p.source_name}"',
        'sourceVersion="10.4"',
        f'device="{DEVICE}"',
        f'creationDate="{fmt(end + timedelta(seconds=20))}"',
        dates,
    ]
    lines = [f" <Workout {' '.join(attrs)}>"]
    if p.indoor is not None:
        lines.append(f'  <MetadataEntry key="HKIndoorWorkout" value="{int(p.indoor)}"/>')
    if p.swim_location is not None:
        lines.append(f'  <MetadataEntry key="HKSwimmingLocationType" value="{p.swim_location}"/>')
    if p.ascent_cm is not None:
        lines.append(f'  <MetadataEntry key="HKElevationAscended" value="{p.ascent_cm} cm"/>')
    lines.append(f'  <MetadataEntry key="HKTimeZone" value="{p.time_zone}"/>')
    lines.append('  <MetadataEntry key="HKWeatherTemperature" value="64.4 degF"/>')
    if p.pause_s:
        paused = start + timedelta(minutes=p.minutes / 2)
        resumed = paused + timedelta(seconds=p.pause_s)
        lines.append(f'  <WorkoutEvent type="HKWorkoutEventTypePause" date="{fmt(paused)}"/>')
        lines.append(f'  <WorkoutEvent type="HKWorkoutEventTypeResume" date="{fmt(resumed)}"/>')
    for lap in range(p.laps):
        at = start + timedelta(minutes=lap * p.minutes / max(p.laps, 1))
        lines.append(
            f'  <WorkoutEvent type="HKWorkoutEventTypeLap" date="{fmt(at)}" '
            f'duration="{p.minutes / p.laps:.4f}" durationUnit="min"/>'
        )
        lines.append(
            f'  <WorkoutEvent type="HKWorkoutEventTypeSegment" date="{fmt(at)}" '
            f'duration="{p.minutes / p.laps:.4f}" durationUnit="min"/>'
        )
    if p.modern:
        if energy is not None:
            lines.append(
                f'  <WorkoutStatistics type="HKQuantityTypeIdentifierActiveEnergyBurned" {dates} '
                f'sum="{energy:.3f}" unit="{energy_unit}"/>'
            )
            lines.append(
                f'  <WorkoutStatistics type="HKQuantityTypeIdentifierBasalEnergyBurned" {dates} '
                f'sum="{(energy or 0) / 5:.3f}" unit="{energy_unit}"/>'
            )
        if dist is not None:
            kind = DISTANCE_TYPES.get(p.health_type, "DistanceWalkingRunning")
            lines.append(
                f'  <WorkoutStatistics type="HKQuantityTypeIdentifier{kind}" {dates} '
                f'sum="{dist:.6f}" unit="{dist_unit}"/>'
            )
        if p.hr is not None:
            lines.append(
                f'  <WorkoutStatistics type="HKQuantityTypeIdentifierHeartRate" {dates} '
                f'average="{p.hr[0]}" minimum="{p.hr[0] - 40}" maximum="{p.hr[1]}" '
                'unit="count/min"/>'
            )
    if p.route_name is not None:
        lines += [
            f'  <WorkoutRoute sourceName="{p.source_name}" sourceVersion="10.4" '
            f'creationDate="{fmt(end)}" {dates}>',
            '   <MetadataEntry key="HKMetadataKeySyncVersion" value="2"/>',
            f'   <FileReference path="/workout-routes/{p.route_name}"/>',
            "  </WorkoutRoute>",
        ]
    lines.append(" </Workout>")
    return "\n".join(lines) + "\n"


def route_gpx(p: Planned) -> bytes:
    """A GPX 1.1 route: a point every 10 s, climbing ``route_climb_m`` and descending it again."""
    climb = p.route_climb_m or 0.0
    points = max(int(p.elapsed_s // 10), 4)
    rng = random.Random(p.start.toordinal())
    lat, lon = 48.85 + rng.random() / 10, 2.35 + rng.random() / 10
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<gpx version="1.1" creator="Apple Health Export" xmlns="http://www.topografix.com/GPX/1/1"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
        f"<metadata><time>{p.start_utc:%Y-%m-%dT%H:%M:%SZ}</time></metadata>",
        "<trk>",
        f"<name>Route {p.start:%Y-%m-%d %H:%M}</name>",
        "<trkseg>",
    ]
    for i in range(points):
        half = points / 2
        ele = 100 + climb * (i / half if i <= half else (points - 1 - i) / (points - 1 - half))
        when = p.start_utc + timedelta(seconds=10 * i)
        out.append(
            f'<trkpt lon="{lon + i * 1e-4:.6f}" lat="{lat + i * 5e-5:.6f}"><ele>{ele:.6f}</ele>'
            f"<time>{when:%Y-%m-%dT%H:%M:%SZ}</time><extensions><speed>2.71</speed>"
            "<course>87.1</course><hAcc>1.2</hAcc><vAcc>0.9</vAcc></extensions></trkpt>"
        )
    out += ["</trkseg>", "</trk>", "</gpx>", ""]
    return "\n".join(out).encode()


def _stand_xml(plan: Plan) -> Iterable[str]:
    tz = zone(plan.stand_offset_h)
    for day, stood, idle in plan.stand_days:
        for hour in range(stood + idle):
            start = datetime(day.year, day.month, day.day, 6 + hour, tzinfo=tz)
            value = "Stood" if hour < stood else "Idle"
            yield (
                f' <Record type="HKCategoryTypeIdentifierAppleStandHour" sourceName="{WATCH}" '
                f'sourceVersion="10.4" device="{DEVICE}" creationDate="{fmt(start)}" '
                f'startDate="{fmt(start)}" endDate="{fmt(start + timedelta(hours=1))}" '
                f'value="HKCategoryValueAppleStandHour{value}"/>\n'
            )


def filler_block(seed: int, size: int = 1024**2) -> str:
    """About ``size`` bytes of heart-rate, step and distance Records (the bulk of real exports)."""
    rng = random.Random(seed)
    when = datetime(2023, 1, 1, 6, 0, 0, tzinfo=zone(1))
    kinds = [
        ("HKQuantityTypeIdentifierHeartRate", "count/min", lambda: f"{rng.randint(52, 175)}"),
        ("HKQuantityTypeIdentifierStepCount", "count", lambda: f"{rng.randint(5, 900)}"),
        ("HKQuantityTypeIdentifierDistanceWalkingRunning", "km",
         lambda: f"{rng.random() / 2:.5f}"),
        ("HKQuantityTypeIdentifierActiveEnergyBurned", "Cal", lambda: f"{rng.random() * 9:.3f}"),
    ]  # fmt: skip
    parts: list[str] = []
    total = 0
    while total < size:
        kind, unit, value = kinds[rng.randrange(len(kinds))]
        when += timedelta(seconds=rng.randint(5, 400))
        line = (
            f' <Record type="{kind}" sourceName="{WATCH}" sourceVersion="10.4" device="{DEVICE}" '
            f'unit="{unit}" creationDate="{fmt(when)}" startDate="{fmt(when)}" '
            f'endDate="{fmt(when + timedelta(seconds=60))}" value="{value()}">\n'
            '  <MetadataEntry key="HKMetadataKeyHeartRateMotionContext" value="0"/>\n'
            " </Record>\n"
            if kind.endswith("HeartRate")
            else f' <Record type="{kind}" sourceName="{WATCH}" sourceVersion="10.4" '
            f'unit="{unit}" creationDate="{fmt(when)}" startDate="{fmt(when)}" '
            f'endDate="{fmt(when + timedelta(seconds=60))}" value="{value()}"/>\n'
        )
        parts.append(line)
        total += len(line)
    return "".join(parts)


def header(locale: str = "en_US") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + DTD
        + f'<HealthData locale="{locale}">\n'
        + ' <ExportDate value="2024-06-30 21:04:11 +0200"/>\n'
        + ' <Me HKCharacteristicTypeIdentifierDateOfBirth="1988-04-02" '
        'HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexFemale" '
        'HKCharacteristicTypeIdentifierBloodType="HKBloodTypeNotSet" '
        'HKCharacteristicTypeIdentifierFitzpatrickSkinType="HKFitzpatrickSkinTypeNotSet" '
        'HKCharacteristicTypeIdentifierCardioFitnessMedicationsUse="None"/>\n'
    )


FOOTER = "</HealthData>\n"


def write_xml(out: IO[bytes], plan: Plan, *, filler_bytes: int = 0, seed: int = 7) -> int:
    """Write export.xml to ``out``: header, filler Records with the stand hours and workouts
    spread among them, then ActivitySummary elements. Returns the bytes written."""
    written = 0

    def put(text: str) -> None:
        nonlocal written
        data = text.encode("utf-8")
        out.write(data)
        written += len(data)

    put(header())
    block = filler_block(seed) if filler_bytes else ""
    blocks = -(-filler_bytes // max(len(block), 1)) if block else 0
    stand = list(_stand_xml(plan))
    workouts = [_workout_xml(p) for p in plan.workouts]
    for i in range(blocks):
        put(block)
        if stand:
            put("".join(stand[i::blocks]))
        put("".join(workouts[i::blocks]))
    if not blocks:
        put("".join(stand))
        put("".join(workouts))
    put(
        ' <ActivitySummary dateComponents="2024-05-12" activeEnergyBurned="612.5" '
        'activeEnergyBurnedGoal="500" activeEnergyBurnedUnit="Cal" appleExerciseTime="64" '
        'appleExerciseTimeGoal="30" appleStandHours="12" appleStandHoursGoal="12"/>\n'
    )
    put(FOOTER)
    return written


def write_export(
    target: Path,
    plan: Plan | None = None,
    *,
    zipped: bool = True,
    filler_bytes: int = 0,
    seed: int = 7,
    xml_name: str = XML_NAME,
) -> Path:
    """Write an export: ``target`` is the zip, or the folder holding ``apple_health_export/``."""
    plan = plan or default_plan()
    routes = [(p.route_name, route_gpx(p)) for p in plan.workouts if p.route_name]
    if zipped:
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            with zf.open(f"{ROOT}/{xml_name}", "w", force_zip64=True) as fh:
                write_xml(fh, plan, filler_bytes=filler_bytes, seed=seed)
            zf.writestr(f"{ROOT}/export_cda.xml", '<?xml version="1.0"?><ClinicalDocument/>\n')
            for name, data in routes:
                zf.writestr(f"{ROOT}/workout-routes/{name}", data)
        return target
    root = target / ROOT
    (root / "workout-routes").mkdir(parents=True, exist_ok=True)
    with (root / xml_name).open("wb") as fh:
        write_xml(fh, plan, filler_bytes=filler_bytes, seed=seed)
    (root / "export_cda.xml").write_text('<?xml version="1.0"?><ClinicalDocument/>\n')
    for name, data in routes:
        (root / "workout-routes" / name).write_bytes(data)
    return target
