"""The full decoder: python-fitparse reads every message, chainfix keeps the wanted ones.

It is used for every file the fast reader finds unusual, so it must say precisely where and why
decoding stopped. It keeps every message decoded before the stop (python-fitparse yields them
before raising), except a message cut short by the end of the file.

Two deliberate departures from python-fitparse's defaults, both about data chainfix never reads:
developer fields are read as opaque bytes of their declared size (their descriptions are not
needed, and a missing or odd description must not stop the file), and no value post-processing
runs (chainfix converts raw values itself in ``activities``).

Three faults python-fitparse cannot read past are repaired without touching its internals, only
through its public records and options:

- a field or developer field of size 0 holds no bytes, but python-fitparse fails reading it
  ("Invalid struct format"): each definition is taken as python-fitparse yields it
  (``get_messages(with_definitions=True)``) and its zero-size fields are dropped before any data
  message uses it;
- a field whose size is not a multiple of its base type is read as bytes by python-fitparse, but
  in an unknown message it crashes formatting its warning: before decoding, ``_frame`` walks the
  records as python-fitparse will and declares such fields as bytes (``byte``) in a copy of the
  file, moving each segment's checksum along so that a good one stays good and a bad one bad;
- developer descriptions (``developer_data_id``, ``field_description``) are yielded as unknown
  messages, so python-fitparse registers no developer types and, with
  ``check_developer_data=False``, gives every developer field its placeholder: bytes of the
  declared size.

A wanted field that arrives as bytes (declared so, or misaligned) has no number to read: it is
left out and named in ``Decoded.unreadable`` instead of being misread.
"""

from __future__ import annotations

import io
import warnings
from typing import Any

import fitparse
from fastcrc import crc16
from fitparse.records import BASE_TYPE_BYTE, BASE_TYPES
from fitparse.utils import FitCRCError, FitEOFError, FitHeaderError, FitParseError

from chainfix.fit.decoded import Decoded, RawFields, Stop
from chainfix.fit.profile import wanted_messages

_MAGIC = b".FIT"
_DEVELOPER_DESCRIPTIONS = frozenset({206, 207})
"""``field_description`` and ``developer_data_id``, read as unknown messages (see above)."""


class _NoProcessing:
    """A data processor that leaves values raw (python-fitparse's processor API)."""

    def run_type_processor(self, field_data: Any) -> None:
        pass

    def run_field_processor(self, field_data: Any) -> None:
        pass

    def run_unit_processor(self, field_data: Any) -> None:
        pass

    def run_message_processor(self, data_message: Any) -> None:
        pass


def _frame(data: bytes) -> tuple[bytes, list[int]]:
    """Walk segments and records as python-fitparse will, as far as it will get.

    Return the data with every misaligned field declared as bytes (see the module doc) and where
    each segment starts. Only sizes are read: the walk stops where python-fitparse will stop (a
    bad header, an undefined local message, the end of the data).
    """
    out = bytearray(data)
    starts: list[int] = []
    start = 0
    try:
        while start < len(data):
            starts.append(start)
            header_size = data[start]
            if data[start + 8 : start + 12] != _MAGIC or header_size == 13:
                break
            pos = start + max(12, header_size)
            end = pos + int.from_bytes(data[start + 4 : start + 8], "little")
            sizes: dict[int, int] = {}
            patched = False
            while pos < end:
                head = data[pos]
                if head & 0x80:  # compressed timestamp header: local message in bits 5-6
                    pos += 1 + sizes[(head >> 5) & 0x03]
                elif not head & 0x40:
                    pos += 1 + sizes[head & 0x0F]
                else:
                    pos, sizes[head & 0x0F], fixed = _declare_misaligned(data, out, pos, head)
                    patched = patched or fixed
            if patched and pos + 2 <= len(data):
                _move_checksum(data, out, start, pos)
            start = pos + 2
    except (IndexError, KeyError):  # python-fitparse stops here too
        pass
    return bytes(out), starts


def _declare_misaligned(data: bytes, out: bytearray, pos: int, head: int) -> tuple[int, int, bool]:
    """Read the definition at ``pos``: (next position, its data size, whether a field of it was
    declared as bytes in ``out``)."""
    fields = pos + 6
    count = data[pos + 5]
    size, patched = 0, False
    for at in range(fields, fields + 3 * count, 3):
        field_size, base = data[at + 1], data[at + 2]
        if field_size % BASE_TYPES.get(base, BASE_TYPE_BYTE).size:
            out[at + 2] = BASE_TYPE_BYTE.identifier
            patched = True
        size += field_size
    pos = fields + 3 * count
    if head & 0x20:  # developer fields follow
        count = data[pos]
        size += sum(data[pos + 2 + 3 * i] for i in range(count))
        pos += 1 + 3 * count
    return pos, size, patched


def _move_checksum(data: bytes, out: bytearray, start: int, end: int) -> None:
    """Give the edited segment ``[start, end)`` a checksum that matches iff the original did."""
    stored = int.from_bytes(data[end : end + 2], "little")
    edited = crc16.arc(bytes(out[start:end]))
    if crc16.arc(data[start:end]) == stored:
        stored = edited
    elif edited == stored:
        stored ^= 1
    out[end : end + 2] = stored.to_bytes(2, "little")


def _repair(definition: Any) -> None:
    """Repair one definition before python-fitparse reads data with it (see the module doc)."""
    definition.field_defs = [f for f in definition.field_defs if f.size]
    definition.dev_field_defs = [f for f in definition.dev_field_defs if f.size]
    if definition.mesg_num in _DEVELOPER_DESCRIPTIONS:
        definition.mesg_type = None


def _raw_fields(
    message: Any, names: dict[int, str], unreadable: list[str] | None = None
) -> RawFields | None:
    """Wanted raw values of one data message by name; None when the message was cut short.

    A wanted field read as bytes is left out and its name appended to ``unreadable``, unless it
    is one byte standing for a one-byte type (an enum or uint8 declared as ``byte``): that byte
    is the value.
    """
    def_mesg = message.def_mesg
    expected = len(def_mesg.field_defs) + len(def_mesg.dev_field_defs)
    read = [f for f in message.fields if f.field_def is not None]
    if len(read) < expected:
        return None
    out: RawFields = {}
    for field_data in read:
        field_def = field_data.field_def
        name = names.get(field_def.def_num)
        if name is None or field_def not in def_mesg.field_defs:
            continue
        if field_def.base_type is BASE_TYPE_BYTE and not (
            field_def.size == 1 and field_def.def_num in _ONE_BYTE.get(def_mesg.mesg_num, ())
        ):
            if unreadable is not None:
                unreadable.append(f"{def_mesg.name}.{name}")
            continue
        out[name] = field_data.raw_value
    if message.header.time_offset is not None and "timestamp" in names.values():
        out.setdefault("timestamp", message.fields[-1].raw_value)
    return out


_ONE_BYTE: dict[int, frozenset[int]] = {
    num: frozenset(d for d, f in spec.fields.items() if BASE_TYPES[f.base_type].size == 1)
    for num, spec in wanted_messages(recovery=True).items()
}
"""Wanted fields whose profile type is one byte wide, by message number."""


def _header_start(starts: list[int], data: bytes, offset: int) -> int | None:
    """The start of the chained header python-fitparse was reading when it stopped at
    ``offset``, or None when it stopped elsewhere."""
    for start in starts[1:]:
        if start < offset <= start + max(12, data[start]):
            return start
    return None


def _header_stop(data: bytes, exc: Exception, start: int) -> Stop:
    has_magic = data[start + 8 : start + 12] == _MAGIC
    if start == 0 and not has_magic:
        if len(data) < 12:
            return Stop("not_fit", "it is too short to be a FIT file", 0)
        return Stop("not_fit", "it does not start with a FIT header", 0)
    where = "the first FIT header" if start == 0 else f"the chained FIT header at byte {start}"
    if isinstance(exc, FitCRCError):
        return Stop("bad_header", f"{where} fails its checksum", start)
    if isinstance(exc, FitEOFError):
        return Stop("truncated", f"the file ends inside {where}", start)
    if not has_magic:
        extra = len(data) - start
        reason = f"the {extra} bytes from byte {start} on are not a chained FIT file"
        return Stop("bad_header", reason, start)
    return Stop("bad_header", f"{where} is invalid ({exc})", start)


def _stop(data: bytes, exc: Exception, offset: int | None) -> Stop:
    at = f" at byte {offset}" if offset is not None else ""
    if isinstance(exc, FitEOFError):
        return Stop("truncated", f"the file ends early{at}", offset)
    if isinstance(exc, FitCRCError):
        where = f" (segment ending at byte {offset})" if offset is not None else ""
        return Stop("bad_crc", f"the file checksum does not match{where}", offset)
    if isinstance(exc, FitHeaderError):
        return Stop("bad_header", f"a FIT header is invalid{at} ({exc})", offset)
    if isinstance(exc, FitParseError):
        text = str(exc)
        if "invalid local message type" in text:
            local = text.rsplit(" ", 1)[-1]
            reason = f"a record{at} uses local message {local}, which was never defined"
            return Stop("corrupt", reason, offset)
        return Stop("corrupt", f"the FIT structure is invalid{at} ({text})", offset)
    return Stop("corrupt", f"the decoder failed{at} ({type(exc).__name__}: {exc})", offset)


def decode_full(data: bytes, recovery: bool = False) -> Decoded:
    """Decode with python-fitparse (strict CRC); keep what came before any error.
    ``recovery``: read laps and records too (see ``profile.RECOVERY_FIELDS``)."""
    wanted = {
        num: (spec.name, {d: f.name for d, f in spec.fields.items()})
        for num, spec in wanted_messages(recovery).items()
    }
    decoded = Decoded()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # python-fitparse warns, then raises: the raise is reported
        _decode_into(decoded, data, wanted)
    return decoded


def _decode_into(
    decoded: Decoded, data: bytes, wanted: dict[int, tuple[str, dict[int, str]]]
) -> None:
    readable, starts = _frame(data)
    handle = io.BytesIO(readable)
    try:
        decoder = fitparse.UncachedFitFile(
            handle, check_crc=True, check_developer_data=False, data_processor=_NoProcessing()
        )
    except FitParseError as exc:  # the first header
        decoded.stop = _header_stop(data, exc, 0)
        return
    except Exception as exc:  # every failure becomes a Stop
        decoded.stop = _stop(data, exc, 0)
        return
    try:
        for message in decoder.get_messages(with_definitions=True):
            if message.type == "definition":
                _repair(message)
                continue
            entry = wanted.get(message.def_mesg.mesg_num)
            if entry is None:
                continue
            fields = _raw_fields(message, entry[1], decoded.unreadable)
            if fields is not None:
                decoded.messages.append((entry[0], fields))
    except Exception as exc:  # every failure becomes a Stop
        offset = None if handle.closed else handle.tell()
        start = None
        if isinstance(exc, FitParseError) and offset is not None:
            start = _header_start(starts, data, offset)
        decoded.stop = _stop(data, exc, offset) if start is None else _header_stop(data, exc, start)
    finally:
        decoder.close()
