"""The FIT encoder's fields: python-fitparse's profile compiled into field specs (base type,
scale, offset, enum, sub-fields), and each value checked and turned into its raw form.

The value rules are those of :mod:`chainfix.fit.encode`; mistakes raise :class:`FitEncodeError`."""

from __future__ import annotations

import difflib
import math
import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from numbers import Real
from typing import Any

from fitparse.profile import FIELD_TYPES, MESSAGE_TYPES
from fitparse.records import BaseType, Field, FieldType, MessageType, SubField

__all__ = ["FIT_EPOCH", "FitEncodeError", "degrees_to_semicircles", "fit_timestamp"]

FIT_EPOCH = datetime(1989, 12, 31, tzinfo=UTC)
"""FIT timestamps count seconds from this instant."""
_FIT_EPOCH_UNIX = int(FIT_EPOCH.timestamp())
_FIT_EPOCH_NAIVE = FIT_EPOCH.replace(tzinfo=None)
_MIN_ABSOLUTE_TIME = 0x10000000
"""Decoders read ``date_time`` values below this as times relative to power-on."""
_MIN_ABSOLUTE = (FIT_EPOCH + timedelta(seconds=_MIN_ABSOLUTE_TIME)).isoformat()
_MAX_FIELD_SIZE = 255


class FitEncodeError(ValueError):
    """A message, field or value cannot be written as asked."""


def fit_timestamp(when: datetime) -> int:
    """Seconds since the FIT epoch for an aware datetime (rounded to the second)."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise FitEncodeError(f"naive datetime {when!r}: pass an aware datetime (e.g. UTC)")
    return round(when.timestamp()) - _FIT_EPOCH_UNIX


def degrees_to_semicircles(degrees: float) -> int:
    """Convert degrees of latitude or longitude to FIT semicircles."""
    return round(degrees * (2**31 / 180.0))


# ---------------------------------------------------------------------------------------------
# Profile compilation


@dataclass(frozen=True, slots=True)
class _Spec:
    """How to turn a Python value into raw values for one field or sub-field."""

    message: str
    name: str
    num: int
    """Field number on the wire (the main field's, for a sub-field)."""
    base: BaseType
    """Wire base type (the main field's, for a sub-field)."""
    kind: str
    """``int``, ``float``, ``str``, ``bytes``, ``datetime``, ``localtime`` or ``bool``."""
    scale: float | None
    offset: float | None
    enum: Mapping[str, int] | None
    lo: float
    hi: float
    invalid: Any
    parent: str | None = None
    """Main field name, when this is a sub-field."""
    refs: tuple[tuple[str, int], ...] = ()
    """Sub-field condition: (reference field name, raw value); any one must hold."""

    @property
    def label(self) -> str:
        return f"{self.message}.{self.name}"


@dataclass(frozen=True, slots=True)
class _Message:
    name: str
    num: int
    specs: Mapping[str, _Spec]
    """Fields and sub-fields by name."""
    main_by_num: Mapping[int, str]
    subfields_of: Mapping[str, tuple[str, ...]]
    """Main field name -> its sub-field names."""


def _base_limits(base: BaseType) -> tuple[float, float, Any]:
    """Valid raw range (the invalid marker excluded) and the invalid marker of a base type."""
    name = base.name
    if name in ("string", "byte"):
        return 0, 255, None
    if name == "float32":
        return -3.4028234663852886e38, 3.4028234663852886e38, float("nan")
    if name == "float64":
        return -math.inf, math.inf, float("nan")
    bits = struct.calcsize(base.fmt) * 8
    if name.startswith("sint"):
        lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
        return lo, hi - 1, hi
    top = (1 << bits) - 1
    if name.endswith("z"):
        return 1, top, 0
    return 0, top - 1, top


def _kind(field_type: FieldType | BaseType, base: BaseType) -> str:
    type_name = field_type.name
    if type_name == "date_time":
        return "datetime"
    if type_name == "local_date_time":
        return "localtime"
    if type_name == "bool":
        return "bool"
    if base.name == "string":
        return "str"
    if base.name == "byte":
        return "bytes"
    if base.name.startswith("float"):
        return "float"
    return "int"


def _enum_names(field_type: FieldType | BaseType) -> Mapping[str, int] | None:
    values = getattr(field_type, "values", None)
    if not values:
        return None
    return {str(name): int(num) for num, name in values.items()}


def _make_spec(
    message: str, item: Field | SubField, main: Field, refs: tuple[tuple[str, int], ...] = ()
) -> _Spec:
    base = main.base_type
    lo, hi, invalid = _base_limits(base)
    return _Spec(
        message=message,
        name=item.name,
        num=main.def_num,
        base=base,
        kind=_kind(item.type, base),
        scale=item.scale or None,
        offset=item.offset or None,
        enum=_enum_names(item.type),
        lo=lo,
        hi=hi,
        invalid=invalid,
        parent=main.name if item is not main else None,
        refs=refs,
    )


def _compile(mtype: MessageType) -> _Message:
    specs: dict[str, _Spec] = {}
    subfields_of: dict[str, tuple[str, ...]] = {}
    main_by_num: dict[int, str] = {}
    for field in mtype.fields.values():
        specs[field.name] = _make_spec(mtype.name, field, field)
        main_by_num[field.def_num] = field.name
        names = []
        for sub in field.subfields or ():
            refs = tuple((ref.name, int(ref.raw_value)) for ref in sub.ref_fields)
            specs[sub.name] = _make_spec(mtype.name, sub, field, refs)
            names.append(sub.name)
        subfields_of[field.name] = tuple(names)
    return _Message(mtype.name, mtype.mesg_num, specs, main_by_num, subfields_of)


_MESSAGES_BY_NAME: dict[str, MessageType] = {m.name: m for m in MESSAGE_TYPES.values()}
_COMPILED: dict[str, _Message] = {}


def _message(name: str) -> _Message:
    msg = _COMPILED.get(name)
    if msg is not None:
        return msg
    mtype = _MESSAGES_BY_NAME.get(name)
    if mtype is None:
        raise FitEncodeError(
            f"unknown FIT message {name!r}{_did_you_mean(name, _MESSAGES_BY_NAME)}"
        )
    msg = _COMPILED[name] = _compile(mtype)
    return msg


def _did_you_mean(name: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(choices), n=3, cutoff=0.6)
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""


# ---------------------------------------------------------------------------------------------
# Value conversion


def _scalar(spec: _Spec, value: Any, enum: Mapping[str, int] | None = None) -> Any:
    """One Python value -> one raw value, validated. ``None`` -> the invalid marker."""
    if value is None:
        return spec.invalid
    kind = spec.kind
    if kind == "datetime":
        if isinstance(value, datetime):
            if value.tzinfo is None or value.utcoffset() is None:
                raise FitEncodeError(f"{spec.label}: naive datetime {value!r}; pass an aware one")
            raw = fit_timestamp(value)
            if raw < _MIN_ABSOLUTE_TIME:
                raise FitEncodeError(f"{spec.label}: {value.isoformat()} is before {_MIN_ABSOLUTE}")
        elif isinstance(value, int) and not isinstance(value, bool):
            raw = value
        else:
            raise FitEncodeError(f"{spec.label}: expected an aware datetime, got {value!r}")
        return _check_range(spec, raw, value)
    if kind == "localtime":
        if isinstance(value, datetime):
            wall = value.replace(tzinfo=None)
            raw = round((wall - _FIT_EPOCH_NAIVE).total_seconds())
        elif isinstance(value, int) and not isinstance(value, bool):
            raw = value
        else:
            raise FitEncodeError(f"{spec.label}: expected a local datetime, got {value!r}")
        return _check_range(spec, raw, value)
    if kind == "bool":
        if isinstance(value, bool) or value in (0, 1):
            return int(value)
        raise FitEncodeError(f"{spec.label}: expected True or False, got {value!r}")
    if isinstance(value, str):
        table = enum if enum is not None else spec.enum
        if table is None:
            raise FitEncodeError(f"{spec.label}: expected a number, got the string {value!r}")
        named = table.get(value)
        if named is None:
            raise FitEncodeError(
                f"{spec.label}: unknown value {value!r}{_did_you_mean(value, table)}"
            )
        return _check_range(spec, named, value)
    if isinstance(value, bool) or not isinstance(value, Real):
        raise FitEncodeError(f"{spec.label}: expected a number, got {value!r}")
    if kind == "int" and not spec.scale and not spec.offset and isinstance(value, int):
        return _check_range(spec, value, value)  # exact, also for 64-bit integers
    number = float(value)
    if not math.isfinite(number):
        raise FitEncodeError(f"{spec.label}: {value!r} is not a finite number")
    if spec.offset:
        number += spec.offset
    if spec.scale:
        number *= spec.scale
    return _check_range(spec, number if kind == "float" else round(number), value)


def _check_range(spec: _Spec, raw: float, value: Any) -> float:
    if raw < spec.lo or raw > spec.hi:
        scaled = f" (raw {raw})" if raw != value else ""
        raise FitEncodeError(
            f"{spec.label}: {value!r}{scaled} does not fit in {spec.base.name} "
            f"(raw range {spec.lo}..{spec.hi})"
        )
    return raw


def _encode(spec: _Spec, value: Any, enum: Mapping[str, int] | None = None) -> tuple[str, list]:
    """A Python value -> (struct format, raw values)."""
    kind = spec.kind
    if kind == "str":
        if not isinstance(value, str):
            raise FitEncodeError(f"{spec.label}: expected a string, got {value!r}")
        data = value.encode("utf-8") + b"\0"
        if b"\0" in data[:-1]:
            raise FitEncodeError(f"{spec.label}: string contains a NUL character")
        if len(data) > _MAX_FIELD_SIZE:
            raise FitEncodeError(
                f"{spec.label}: string is {len(data)} bytes with its NUL, max {_MAX_FIELD_SIZE}"
            )
        return f"{len(data)}s", [data]
    if kind == "bytes":
        if isinstance(value, list | tuple):
            if not all(isinstance(b, int) and 0 <= b <= 255 for b in value):
                raise FitEncodeError(f"{spec.label}: byte values must be integers 0..255")
            value = bytes(value)
        if not isinstance(value, bytes | bytearray) or not 0 < len(value) <= _MAX_FIELD_SIZE:
            raise FitEncodeError(f"{spec.label}: expected 1..255 bytes, got {value!r}")
        return f"{len(value)}s", [bytes(value)]
    char = spec.base.fmt
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        value = value.tolist()
    if isinstance(value, list | tuple):
        if not value:
            raise FitEncodeError(f"{spec.label}: empty array")
        size = len(value) * struct.calcsize(char)
        if size > _MAX_FIELD_SIZE:
            raise FitEncodeError(f"{spec.label}: array of {len(value)} is {size} bytes, max 255")
        return f"{len(value)}{char}", [_scalar(spec, v, enum) for v in value]
    return char, [_scalar(spec, value, enum)]


def _exercise_table(category: Any) -> Mapping[str, int] | None:
    """``<category>_exercise_name`` names for a category given by name or number."""
    if isinstance(category, int):
        category = FIELD_TYPES["exercise_category"].values.get(category)
    table = FIELD_TYPES.get(f"{category}_exercise_name") if isinstance(category, str) else None
    return _enum_names(table) if table is not None else None


def _name_of(spec: _Spec, raw: Any) -> Any:
    if spec.enum:
        for name, num in spec.enum.items():
            if num == raw:
                return name
    return raw
