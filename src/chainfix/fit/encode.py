"""A small validating FIT encoder driven by python-fitparse's profile tables.

Every message number, field number, base type, scale, offset, enum value and sub-field rule comes
from ``fitparse.profile``; nothing here is hand-typed. Values are given in physical units (seconds,
metres, kilograms, metres per second, ...) and the writer applies the profile's scale and offset.
Mistakes raise :class:`FitEncodeError` instead of being dropped or wrapped::

    w = FitWriter()
    w.add("file_id", type="activity", manufacturer="garmin", product=3113, time_created=dt)
    w.add("workout_step", message_index=0, duration_type="reps", duration_reps=10,
          exercise_category="hip_raise", exercise_name=11)
    data = w.to_bytes()

Value rules:

- ``None`` leaves a field out (:meth:`FitWriter.add`) or writes its invalid value
  (:meth:`FitWriter.add_many`, :meth:`FitWriter.add_columns`, and elements of arrays).
- ``date_time`` fields take aware datetimes (or raw FIT seconds as ``int``); ``local_date_time``
  fields take the wall-clock time: a naive datetime, or an aware one in the local zone.
- Enum fields take profile names or integers; a list or tuple writes an array field.
- ``exercise_name`` and ``category_subtype`` also take exercise names, looked up in the
  ``<category>_exercise_name`` table of the category given in the same message.
- Sub-field names (``duration_reps``, ``duration_time``, ``garmin_product``, ...) are written
  into their main field after checking the reference field's value in the same message.
- Positions stay in the profile's unit, semicircles (see :func:`degrees_to_semicircles`).
- The profile does not say which fields are arrays, so a list is accepted for any numeric field.
  A one-element list decodes as a scalar.

The writer emits a definition message whenever a message's field layout changes and keeps up to
16 layouts live (least recently used local message type is redefined). No developer fields.
"""

from __future__ import annotations

import math
import struct
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fastcrc
from fitparse.records import BaseType

from chainfix.fit.encode_fields import (
    _FIT_EPOCH_UNIX,
    _MIN_ABSOLUTE,
    _MIN_ABSOLUTE_TIME,
    FitEncodeError,
    _did_you_mean,
    _encode,
    _exercise_table,
    _Message,
    _message,
    _name_of,
    _scalar,
    _Spec,
)

__all__ = [
    "FitWriter",
    "PROFILE_VERSION",
    "PROTOCOL_V1",
    "PROTOCOL_VERSION",
    "Rows",
    "encode_rows",
]


PROTOCOL_VERSION = 0x20
"""FIT protocol 2.0 (header byte: major in the high nibble)."""
PROTOCOL_V1 = 0x10
"""FIT protocol 1.0, read by every FIT device; enough unless a 2.0 feature is used."""
_V2_BASE_TYPES = frozenset((0x8E, 0x8F, 0x90))
"""sint64, uint64 and uint64z: base types that need protocol 2.0 (no developer fields here)."""
PROFILE_VERSION = 21218
"""Profile 21.218 (major * 1000 + minor), the profile shipped by python-fitparse 2.7.0."""

_HEADER = struct.Struct("<BBHI4sH")
_LOCAL_TYPES = 16

# Fields whose integer value is an exercise name within the category given by another field.
_EXERCISE_NAME_OF = {"exercise_name": "exercise_category", "category_subtype": "category"}


# ---------------------------------------------------------------------------------------------
# The writer


@dataclass(slots=True)
class _Layout:
    local: int
    struct: struct.Struct
    header: int


class FitWriter:
    """Build one FIT file (14-byte header with CRC) message by message.

    ``protocol`` is the header's protocol version: 2.0 by default; ``None`` writes the lowest
    version the content needs (1.0 unless a 64-bit field is written), for older devices.
    """

    def __init__(self, protocol: int | None = PROTOCOL_VERSION) -> None:
        if protocol not in (None, PROTOCOL_V1, PROTOCOL_VERSION):
            raise FitEncodeError(f"unsupported FIT protocol version {protocol!r}")
        self._protocol = protocol
        self._needs_v2 = False
        self._chunks: list[bytes] = []
        self._size = 0
        self._live: OrderedDict[tuple, _Layout] = OrderedDict()
        """Layouts currently bound to a local message type, least recently used first."""
        self._messages = 0

    # -- public API ------------------------------------------------------------------------------

    def add(self, message: str, /, **fields: Any) -> None:
        """Append one data message; ``fields`` by profile name (fields or sub-fields)."""
        msg = _message(message)
        self._check_first(msg)
        items = self._resolve(msg, {k: v for k, v in fields.items() if v is not None})
        layout_fields = tuple((num, fmt, spec.base) for num, (spec, fmt, _) in items)
        layout = self._layout(msg, layout_fields)
        values: list[Any] = []
        for _, (_, _, raws) in items:
            values.extend(raws)
        self._emit(layout.struct.pack(layout.header, *values))

    def add_many(self, message: str, fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Append one message per row, values in the order of ``fields``; returns the row count.

        Every row shares one layout, so ``None`` writes the field's invalid value. Scalars only.
        """
        msg = _message(message)
        self._check_first(msg)
        specs = [self._main_spec(msg, name) for name in fields]
        nums = [s.num for s in specs]
        if len(set(nums)) != len(nums):
            raise FitEncodeError(f"{message}: fields {list(fields)} name the same field twice")
        for spec in specs:
            if spec.kind in ("str", "bytes"):
                raise FitEncodeError(f"{spec.label}: add_many takes numeric fields only; use add()")
        order = sorted(range(len(specs)), key=lambda i: specs[i].num)
        encoded: list[list[Any]] = []
        for count, row in enumerate(rows):  # validate everything before writing anything
            if len(row) != len(specs):
                raise FitEncodeError(
                    f"{message}: row {count} has {len(row)} values, expected {len(specs)}"
                )
            encoded.append([_scalar(specs[i], row[i]) for i in order])
        if not encoded:
            return 0
        layout = self._layout(
            msg, tuple((specs[i].num, specs[i].base.fmt, specs[i].base) for i in order)
        )
        pack, header = layout.struct.pack, layout.header
        self._emit(b"".join([pack(header, *raws) for raws in encoded]), messages=len(encoded))
        return len(encoded)

    def add_columns(self, message: str, columns: Mapping[str, Any]) -> int:
        """Append one message per row from equal-length columns (numpy-vectorised fast path).

        Columns are sequences or numpy arrays in physical units; NaN or ``None`` writes the
        invalid value. ``date_time`` columns take ``datetime64`` arrays (UTC), aware datetimes,
        or raw FIT seconds as integers. Enum columns take names or integers. Returns the row count.
        """
        return self.add_rows(encode_rows(message, columns))

    def add_rows(self, rows: Rows, start: int = 0, stop: int | None = None) -> int:
        """Append rows ``start:stop`` of columns encoded once by :func:`encode_rows`."""
        msg = _message(rows.message)
        self._check_first(msg)
        block = rows.table[start:stop]
        if not len(block):
            return 0
        layout = self._layout(msg, rows.fields)
        block["_h"] = layout.header
        self._emit(block.tobytes(), messages=len(block))
        return len(block)

    def to_bytes(self) -> bytes:
        """The whole file: header, records and file CRC."""
        if not self._messages:
            raise FitEncodeError("empty FIT file: add a file_id message first")
        head = _HEADER.pack(14, self.protocol, PROFILE_VERSION, self._size, b".FIT", 0)
        head = head[:12] + struct.pack("<H", fastcrc.crc16.arc(head[:12]))
        body = b"".join([head, *self._chunks])
        return body + struct.pack("<H", fastcrc.crc16.arc(body))

    def write(self, path: str | Path) -> Path:
        """Write :meth:`to_bytes` to ``path`` and return it."""
        path = Path(path)
        path.write_bytes(self.to_bytes())
        return path

    @property
    def protocol(self) -> int:
        """The protocol version the header will carry (``0x10`` = 1.0, ``0x20`` = 2.0)."""
        if self._protocol is not None:
            return self._protocol
        return PROTOCOL_VERSION if self._needs_v2 else PROTOCOL_V1

    @property
    def data_size(self) -> int:
        """Bytes of definition and data records written so far."""
        return self._size

    # -- internals -------------------------------------------------------------------------------

    def _check_first(self, msg: _Message) -> None:
        if not self._messages and msg.name != "file_id":
            raise FitEncodeError(f"a FIT file must start with file_id, not {msg.name}")

    def _emit(self, data: bytes, messages: int = 1) -> None:
        self._chunks.append(data)
        self._size += len(data)
        self._messages += messages

    @staticmethod
    def _spec(msg: _Message, name: str) -> _Spec:
        spec = msg.specs.get(name)
        if spec is None:
            raise FitEncodeError(
                f"{msg.name}: unknown field {name!r}{_did_you_mean(name, msg.specs)}"
            )
        return spec

    @staticmethod
    def _main_spec(msg: _Message, name: str) -> _Spec:
        spec = FitWriter._spec(msg, name)
        if spec.parent is not None:
            raise FitEncodeError(
                f"{spec.label} is a sub-field of {spec.parent}; use add() for sub-fields"
            )
        return spec

    def _resolve(self, msg: _Message, fields: dict[str, Any]) -> list[tuple[int, tuple]]:
        """Validate and encode fields; returns [(field num, (spec, fmt, raws))] sorted by num."""
        specs = {name: self._spec(msg, name) for name in fields}
        by_num: dict[int, _Spec] = {}
        for spec in specs.values():
            other = by_num.get(spec.num)
            if other is not None:
                raise FitEncodeError(
                    f"{msg.name}: {other.name!r} and {spec.name!r} both set field "
                    f"{spec.parent or other.parent or spec.name}"
                )
            by_num[spec.num] = spec
        # Main fields first: sub-fields and exercise names depend on their raw values.
        encoded: dict[str, tuple[str, list]] = {}
        deferred: list[_Spec] = []
        for name, spec in specs.items():
            value = fields[name]
            if spec.parent is not None or self._needs_context(msg, spec, value):
                deferred.append(spec)
            else:
                encoded[name] = _encode(spec, value)
        raw_of = {name: raws for name, (_, raws) in encoded.items()}
        for spec in deferred:
            value = fields[spec.name]
            if spec.parent is not None:
                self._check_refs(msg, spec, raw_of)
                encoded[spec.name] = _encode(spec, value)
            elif spec.name in _EXERCISE_NAME_OF:
                encoded[spec.name] = self._encode_exercise(msg, spec, value, fields)
            else:
                encoded[spec.name] = _encode(spec, value, self._active_enum(msg, spec, raw_of))
        return sorted(
            ((spec.num, (spec, *encoded[name])) for name, spec in specs.items()),
            key=lambda item: item[0],
        )

    @staticmethod
    def _needs_context(msg: _Message, spec: _Spec, value: Any) -> bool:
        """True for a name given to a plain-integer main field (resolved through a sub-field)."""
        if spec.enum is not None or spec.kind != "int":
            return False
        names = isinstance(value, str) or (
            isinstance(value, list | tuple) and any(isinstance(v, str) for v in value)
        )
        return names and (spec.name in _EXERCISE_NAME_OF or bool(msg.subfields_of.get(spec.name)))

    @staticmethod
    def _check_refs(msg: _Message, spec: _Spec, raw_of: Mapping[str, list]) -> None:
        wanted: dict[str, list[int]] = {}
        for ref_name, ref_raw in spec.refs:
            wanted.setdefault(ref_name, []).append(ref_raw)
            raws = raw_of.get(ref_name)
            if raws is not None and len(raws) == 1 and raws[0] == ref_raw:
                return
        parts = []
        for ref_name, raw_values in wanted.items():
            ref_spec = msg.specs[ref_name]
            names = [_name_of(ref_spec, r) for r in raw_values]
            got = raw_of.get(ref_name)
            now = "is missing" if got is None else f"is {_name_of(ref_spec, got[0])!r}"
            parts.append(f"{ref_name} in {names} ({ref_name} {now})")
        raise FitEncodeError(
            f"{spec.label} is a sub-field of {spec.parent} and needs " + " or ".join(parts)
        )

    @staticmethod
    def _active_enum(msg: _Message, spec: _Spec, raw_of: Mapping[str, list]) -> Mapping[str, int]:
        """Enum names of the sub-field that the message's reference values select."""
        for sub_name in msg.subfields_of.get(spec.name, ()):
            sub = msg.specs[sub_name]
            for ref_name, ref_raw in sub.refs:
                raws = raw_of.get(ref_name)
                if raws is not None and len(raws) == 1 and raws[0] == ref_raw and sub.enum:
                    return sub.enum
        raise FitEncodeError(
            f"{spec.label}: a name needs a reference field selecting a named sub-field; "
            f"pass an integer"
        )

    @staticmethod
    def _encode_exercise(
        msg: _Message, spec: _Spec, value: Any, fields: Mapping[str, Any]
    ) -> tuple[str, list]:
        category_field = _EXERCISE_NAME_OF[spec.name]
        category = fields.get(category_field)
        if category is None:
            raise FitEncodeError(f"{spec.label}: exercise names need {category_field} as well")
        values = value if isinstance(value, list | tuple) else [value]
        cats = category if isinstance(category, list | tuple) else [category]
        if len(cats) != len(values):
            raise FitEncodeError(
                f"{spec.label}: {len(values)} exercise names for {len(cats)} categories"
            )
        raws = []
        for cat, item in zip(cats, values, strict=True):
            if isinstance(item, str):
                table = _exercise_table(cat)
                if table is None:
                    raise FitEncodeError(f"{spec.label}: category {cat!r} has no exercise names")
                if item not in table:
                    hint = _did_you_mean(item, table)
                    raise FitEncodeError(f"{spec.label}: {item!r} is not a {cat} exercise{hint}")
                item = table[item]
            raws.append(_scalar(spec, item))
        char = spec.base.fmt
        fmt = char if not isinstance(value, list | tuple) else f"{len(raws)}{char}"
        return fmt, raws

    def _layout(self, msg: _Message, fields: tuple[tuple[int, str, BaseType], ...]) -> _Layout:
        key = (msg.num, tuple((num, fmt) for num, fmt, _ in fields))
        layout = self._live.get(key)
        if layout is not None:
            self._live.move_to_end(key)
            return layout
        if len(self._live) < _LOCAL_TYPES:
            local = len(self._live)
        else:
            _, evicted = self._live.popitem(last=False)
            local = evicted.local
        if any(base.identifier in _V2_BASE_TYPES for _, _, base in fields):
            if self._protocol == PROTOCOL_V1:
                raise FitEncodeError(f"{msg.name}: 64-bit fields need FIT protocol 2.0")
            self._needs_v2 = True
        fmt = "<B" + "".join(fmt for _, fmt, _ in fields)
        layout = _Layout(local, struct.Struct(fmt), local)
        definition = bytearray(struct.pack("<BBBHB", 0x40 | local, 0, 0, msg.num, len(fields)))
        for num, field_fmt, base in fields:
            definition += bytes((num, struct.calcsize("<" + field_fmt), base.identifier))
        self._emit(bytes(definition), messages=0)
        self._live[key] = layout
        return layout


@dataclass(frozen=True, slots=True)
class Rows:
    """Validated, encoded data messages of one layout (see :func:`encode_rows`)."""

    message: str
    fields: tuple[tuple[int, str, BaseType], ...]
    table: Any
    """numpy structured array: a header byte, then the raw fields in wire order."""

    def __len__(self) -> int:
        return len(self.table)


def encode_rows(message: str, columns: Mapping[str, Any]) -> Rows:
    """Validate and encode equal-length columns once; write slices with
    :meth:`FitWriter.add_rows` (e.g. the records of each lap). Same rules as ``add_columns``."""
    import numpy as np

    msg = _message(message)
    specs = sorted((FitWriter._main_spec(msg, name) for name in columns), key=lambda s: s.num)
    if len({s.num for s in specs}) != len(specs):
        raise FitEncodeError(f"{message}: columns {list(columns)} name the same field twice")
    lengths = {len(columns[s.name]) for s in specs}
    if len(lengths) > 1:
        raise FitEncodeError(f"{message}: columns have different lengths {sorted(lengths)}")
    n = lengths.pop() if lengths else 0
    dtype = np.dtype([("_h", "u1")] + [(s.name, "<" + s.base.fmt) for s in specs])
    table = np.zeros(n, dtype=dtype)
    for spec in specs:
        table[spec.name] = _column_raw(spec, columns[spec.name], np)
    return Rows(message, tuple((s.num, s.base.fmt, s.base) for s in specs), table)


def _column_raw(spec: _Spec, column: Any, np: Any) -> Any:
    """A column of Python/numpy values -> validated raw numpy array (invalid where missing)."""
    if spec.kind in ("str", "bytes"):
        raise FitEncodeError(f"{spec.label}: add_columns takes numeric fields only; use add()")
    arr = column if isinstance(column, np.ndarray) and spec.base.fmt not in "qQ" else None
    if arr is not None and arr.dtype.kind == "M":
        seconds = arr.astype("datetime64[s]").astype(np.int64)
        missing = np.isnat(arr)
        raw = np.where(missing, 0, seconds - _FIT_EPOCH_UNIX).astype(np.float64)
        if spec.kind == "datetime":
            low = raw[~missing]
            if low.size and low.min() < _MIN_ABSOLUTE_TIME:
                raise FitEncodeError(f"{spec.label}: times before {_MIN_ABSOLUTE}")
        elif spec.kind != "localtime":
            raise FitEncodeError(f"{spec.label}: datetime64 column for a non-time field")
    elif arr is not None and arr.dtype.kind in "biuf" and spec.kind in ("int", "float"):
        if arr.dtype.kind == "b":
            raise FitEncodeError(f"{spec.label}: expected numbers, got booleans")
        values = arr.astype(np.float64)
        missing = np.isnan(values)
        if spec.offset:
            values = values + spec.offset
        if spec.scale:
            values = values * spec.scale
        raw = values if spec.kind == "float" else np.rint(values)
        raw = np.where(missing, 0, raw)
    elif arr is not None and arr.dtype.kind in "iu" and spec.kind in ("datetime", "localtime"):
        raw = arr.astype(np.float64)
        missing = np.zeros(len(arr), dtype=bool)
    else:
        # Generic path: names, datetimes, bools, mixed Python values.
        raws = [_scalar(spec, None if _is_nan(v) else v) for v in column]
        if spec.kind == "float":
            return np.array(raws, dtype=np.float64)
        return np.array(raws, dtype=np.int64 if spec.base.fmt != "Q" else np.uint64)
    if spec.kind == "float" and spec.base.name == "float64":
        return np.where(missing, np.nan, raw)
    bad = ~missing & ((raw < spec.lo) | (raw > spec.hi))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        shown = column[i].item() if hasattr(column[i], "item") else column[i]
        raise FitEncodeError(
            f"{spec.label}: row {i} value {shown!r} (raw {raw[i]:.0f}) does not fit in "
            f"{spec.base.name} (raw range {spec.lo}..{spec.hi})"
        )
    if spec.kind == "float":
        return np.where(missing, np.nan, raw)
    raw = np.where(missing, spec.invalid, raw)
    return raw.astype(np.uint64 if spec.base.fmt == "Q" else np.int64)


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)
