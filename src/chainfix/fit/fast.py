"""chainfix's own FIT record walker: the hot path for clean files.

It checks each segment's header and CRC (``fastcrc``), walks record headers and definitions, skips
data messages it does not need with offset arithmetic, and unpacks only the wanted messages of
``profile.WANTED_FIELDS`` with one precompiled ``struct.Struct`` per definition.

It only accepts what it is sure to read exactly like the full decoder. Anything unusual raises
``Anomaly`` and the caller hands the file to ``full``: a bad or odd header, a record
that runs past the data, an undefined local message, an unknown base type, a field size that is
zero or not a multiple of its base type, a known field declared with another base type than the
profile, or a wanted message behind a compressed-timestamp header.

A segment whose only fault is its file CRC is still walked here (the full decoder takes minutes
on a large file): it ends the decoding with the ``bad_crc`` stop the full decoder gives, after the
segment's messages, exactly as the full decoder would.
"""

from __future__ import annotations

import struct
from typing import Any

from fastcrc import crc16

from chainfix.fit.decoded import Decoded, RawFields, Stop
from chainfix.fit.profile import MessageSpec, profile_base_types, wanted_messages

_MAGIC = b".FIT"

# FIT base type id -> (struct code, size, invalid value). Floats are invalid when NaN (None here:
# ``x == None`` is never true, ``x != x`` catches NaN). String and byte fields are never unpacked.
_BASE_TYPES: dict[int, tuple[str, int, int | None]] = {
    0x00: ("B", 1, 0xFF),  # enum
    0x01: ("b", 1, 0x7F),  # sint8
    0x02: ("B", 1, 0xFF),  # uint8
    0x83: ("h", 2, 0x7FFF),  # sint16
    0x84: ("H", 2, 0xFFFF),  # uint16
    0x85: ("i", 4, 0x7FFFFFFF),  # sint32
    0x86: ("I", 4, 0xFFFFFFFF),  # uint32
    0x07: ("s", 1, None),  # string
    0x88: ("f", 4, None),  # float32
    0x89: ("d", 8, None),  # float64
    0x0A: ("B", 1, 0),  # uint8z
    0x8B: ("H", 2, 0),  # uint16z
    0x8C: ("I", 4, 0),  # uint32z
    0x0D: ("B", 1, None),  # byte
    0x8E: ("q", 8, 0x7FFFFFFFFFFFFFFF),  # sint64
    0x8F: ("Q", 8, 0xFFFFFFFFFFFFFFFF),  # uint64
    0x90: ("Q", 8, 0),  # uint64z
}
_UNPACKABLE = frozenset(_BASE_TYPES) - {0x07, 0x0D}
_NOT_INTEGER = frozenset({0x07, 0x0D, 0x88, 0x89})
"""String, byte and float: python-fitparse's component and timestamp arithmetic fails on them."""


class Anomaly(Exception):
    """The file is not plainly valid: let the full decoder read it."""


class _MessageDecoder:
    """Unpacks the wanted fields of one definition; every other byte is struct padding."""

    __slots__ = ("name", "struct", "plan")

    def __init__(self, name: str, fmt: str, plan: list[tuple[str, int, int | None]]) -> None:
        self.name = name
        self.struct = struct.Struct(fmt)
        self.plan = plan

    def __call__(self, data: bytes, offset: int) -> tuple[str, RawFields]:
        values = self.struct.unpack_from(data, offset)
        out: RawFields = {}
        i = 0
        for name, count, invalid in self.plan:
            if count == 1:
                v = values[i]
                out[name] = None if v == invalid or v != v else v
            else:
                out[name] = tuple(
                    None if v == invalid or v != v else v for v in values[i : i + count]
                )
            i += count
        return self.name, out


def _build_decoder(
    spec: MessageSpec, endian: str, fields: list[tuple[int, int, int]]
) -> _MessageDecoder | None:
    parts: list[str] = [endian]
    plan: list[tuple[str, int, int | None]] = []
    pad = 0
    for num, size, base in fields:
        fspec = spec.fields.get(num)
        if fspec is None:
            pad += size
            continue
        code, width, invalid = _BASE_TYPES[base]
        if base not in _UNPACKABLE:
            raise Anomaly(f"wanted field {spec.name}.{fspec.name} has a string or byte type")
        if pad:
            parts.append(f"{pad}x")
            pad = 0
        count = size // width
        parts.append(f"{count}{code}")
        plan.append((fspec.name, count, invalid))
    if pad:
        parts.append(f"{pad}x")
    return _MessageDecoder(spec.name, "".join(parts), plan)


_DefCache = dict[bytes, tuple[int, _MessageDecoder | None]]
_DEFINITIONS: _DefCache = {}
"""Parsed definitions by their bytes (layouts repeat across files from the same device)."""
_MAX_CACHED = 4096


def _definition(
    data: bytes, pos: int, header: int, recovery: bool = False
) -> tuple[int, int, _MessageDecoder | None]:
    """Parse the definition record at ``pos``: (next position, data size, decoder or None)."""
    nfields = data[pos + 5]
    end = pos + 6 + 3 * nfields
    dev = header & 0x20
    if dev:
        ndev = data[end]
        end += 1 + 3 * ndev
    if end > len(data):
        raise Anomaly("definition runs past the end of the file")
    key = bytes(((1 if dev else 0) | (2 if recovery else 0),)) + data[pos + 2 : end]
    cached = _DEFINITIONS.get(key)
    if cached is not None:
        return end, cached[0], cached[1]

    big = data[pos + 2] != 0
    mesg_num = int.from_bytes(data[pos + 3 : pos + 5], "big" if big else "little")
    known = profile_base_types().get(mesg_num, {})
    fields: list[tuple[int, int, int]] = []
    total = 0
    p = pos + 6
    for _ in range(nfields):
        num, size, base = data[p], data[p + 1], data[p + 2]
        p += 3
        base_type = _BASE_TYPES.get(base)
        if base_type is None:
            raise Anomaly(f"unknown base type 0x{base:02x}")
        width = base_type[1]
        if size == 0 or size % width:
            raise Anomaly(f"field size {size} does not fit base type 0x{base:02x}")
        if num == 253 and (size != width or base in _NOT_INTEGER):
            raise Anomaly("timestamp field declared with an odd type")
        profile_field = known.get(num)
        if profile_field is not None:
            profile_base, has_components = profile_field
            if profile_base != base and (base in _NOT_INTEGER or profile_base in _NOT_INTEGER):
                raise Anomaly(f"field {mesg_num}.{num} declared with a non-integer base type")
            if has_components and base != 0x0D and size != width:
                raise Anomaly(f"field {mesg_num}.{num} with components declared as an array")
        fields.append((num, size, base))
        total += size
    if dev:
        ndev = data[p]
        p += 1
        for _ in range(ndev):
            size = data[p + 1]
            if size == 0:
                raise Anomaly("developer field of size 0")
            total += size
            p += 3

    spec = wanted_messages(recovery).get(mesg_num)
    decoder = _build_decoder(spec, ">" if big else "<", fields) if spec else None
    if len(_DEFINITIONS) >= _MAX_CACHED:
        _DEFINITIONS.clear()
    _DEFINITIONS[key] = (total, decoder)
    return end, total, decoder


def _segment_bounds(data: bytes, view: memoryview, start: int) -> tuple[int, int, bool]:
    """Check one segment's header; return where its records start and end, and whether its
    file CRC matches."""
    if len(data) - start < 12:
        raise Anomaly("segment shorter than a FIT header")
    header_size = data[start]
    if header_size not in (12, 14) or data[start + 8 : start + 12] != _MAGIC:
        raise Anomaly("not a plain FIT header")
    if header_size == 14:
        header_crc = data[start + 12] | data[start + 13] << 8
        if header_crc and header_crc != crc16.arc(view[start : start + 12]):
            raise Anomaly("header CRC mismatch")
    first = start + header_size
    end = first + int.from_bytes(data[start + 4 : start + 8], "little")
    if end + 2 > len(data):
        raise Anomaly("data size runs past the end of the file")
    return first, end, crc16.arc(view[start:end]) == (data[end] | data[end + 1] << 8)


_RUN = 512
"""Most unwanted records skipped in one step (bounds the bytes copied per step)."""
_BYTES = [bytes((i,)) for i in range(256)]


def _skip_run(data: bytes, pos: int, end: int, stride: int, header: bytes) -> int:
    """Where the run of records with this header, one ``stride`` apart from ``pos``, ends."""
    run = 8
    while True:
        heads = data[pos : min(end, pos + stride * run) : stride]
        same = len(heads) - len(heads.lstrip(header))
        pos += same * stride
        if same < len(heads) or pos >= end:
            return pos
        run = min(run * 2, _RUN)


def _walk(
    data: bytes, pos: int, end: int, out: list[tuple[str, RawFields]], recovery: bool = False
) -> None:
    """Walk the records of one segment, appending the wanted messages to ``out``."""
    sizes = [-1] * 16
    decoders: list[Any] = [None] * 16
    append = out.append
    while pos < end:
        header = data[pos]
        if header & 0x80:  # compressed timestamp header: local message in bits 5-6
            local = (header >> 5) & 0x03
            size = sizes[local]
            if size < 0 or decoders[local] is not None:
                raise Anomaly("undefined or wanted message behind a compressed timestamp")
            pos += 1 + size
        elif header & 0x40:
            local = header & 0x0F
            pos, sizes[local], decoders[local] = _definition(data, pos, header, recovery)
        else:
            local = header & 0x0F
            decoder = decoders[local]
            if decoder is not None:
                append(decoder(data, pos + 1))
                pos += 1 + sizes[local]
            else:
                size = sizes[local]
                if size < 0:
                    raise Anomaly(f"local message {local} used before its definition")
                stride = 1 + size
                pos += stride
                if pos < end and data[pos] == header:
                    # a run of unwanted records of this local message (1 Hz ``record``s): their
                    # headers sit one stride apart, so count them in C, in growing windows
                    pos = _skip_run(data, pos, end, stride, _BYTES[header])
    if pos != end:
        raise Anomaly("last record runs past the data size")


def decode_fast(data: bytes, recovery: bool = False) -> Decoded:
    """Decode a plainly valid FIT file (chained segments included); raise ``Anomaly`` otherwise.
    ``recovery``: read laps and records too (see ``profile.RECOVERY_FIELDS``)."""
    try:
        view = memoryview(data)
        messages: list[tuple[str, RawFields]] = []
        start = 0
        while True:
            first, end, crc_ok = _segment_bounds(data, view, start)
            _walk(data, first, end, messages, recovery)
            start = end + 2
            if not crc_ok:
                reason = f"the file checksum does not match (segment ending at byte {start})"
                return Decoded(messages, Stop("bad_crc", reason, start))
            if start >= len(data):
                return Decoded(messages)
    except Anomaly:
        raise
    except (IndexError, struct.error, ValueError) as exc:
        raise Anomaly(f"{type(exc).__name__}: {exc}") from exc
