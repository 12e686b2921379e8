"""Shift every absolute time in a FIT file by a number of seconds, CRCs recomputed.

Copies of one real file become distinct activities this way. The walk follows the records through
their definitions (chained files, developer fields, compressed-timestamp headers, either byte
order) and finds every ``uint32`` field that holds a time: field 253 (``timestamp``) in every
message, and each field the FIT profile (python-fitparse's) types ``date_time`` or
``local_date_time``, such as ``session.start_time`` (2), ``lap.start_time`` (2),
``file_id.time_created`` (4), ``activity.local_timestamp`` (5) or ``set.timestamp`` (254).
Values below ``0x10000000`` (times relative to power-on) and invalid values stay as they are.

Compressed-timestamp headers carry the low five bits of the time, so a file that has them can only
be shifted by a multiple of 32 seconds (whole days are). Each segment's file CRC is recomputed,
and its header CRC too (where the header has one that is set).

    plan = TimePlan.of(data)            # walk once ...
    copy = plan.shifted(-86_400 * 7)    # ... then shift as many copies as needed, fast
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import cache

import numpy as np
from fastcrc import crc16

TIMESTAMP = 253
MIN_ABSOLUTE = 0x10000000
"""FIT ``date_time`` values below this are seconds since the device powered up."""
INVALID = 0xFFFFFFFF
UINT32 = 0x06
"""Base type number of ``uint32`` (the low five bits of the base type byte)."""
COMPRESSED_PERIOD = 32


@cache
def time_fields() -> dict[int, frozenset[int]]:
    """Global message number -> the field numbers the FIT profile types as a time."""
    from fitparse.profile import MESSAGE_TYPES

    out: dict[int, frozenset[int]] = {}
    for number, message in MESSAGE_TYPES.items():
        out[number] = frozenset(
            num
            for num, f in message.fields.items()
            if getattr(f.type, "name", None) in ("date_time", "local_date_time")
        )
    return out


@dataclass(frozen=True, slots=True)
class TimePlan:
    """Where one FIT file keeps its absolute times, found once; :meth:`shifted` makes copies."""

    data: bytes
    little: np.ndarray
    """Byte offsets of the little-endian absolute times."""
    big: np.ndarray
    """Byte offsets of the big-endian absolute times."""
    segments: tuple[tuple[int, int, int], ...]
    """(start, header size, end of data) of each chained FIT file; its CRC follows at end."""
    compressed: bool
    """Whether any record has a compressed-timestamp header."""

    @classmethod
    def of(cls, data: bytes) -> TimePlan:
        """Walk the file; raises ValueError if it is not a well-formed FIT file."""
        little: list[int] = []
        big: list[int] = []
        segments: list[tuple[int, int, int]] = []
        compressed = False
        start = 0
        while start < len(data):
            if len(data) - start < 12 or data[start + 8 : start + 12] != b".FIT":
                raise ValueError(f"no FIT header at byte {start}")
            header = data[start]
            (size,) = struct.unpack_from("<I", data, start + 4)
            end = start + header + size
            if end + 2 > len(data):
                raise ValueError(f"the FIT file at byte {start} is truncated")
            compressed |= _walk(data, start + header, end, little, big)
            segments.append((start, header, end))
            start = end + 2
        return cls(
            data,
            np.array(little, dtype=np.intp),
            np.array(big, dtype=np.intp),
            tuple(segments),
            compressed,
        )

    @property
    def count(self) -> int:
        """How many absolute times the file holds."""
        return len(self.little) + len(self.big)

    def shifted(self, seconds: int) -> bytes:
        """The file with every absolute time moved by ``seconds`` and valid CRCs."""
        if self.compressed and seconds % COMPRESSED_PERIOD:
            raise ValueError(
                f"compressed timestamps: shift by a multiple of {COMPRESSED_PERIOD} s, "
                f"not {seconds}"
            )
        buf = np.frombuffer(self.data, dtype=np.uint8).copy()
        for offsets, dtype in ((self.little, "<u4"), (self.big, ">u4")):
            if not len(offsets):
                continue
            index = offsets[:, None] + np.arange(4)
            values = buf[index].copy().view(dtype).ravel().astype(np.int64) + seconds
            if values.min() < MIN_ABSOLUTE or values.max() >= INVALID:
                raise ValueError(f"shifting by {seconds} s leaves the range of FIT times")
            buf[index] = values.astype(dtype).view(np.uint8).reshape(-1, 4)
        out = bytearray(buf.tobytes())
        for start, header, end in self.segments:
            if header >= 14 and out[start + 12 : start + 14] != b"\0\0":
                struct.pack_into("<H", out, start + 12, crc16.arc(bytes(out[start : start + 12])))
            struct.pack_into("<H", out, end, crc16.arc(bytes(out[start:end])))
        return bytes(out)


def shift_timestamps(data: bytes, seconds: int) -> bytes:
    """``data`` with every absolute time moved by ``seconds`` (see the module docstring)."""
    return TimePlan.of(data).shifted(seconds)


Layout = tuple[int, bool, tuple[int, ...]]
"""(record body length, big-endian, body offsets of the uint32 times)."""


def _walk(data: bytes, pos: int, end: int, little: list[int], big: list[int]) -> bool:
    """Collect the offsets of absolute times of one segment's records; True if any record has
    a compressed-timestamp header."""
    fields = time_fields()
    layouts: dict[int, Layout] = {}
    compressed = False
    while pos < end:
        head = data[pos]
        if head & 0x80 or not head & 0x40:  # a data message (compressed header or normal)
            compressed |= bool(head & 0x80)
            local = (head >> 5) & 0x03 if head & 0x80 else head & 0x0F
            if local not in layouts:
                raise ValueError(f"data record at byte {pos} uses undefined local type {local}")
            length, is_big, times = layouts[local]
            for at in times:
                offset = pos + 1 + at
                value = int.from_bytes(data[offset : offset + 4], "big" if is_big else "little")
                if MIN_ABSOLUTE <= value < INVALID:
                    (big if is_big else little).append(offset)
            pos += 1 + length
            continue
        is_big = data[pos + 2] == 1
        (message,) = struct.unpack_from(">H" if is_big else "<H", data, pos + 3)
        wanted = fields.get(message, frozenset()) | {TIMESTAMP}
        count = data[pos + 5]
        at, length = 0, 6 + 3 * count
        offsets: list[int] = []
        for i in range(count):
            number, size, base = data[pos + 6 + 3 * i : pos + 9 + 3 * i]
            if number in wanted and base & 0x1F == UINT32 and size and size % 4 == 0:
                offsets.extend(range(at, at + size, 4))
            at += size
        if head & 0x20:  # developer fields: skipped by size
            dev_count = data[pos + length]
            at += sum(data[pos + length + 2 + 3 * i] for i in range(dev_count))
            length += 1 + 3 * dev_count
        layouts[head & 0x0F] = (at, is_big, tuple(offsets))
        pos += length
    return compressed
