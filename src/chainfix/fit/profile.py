"""FIT profile knowledge: enum names and the layout of the few messages chainfix reads.

Everything comes from python-fitparse's generated ``fitparse.profile`` (Garmin FIT SDK 21.218), so
no field number, base type, scale or name is typed by hand here. Lookup tables are built on first
use and kept. Unknown enum numbers become ``"<type>_<number>"`` (e.g. ``"sport_123"``): never an
exception, never a silent drop.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from fitparse import profile as _fp

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


@cache
def wanted_messages(recovery: bool = False) -> dict[int, MessageSpec]:
    """Wanted messages by global message number, with their wanted fields (``recovery``: the
    :data:`RECOVERY_FIELDS` too)."""
    by_name = {m.name: m for m in _fp.MESSAGE_TYPES.values()}
    specs: dict[int, MessageSpec] = {}
    wanted = dict(WANTED_FIELDS)
    if recovery:
        for name, extra in RECOVERY_FIELDS.items():
            wanted[name] = tuple(dict.fromkeys(wanted.get(name, ()) + extra))
    for mesg_name, field_names in wanted.items():
        mesg = by_name[mesg_name]
        fields: dict[int, FieldSpec] = {}
        for field in mesg.fields.values():
            if field.name in field_names:
                fields[field.def_num] = FieldSpec(
                    name=field.name,
                    def_num=field.def_num,
                    base_type=field.base_type.identifier,
                    scale=field.scale,
                    offset=field.offset,
                )
        missing = set(field_names) - {f.name for f in fields.values()}
        if missing:  # pragma: no cover - guards against a profile rename
            raise RuntimeError(f"FIT profile lacks {mesg_name} fields {sorted(missing)}")
        specs[mesg.mesg_num] = MessageSpec(mesg_name, mesg.mesg_num, fields)
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
        num: {fnum: (f.base_type.identifier, bool(f.components)) for fnum, f in mesg.fields.items()}
        for num, mesg in _fp.MESSAGE_TYPES.items()
    }


@cache
def _values(type_name: str) -> dict[int, str]:
    field_type = _fp.FIELD_TYPES.get(type_name)
    return dict(field_type.values) if field_type is not None and field_type.values else {}


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
    if cat is None or f"{cat}_exercise_name" not in _fp.FIELD_TYPES:
        return None
    return enum_name(f"{cat}_exercise_name", subtype)


@cache
def _product_types() -> dict[int, str]:
    """``{manufacturer number: product type name}`` from the ``file_id.product`` sub-fields."""
    by_name = {m.name: m for m in _fp.MESSAGE_TYPES.values()}
    product = next(f for f in by_name["file_id"].fields.values() if f.name == "product")
    mapping: dict[int, str] = {}
    for sub in product.subfields or ():
        for ref in sub.ref_fields:
            if ref.name == "manufacturer":
                mapping[ref.raw_value] = sub.type.name
    return mapping


def device_name(manufacturer: int | None, product: int | None) -> str | None:
    """``"garmin fr965"``-style name from ``file_id``; the product number when it has no name."""
    if manufacturer is None:
        return None
    maker = manufacturer_name(manufacturer)
    if product is None:
        return maker
    product_type = _product_types().get(manufacturer)
    if product_type is None:
        return f"{maker} {product}"
    return f"{maker} {_values(product_type).get(product, str(product))}"
