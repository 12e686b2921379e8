"""The fast reader and the full decoder must never disagree.

On every real fixture both decode to identical activities and problems; damaged variants of real
files (built here by byte surgery) must be routed to the full decoder and give its outcome; and a
bounded Hypothesis search mutates real files (often repairing the CRC, so the fast reader really
has to judge the damage) and checks that ``read_fit`` always equals the full decoder's answer.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastcrc import crc16
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from chainfix.fit import FitRead, read_fit
from chainfix.fit.activities import Built, build
from chainfix.fit.fast import Anomaly, decode_fast
from chainfix.fit.full import decode_full
from chainfix.fit.profile import wanted_messages
from chainfix.fit.rebuild import needs_recovery
from chainfix.model import Origin
from chainfix.testing.contract import activity_errors, problem_errors
from tests.conftest import REAL_DIR, real_fit_files

REAL = real_fit_files()
ORIGIN = Origin("variant.fit")


def _real(name: str) -> bytes:
    for path in REAL:
        if path.name == name:
            return path.read_bytes()
    pytest.skip(f"fixture {name} not present under {REAL_DIR}")


def _full(data: bytes) -> Built:
    decoded = decode_full(data)
    if needs_recovery(decoded):
        decoded = decode_full(data, recovery=True)
    return build(decoded, ORIGIN)


def _same(result: FitRead, expected: Built) -> bool:
    return (result.activities, result.problems, result.file_type) == (
        expected.activities,
        expected.problems,
        expected.file_type,
    )


# ---------------------------------------------------------------------------------------------
# Byte surgery helpers (independent of chainfix's walker)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    offset: int
    definition: bool
    local: int
    mesg_num: int
    length: int


def records(data: bytes) -> list[Record]:
    """The records of the first segment of a valid FIT file."""
    header_size = data[0]
    end = header_size + int.from_bytes(data[4:8], "little")
    layouts: dict[int, tuple[int, int]] = {}
    out: list[Record] = []
    pos = header_size
    while pos < end:
        head = data[pos]
        if head & 0x80:
            local = (head >> 5) & 3
            mesg_num, size = layouts[local]
            out.append(Record(pos, False, local, mesg_num, 1 + size))
        elif head & 0x40:
            local = head & 0x0F
            order = ">" if data[pos + 2] else "<"
            (mesg_num,) = struct.unpack_from(order + "H", data, pos + 3)
            count = data[pos + 5]
            size = sum(data[pos + 7 + 3 * i] for i in range(count))
            body = 5 + 3 * count
            if head & 0x20:
                dev = data[pos + 6 + 3 * count]
                size += sum(data[pos + 8 + 3 * count + 3 * i] for i in range(dev))
                body += 1 + 3 * dev
            layouts[local] = (mesg_num, size)
            out.append(Record(pos, True, local, mesg_num, 1 + body))
        else:
            local = head & 0x0F
            mesg_num, size = layouts[local]
            out.append(Record(pos, False, local, mesg_num, 1 + size))
        pos += out[-1].length
    return out


def fix_crc(data: bytes | bytearray) -> bytes:
    """Recompute the header and file CRCs of every segment whose header still parses."""
    out = bytearray(data)
    start = 0
    while len(out) - start >= 12 and out[start + 8 : start + 12] == b".FIT":
        header_size = out[start]
        if header_size == 14:
            out[start + 12 : start + 14] = crc16.arc(bytes(out[start : start + 12])).to_bytes(
                2, "little"
            )
        end = start + header_size + int.from_bytes(out[start + 4 : start + 8], "little")
        if header_size < 12 or end + 2 > len(out):
            break
        out[end : end + 2] = crc16.arc(bytes(out[start:end])).to_bytes(2, "little")
        start = end + 2
    return bytes(out)


# ---------------------------------------------------------------------------------------------
# Every real fixture: both decoders, same result
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_fast_and_full_agree_on_real_fixture(path: Path) -> None:
    data = path.read_bytes()
    full = decode_full(data)
    try:
        fast = decode_fast(data)
    except Anomaly:
        assert full.stop is not None or not data, "a clean file must not need the full decoder"
        return
    assert fast.stop == full.stop  # None, or the bad_crc stop both give
    assert full.stop is None or full.stop.kind == "bad_crc"
    assert fast.messages == full.messages
    assert build(fast, ORIGIN) == build(full, ORIGIN)


# ---------------------------------------------------------------------------------------------
# Routing: damaged variants go to the full decoder and get its outcome
# ---------------------------------------------------------------------------------------------

STRENGTH = "training.fit"


def _routed(data: bytes, reader: str = "full") -> FitRead:
    result = read_fit(data, ORIGIN)
    assert result.reader == reader
    assert _same(result, _full(data))
    return result


def test_clean_file_is_fast() -> None:
    assert read_fit(_real(STRENGTH), ORIGIN).reader == "fast"


def test_bad_crc_alone_stays_fast_and_reads_like_the_full_decoder() -> None:
    data = bytearray(_real(STRENGTH))
    data[-1] ^= 0xFF
    result = _routed(bytes(data), reader="fast")
    assert [(p.kind, p.severity) for p in result.problems] == [("bad_crc", "warning")]
    assert len(result.activities[0].sets) == 16


@pytest.mark.parametrize("where", ["crc", "after_session", "inside_session", "middle"])
def test_truncation_goes_to_full(where: str) -> None:
    data = _real(STRENGTH)
    session_num = next(n for n, s in wanted_messages().items() if s.name == "session")
    session = next(r for r in records(data) if r.mesg_num == session_num and not r.definition)
    cut = {
        "crc": len(data) - 1,
        "after_session": session.offset + session.length,
        "inside_session": session.offset + session.length - 1,
        "middle": len(data) // 2,
    }[where]
    result = _routed(data[:cut])
    assert result.problems[0].kind == "truncated"
    assert result.problems[0].severity == "warning"
    assert len(result.activities) == 1  # a cut inside or before the session: rebuilt from records
    rebuilt = [p for p in result.problems if "rebuilt from records" in p.message]
    assert bool(rebuilt) == (where in ("inside_session", "middle"))


def test_undefined_local_message_goes_to_full() -> None:
    data = bytearray(_real(STRENGTH))
    recs = records(bytes(data))
    target = next(r for r in recs if not r.definition and data[r.offset] < 0x80)
    defined = {r.local for r in recs if r.definition and r.offset < target.offset}
    unused = next(n for n in range(16) if n not in defined)
    data[target.offset] = (data[target.offset] & 0xF0) | unused
    result = _routed(fix_crc(data))
    assert result.problems[0].kind == "corrupt"
    assert f"local message {unused}" in result.problems[0].message


def test_unknown_base_type_goes_to_full_and_loses_nothing() -> None:
    clean = _real(STRENGTH)
    data = bytearray(clean)
    wanted = set(wanted_messages())
    target = next(r for r in records(clean) if r.definition and r.mesg_num not in wanted)
    data[target.offset + 8] = 0x55  # base type of its first field: not a FIT base type
    result = _routed(fix_crc(data))
    assert result.problems == []
    assert result.activities == read_fit(clean, ORIGIN).activities


def test_odd_field_size_goes_to_full() -> None:
    data = bytearray(_real(STRENGTH))
    recs = records(bytes(data))
    size_at = next(
        r.offset + 7 + 3 * i
        for r in recs
        if r.definition
        for i in range(data[r.offset + 5])
        if data[r.offset + 8 + 3 * i] == 0x84
    )
    data[size_at] = 3  # a uint16 field of 3 bytes
    _routed(fix_crc(data))


def test_wanted_message_behind_compressed_timestamp_goes_to_full() -> None:
    data = bytearray(_real(STRENGTH))
    set_num = next(n for n, s in wanted_messages().items() if s.name == "set")
    target = next(
        (r for r in records(bytes(data)) if r.mesg_num == set_num and not r.definition), None
    )
    if target is None or target.local > 3:
        pytest.skip("no set record with a local number a compressed header can carry")
    data[target.offset] = 0x80 | target.local << 5 | 5
    _routed(fix_crc(data))


def test_bad_magic_is_not_fit() -> None:
    data = bytearray(_real(STRENGTH))
    data[8:12] = b".TIF"
    result = _routed(bytes(data))
    assert [(p.kind, p.severity) for p in result.problems] == [("not_fit", "error")]


def test_bad_header_crc_is_bad_header() -> None:
    data = bytearray(_real(STRENGTH))
    assert data[0] == 14
    data[12] ^= 0x01
    result = _routed(bytes(data))
    assert [(p.kind, p.severity) for p in result.problems] == [("bad_header", "error")]


def test_zero_header_crc_is_accepted() -> None:
    data = bytearray(_real(STRENGTH))
    data[12:14] = b"\x00\x00"
    data = bytearray(fix_crc(data))
    data[12:14] = b"\x00\x00"  # fix_crc rewrote it; the file CRC covers the header bytes
    end = 14 + int.from_bytes(data[4:8], "little")
    data[end : end + 2] = crc16.arc(bytes(data[:end])).to_bytes(2, "little")
    result = read_fit(bytes(data), ORIGIN)
    assert result.reader == "fast" and result.problems == []


def test_chained_copy_is_read_by_the_fast_reader() -> None:
    clean = _real(STRENGTH)
    result = read_fit(clean + clean, ORIGIN)
    assert result.reader == "fast"
    assert len(result.activities) == 1
    assert [p.kind for p in result.problems] == ["duplicate"]


def test_trailing_garbage_after_the_last_segment_goes_to_full() -> None:
    result = _routed(_real(STRENGTH) + b"\x00" * 20)
    assert result.problems[0].kind == "bad_header" and result.activities


# ---------------------------------------------------------------------------------------------
# Hypothesis: mutated real files
# ---------------------------------------------------------------------------------------------

SMALL = [p for p in REAL if 0 < p.stat().st_size <= 25_000]
MUTATIONS = ("byte",) * 3 + ("definition",) * 4 + ("truncate", "insert", "delete")
"""Mostly in-place damage: with the CRC repaired, that is what the fast reader must judge."""


@st.composite
def mutated_files(draw: st.DrawFn) -> bytes:
    path = draw(st.sampled_from(SMALL))
    original = path.read_bytes()
    data = bytearray(original)
    try:
        definitions = [r for r in records(original) if r.definition]
    except (KeyError, IndexError, struct.error):
        definitions = []
    for _ in range(draw(st.integers(1, 2))):
        kind = draw(st.sampled_from(MUTATIONS))
        if kind == "definition" and definitions:
            record = draw(st.sampled_from(definitions))
            at = record.offset + draw(st.integers(0, record.length - 1))
            if at < len(data):
                data[at] = draw(st.integers(0, 255))
        elif kind == "truncate":
            data = data[: draw(st.integers(0, len(data)))]
        elif kind == "insert":
            at = draw(st.integers(0, len(data)))
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "delete" and data:
            at = draw(st.integers(0, len(data) - 1))
            del data[at : at + draw(st.integers(1, 8))]
        elif data:
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    if draw(st.integers(0, 3)):  # usually repair the CRCs so the fast reader must judge the damage
        return fix_crc(data)
    return bytes(data)


@pytest.mark.skipif(not SMALL, reason="real fixtures not present")
@settings(
    max_examples=1000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=mutated_files())
def test_mutated_real_files_read_like_the_full_decoder(data: bytes) -> None:
    result = read_fit(data, ORIGIN)
    event(f"{result.reader} reader, {'some' if result.activities else 'no'} activities")
    if data:
        assert _same(result, _full(data))
    for problem in result.problems:
        assert problem.message.endswith(".") and problem_errors(problem) == []
    for activity in result.activities:
        errors = activity_errors(activity)
        # unknown enum numbers are kept as "sport_<n>" names, which the contract does not know
        assert [e for e in errors if "is not a FIT profile" not in e] == []
