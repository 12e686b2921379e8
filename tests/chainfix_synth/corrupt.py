"""Byte-level damage for FIT files, to test that readers report problems instead of crashing.

Every function takes valid FIT bytes (as written by :mod:`chainfix_synth.fitfiles`) and returns
new bytes; the input is never modified.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

from fitparse.profile import MESSAGE_TYPES

__all__ = [
    "Record",
    "bad_crc",
    "bad_header_crc",
    "flip_byte",
    "not_fit",
    "records",
    "truncate",
    "truncate_before",
]

_MESSAGE_NUMBERS = {m.name: num for num, m in MESSAGE_TYPES.items()}


@dataclass(frozen=True, slots=True)
class Record:
    """One record of a FIT file: where it is and what it holds."""

    offset: int
    length: int
    definition: bool
    local: int
    message: int
    """Global message number."""


def records(data: bytes) -> Iterator[Record]:
    """Walk the records of one (unchained) FIT file; raises ValueError on malformed input."""
    if len(data) < 12 or data[8:12] != b".FIT":
        raise ValueError("not a FIT file")
    header_size = data[0]
    (data_size,) = struct.unpack_from("<I", data, 4)
    pos, end = header_size, min(header_size + data_size, len(data))
    layouts: dict[int, tuple[int, int]] = {}  # local -> (global number, data length)
    while pos < end:
        head = data[pos]
        if head & 0x80:  # compressed timestamp header
            local = (head >> 5) & 0x03
            message, size = layouts[local]
            yield Record(pos, 1 + size, False, local, message)
            pos += 1 + size
        elif head & 0x40:
            local = head & 0x0F
            big = data[pos + 2] == 1
            (message,) = struct.unpack_from(">H" if big else "<H", data, pos + 3)
            count = data[pos + 5]
            fields = data[pos + 6 : pos + 6 + 3 * count]
            size = sum(fields[i + 1] for i in range(0, len(fields), 3))
            length = 6 + 3 * count
            if head & 0x20:  # developer fields
                dev_count = data[pos + length]
                dev = data[pos + length + 1 : pos + length + 1 + 3 * dev_count]
                size += sum(dev[i + 1] for i in range(0, len(dev), 3))
                length += 1 + 3 * dev_count
            layouts[local] = (message, size)
            yield Record(pos, length, True, local, message)
            pos += length
        else:
            local = head & 0x0F
            if local not in layouts:
                raise ValueError(f"data record at {pos} uses undefined local type {local}")
            message, size = layouts[local]
            yield Record(pos, 1 + size, False, local, message)
            pos += 1 + size


def truncate(data: bytes, size: int) -> bytes:
    """The first ``size`` bytes (negative: drop that many from the end), as a watch that died."""
    return data[:size]


def truncate_before(data: bytes, message: str = "session") -> bytes:
    """Cut the file just before the first data message named ``message`` (default: session).

    The header still announces the full data size, like a file whose writer was interrupted.
    """
    number = _MESSAGE_NUMBERS[message]
    for rec in records(data):
        if not rec.definition and rec.message == number:
            return data[: rec.offset]
    raise ValueError(f"no {message} message in the file")


def bad_crc(data: bytes) -> bytes:
    """The same file with a wrong file CRC (last two bytes)."""
    return data[:-2] + bytes(b ^ 0xA5 for b in data[-2:])


def bad_header_crc(data: bytes) -> bytes:
    """The same file with a wrong header CRC (14-byte headers only)."""
    if data[0] != 14:
        raise ValueError("the header has no CRC")
    return data[:12] + bytes(b ^ 0x5A for b in data[12:14]) + data[14:]


def flip_byte(data: bytes, offset: int) -> bytes:
    """Invert one byte (negative offsets count from the end)."""
    i = offset % len(data)
    return data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1 :]


def not_fit(title: str = "Garmin Connect") -> bytes:
    """An HTML page, as saved by a browser under a ``.fit`` name."""
    return (
        f"<!DOCTYPE html><html><head><title>{title}</title></head>"
        "<body><p>Sign in to continue.</p></body></html>\n"
    ).encode()
