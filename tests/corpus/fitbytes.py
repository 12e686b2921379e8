"""Byte surgery on FIT files, for the bad-input corpus and the fuzzers.

Everything here works on one plain (unchained) FIT file as written by
:mod:`chainfix_synth.fitfiles` and returns new bytes. "Repaired" results carry a header data size,
header CRC and file CRC that match their records, so the damage left is exactly the one intended.
Record walking reuses :func:`chainfix_synth.corrupt.records`.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

from chainfix_synth.corrupt import Record, records
from fastcrc import crc16
from fitparse.profile import MESSAGE_TYPES

__all__ = [
    "WIDTHS",
    "FieldSlot",
    "Record",
    "assemble",
    "body",
    "chain",
    "crc",
    "data_record",
    "definition",
    "drop_messages",
    "field_slots",
    "find",
    "fix_crcs",
    "insert_after",
    "records",
    "repaired",
    "set_field",
    "splice",
    "with_file_crc",
]

MESSAGE_NUMBERS: dict[str, int] = {m.name: num for num, m in MESSAGE_TYPES.items()}
"""FIT message name → global message number (from python-fitparse's profile)."""


def crc(data: bytes) -> int:
    """FIT's CRC-16 (the ARC variant) of ``data``."""
    return crc16.arc(data)


def header_size(data: bytes) -> int:
    return data[0]


def body(data: bytes) -> bytes:
    """The records of a plain FIT file: everything between the header and the file CRC."""
    (size,) = struct.unpack_from("<I", data, 4)
    start = header_size(data)
    return data[start : start + size]


def assemble(head: bytes, records_bytes: bytes, *, data_size: int | None = None) -> bytes:
    """A FIT file from a 12- or 14-byte header and records, with correct sizes and CRCs.

    ``data_size`` overrides the size written in the header (the CRCs stay correct for it).
    """
    size = len(records_bytes) if data_size is None else data_size
    new_head = bytearray(head)
    struct.pack_into("<I", new_head, 4, size & 0xFFFFFFFF)
    if len(new_head) == 14:
        struct.pack_into("<H", new_head, 12, crc(bytes(new_head[:12])))
    out = bytes(new_head) + records_bytes
    return out + struct.pack("<H", crc(out))


def repaired(data: bytes) -> bytes:
    """``data`` (header + records, CRC optional) with its header size and both CRCs made right."""
    head = data[: header_size(data)]
    (size,) = struct.unpack_from("<I", data, 4)
    return assemble(head, data[len(head) : len(head) + size])


def with_file_crc(data: bytes) -> bytes:
    """Replace the last two bytes by the CRC of everything before them."""
    return data[:-2] + struct.pack("<H", crc(data[:-2]))


def splice(data: bytes, offset: int, remove: int, insert: bytes = b"") -> bytes:
    """Remove ``remove`` bytes at ``offset`` (an offset in the file) and insert ``insert`` there;
    header data size and CRCs are repaired."""
    head = data[: header_size(data)]
    recs = body(data)
    at = offset - len(head)
    if not 0 <= at <= len(recs):
        raise ValueError(f"offset {offset} is outside the records")
    return assemble(head, recs[:at] + insert + recs[at + remove :])


def find(data: bytes, message: str, *, definition: bool = False, nth: int = 0) -> Record:
    """The ``nth`` data (or definition) record of the named message."""
    number = MESSAGE_NUMBERS[message]
    hits = [r for r in records(data) if r.message == number and r.definition == definition]
    if len(hits) <= nth:
        raise ValueError(f"no {'definition' if definition else 'data'} record #{nth} of {message}")
    return hits[nth]


def drop_messages(data: bytes, message: str) -> bytes:
    """The file without any data record of ``message`` (definitions stay), repaired."""
    number = MESSAGE_NUMBERS[message]
    head = data[: header_size(data)]
    keep = bytearray()
    for rec in records(data):
        if rec.definition or rec.message != number:
            keep += data[rec.offset : rec.offset + rec.length]
    return assemble(head, bytes(keep))


@dataclass(frozen=True, slots=True)
class FieldSlot:
    """Where one field of one data record sits in the file."""

    offset: int
    size: int
    base_type: int
    big_endian: bool


def field_slots(data: bytes, message: str, field: int) -> Iterator[FieldSlot]:
    """Every place field number ``field`` of data messages ``message`` occupies, in file order."""
    number = MESSAGE_NUMBERS[message]
    layouts: dict[int, tuple[int, bool, dict[int, tuple[int, int, int]]]] = {}
    for rec in records(data):
        if rec.definition:
            pos = rec.offset
            big = data[pos + 2] == 1
            count = data[pos + 5]
            slots: dict[int, tuple[int, int, int]] = {}
            inner = 0
            for i in range(count):
                num, size, base = data[pos + 6 + 3 * i : pos + 9 + 3 * i]
                slots.setdefault(num, (inner, size, base))
                inner += size
            layouts[rec.local] = (rec.message, big, slots)
        elif rec.message == number and rec.local in layouts:
            _, big, slots = layouts[rec.local]
            if field in slots:
                inner, size, base = slots[field]
                yield FieldSlot(rec.offset + 1 + inner, size, base, big)


def set_field(
    data: bytes, message: str, field: int, value: int | bytes, *, nth: int | None = None
) -> bytes:
    """Write ``value`` into field ``field`` of every (or the ``nth``) ``message`` data record.

    An int is packed to the field's size (arrays: every element); bytes are written as they are.
    The file CRC is repaired; the sizes do not change.
    """
    out = bytearray(data)
    slots = list(field_slots(data, message, field))
    if not slots:
        raise ValueError(f"no {message} message carries field {field}")
    chosen = slots if nth is None else [slots[nth]]
    for slot in chosen:
        if isinstance(value, bytes):
            raw = value[: slot.size].ljust(slot.size, b"\xff")
        else:
            width = _width(slot.base_type)
            code = {1: "B", 2: "H", 4: "I", 8: "Q"}[width]
            element = struct.pack(
                (">" if slot.big_endian else "<") + code, value & (256**width - 1)
            )
            raw = element * (slot.size // width)
        out[slot.offset : slot.offset + slot.size] = raw
    return with_file_crc(bytes(out))


WIDTHS = {
    **dict.fromkeys((0x00, 0x01, 0x02, 0x07, 0x0A, 0x0D), 1),
    **dict.fromkeys((0x83, 0x84, 0x8B), 2),
    **dict.fromkeys((0x85, 0x86, 0x88, 0x8C), 4),
    **dict.fromkeys((0x89, 0x8E, 0x8F, 0x90), 8),
}
"""Bytes per element of each FIT base type."""


def _width(base_type: int) -> int:
    return WIDTHS.get(base_type, 1)


def definition(
    local: int,
    message: int,
    fields: list[tuple[int, int, int]],
    *,
    dev_fields: list[tuple[int, int, int]] | None = None,
    big: bool = False,
) -> bytes:
    """A definition record: ``fields`` as (number, size, base type); optional developer fields
    as (number, size, developer data index)."""
    header = 0x40 | (local & 0x0F) | (0x20 if dev_fields is not None else 0)
    out = bytes([header, 0, 1 if big else 0])
    out += struct.pack(">H" if big else "<H", message) + bytes([len(fields)])
    for num, size, base in fields:
        out += bytes([num, size, base])
    if dev_fields is not None:
        out += bytes([len(dev_fields)])
        for num, size, index in dev_fields:
            out += bytes([num, size, index])
    return out


def data_record(local: int, payload: bytes) -> bytes:
    """A normal-header data record for local message ``local``."""
    return bytes([local & 0x0F]) + payload


def insert_after(data: bytes, message: str, extra: bytes, *, nth: int = 0) -> bytes:
    """Insert raw records right after the ``nth`` data record of ``message``, repaired."""
    rec = find(data, message, nth=nth)
    return splice(data, rec.offset + rec.length, 0, extra)


def chain(*files: bytes) -> bytes:
    """Several FIT files back to back, as watches write chained files."""
    return b"".join(files)


def fix_crcs(data: bytes) -> bytes:
    """Recompute the header and file CRCs of every chained segment whose header still parses.

    Sizes are left alone, so damage inside the records is what a reader has to judge.
    """
    out = bytearray(data)
    start = 0
    while len(out) - start >= 12 and out[start + 8 : start + 12] == b".FIT":
        size = out[start]
        if size == 14 and len(out) - start >= 14:
            struct.pack_into("<H", out, start + 12, crc(bytes(out[start : start + 12])))
        end = start + size + int.from_bytes(out[start + 4 : start + 8], "little")
        if size < 12 or end + 2 > len(out):
            break
        struct.pack_into("<H", out, end, crc(bytes(out[start:end])))
        start = end + 2
    return bytes(out)
