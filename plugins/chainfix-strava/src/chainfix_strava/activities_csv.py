"""The export's ``activities.csv``: columns found by position and by name, values in SI units.

Strava's header repeats names (``Elapsed Time``, ``Distance``, ``Max Heart Rate``) with different
units, is translated for accounts in other languages, and has grown columns over the years. So a
column is found, per ``data/activities-columns.csv``:

1. by name: the n-th column whose header is one of the key's names (English and translations);
2. else by its position in the current layout, when the header looks like that layout (at least
   34 columns, and every column found by name sits at its usual position) or the key's position
   never changed (``stable``: the first seven columns);
3. the ``Filename`` column, finally, by content: the column whose values start with
   ``activities/``.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources

STANDARD_MIN_COLUMNS = 34
"""Exports with at least this many columns share the layout the default positions describe."""


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One row of ``data/activities-columns.csv``."""

    key: str
    occurrence: int
    position: int
    stable: bool
    unit: str
    names: frozenset[str]


@cache
def column_specs() -> tuple[ColumnSpec, ...]:
    """The column table, names normalised with :func:`normalise`."""
    text = (
        resources.files("chainfix_strava.data")
        .joinpath("activities-columns.csv")
        .read_text(encoding="utf-8")
    )
    return tuple(
        ColumnSpec(
            key=row["key"],
            occurrence=int(row["occurrence"]),
            position=int(row["position"]),
            stable=row["stable"] == "yes",
            unit=row["unit"],
            names=frozenset(normalise(n) for n in row["names"].split("|") if n),
        )
        for row in csv.DictReader(io.StringIO(text))
    )


def normalise(text: str) -> str:
    """Case-, accent-, space- and punctuation-insensitive form of a header or a type name."""
    decomposed = unicodedata.normalize("NFKD", text.replace("\ufeff", ""))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", "", plain.casefold())


def column_map(header: Sequence[str], rows: Sequence[Sequence[str]] = ()) -> dict[str, int]:
    """Column index of every key found in ``header`` (see the module docstring for the rules)."""
    norm = [normalise(h) for h in header]
    specs = column_specs()
    by_name: dict[str, int] = {}
    for spec in specs:
        hits = [i for i, h in enumerate(norm) if h in spec.names]
        if len(hits) >= spec.occurrence:
            by_name[spec.key] = hits[spec.occurrence - 1]
    position = {s.key: s.position for s in specs}
    standard = len(header) >= STANDARD_MIN_COLUMNS and all(
        index == position[key] for key, index in by_name.items()
    )
    found = dict(by_name)
    taken = set(by_name.values())
    for spec in specs:
        if spec.key in found or spec.position >= len(header) or spec.position in taken:
            continue
        if standard or (spec.stable and _unclaimed(norm[spec.position], specs, spec)):
            found[spec.key] = spec.position
            taken.add(spec.position)
    if "filename" not in found:
        index = _filename_by_content(rows, len(header))
        if index is not None and index not in taken:
            found["filename"] = index
    return found


def _unclaimed(name: str, specs: Sequence[ColumnSpec], own: ColumnSpec) -> bool:
    """True when no other key's names claim this header (so a stable position may be used)."""
    return not any(name in s.names for s in specs if s.names != own.names)


def _filename_by_content(rows: Sequence[Sequence[str]], width: int) -> int | None:
    for index in range(width):
        values = [r[index] for r in rows[:200] if index < len(r) and r[index].strip()]
        if values and all(v.strip().lower().startswith("activities/") for v in values):
            return index
    return None


# ---------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------

_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+$")


def number(cell: str | None) -> float | None:
    """A number from a cell: ``""`` is None; ``1,234.5`` and ``1,500`` are thousands-separated,
    ``10,5`` uses a decimal comma; anything unreadable, NaN or infinite is None."""
    if cell is None:
        return None
    text = cell.strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    if "," in text:
        if "." in text or _THOUSANDS.match(text):
            text = text.replace(",", "")
        elif text.count(",") == 1:
            text = text.replace(",", ".")
        else:
            return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


_CLOCK = re.compile(r"^(\d+):([0-5]\d):([0-5]\d(?:\.\d+)?)$")


def seconds(cell: str | None) -> float | None:
    """Seconds from ``3600``, ``3600.0`` or ``1:00:00``."""
    if cell is not None:
        m = _CLOCK.match(cell.strip())
        if m:
            return int(m[1]) * 3600 + int(m[2]) * 60 + float(m[3])
    return number(cell)


MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "jan january ene enero januar janv janvier gen gennaio janeiro jän jänner januari",
        "feb february febrero februar fev fevr février febbraio fevereiro februari",
        "mar march marzo märz mars marzo março maart mrt",
        "apr april abr abril avr avril aprile",
        "may mayo mai maggio maio mei",
        "jun june junio juni juin giu giugno junho",
        "jul july julio juli juil juillet lug luglio julho",
        "aug august ago agosto août aout augustus",
        "sep sept september septiembre septembre set settembre setembro",
        "oct october octubre okt oktober octobre ott ottobre out outubro",
        "nov november noviembre novembre novembro",
        "dec december dic diciembre dez dezember déc décembre dicembre dezembro",
    ),
    start=1,
):
    for _name in _names.split():
        MONTHS[normalise(_name)] = _number

_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([ap])\.?\s*m\.?)?", re.IGNORECASE)


def parse_date(cell: str) -> datetime | None:
    """The activity's start, in UTC, from ``Activity Date``; None when unreadable.

    English exports write ``Jul 1, 2025, 6:30:00 AM``. Also read: ISO 8601, month names in a few
    other languages (``1 jul. 2025, 6:30:00``), and numeric ``01.07.2025, 06:30:00`` (day first).
    """
    text = cell.strip()
    if not text:
        return None
    try:
        iso = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        iso = None
    if iso is not None:
        return iso.replace(tzinfo=UTC) if iso.tzinfo is None else iso.astimezone(UTC)
    hour = minute = second = 0
    match = _TIME.search(text)
    if match:
        hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
        meridiem = (match[4] or "").lower()
        if meridiem and not 1 <= hour <= 12:
            return None
        if meridiem == "p" and hour != 12:
            hour += 12
        elif meridiem == "a" and hour == 12:
            hour = 0
        text = text[: match.start()] + " " + text[match.end() :]
    words = [normalise(w) for w in re.findall(r"[^\W\d_]+", text)]
    month = next((MONTHS[w] for w in words if w in MONTHS), None)
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    year = next((n for n in numbers if n >= 1000), None)
    rest = [n for n in numbers if n < 1000]
    if year is None:
        return None
    if month is not None and len(rest) == 1:
        day = rest[0]
    elif month is None and len(rest) == 2:
        day, month = rest  # day first: Strava's numeric dates are European
        if month > 12 >= day:
            day, month = month, day
    else:
        return None
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    """One line of activities.csv, read into SI units (None where missing or unreadable)."""

    line: int
    """Line number of the row's first line in the file (the header is line 1)."""
    activity_id: str
    start: datetime | None
    date_text: str
    name: str
    type: str
    filename: str | None
    """The linked file, ``/``-separated and relative to the export root (``activities/1.gpx``)."""
    elapsed_s: float | None
    moving_s: float | None
    distance_m: float | None
    avg_speed_m_s: float | None
    ascent_m: float | None
    descent_m: float | None
    avg_hr: float | None
    max_hr: float | None
    avg_cadence: float | None
    avg_power_w: float | None

    @property
    def label(self) -> str:
        """How problems name the row: ``activities.csv line 12 (activity 123)``."""
        ident = f" (activity {self.activity_id})" if self.activity_id else ""
        return f"line {self.line}{ident}"


@dataclass(frozen=True, slots=True)
class Table:
    """The parsed file: rows, the column map, and why parsing stopped early (if it did)."""

    rows: tuple[Row, ...]
    columns: dict[str, int]
    error: str | None = None


def decode(data: bytes) -> str:
    """Text of the CSV: UTF-8 (with or without BOM), else Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(first line number, cells) per record; quoted cells may hold commas and newlines."""
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    for cells in reader:
        yield line, cells
        line = reader.line_num + 1


def _cell(cells: Sequence[str], columns: dict[str, int], key: str) -> str:
    index = columns.get(key)
    if index is None or index >= len(cells):
        return ""
    return cells[index]


def _positive(value: float | None, high: float) -> float | None:
    return value if value is not None and 0 <= value <= high else None


def _filename(cell: str) -> str | None:
    name = cell.strip().replace("\\", "/")
    while name.startswith("./"):
        name = name[2:]
    return name or None


def _distance(cells: Sequence[str], columns: dict[str, int], type_key: str) -> float | None:
    metres = _positive(number(_cell(cells, columns, "distance")), 5e6)
    if metres is not None or "distance" in columns:
        return metres
    shown = _positive(number(_cell(cells, columns, "distance_display")), 5e6)
    if shown is None:
        return None
    if type_key == "swim" and shown >= 25:  # swims are shown in metres; nobody swims 25+ km
        return shown
    return shown * 1000


def parse(data: bytes) -> Table:
    """Every row of ``activities.csv``. Never raises: a broken file gives ``Table.error``."""
    records = _records(decode(data))
    try:
        first = next(records, None)
    except csv.Error as exc:
        return Table((), {}, f"the header cannot be read: {exc}")
    if first is None or not any(c.strip() for c in first[1]):
        return Table((), {}, "the file is empty")
    header = first[1]
    raw: list[tuple[int, list[str]]] = []
    error = None
    try:
        for line, cells in records:
            if any(c.strip() for c in cells):
                raw.append((line, cells))
    except csv.Error as exc:
        error = f"line {len(raw) + 2} and after cannot be read: {exc}"
    columns = column_map(header, [cells for _line, cells in raw])
    if "date" not in columns:
        return Table((), columns, "the header has no recognisable Activity Date column")
    rows = []
    for line, cells in raw:
        type_text = _cell(cells, columns, "type").strip()
        elapsed = seconds(_cell(cells, columns, "elapsed"))
        if elapsed is None:
            elapsed = seconds(_cell(cells, columns, "elapsed_display"))
        max_hr = number(_cell(cells, columns, "max_hr"))
        if max_hr is None:
            max_hr = number(_cell(cells, columns, "max_hr_display"))
        date_text = _cell(cells, columns, "date")
        rows.append(
            Row(
                line=line,
                activity_id=_cell(cells, columns, "id").strip(),
                start=parse_date(date_text),
                date_text=date_text.strip(),
                name=_cell(cells, columns, "name").strip(),
                type=type_text,
                filename=_filename(_cell(cells, columns, "filename")),
                elapsed_s=_positive(elapsed, 14 * 86400),
                moving_s=_positive(seconds(_cell(cells, columns, "moving")), 14 * 86400),
                distance_m=_distance(cells, columns, normalise(type_text)),
                avg_speed_m_s=_in(number(_cell(cells, columns, "avg_speed")), 0.01, 100),
                ascent_m=_positive(number(_cell(cells, columns, "ascent")), 50_000),
                descent_m=_positive(number(_cell(cells, columns, "descent")), 50_000),
                avg_hr=_in(number(_cell(cells, columns, "avg_hr")), 20, 260),
                max_hr=_in(max_hr, 20, 260),
                avg_cadence=_in(number(_cell(cells, columns, "avg_cadence")), 1, 400),
                avg_power_w=_in(number(_cell(cells, columns, "avg_watts")), 1, 3000),
            )
        )
    if rows and error is None and all(r.start is None for r in rows):
        error = f"no row has a readable Activity Date (column {columns['date'] + 1})"
    return Table(tuple(rows), columns, error)


def _in(value: float | None, low: float, high: float) -> float | None:
    """The value when within ``low..high``; Strava writes 0 for "not recorded"."""
    return value if value is not None and low <= value <= high else None
