"""Every kind of bad input in the corpus, with its expected outcome, written before any run.

Groups: ``fit`` (damaged or odd FIT files, from generated files and byte surgery), ``real`` cases
inside other kinds (real device files, when ``../shared/fixtures/real`` is present), ``gzip``,
``zip`` (archive members and structure), ``json`` (Garmin export summaries), ``export`` (the
export's nested zips) and ``folder`` (what a folder walk meets). Adding a kind: append it to
``KINDS`` and run ``python -m tests.corpus`` to refresh the README.
"""

from __future__ import annotations

import gzip
import json
import math
import struct
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from chainfix_synth import corrupt

from chainfix.fit.encode_fields import fit_timestamp
from chainfix.model import Activity, History
from tests.corpus import fitbytes, zipbytes
from tests.corpus.bench import Bad, Case, Goods, Kind, Layout, Mix, Outcome, real_bytes
from tests.corpus.zipbytes import Entry

MB = 1024**2
GB = 1024**3
HTML = corrupt.not_fit()
SUMMARY_MEMBER = "DI_CONNECT/DI-Connect-Fitness/corpus_9_summarizedActivities.json"
PART9 = "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part9.zip"

# ---------------------------------------------------------------------------------------------
# Case builders
# ---------------------------------------------------------------------------------------------

Make = Callable[[Goods], bytes]


def fit(
    label: str, make: Make, *, name: str = "bad.fit", layout: Layout = "folder", **extra: Any
) -> Case:
    """A bad file named ``name`` in the folder of good files."""
    return Case(label, layout, lambda mix: mix.put(name, make(mix.goods)), **extra)


def real(
    label: str, fixture: str, damage: Callable[[bytes], bytes] = lambda b: b, **extra: Any
) -> Case:
    """A real fixture (optionally damaged) in the folder of good files, under its own name."""

    def inject(mix: Mix) -> Bad:
        data = real_bytes(fixture)
        assert data is not None
        return mix.put(fixture, damage(data))

    return Case(label, "folder", inject, real=fixture, **extra)


def members(
    label: str,
    entries: Callable[[Goods], list[Entry]],
    member: str,
    *,
    edit: Callable[[bytes], bytes] | None = None,
    first: bool = True,
    nested: bool = False,
    **extra: Any,
) -> Case:
    """Bad members in the zip of good files (first, unless ``first`` is False)."""

    def inject(mix: Mix) -> Bad:
        return mix.members(entries(mix.goods), member, edit=edit, first=first, nested=nested)

    return Case(label, "zip", inject, **extra)


def summaries(label: str, document: Any, *, raw: bytes | None = None, **extra: Any) -> Case:
    """A summarizedActivities JSON member in the export: ``document`` dumped, or ``raw`` bytes."""
    data = raw if raw is not None else json.dumps(document, allow_nan=True).encode()
    return Case(label, "export", lambda mix: mix.export_member(SUMMARY_MEMBER, data), **extra)


def part(label: str, make: Callable[[Goods], bytes], *, nested: bool = True, **extra: Any) -> Case:
    """An extra ``UploadedFiles_0-_Part9.zip`` in the export."""
    return Case(
        label,
        "export",
        lambda mix: mix.export_member(PART9, make(mix.goods), nested=nested),
        **extra,
    )


# ---------------------------------------------------------------------------------------------
# FIT surgery on the victims
# ---------------------------------------------------------------------------------------------


def cut(victim: str, where: Callable[[bytes], int]) -> Make:
    def make(goods: Goods) -> bytes:
        data = goods.victims[victim]
        return data[: where(data)]

    return make


def inside(
    message: str, *, definition: bool = False, into: int = 3, nth: int = 0
) -> Callable[[bytes], int]:
    """An offset ``into`` bytes into the ``nth`` (definition) record of ``message``."""
    return lambda data: fitbytes.find(data, message, definition=definition, nth=nth).offset + into


def after(message: str, nth: int = 0) -> Callable[[bytes], int]:
    def where(data: bytes) -> int:
        rec = fitbytes.find(data, message, nth=nth)
        return rec.offset + rec.length

    return where


def victim(name: str, damage: Callable[[bytes], bytes] = lambda b: b) -> Make:
    return lambda goods: damage(goods.victims[name])


def header_size_field(
    delta: int | None = None, value: int | None = None
) -> Callable[[bytes], bytes]:
    """Change the header's data size, header CRC repaired (the file CRC stays where it was)."""

    def damage(data: bytes) -> bytes:
        (size,) = struct.unpack_from("<I", data, 4)
        new = value if value is not None else size + (delta or 0)
        return fitbytes.assemble(data[:14], fitbytes.body(data), data_size=new)[:-2] + data[-2:]

    return damage


def poke(
    offset: Callable[[bytes], int], value: int, *, fix_crc: bool = False
) -> Callable[[bytes], bytes]:
    def damage(data: bytes) -> bytes:
        at = offset(data)
        out = data[:at] + bytes([value]) + data[at + 1 :]
        return fitbytes.with_file_crc(out) if fix_crc else out

    return damage


def flip_in(message: str, nth: int, into: int) -> Callable[[bytes], bytes]:
    """Invert one byte inside a data message's values; the file CRC is left wrong."""

    def damage(data: bytes) -> bytes:
        rec = fitbytes.find(data, message, nth=nth)
        return corrupt.flip_byte(data, rec.offset + 1 + min(into, rec.length - 2))

    return damage


def field(
    message: str, number: int, value: int | bytes, nth: int | None = None
) -> Callable[[bytes], bytes]:
    return lambda data: fitbytes.set_field(data, message, number, value, nth=nth)


def then(*steps: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
    def damage(data: bytes) -> bytes:
        for step in steps:
            data = step(data)
        return data

    return damage


def fit_time(when: datetime) -> int:
    return fit_timestamp(when)


_HEAD = bytes([14, 0x20]) + struct.pack("<H", 2132) + b"\0\0\0\0.FIT\0\0"
_T0 = 0x40000000
"""2024-01-10 in FIT time: crafted files start here, far from the generated ones."""


def crafted(session_fields: list[tuple[int, int, int]], session_values: bytes) -> bytes:
    """A minimal activity: file_id (type activity) and one session message as given."""
    file_id = fitbytes.definition(0, 0, [(0, 1, 0x00), (4, 4, 0x86)]) + fitbytes.data_record(
        0, bytes([4]) + struct.pack("<I", _T0)
    )
    session = fitbytes.definition(1, 18, session_fields) + fitbytes.data_record(1, session_values)
    return fitbytes.assemble(_HEAD, file_id + session)


_SESSION_BASE = [(253, 4, 0x86), (2, 4, 0x86), (5, 1, 0x00), (7, 4, 0x86), (8, 4, 0x86)]
_SESSION_VALUES = struct.pack("<IIBII", _T0 + 3600, _T0, 1, 3_600_000, 3_600_000)


def developer_record(
    dev: list[tuple[int, int, int]], payload: bytes, base: list[tuple[int, int, int]] | None = None
) -> Callable[[bytes], bytes]:
    """Insert a manufacturer-specific message with developer fields after file_id."""
    fields = base if base is not None else [(0, 1, 0x02)]
    record = fitbytes.definition(9, 0xFF00, fields, dev_fields=dev) + fitbytes.data_record(
        9, payload
    )
    return lambda data: fitbytes.insert_after(data, "file_id", record)


# ---------------------------------------------------------------------------------------------
# Checks beyond the outcome
# ---------------------------------------------------------------------------------------------


def own(history: History, bad: Bad) -> list[Activity]:
    """The activities that came from the bad input."""
    return [a for a in history.activities if bad.names(a.origin.path, a.origin.member)]


def sport_is(sport: str, sub_sport: str | None = None) -> Callable[[History, Bad], None]:
    def check(history: History, bad: Bad) -> None:
        (act,) = own(history, bad)
        assert act.sport == sport, act.sport
        if sub_sport is not None:
            assert act.sub_sport == sub_sport, act.sub_sport

    return check


def sets_kept(victim_name: str, category: str | None = None) -> Callable[[History, Bad], None]:
    """Every set message of the victim is still there (``category``: all active ones have it)."""

    def check(history: History, bad: Bad) -> None:
        from tests.corpus.bench import goods

        data = goods().victims[victim_name]
        expected = sum(
            1
            for r in fitbytes.records(data)
            if not r.definition and r.message == fitbytes.MESSAGE_NUMBERS["set"]
        )
        (act,) = own(history, bad)
        assert len(act.sets) == expected, (len(act.sets), expected)
        if category is not None:
            assert {s.category for s in act.active_sets} == {category}

    return check


def starts_like(victim_name: str) -> Callable[[History, Bad], None]:
    """The activity starts when the undamaged victim does."""

    def check(history: History, bad: Bad) -> None:
        from chainfix.fit import read_fit
        from chainfix.model import Origin
        from tests.corpus.bench import goods

        (expected,) = read_fit(goods().victims[victim_name], Origin("victim.fit")).activities
        (act,) = own(history, bad)
        assert act.start_utc == expected.start_utc, (act.start_utc, expected.start_utc)

    return check


def value_is(name: str, expected: Any) -> Callable[[History, Bad], None]:
    def check(history: History, bad: Bad) -> None:
        (act,) = own(history, bad)
        assert getattr(act, name) == expected, getattr(act, name)

    return check


# ---------------------------------------------------------------------------------------------
# JSON records
# ---------------------------------------------------------------------------------------------

JSON_START = datetime(2019, 6, 1, 6, 0, tzinfo=UTC)
"""Summaries written by the corpus start here, far from every generated activity."""


def record(**changes: Any) -> dict[str, Any]:
    """A plausible export summary of a 10 km run, with ``changes`` (None removes a key)."""
    start_ms = int(JSON_START.timestamp() * 1000)
    rec: dict[str, Any] = {
        "activityId": 990_000_001,
        "name": "Corpus canary run",
        "activityType": "running",
        "sportType": "RUNNING",
        "startTimeGmt": start_ms,
        "beginTimestamp": start_ms,
        "startTimeLocal": start_ms + 7_200_000,
        "duration": 3_000_000.0,
        "elapsedDuration": 3_060_000.0,
        "movingDuration": 2_990_000.0,
        "distance": 1_000_000.0,
        "avgHr": 150.0,
        "maxHr": 171.0,
    }
    for key, value in changes.items():
        if value is None:
            rec.pop(key, None)
        else:
            rec[key] = value
    return rec


def export_doc(*records: Any) -> list[dict[str, Any]]:
    return [{"summarizedActivitiesExport": list(records)}]


def ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


# ---------------------------------------------------------------------------------------------
# The kinds
# ---------------------------------------------------------------------------------------------

TRUNCATED_ERROR = Outcome("truncated", "ends early", "error")


def rebuilt_from(victim_name: str, exact: bool = True) -> Callable[[History, Bad], None]:
    """The rebuilt activities start as the undamaged victim's sessions; ``exact``: their sport,
    totals and sets are the same too (else: the sport or ``generic``, totals no larger)."""

    def check(history: History, bad: Bad) -> None:
        from chainfix.fit import read_fit
        from chainfix.model import Origin
        from tests.corpus.bench import goods

        expected = read_fit(goods().victims[victim_name], Origin("victim.fit")).activities
        got = sorted(own(history, bad), key=lambda a: a.start_utc)
        assert len(got) == len(expected)
        for act, want in zip(got, expected, strict=True):
            assert act.start_utc == want.start_utc
            if exact or act.sport != "generic":  # cut before any lap or sport message: generic
                assert (act.sport, act.sub_sport) == (want.sport, want.sub_sport)
            for name in ("timer_s", "elapsed_s", "distance_m", "ascent_m", "descent_m"):
                value, full = getattr(act, name), getattr(want, name)
                if exact:
                    assert value == full, (name, value, full)
                else:
                    assert value is None or full is None or value <= full, (name, value, full)
            if exact:
                assert len(act.sets) == len(want.sets)

    return check


def _fit_kinds() -> list[Kind]:
    return [
        Kind(
            "empty_file",
            "fit",
            "A .fit file of 0 bytes (a download that never happened).",
            Outcome("empty", "empty", "error"),
            (fit("generated 0 bytes", lambda g: b""), real("real empty.fit", "empty.fit")),
        ),
        Kind(
            "not_fit_named_fit",
            "fit",
            "Not FIT at all but named .fit: an HTML login page, zeros, text.",
            Outcome("not_fit", "does not start with a FIT header", "error"),
            (
                fit("HTML login page", lambda g: HTML),
                fit("100 zero bytes", lambda g: b"\0" * 100),
                fit("plain text", lambda g: b"Activity export failed, please retry later.\n"),
            ),
        ),
        Kind(
            "too_short",
            "fit",
            "Fewer bytes than a FIT header: garbage, or a FIT file cut inside its first 12 bytes.",
            Outcome("not_fit", "too short", "error"),
            (
                fit("5 bytes of text", lambda g: b"hello"),
                fit("first 8 bytes of a FIT file", cut("run", lambda d: 8)),
                fit("first 11 bytes of a FIT file", cut("run", lambda d: 11)),
            ),
        ),
        Kind(
            "truncated_in_header",
            "fit",
            "A FIT file cut inside its 14-byte header, after the .FIT magic.",
            Outcome("truncated", "inside the first FIT header", "error"),
            (
                fit("cut at 12 bytes", cut("run", lambda d: 12)),
                fit("cut at 13 bytes", cut("run", lambda d: 13)),
            ),
        ),
        Kind(
            "truncated_in_definition",
            "fit",
            "A FIT file cut inside a definition message.",
            TRUNCATED_ERROR,
            (
                fit(
                    "inside the file_id definition",
                    cut("run", inside("file_id", definition=True, into=4)),
                ),
                fit(
                    "inside the set definition (strength)",
                    cut("strength", inside("set", definition=True, into=7)),
                ),
            ),
        ),
        Kind(
            "truncated_in_data_message",
            "fit",
            "A FIT file cut inside a data message before anything was recorded.",
            TRUNCATED_ERROR,
            (fit("inside the file_id message", cut("run", inside("file_id", into=2))),),
        ),
        Kind(
            "truncated_watch_died",
            "fit",
            "A recording cut before its session was written (the watch died): inside a record, "
            "inside the session's definition, just before the session.",
            Outcome(
                "no_session",
                "rebuilt from records",
                "warning",
                kept=1,
                note='Also a `truncated` warning "ends early"; a cut inside the records keeps '
                "what was recorded before it.",
            ),
            (
                fit(
                    "inside a record message",
                    cut("run", inside("record", nth=5, into=5)),
                    check=rebuilt_from("run", exact=False),
                ),
                fit(
                    "inside the session definition",
                    cut("run", inside("session", definition=True, into=10)),
                    check=rebuilt_from("run"),
                ),
                fit(
                    "just before the session",
                    victim("run", corrupt.truncate_before),
                    check=rebuilt_from("run"),
                ),
                real(
                    "real road-cycling.fit cut in half",
                    "road-cycling.fit",
                    lambda d: d[: len(d) // 2],
                ),
            ),
        ),
        Kind(
            "truncated_after_session",
            "fit",
            "A FIT file cut after its (first) session: what was decoded is kept.",
            Outcome("truncated", "ends early", "warning", kept=1),
            (
                fit("after the session, before the activity message", cut("run", after("session"))),
                fit("multisport cut after its first leg", cut("brick", after("session"))),
                real("real activity-unexpected-eof.fit", "activity-unexpected-eof.fit"),
            ),
        ),
        Kind(
            "truncated_in_crc",
            "fit",
            "A FIT file missing one or both bytes of its file CRC.",
            Outcome("truncated", "ends early", "warning", kept=1),
            (
                fit("last byte missing", cut("run", lambda d: len(d) - 1)),
                fit("both CRC bytes missing", cut("run", lambda d: len(d) - 2)),
            ),
        ),
        Kind(
            "bad_header_crc",
            "fit",
            "The 14-byte header fails its own CRC.",
            Outcome("bad_header", "fails its checksum", "error"),
            (
                fit("generated", victim("run", corrupt.bad_header_crc)),
                real("real 610464_bad_crc.fit", "610464_bad_crc.fit"),
            ),
        ),
        Kind(
            "bad_header_size",
            "fit",
            "The header's size byte is wrong (13: no room for a CRC; 200: past the data).",
            Outcome("bad_header", "first FIT header", "error"),
            (
                fit("header size 13", victim("run", poke(lambda d: 0, 13))),
                fit("header size 200", victim("run", poke(lambda d: 0, 200))),
            ),
        ),
        Kind(
            "bad_file_crc",
            "fit",
            "The file CRC does not match; the structure decodes cleanly.",
            Outcome(
                "bad_crc",
                "checksum does not match",
                "warning",
                kept=1,
                note="Values are kept but flagged as unverified.",
            ),
            (
                fit("generated run", victim("run", corrupt.bad_crc)),
                fit("generated strength", victim("strength", corrupt.bad_crc)),
                real("real activity-filecrc.fit", "activity-filecrc.fit"),
                real(
                    "real FR965 strength file, CRC damaged",
                    "20474406937_ACTIVITY.fit",
                    corrupt.bad_crc,
                ),
            ),
        ),
        Kind(
            "bit_flip_in_values",
            "fit",
            "Single bit flips inside data values (not structure); the CRC gives them away.",
            Outcome("bad_crc", "checksum does not match", "warning", kept=1),
            (
                fit("in a record message", victim("run", flip_in("record", 3, 4))),
                fit("in the session", victim("run", flip_in("session", 0, 9))),
                fit("in a set message", victim("strength", flip_in("set", 1, 2))),
                real("real hiking.fit, in a record", "hiking.fit", flip_in("record", 40, 3)),
            ),
        ),
        Kind(
            "bit_flip_in_magic",
            "fit",
            "One flipped bit in the .FIT magic.",
            Outcome("not_fit", "does not start with a FIT header", "error"),
            (fit("'.FIT' becomes '.FIU'", victim("run", poke(lambda d: 11, ord("U")))),),
        ),
        Kind(
            "undefined_local_message",
            "fit",
            "A data record uses a local message type that was never defined.",
            Outcome("corrupt", "never defined", "error"),
            (
                fit("CRC wrong too", victim("run", poke(inside("record", nth=3, into=0), 0x0E))),
                fit(
                    "CRC repaired",
                    victim("run", poke(inside("record", nth=3, into=0), 0x0E, fix_crc=True)),
                ),
                fit(
                    "in a strength file",
                    victim("strength", poke(inside("set", nth=0, into=0), 0x0D, fix_crc=True)),
                ),
            ),
        ),
        Kind(
            "undefined_local_after_session",
            "fit",
            "Real Strava Android file: a local message used undefined after the session.",
            Outcome("corrupt", "never defined", "warning", kept=1),
            (
                real(
                    "real strava-android-app-201.10-b1218918.fit",
                    "strava-android-app-201.10-b1218918.fit",
                ),
            ),
        ),
        Kind(
            "data_size_too_large",
            "fit",
            "The header declares more data than the file holds (up to 4 GiB).",
            Outcome("truncated", "ends early", "warning", kept=1),
            (
                fit("1000 bytes too many", victim("run", header_size_field(1000))),
                fit(
                    "huge declared size 0xFFFFFFFF",
                    victim("run", header_size_field(value=0xFFFFFFFF)),
                ),
                fit(
                    "1000 too many, header CRC 0 (unchecked)",
                    victim(
                        "run",
                        then(header_size_field(1000), poke(lambda d: 12, 0), poke(lambda d: 13, 0)),
                    ),
                ),
            ),
        ),
        Kind(
            "data_size_too_small",
            "fit",
            "The header declares less data than the file holds: the CRC is read mid-file.",
            Outcome("bad_crc", "checksum does not match", "warning", kept=1),
            (fit("50 bytes too few", victim("run", header_size_field(-50))),),
        ),
        Kind(
            "data_size_zero",
            "fit",
            "The header declares no data at all.",
            Outcome("bad_crc", "checksum does not match", "error"),
            (fit("data size 0", victim("run", header_size_field(value=0))),),
        ),
        Kind(
            "huge_definition",
            "fit",
            "A definition of 255 fields of 255 bytes (64 KiB per message) for an unknown message.",
            Outcome(None, kept=1),
            (
                fit(
                    "with a data message",
                    victim(
                        "run",
                        lambda d: fitbytes.insert_after(
                            d,
                            "file_id",
                            fitbytes.definition(9, 0xFF00, [(i, 255, 0x0D) for i in range(255)])
                            + fitbytes.data_record(9, b"\x5a" * 255 * 255),
                        ),
                    ),
                ),
                fit(
                    "definition only",
                    victim(
                        "run",
                        lambda d: fitbytes.insert_after(
                            d,
                            "file_id",
                            fitbytes.definition(9, 0xFF00, [(i, 255, 0x0D) for i in range(255)]),
                        ),
                    ),
                ),
            ),
        ),
        Kind(
            "unknown_base_type",
            "fit",
            "A field declared with a base type the FIT protocol does not have (0x55).",
            Outcome(None, kept=1, note="Read as bytes; the field is not one chainfix uses."),
            (
                fit(
                    "in the record definition",
                    victim(
                        "run",
                        poke(
                            lambda d: fitbytes.find(d, "record", definition=True).offset + 8,
                            0x55,
                            fix_crc=True,
                        ),
                    ),
                ),
            ),
        ),
        Kind(
            "wanted_field_unreadable",
            "fit",
            "A field chainfix needs (session distance) with a size that is not a multiple of its "
            "type, or declared as bytes: no number can be read from it.",
            Outcome(
                "bad_value",
                "holds no number",
                "warning",
                kept=1,
                note="The value becomes None instead of a misread number.",
            ),
            (
                fit(
                    "uint32 distance in 5 bytes",
                    lambda g: crafted(
                        [*_SESSION_BASE, (9, 5, 0x86)],
                        _SESSION_VALUES + struct.pack("<I", 10**6) + b"\0",
                    ),
                    check=value_is("distance_m", None),
                ),
                fit(
                    "distance declared as 4 bytes",
                    lambda g: crafted(
                        [*_SESSION_BASE, (9, 4, 0x0D)], _SESSION_VALUES + struct.pack("<I", 10**6)
                    ),
                    check=value_is("distance_m", None),
                ),
            ),
        ),
        Kind(
            "one_byte_field_as_bytes",
            "fit",
            "A one-byte field chainfix needs (session sport) declared as a byte array of 1.",
            Outcome(None, kept=1, note="The byte is the value: no loss, no warning."),
            (
                fit(
                    "sport as byte[1]",
                    lambda g: crafted(
                        [(253, 4, 0x86), (2, 4, 0x86), (5, 1, 0x0D), (8, 4, 0x86)],
                        struct.pack("<IIBI", _T0 + 3600, _T0, 1, 3_600_000),
                    ),
                    check=sport_is("running"),
                ),
            ),
        ),
        Kind(
            "zero_size_field",
            "fit",
            "A field or developer field declared with size 0 (it holds no bytes).",
            Outcome(None, kept=1),
            (
                fit(
                    "developer field of size 0", victim("run", developer_record([(0, 0, 0)], b"\1"))
                ),
                fit(
                    "session field of size 0",
                    lambda g: crafted([*_SESSION_BASE, (16, 0, 0x02)], _SESSION_VALUES),
                ),
            ),
        ),
        Kind(
            "developer_field_undeclared",
            "fit",
            "Developer fields (3 x 255 bytes) whose developer_data_id and field_description "
            "were never written.",
            Outcome(None, kept=1),
            (
                fit(
                    "index 7, no description",
                    victim("run", developer_record([(0, 255, 7)] * 3, b"\1" + b"\0" * 765)),
                ),
                fit(
                    "on record messages",
                    victim(
                        "run",
                        developer_record([(3, 4, 0)], b"\0\0\0\x40abcd", base=[(253, 4, 0x86)]),
                    ),
                ),
            ),
        ),
        Kind(
            "developer_field_overrun",
            "fit",
            "Developer fields declare more bytes than their message holds: the records after "
            "it are misread.",
            Outcome("corrupt", "never defined", "error"),
            (
                fit(
                    "765 bytes declared, 10 present",
                    victim("run", developer_record([(0, 255, 7)] * 3, b"\1" + b"\0" * 10)),
                ),
            ),
        ),
        Kind(
            "chained_bad_second_header",
            "fit",
            "A chained FIT file whose second header is invalid.",
            Outcome("bad_header", "chained", "warning", kept=1),
            (
                fit(
                    "second header CRC wrong",
                    lambda g: fitbytes.chain(
                        g.victims["run"], corrupt.bad_header_crc(g.victims["strength"])
                    ),
                ),
                real(
                    "real activity-settings-corruptheader.fit",
                    "activity-settings-corruptheader.fit",
                ),
            ),
        ),
        Kind(
            "chained_garbage_tail",
            "fit",
            "Bytes after the last FIT segment that are no FIT file (padding, an HTML page).",
            Outcome("bad_header", "not a chained FIT file", "warning", kept=1),
            (
                fit("32 zero bytes", lambda g: g.victims["run"] + b"\0" * 32),
                fit("an HTML page", lambda g: g.victims["run"] + HTML),
            ),
        ),
        Kind(
            "chained_truncated_second",
            "fit",
            "A chained FIT file cut inside its second part.",
            Outcome("truncated", "ends early", "warning", kept=1),
            (
                fit(
                    "second part cut after 40 bytes",
                    lambda g: g.victims["run"] + g.victims["strength"][:40],
                ),
            ),
        ),
        Kind(
            "chained_bad_second_crc",
            "fit",
            "Two chained activities, the second with a wrong file CRC.",
            Outcome("bad_crc", "checksum does not match", "warning", kept=2),
            (
                fit(
                    "run + strength",
                    lambda g: g.victims["run"] + corrupt.bad_crc(g.victims["strength"]),
                ),
            ),
        ),
        Kind(
            "chained_copy_bad_crc",
            "fit",
            "Real file: an activity chained with a copy of itself whose CRC is wrong.",
            Outcome(
                "bad_crc",
                "checksum does not match",
                "warning",
                kept=1,
                note="The copy is reported as an info `duplicate`.",
            ),
            (real("real activity-activity-filecrc.fit", "activity-activity-filecrc.fit"),),
        ),
        Kind(
            "no_session_messages",
            "fit",
            "An activity without any session message, and without records or laps to rebuild "
            "one from.",
            Outcome("no_session", "no session message", "error"),
            (real("real activity_truncated.fit (SDK)", "activity_truncated.fit"),),
        ),
        Kind(
            "no_session_rebuilt",
            "fit",
            "An activity without any session message, holding its records and laps (single "
            "sport, strength with sets).",
            Outcome(
                "no_session",
                "rebuilt from records",
                "warning",
                kept=1,
                note="Sport, start, times, distance, ascent and descent come from the laps and "
                "records; the real Edge file has records only: sport `generic`.",
            ),
            (
                fit(
                    "run without session",
                    victim("run", lambda d: fitbytes.drop_messages(d, "session")),
                    check=rebuilt_from("run"),
                ),
                fit(
                    "strength with sets, without session",
                    victim("strength", lambda d: fitbytes.drop_messages(d, "session")),
                    check=rebuilt_from("strength"),
                ),
                real("real WithGearChangeData.fit (Edge 1040)", "WithGearChangeData.fit"),
                real(
                    "real compressed-speed-distance.fit without its session (records behind "
                    "compressed timestamps)",
                    "compressed-speed-distance.fit",
                    lambda d: fitbytes.drop_messages(d, "session"),
                ),
            ),
        ),
        Kind(
            "no_session_multisport_rebuilt",
            "fit",
            "A multisport activity without session messages: one leg per run of laps of one sport.",
            Outcome("no_session", "rebuilt from records", "warning", kept=2),
            (
                fit(
                    "bike-run brick without sessions",
                    victim("brick", lambda d: fitbytes.drop_messages(d, "session")),
                    check=rebuilt_from("brick"),
                ),
            ),
        ),
        Kind(
            "sport_newer_than_profile",
            "fit",
            "Sport and sub-sport numbers newer than chainfix's FIT profile.",
            Outcome(None, kept=1, note="Kept under the name `sport_<n>` / `sub_sport_<n>`."),
            (
                fit(
                    "sport 250",
                    victim("run", field("session", 5, 250)),
                    check=sport_is("sport_250"),
                ),
                fit(
                    "sub-sport 250",
                    victim("run", field("session", 6, 250)),
                    check=sport_is("running", "sub_sport_250"),
                ),
            ),
        ),
        Kind(
            "strength_set_garbage",
            "fit",
            "Strength sets with garbage categories, exercise numbers and set types.",
            Outcome(None, kept=1, note="Every set is kept; unknown categories keep their number."),
            (
                fit(
                    "category 12345",
                    victim("strength", field("set", 7, 12345)),
                    check=sets_kept("strength", "exercise_category_12345"),
                ),
                fit(
                    "exercise number 54321",
                    victim("strength", field("set", 8, 54321)),
                    check=sets_kept("strength"),
                ),
                fit(
                    "invalid category 0xFFFF",
                    victim("strength", field("set", 7, 0xFFFF)),
                    check=sets_kept("strength"),
                ),
                fit(
                    "set_type 77",
                    victim("strength", field("set", 5, 77)),
                    check=sets_kept("strength"),
                ),
            ),
        ),
        Kind(
            "absurd_values",
            "fit",
            "Impossible session or set values (a 42,950 km run, a 3.75 t lift).",
            Outcome(
                "bad_value",
                "impossible values",
                "warning",
                kept=1,
                note="Each impossible value becomes None; the rest is kept.",
            ),
            (
                fit(
                    "distance 0xFFFFFFF0",
                    victim("run", field("session", 9, 0xFFFFFFF0)),
                    check=value_is("distance_m", None),
                ),
                fit("set weight 60000", victim("strength", field("set", 4, 60000))),
                fit(
                    "max heart rate 250 below average 254",
                    victim("run", then(field("session", 16, 254), field("session", 17, 250))),
                ),
            ),
        ),
        Kind(
            "start_in_future",
            "fit",
            "The device clock jumped: the session starts in 2100.",
            Outcome("bad_value", "without a possible start time", "error"),
            (
                fit(
                    "start_time in 2100",
                    victim(
                        "run",
                        then(
                            field("session", 2, fit_time(datetime(2100, 1, 1, tzinfo=UTC))),
                            field("session", 253, fit_time(datetime(2100, 1, 1, 1, tzinfo=UTC))),
                        ),
                    ),
                ),
            ),
        ),
        Kind(
            "device_relative_times",
            "fit",
            "Times counted from power-on (< 0x10000000) with nothing to anchor them.",
            Outcome("bad_value", "without a possible start time", "error"),
            (
                fit(
                    "session and activity times relative",
                    victim(
                        "run",
                        then(
                            field("session", 2, 1000),
                            field("session", 253, 4600),
                            field("activity", 5, 0xFFFFFFFF),
                        ),
                    ),
                ),
            ),
        ),
        Kind(
            "device_relative_times_anchored",
            "fit",
            "Times counted from power-on, anchored by the activity's local timestamp.",
            Outcome(None, kept=1, note="Placed in local time, no UTC offset."),
            (
                fit(
                    "relative session, absolute local_timestamp",
                    victim(
                        "run",
                        then(
                            field("session", 2, 1000),
                            field("session", 253, 4600),
                            field("activity", 253, 5000),
                        ),
                    ),
                ),
            ),
        ),
        Kind(
            "clock_jump_back",
            "fit",
            "The clock jumps backwards: session end before its start, records out of order.",
            Outcome(None, kept=1, note="The start comes from start_time."),
            (
                fit(
                    "session timestamp a year before start",
                    victim(
                        "run",
                        then(field("session", 253, fit_time(datetime(2024, 1, 1, tzinfo=UTC)))),
                    ),
                    check=starts_like("run"),
                ),
                fit(
                    "record timestamps jump back",
                    victim(
                        "run",
                        then(
                            field("record", 253, 0x10000001, nth=4),
                            field("record", 253, 0x10000002, nth=6),
                        ),
                    ),
                    check=starts_like("run"),
                ),
            ),
        ),
        Kind(
            "non_activity_fit",
            "fit",
            "Valid FIT files that are not activities.",
            Outcome(
                "not_activity", "not an activity", "info", note="Skipped on purpose: exit code 0."
            ),
            (
                fit("generated monitoring_b", lambda g: g.monitoring),
                real("real sleep1.fit", "sleep1.fit"),
                real("real MonitoringFile.fit", "MonitoringFile.fit"),
                real("real D55A5738.fit (strength workout)", "D55A5738.fit"),
            ),
        ),
    ]


def _gzip_kinds() -> list[Kind]:
    def gz(label: str, make: Make, **extra: Any) -> Case:
        return fit(label, make, name="bad.fit.gz", **extra)

    def bad_gzip_crc(g: Goods) -> bytes:
        data = bytearray(gzip.compress(g.victims["run"], mtime=0))
        data[-8] ^= 0xFF
        return bytes(data)

    return [
        Kind(
            "gzip_truncated",
            "gzip",
            "A .fit.gz cut in half.",
            Outcome("bad_archive", "gzip", "error"),
            (
                gz(
                    "half of the gzip stream",
                    lambda g: gzip.compress(g.victims["run"], mtime=0)[
                        : len(gzip.compress(g.victims["run"], mtime=0)) // 2
                    ],
                ),
            ),
        ),
        Kind(
            "gzip_not_gzip",
            "gzip",
            "A .fit.gz that is not gzip (a plain FIT, an HTML page).",
            Outcome("bad_archive", "gzip", "error"),
            (
                gz("plain FIT named .fit.gz", lambda g: g.victims["run"]),
                gz("HTML named .fit.gz", lambda g: HTML),
            ),
        ),
        Kind(
            "gzip_bad_crc",
            "gzip",
            "A .fit.gz whose gzip CRC does not match.",
            Outcome("bad_archive", "gzip", "error"),
            (gz("CRC byte flipped", bad_gzip_crc),),
        ),
        Kind(
            "gzip_holds_no_fit",
            "gzip",
            "A valid gzip holding an HTML page.",
            Outcome("not_fit", "does not start with a FIT header", "error"),
            (gz("gzip of HTML", lambda g: gzip.compress(HTML, mtime=0)),),
        ),
        Kind(
            "gzip_holds_nothing",
            "gzip",
            "A valid gzip of 0 bytes.",
            Outcome("empty", "empty", "error"),
            (gz("gzip of nothing", lambda g: gzip.compress(b"", mtime=0)),),
        ),
        Kind(
            "gzip_bomb",
            "gzip",
            "A .fit.gz that inflates beyond the member limit (--max-member-mb 1).",
            Outcome("bad_archive", "limit", "error"),
            (
                gz(
                    "3 MiB of zeros",
                    lambda g: gzip.compress(b"\0" * 3 * MB, mtime=0),
                    limits={"max_member_bytes": MB},
                ),
            ),
        ),
    ]


def _random_bytes(size: int, seed: int = 7) -> bytes:
    import random

    return random.Random(seed).randbytes(size)


def _newer_zip(goods: Goods) -> bytes:
    """A zip whose every member needs zip version 6.4 to extract (newer than Python's 6.3)."""
    data = zipbytes.build([Entry("a.fit", goods.victims["run"])])
    return zipbytes.patch(data, "a.fit", version=64)


def _zip_kinds() -> list[Kind]:
    def one(
        name: str, data: Callable[[Goods], bytes], **entry: Any
    ) -> Callable[[Goods], list[Entry]]:
        return lambda g: [Entry(name, data(g), **entry)]

    run = lambda g: g.victims["run"]  # noqa: E731
    many = zipbytes.build([Entry(f"m{i}.fit", b"x") for i in range(60)])
    unsafe_names = Outcome(
        "unsafe_archive", "climbs out", "error", note="A valid FIT under that name is not read."
    )
    return [
        Kind(
            "zip_member_dotdot",
            "zip",
            "Member names that climb out with '..'.",
            unsafe_names,
            tuple(
                members(repr(name), one(name, run), name)
                for name in ("../evil.fit", "a/../../evil.fit", "..\\evil.fit")
            ),
        ),
        Kind(
            "zip_member_absolute",
            "zip",
            "Absolute member names (Unix, Windows drive, UNC).",
            Outcome("unsafe_archive", "absolute path", "error"),
            tuple(
                members(repr(name), one(name, run), name)
                for name in ("/etc/evil.fit", "C:\\evil.fit", "\\\\server\\share\\evil.fit")
            ),
        ),
        Kind(
            "zip_symlink_member",
            "zip",
            "A member that is a symbolic link (to /etc/passwd).",
            Outcome("unsafe_archive", "symbolic link", "error"),
            (
                members(
                    "link.fit -> /etc/passwd",
                    one("link.fit", lambda g: b"/etc/passwd", mode=0o120777),
                    "link.fit",
                ),
            ),
        ),
        Kind(
            "zip_bomb_ratio",
            "zip",
            "A member that inflates 1000:1 and more.",
            Outcome("unsafe_archive", "ratio", "error"),
            (members("5 MiB of zeros", one("bomb.fit", lambda g: b"\0" * 5 * MB), "bomb.fit"),),
        ),
        Kind(
            "zip_huge_declared_size",
            "zip",
            "A member that declares 4 GiB.",
            Outcome("unsafe_archive", "declares", "error"),
            (
                members(
                    "4 GiB declared",
                    one("huge.fit", run),
                    "huge.fit",
                    edit=lambda d: zipbytes.patch(d, "huge.fit", file_size=0xFFFFFFF0),
                ),
            ),
        ),
        Kind(
            "zip_member_too_big",
            "zip",
            "A member larger than --max-member-mb (1 MiB here), truly that large.",
            Outcome("unsafe_archive", "limit", "error"),
            (
                members(
                    "1.5 MiB stored",
                    one("big.fit", lambda g: _random_bytes(3 * MB // 2), compress=0),
                    "big.fit",
                    limits={"max_member_bytes": MB},
                ),
            ),
        ),
        Kind(
            "zip_total_size",
            "zip",
            "Members that together declare more than --max-total-gb (1 GiB here).",
            Outcome(
                "unsafe_archive",
                "total limit",
                "error",
                note="Members after the limit are not read: good ones come first here.",
            ),
            (
                members(
                    "3 x 400 MiB declared",
                    lambda g: [Entry(f"blob{i}.bin", b"x" * 16) for i in range(3)],
                    "blob2.bin",
                    first=False,
                    limits={"max_total_bytes": GB},
                    edit=lambda d: then(
                        *(
                            lambda data, i=i: zipbytes.patch(
                                data, f"blob{i}.bin", file_size=400 * MB, compress_size=3 * MB
                            )
                            for i in range(3)
                        )
                    )(d),
                ),
            ),
        ),
        Kind(
            "zip_too_many_members",
            "zip",
            "A nested zip with more members than the limit (50 here).",
            Outcome("unsafe_archive", "more than the limit", "error"),
            (
                members(
                    "60 members",
                    lambda g: [Entry("many.zip", many)],
                    "many.zip",
                    nested=True,
                    limits={"max_members": 50},
                ),
            ),
        ),
        Kind(
            "zip_nested_too_deep",
            "zip",
            "Zips nested deeper than any export (6 levels; the limit is 4).",
            Outcome("unsafe_archive", "nested deeper than", "error"),
            (
                members(
                    "6 levels",
                    lambda g: [
                        Entry("deep.zip", zipbytes.nested(5, Entry("deep.fit", g.victims["run"])))
                    ],
                    "deep.zip",
                    nested=True,
                ),
            ),
        ),
        Kind(
            "zip_encrypted_member",
            "zip",
            "A member flagged as encrypted.",
            Outcome("bad_archive", "encrypted", "error"),
            (
                members(
                    "flag bit 0",
                    one("secret.fit", run, compress=0),
                    "secret.fit",
                    edit=lambda d: zipbytes.patch(d, "secret.fit", flags=1),
                ),
            ),
        ),
        Kind(
            "zip_duplicate_member",
            "zip",
            "The same member name twice (different bytes).",
            Outcome("duplicate", "twice", "error", kept=1, note="The first copy is read."),
            (
                members(
                    "dup.fit x 2",
                    lambda g: [
                        Entry("dup.fit", g.victims["run"]),
                        Entry("dup.fit", g.victims["run2"]),
                    ],
                    "dup.fit",
                ),
            ),
        ),
        Kind(
            "zip_lying_size",
            "zip",
            "A member whose headers declare fewer bytes than it holds.",
            Outcome("bad_archive", "cannot be read", "error"),
            (
                members(
                    "declares 100 bytes",
                    one("liar.fit", run),
                    "liar.fit",
                    edit=lambda d: zipbytes.patch(d, "liar.fit", file_size=100),
                ),
            ),
        ),
        Kind(
            "zip_corrupt_member_data",
            "zip",
            "A deflated member whose compressed bytes are damaged.",
            Outcome("bad_archive", "cannot be read", "error"),
            (
                members(
                    "bytes 40-60 overwritten",
                    one("mangled.fit", run),
                    "mangled.fit",
                    edit=lambda d: d[:70] + b"\xff" * 20 + d[90:],
                ),
            ),
        ),
        Kind(
            "zip_unsupported_compression",
            "zip",
            "A member compressed with an unknown method.",
            Outcome("bad_archive", "cannot be read", "error"),
            (
                members(
                    "method 99",
                    one("odd.fit", run, compress=0),
                    "odd.fit",
                    edit=lambda d: zipbytes.patch(d, "odd.fit", method=99),
                ),
            ),
        ),
        Kind(
            "zip_member_not_fit",
            "zip",
            "An HTML page inside the zip, named .fit.",
            Outcome("not_fit", "does not start with a FIT header", "error"),
            (members("login.fit", one("login.fit", lambda g: HTML), "login.fit"),),
        ),
        Kind(
            "zip_corrupt_nested",
            "zip",
            "A nested zip that is no zip.",
            Outcome("bad_archive", "nested zip", "error"),
            (
                members(
                    "garbage after PK\\x03\\x04",
                    one("UploadedFiles_0-_Part1.zip", lambda g: b"PK\x03\x04garbage" * 10),
                    "UploadedFiles_0-_Part1.zip",
                ),
            ),
        ),
        Kind(
            "zip_streamed",
            "zip",
            "A zip written by a streaming zipper: sizes in data descriptors after each member.",
            Outcome(None, kept=2),
            (
                Case(
                    "deflated and stored members",
                    "paths",
                    lambda mix: mix.put(
                        "streamed.zip",
                        zipbytes.streamed(
                            [
                                Entry("a.fit", mix.goods.victims["run"]),
                                Entry("b.fit", mix.goods.victims["strength"], compress=0),
                            ]
                        ),
                    ),
                ),
            ),
        ),
        Kind(
            "zip64_members",
            "zip",
            "Members with ZIP64 extra fields (as for files over 4 GiB).",
            Outcome(None, kept=2),
            (
                Case(
                    "two ZIP64 members",
                    "paths",
                    lambda mix: mix.put(
                        "zip64.zip",
                        zipbytes.zip64(
                            [
                                Entry("a.fit", mix.goods.victims["run"]),
                                Entry("b.fit", mix.goods.victims["strength"], compress=0),
                            ]
                        ),
                    ),
                ),
            ),
        ),
        Kind(
            "zip_with_prefix",
            "zip",
            "A zip with bytes before it (a self-extracting stub), nested zip stored inside.",
            Outcome(None, kept=2),
            (
                Case(
                    "4 KiB stub + zip",
                    "paths",
                    lambda mix: mix.put(
                        "sfx.zip",
                        b"MZ"
                        + _random_bytes(4094)
                        + zipbytes.build(
                            [
                                Entry("a.fit", mix.goods.victims["run"]),
                                Entry(
                                    "inner.zip",
                                    zipbytes.build([Entry("b.fit", mix.goods.victims["strength"])]),
                                    compress=0,
                                ),
                            ]
                        ),
                    ),
                ),
            ),
        ),
        Kind(
            "zip_odd_names",
            "zip",
            "Member names that are odd but harmless: umlauts, 200 letters, spaces, upper case.",
            Outcome(None, kept=4, note="Two files and a two-leg multisport."),
            (
                Case(
                    "three odd names",
                    "paths",
                    lambda mix: mix.put(
                        "odd.zip",
                        zipbytes.build(
                            [
                                Entry("Läufe März 2025.fit", mix.goods.victims["run"]),
                                Entry("x" * 200 + ".FIT", mix.goods.victims["strength"]),
                                Entry("dir with space/ünïcødé.fit", mix.goods.victims["brick"]),
                            ]
                        ),
                    ),
                ),
            ),
        ),
        Kind(
            "zip_name_mismatch",
            "zip",
            "A member whose local header names another file than the central directory.",
            Outcome("bad_archive", "cannot be read", "error"),
            (
                members(
                    "liar.fit vs evil.fit",
                    one("liar.fit", run),
                    "liar.fit",
                    edit=lambda d: zipbytes.rename_local(d, "liar.fit", "evil.fit"),
                ),
            ),
        ),
        Kind(
            "zip_stored_nested_unsafe",
            "zip",
            "A stored (uncompressed) nested zip whose members climb out with '..'.",
            Outcome("unsafe_archive", "climbs out", "error"),
            (
                members(
                    "inner.zip!/../evil.fit",
                    lambda g: [
                        Entry(
                            "inner.zip",
                            zipbytes.build([Entry("../evil.fit", g.victims["run"])]),
                            compress=0,
                        )
                    ],
                    "inner.zip!/../evil.fit",
                ),
            ),
        ),
        Kind(
            "zip_unreadable_archive",
            "zip",
            "The archive itself is unreadable: cut in half, or an HTML page named .zip.",
            Outcome("bad_archive", "zip", "error"),
            (
                Case(
                    "zip cut in half",
                    "paths",
                    lambda mix: mix.put("broken.zip", _half_zip(mix.goods)),
                ),
                Case("HTML named .zip", "paths", lambda mix: mix.put("export.zip", HTML)),
            ),
        ),
        Kind(
            "zip_newer_version",
            "zip",
            "A zip (or an unzipped export's Part zip) that needs a newer zip version (6.4).",
            Outcome("bad_archive", "zip", "error"),
            (
                Case(
                    "v6.4 zip given as a path",
                    "paths",
                    lambda mix: mix.put("newer.zip", _newer_zip(mix.goods)),
                ),
                Case(
                    "v6.4 Part0 zip in an unzipped export",
                    "export_folder",
                    lambda mix: mix.put_in_export(
                        "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part0.zip",
                        _newer_zip(mix.goods),
                    ),
                ),
            ),
        ),
    ]


def _half_zip(goods: Goods) -> bytes:
    data = zipbytes.build([Entry(f"{n}.fit", d) for n, d in goods.victims.items()])
    return data[: len(data) // 2]


def _json_kinds() -> list[Kind]:
    start_2100 = ms(datetime(2100, 1, 1, tzinfo=UTC))
    strength = record(activityType="strength_training", sportType="TRAINING", distance=None)
    return [
        Kind(
            "json_invalid",
            "json",
            "A summarizedActivities file that is not JSON.",
            Outcome("bad_json", "invalid JSON", "error"),
            (
                summaries("0 bytes", None, raw=b""),
                summaries("not JSON", None, raw=b"{not json"),
                summaries(
                    "cut mid-record", None, raw=json.dumps(export_doc(record())).encode()[:70]
                ),
                summaries("Latin-1 bytes", None, raw='[{"name": "Läufe"}]'.encode("latin-1")),
            ),
        ),
        Kind(
            "json_nested_too_deep",
            "json",
            "JSON nested 100,000 levels deep.",
            Outcome("bad_json", "nested too deeply", "error"),
            (summaries("100k nested lists", None, raw=b"[" * 100_000 + b"]" * 100_000),),
        ),
        Kind(
            "json_wrong_shape",
            "json",
            "Valid JSON of another shape: a string, a number, an object, a wrapper whose list "
            "is an object, a list of numbers.",
            Outcome("bad_json", "unexpected JSON shape", "error"),
            (
                summaries("a string", "summaries"),
                summaries("a number", 42),
                summaries("an unrelated object", {"userName": "x"}),
                summaries("wrapper holding an object", [{"summarizedActivitiesExport": {"a": 1}}]),
                summaries("a list of numbers", [1, 2, 3]),
            ),
        ),
        Kind(
            "json_partly_not_summaries",
            "json",
            "A list mixing summaries with items that are not.",
            Outcome("bad_json", "not activity summaries", "warning", kept=1),
            (summaries("one record and a stray object", [*export_doc(record()), {"note": "x"}]),),
        ),
        Kind(
            "json_record_not_object",
            "json",
            "Summaries that are not objects.",
            Outcome("bad_json", "is not an object", "error"),
            (summaries("1, 'x', null", export_doc(1, "x", None)),),
        ),
        Kind(
            "json_missing_start",
            "json",
            "Summaries without a usable start time.",
            Outcome("bad_json", "has no start time", "error"),
            (
                summaries(
                    "no start fields", export_doc(record(startTimeGmt=None, beginTimestamp=None))
                ),
                summaries(
                    "start as text",
                    export_doc(record(startTimeGmt="2019-06-01", beginTimestamp=None)),
                ),
                summaries(
                    "start Infinity", export_doc(record(startTimeGmt=math.inf, beginTimestamp=None))
                ),
            ),
        ),
        Kind(
            "json_impossible_start",
            "json",
            "Summaries starting in 1980, 2100, or year 10^290.",
            Outcome("bad_value", "impossible start time", "error"),
            (
                summaries(
                    "1980", export_doc(record(startTimeGmt=ms(datetime(1980, 1, 1, tzinfo=UTC))))
                ),
                summaries("2100", export_doc(record(startTimeGmt=start_2100))),
                summaries("1e300 ms", export_doc(record(startTimeGmt=1e300))),
            ),
        ),
        Kind(
            "json_absurd_values",
            "json",
            "Summaries with negative, NaN, infinite, non-numeric or impossible values.",
            Outcome(
                "bad_value",
                "ignored impossible values",
                "warning",
                kept=1,
                note="Each such value becomes None; the activity is kept.",
            ),
            (
                summaries(
                    "negative distance",
                    export_doc(record(distance=-500.0)),
                    check=value_is("distance_m", None),
                ),
                summaries(
                    "NaN distance",
                    export_doc(record(distance=math.nan)),
                    check=value_is("distance_m", None),
                ),
                summaries("Infinity duration", export_doc(record(duration=math.inf))),
                summaries("distance as text", export_doc(record(distance="10 km"))),
                summaries("heart rate 400", export_doc(record(avgHr=400.0, maxHr=410.0))),
                summaries("31 years long", export_doc(record(duration=1e12, elapsedDuration=1e12))),
            ),
        ),
        Kind(
            "json_strength_garbage",
            "json",
            "Strength summaries whose exercise rows are garbage.",
            Outcome("bad_value", "ignored impossible values", "warning", kept=1),
            (
                summaries(
                    "odd rows",
                    export_doc(
                        {
                            **strength,
                            "summarizedExerciseSets": [
                                {"category": 5},
                                "x",
                                {
                                    "category": "SQUAT",
                                    "sets": -3,
                                    "reps": 1e9,
                                    "maxWeight": "heavy",
                                },
                            ],
                        }
                    ),
                ),
                summaries(
                    "rows not a list", export_doc({**strength, "summarizedExerciseSets": {"a": 1}})
                ),
            ),
        ),
        Kind(
            "json_odd_types",
            "json",
            "Summaries whose type fields are not text (sportType 5, typeKey a list).",
            Outcome(None, kept=1, note="The sport falls back to `generic`."),
            (
                summaries(
                    "sportType 5",
                    export_doc(record(activityType=None, sportType=5)),
                    check=sport_is("generic"),
                ),
                summaries(
                    "typeKey a list",
                    export_doc(record(activityType={"typeKey": [1]}, sportType=None)),
                    check=sport_is("generic"),
                ),
            ),
        ),
        Kind(
            "json_unknown_activity_type",
            "json",
            "An activity type newer than chainfix's table.",
            Outcome(None, kept=1, note="Mapped through sportType, else `generic`."),
            (
                summaries(
                    "zorbing / RUNNING",
                    export_doc(record(activityType="zorbing")),
                    check=sport_is("running"),
                ),
                summaries(
                    "zorbing / FLYING",
                    export_doc(record(activityType="zorbing", sportType="FLYING")),
                    check=sport_is("generic"),
                ),
            ),
        ),
        Kind(
            "json_bom",
            "json",
            "A summaries file starting with a UTF-8 byte-order mark.",
            Outcome(None, kept=1),
            (
                summaries(
                    "BOM + valid",
                    None,
                    raw=b"\xef\xbb\xbf" + json.dumps(export_doc(record())).encode(),
                ),
            ),
        ),
    ]


def _export_kinds() -> list[Kind]:
    return [
        Kind(
            "export_corrupt_part",
            "export",
            "An UploadedFiles Part zip that is no zip.",
            Outcome("bad_archive", "nested zip", "error"),
            (part("garbage Part9.zip", lambda g: b"PK\x03\x04" + b"\0" * 200, nested=False),),
        ),
        Kind(
            "export_nested_too_deep",
            "export",
            "A Part zip nesting zips deeper than any export (5 more levels).",
            Outcome("unsafe_archive", "nested deeper than", "error"),
            (
                part(
                    "Part9.zip 5 levels deep",
                    lambda g: zipbytes.nested(5, Entry("deep.fit", g.victims["run"])),
                ),
            ),
        ),
        Kind(
            "export_bad_upload",
            "export",
            "A truncated FIT upload inside a Part zip.",
            TRUNCATED_ERROR,
            (
                part(
                    "truncated .fit in Part9.zip",
                    lambda g: zipbytes.build(
                        [Entry("corpus_1.fit", cut("run", inside("file_id", into=2))(g))]
                    ),
                ),
            ),
        ),
    ]


def _folder_kinds() -> list[Kind]:
    def dangling(mix: Mix) -> Bad:
        return mix.link("gone.fit", mix.root / "does-not-exist.fit")

    return [
        Kind(
            "dangling_symlink",
            "folder",
            "A .fit symbolic link whose target is gone.",
            Outcome("io_error", "cannot read", "error"),
            (Case("gone.fit -> missing", "folder", dangling),),
        ),
        Kind(
            "track_file",
            "folder",
            "GPX and TCX files in a folder of FIT files.",
            Outcome("unsupported", "plugin", "info", note="Skipped on purpose: exit code 0."),
            (
                Case("ride.gpx", "folder", lambda mix: mix.put("ride.gpx", b"<gpx></gpx>")),
                Case("run.tcx", "folder", lambda mix: mix.put("run.tcx", b"<tcx/>")),
            ),
        ),
    ]


KINDS: tuple[Kind, ...] = tuple(
    [
        *_fit_kinds(),
        *_gzip_kinds(),
        *_zip_kinds(),
        *_json_kinds(),
        *_export_kinds(),
        *_folder_kinds(),
    ]
)
"""Every kind of the corpus, in README order."""

if len({k.name for k in KINDS}) != len(KINDS):  # pragma: no cover - a definition mistake
    raise RuntimeError("two corpus kinds share a name")
