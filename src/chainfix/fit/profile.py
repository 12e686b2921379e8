"""FIT profile knowledge: enum names and the layout of the few messages chainfix reads.

Everything comes from python-fitparse's generated ``fitparse.profile`` (Garmin FIT SDK 21.218), so
no field number, base type, scale or name is typed by hand here. Importing that module costs about
10 ms, so the parts read here are kept as literals in :mod:`chainfix.fit.profile_tables`
(generated from it by ``scripts/make_fit_profile.py``) and used while the installed
python-fitparse's profile is the one they were made from (its CRC-32); another one is read
directly (:func:`tables_from_fitparse`). Lookup tables are built on first use and kept. Unknown
enum numbers become ``"<type>_<number>"`` (e.g. ``"sport_123"``): never an exception, never a
silent drop.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from chainfix.model import UNKNOWN

UNKNOWN_CATEGORY = 65534
"""``exercise_category`` value meaning the watch could not tell the exercise."""

WANTED_FIELDS: dict[str, tuple[str, ...]] = {
    "file_id": ("type", "manufacturer", "product", "serial_number", "time_created"),
    "session": (
        "timestamp",
        "start_time",
        "sport",
        "sub_sport",
        "total_elapsed_time",
        "total_timer_time",
        "total_distance",
        "total_ascent",
        "total_descent",
        "avg_speed",
        "enhanced_avg_speed",
        "avg_heart_rate",
        "max_heart_rate",
        "avg_power",
        "avg_cadence",
        "avg_fractional_cadence",
    ),
    "lap": (
        "timestamp",
        "start_time",
        "total_timer_time",
        "total_distance",
        "total_ascent",
        "total_descent",
    ),
    "activity": ("timestamp", "local_timestamp"),
    "sport": ("sport", "sub_sport"),
    "set": (
        "timestamp",
        "start_time",
        "duration",
        "repetitions",
        "weight",
        "set_type",
        "category",
        "category_subtype",
        "wkt_step_index",
    ),
}
"""The messages and fields the muscle-load model needs (laps: only their totals, for hard-session
detection); every other message and field is skipped."""

RECOVERY_FIELDS: dict[str, tuple[str, ...]] = {
    "lap": (
        "timestamp",
        "start_time",
        "sport",
        "sub_sport",
        "total_elapsed_time",
        "total_timer_time",
        "total_distance",
        "total_ascent",
        "total_descent",
    ),
    "record": ("timestamp", "distance"),
}
"""Read as well, in a second pass, when an activity holds no session (the watch died before
saving it): its session is rebuilt from these (see ``activities``). Merged field by field with
:data:`WANTED_FIELDS`."""


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One profile field: its name, FIT base type id, and scale/offset (None when absent)."""

    name: str
    def_num: int
    base_type: int
    scale: float | None
    offset: float | None


@dataclass(frozen=True, slots=True)
class MessageSpec:
    """One wanted message: its name and wanted fields by field number."""

    name: str
    mesg_num: int
    fields: dict[int, FieldSpec]


FieldRow = tuple[str, int, float | None, int | None, bool]
"""One field of the profile: name, base type id, scale, offset, whether it has components."""


@dataclass(frozen=True, slots=True)
class ProfileTables:
    """The parts of the profile read here (see :mod:`chainfix.fit.profile_tables`)."""

    messages: dict[int, tuple[str, dict[int, FieldRow]]]
    """``{mesg_num: (name, {field number: row})}`` for every message."""
    types: dict[str, dict[int, str]]
    """``{type name: {value: name}}`` for every type (empty when it names no values)."""
    product_types: dict[int, str]
    """``{manufacturer number: the type naming its products}``."""


def tables_from_fitparse() -> ProfileTables:
    """The tables read from the installed python-fitparse's ``fitparse.profile``."""
    from fitparse import profile as fp

    messages = {
        num: (
            mesg.name,
            {
                fnum: (f.name, f.base_type.identifier, f.scale, f.offset, bool(f.components))
                for fnum, f in mesg.fields.items()
            },
        )
        for num, mesg in fp.MESSAGE_TYPES.items()
    }
    types = {name: dict(t.values or {}) for name, t in fp.FIELD_TYPES.items()}
    file_id = next(m for m in fp.MESSAGE_TYPES.values() if m.name == "file_id")
    product = next(f for f in file_id.fields.values() if f.name == "product")
    products = {
        ref.raw_value: sub.type.name
        for sub in product.subfields or ()
        for ref in sub.ref_fields
        if ref.name == "manufacturer"
    }
    return ProfileTables(messages, types, products)


def installed_profile_crc() -> int | None:
    """The CRC-32 of the installed ``fitparse/profile.py``, found without importing it (None
    when it cannot be read)."""
    try:
        spec = find_spec("fitparse")
        if spec is None or spec.origin is None:
            return None
        return zlib.crc32(Path(spec.origin).with_name("profile.py").read_bytes())
    except (ImportError, OSError, ValueError):
        return None


@cache
def tables() -> ProfileTables:
    """The generated tables when they were made from the installed profile, else read from it."""
    from chainfix.fit import profile_tables as made

    if installed_profile_crc() == made.SOURCE_CRC:
        return ProfileTables(made.MESSAGES, made.TYPES, made.PRODUCT_TYPES)
    return tables_from_fitparse()


@cache
def wanted_messages(recovery: bool = False) -> dict[int, MessageSpec]:
    """Wanted messages by global message number, with their wanted fields (``recovery``: the
    :data:`RECOVERY_FIELDS` too)."""
    by_name = {name: (num, fields) for num, (name, fields) in tables().messages.items()}
    specs: dict[int, MessageSpec] = {}
    wanted = dict(WANTED_FIELDS)
    if recovery:
        for name, extra in RECOVERY_FIELDS.items():
            wanted[name] = tuple(dict.fromkeys(wanted.get(name, ()) + extra))
    for mesg_name, field_names in wanted.items():
        mesg_num, rows = by_name[mesg_name]
        fields: dict[int, FieldSpec] = {}
        for def_num, (name, base_type, scale, offset, _) in rows.items():
            if name in field_names:
                fields[def_num] = FieldSpec(name, def_num, base_type, scale, offset)
        missing = set(field_names) - {f.name for f in fields.values()}
        if missing:  # pragma: no cover - guards against a profile rename
            raise RuntimeError(f"FIT profile lacks {mesg_name} fields {sorted(missing)}")
        specs[mesg_num] = MessageSpec(mesg_name, mesg_num, fields)
    return specs


@cache
def field_scales(mesg_name: str) -> dict[str, tuple[float | None, float | None]]:
    """``{field name: (scale, offset)}`` for one wanted message."""
    for spec in wanted_messages(recovery=True).values():
        if spec.name == mesg_name:
            return {f.name: (f.scale, f.offset) for f in spec.fields.values()}
    raise KeyError(mesg_name)


@cache
def profile_base_types() -> dict[int, dict[int, tuple[int, bool]]]:
    """``{mesg_num: {field num: (profile base type id, has components)}}`` for every known message.

    The fast reader uses it to hand a file to the full decoder when a file declares a known field
    with another base type than the profile (python-fitparse then takes unusual code paths).
    """
    return {
        num: {fnum: (row[1], row[4]) for fnum, row in rows.items()}
        for num, (_, rows) in tables().messages.items()
    }


def type_values(type_name: str) -> dict[int, str] | None:
    """``{value: name}`` of a profile type; None when the profile has no such type."""
    return tables().types.get(type_name)


def _values(type_name: str) -> dict[int, str]:
    return type_values(type_name) or {}


def enum_name(type_name: str, value: int) -> str:
    """Profile name of ``value`` in FIT type ``type_name``; ``"<type>_<value>"`` when unknown."""
    return _values(type_name).get(value) or f"{type_name}_{value}"


def sport_name(value: int) -> str:
    return enum_name("sport", value)


def sub_sport_name(value: int) -> str:
    return enum_name("sub_sport", value)


def file_type_name(value: int) -> str:
    return enum_name("file", value)


def manufacturer_name(value: int) -> str:
    return enum_name("manufacturer", value)


def category_name(value: int) -> str:
    """Exercise category name; ``"unknown"`` for 65534."""
    if value == UNKNOWN_CATEGORY:
        return UNKNOWN
    return enum_name("exercise_category", value)


def exercise_name(category: int, subtype: int) -> str | None:
    """Exercise name of ``subtype`` within ``category`` (``<category>_exercise_name`` type).

    None when the category itself has no exercise-name type (unknown category, 65534, or a
    category such as ``cardio_sensors`` that the profile lists without names).
    """
    if category == UNKNOWN_CATEGORY:
        return None
    cat = _values("exercise_category").get(category)
    if cat is None or f"{cat}_exercise_name" not in tables().types:
        return None
    return enum_name(f"{cat}_exercise_name", subtype)


def device_name(manufacturer: int | None, product: int | None) -> str | None:
    """``"garmin fr965"``-style name from ``file_id``; the product number when it has no name."""
    if manufacturer is None:
        return None
    maker = manufacturer_name(manufacturer)
    if product is None:
        return maker
    product_type = tables().product_types.get(manufacturer)
    if product_type is None:
        return f"{maker} {product}"
    return f"{maker} {_values(product_type).get(product, str(product))}"
