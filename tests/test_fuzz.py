"""Fuzzing the FIT readers and the export reader with Hypothesis: nothing may crash.

"Crash" means more than an exception escaping: ``read_fit`` catches everything, so a crash is any
problem that only its last-resort handler writes ("The FIT reader failed unexpectedly"), a
``plugin_error`` from the export source (an exception that aborted the rest of an archive), or a
result that breaks the source contract (``chainfix.testing.contract``).

How long it runs is set by a Hypothesis profile, chosen by the environment:

* ``CI`` set (as CI services do): ``chainfix-fuzz-ci``, about a minute for the module on two
  cores (2,000 examples for each FIT fuzzer, shares of that for the others);
* nothing set: ``chainfix-fuzz-dev``, about ten seconds, for everyday test runs;
* ``CHAINFIX_FUZZ_EXAMPLES=100000 pytest tests/test_fuzz.py -x``: a long local run
  with that many examples for each FIT fuzzer (an hour or two); add
  ``--hypothesis-show-statistics`` to see what was explored;
* ``CHAINFIX_FUZZ_PROFILE=<name>`` picks a profile explicitly.

Failing examples are kept in Hypothesis's example database (``.hypothesis/``) and replayed first
on the next run.

Every crash found becomes a regression test at the end of this module (``test_regression_*``),
with the exact input Hypothesis shrank it to.
"""

from __future__ import annotations

import io
import json
import math
import os
import struct
import warnings
import zipfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from chainfix_synth.fitfiles import activity_fit, monitoring_fit
from chainfix_synth.garmin_export import write_export
from chainfix_synth.personas import extra_activity, runner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from chainfix.fit import FitRead, read_fit
from chainfix.fit.activities import build
from chainfix.fit.fast import Anomaly, decode_fast
from chainfix.fit.full import decode_full
from chainfix.fit.profile import wanted_messages
from chainfix.ingest import IngestOptions, read_history
from chainfix.model import Activity, Origin, ReadProblem
from chainfix.sources.archive import Member, walk_zip
from chainfix.sources.base import Limits
from chainfix.sources.garmin_json import parse_summaries
from chainfix.testing.contract import activity_errors, problem_errors
from tests.corpus import fitbytes

# ---------------------------------------------------------------------------------------------
# Profiles: how many examples, chosen by the environment
# ---------------------------------------------------------------------------------------------

LONG_EXAMPLES = int(os.environ.get("CHAINFIX_FUZZ_EXAMPLES", "0") or 0)
"""``CHAINFIX_FUZZ_EXAMPLES``: examples for the main FIT fuzzers in a long local run (0: off)."""
CI_EXAMPLES = 2000
"""Examples for the main FIT fuzzers in CI: about a minute for the module on two cores."""
DEV_EXAMPLES = 300
"""Examples by default, for a quick local test run (about ten seconds)."""

_COMMON: dict[str, Any] = dict(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    # CI replays a fixed sample (see tests/conftest.py); local and long runs explore at random.
    derandomize=bool(os.environ.get("CI")) and not LONG_EXAMPLES,
)
settings.register_profile("chainfix-fuzz-ci", max_examples=CI_EXAMPLES, **_COMMON)
settings.register_profile("chainfix-fuzz-dev", max_examples=DEV_EXAMPLES, **_COMMON)
settings.register_profile("chainfix-fuzz-long", max_examples=max(LONG_EXAMPLES, 1), **_COMMON)
PROFILE = os.environ.get("CHAINFIX_FUZZ_PROFILE") or (
    "chainfix-fuzz-long"
    if LONG_EXAMPLES
    else "chainfix-fuzz-ci"
    if os.environ.get("CI")
    else "chainfix-fuzz-dev"
)
"""The profile in use: ``CHAINFIX_FUZZ_PROFILE`` names one; else ``CHAINFIX_FUZZ_EXAMPLES`` picks
the long run, ``CI`` the CI budget, and the default is the quick one. It is applied per test
(``fuzz_settings``), never loaded globally, so other modules keep their Hypothesis settings."""


def fuzz_settings(share: float) -> settings:
    """The active profile with ``share`` of its examples (each fuzzer costs differently)."""
    base = settings.get_profile(PROFILE)
    return settings(base, max_examples=max(10, int(base.max_examples * share)))


# ---------------------------------------------------------------------------------------------
# Checks shared by every fuzzer
# ---------------------------------------------------------------------------------------------

UNEXPECTED = "failed unexpectedly"
"""Only ``read_fit``'s last-resort handler writes this: its presence means a reader bug."""
ORIGIN = Origin("fuzz.fit")


def contract_violations(items: list[Activity] | list[ReadProblem]) -> list[str]:
    """Contract errors of activities and problems (``sport_<n>`` names for sports newer than the
    profile are part of the contract)."""
    errors: list[str] = []
    for item in items:
        errors += activity_errors(item) if isinstance(item, Activity) else problem_errors(item)
    return errors


def check_fit(data: bytes) -> FitRead:
    """Both decoders and ``read_fit`` on ``data``: no crash, contract kept, readers agree."""
    try:
        fast = decode_fast(data)
    except Anomaly:
        fast = None
    full = decode_full(data)  # must never raise: every failure is a Stop
    result = read_fit(data, ORIGIN)
    if currently_in_test_context():
        event(f"reader={result.reader} activities={'yes' if result.activities else 'no'}")
    messages = [p.message for p in result.problems]
    assert not [m for m in messages if UNEXPECTED in m], messages
    assert contract_violations(result.activities) == []
    assert contract_violations(result.problems) == []
    if fast is not None and data:
        # the fast reader only accepts what it reads exactly like the full decoder
        ours, theirs = build(fast, ORIGIN), build(full, ORIGIN)
        assert (ours.activities, ours.problems) == (theirs.activities, theirs.problems)
    return result


# ---------------------------------------------------------------------------------------------
# FIT inputs
# ---------------------------------------------------------------------------------------------


@cache
def seeds() -> dict[str, bytes]:
    """Small valid generated FIT files: a run, strength with sets, a multisport brick, chained
    files, a monitoring file."""
    persona = runner(weeks=1, seed=23)
    run = next(a for a in persona.activities if a.sport == "running")
    lift = next(a for a in persona.activities if a.sets)
    brick = extra_activity(persona, "brick", 0.5, 5)
    out = {
        "run": activity_fit(run, hz=0.02),
        "strength": activity_fit(lift, hz=0.02),
        "brick": activity_fit(brick, hz=0.01),
    }
    out["chained"] = out["run"] + out["strength"]
    assert run.device is not None
    out["monitoring"] = monitoring_fit(run.start_local.date(), run.device, interval_min=240)
    return out


_WANTED = {spec.name: num for num, spec in wanted_messages().items()}
_BASE_TYPES = tuple(fitbytes.WIDTHS)
_WIDTH = fitbytes.WIDTHS
# fmt: off
_SPECIAL_INTS = (0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF, 0x0FFFFFFF, 0x10000000,
                 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF, 2**63 - 1, 2**63, 2**64 - 1)
# fmt: on
_SPECIAL_FLOATS = (math.nan, math.inf, -math.inf, -1.0, 0.0, 1e-30, 3.0e38, -3.0e38, 1e300)


_T0 = 0x40000000
"""A plausible FIT time (January 2024)."""
_HINTS: dict[tuple[str, int], tuple[int, ...]] = {
    ("file_id", 0): (4,),
    ("session", 2): (_T0,),
    ("session", 253): (_T0 + 3600, _T0 - 3600),
    ("session", 7): (3_600_000,),
    ("session", 8): (3_500_000,),
    ("activity", 253): (_T0 + 3600,),
    ("activity", 5): (_T0 + 7200, 100),
    ("set", 6): (_T0 + 60,),
    ("set", 254): (_T0 + 90,),
}
"""Values that make a message usable (an activity file, a placeable session), so the fuzzer
reaches the activity rules instead of stopping at the first implausible time."""


def _value(draw: st.DrawFn, base: int, size: int, hint: tuple[int, ...] = ()) -> bytes:
    """``size`` bytes for one field of base type ``base``: edge values, hints, some noise."""
    width = _WIDTH.get(base, 1)
    if size % width or draw(st.integers(0, 4)) == 0:
        return draw(st.binary(min_size=size, max_size=size))
    out = b""
    for _ in range(size // width):
        if hint and base not in (0x88, 0x89) and draw(st.integers(0, 3)):
            out += (draw(st.sampled_from(hint)) % 256**width).to_bytes(width, "little")
        elif base in (0x88, 0x89):
            number = draw(
                st.sampled_from(_SPECIAL_FLOATS) | st.floats(width=32 if width == 4 else 64)
            )
            out += (
                struct.pack("<f" if width == 4 else "<d", number)
                if not (width == 4 and math.isfinite(number) and abs(number) > 3.4e38)
                else b"\x00\x00\x80\x7f"
            )
        else:
            number = draw(st.sampled_from(_SPECIAL_INTS) | st.integers(0, 256**width - 1))
            out += (number % 256**width).to_bytes(width, "little")
    return out


@st.composite
def synthetic_fit(draw: st.DrawFn) -> bytes:
    """A structurally valid FIT file (right sizes and CRCs) of random wanted messages.

    Definitions pick wanted fields (and some unknown ones) with random base types and sizes;
    data records carry edge values. This reaches the activity rules with values no device
    writes: NaN, infinities, 64-bit times, zero sizes, arrays, developer fields.
    """
    records = b""
    defined: dict[int, tuple[int, list[tuple[int, int, int]]]] = {}
    dev_sizes: dict[int, int] = {}
    names = ["file_id"] + draw(st.lists(st.sampled_from(sorted(_WANTED)), min_size=1, max_size=8))
    if draw(st.integers(0, 5)):
        names.insert(draw(st.integers(1, len(names))), "session")
    for index, name in enumerate(names):
        number = _WANTED[name]
        local = draw(st.integers(0, 15)) if index else 0
        if defined.get(local, (None,))[0] != number or draw(st.integers(0, 3)) == 0:
            profile = sorted(wanted_messages()[number].fields.items())
            fields: list[tuple[int, int, int]] = []
            hinted = [(n, f) for n, f in profile if (name, n) in _HINTS]
            chosen = [item for item in hinted if draw(st.integers(0, 3))]
            others = [item for item in profile if item not in chosen]
            chosen += (
                draw(st.lists(st.sampled_from(others), max_size=6, unique=True)) if others else []
            )
            for num, spec in chosen:
                base = (
                    spec.base_type
                    if draw(st.integers(0, 3))
                    else draw(st.sampled_from(_BASE_TYPES) | st.integers(0, 255))
                )
                width = _WIDTH.get(base, 1)
                size = width if draw(st.integers(0, 4)) else draw(st.integers(0, 3 * width + 1))
                fields.append((num, size, base))
            if draw(st.integers(0, 5)) == 0:
                fields.append((draw(st.integers(30, 250)), draw(st.integers(1, 6)), 0x0D))
            dev = (
                draw(
                    st.lists(
                        st.tuples(st.integers(0, 255), st.integers(0, 8), st.integers(0, 3)),
                        max_size=2,
                    )
                )
                if draw(st.integers(0, 6)) == 0
                else None
            )
            records += fitbytes.definition(local, number, fields, dev_fields=dev)
            defined[local] = (number, fields)
            dev_sizes[local] = sum(size for _, size, _ in dev or ())
        fields = defined[local][1]
        for _ in range(draw(st.integers(1, 2))):
            payload = b"".join(
                _value(draw, base, size, _HINTS.get((name, num), ())) for num, size, base in fields
            )
            payload += draw(st.binary(min_size=dev_sizes[local], max_size=dev_sizes[local]))
            records += fitbytes.data_record(local, payload)
    head = bytes([14, 0x20]) + struct.pack("<H", 2132) + b"\0\0\0\0.FIT\0\0"
    return fitbytes.assemble(head, records)


_MUTATIONS = (
    ("field",) * 4 + ("definition",) * 2 + ("byte", "insert", "delete", "truncate", "chain")
)


@st.composite
def mutated_fit(draw: st.DrawFn) -> bytes:
    """A generated valid file with one to three kinds of damage, CRCs usually repaired."""
    name = draw(st.sampled_from(sorted(seeds())))
    data = seeds()[name]
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(_MUTATIONS))
        if kind == "field":
            message = draw(st.sampled_from(sorted(_WANTED)))
            slots = [
                slot
                for num in wanted_messages()[_WANTED[message]].fields
                for slot in _safe_slots(data, message, num)
            ]
            if slots:
                slot = draw(st.sampled_from(slots))
                raw = _value(draw, slot.base_type, slot.size)
                data = data[: slot.offset] + raw + data[slot.offset + slot.size :]
        elif kind == "definition":
            defs = _safe_definitions(data)
            if defs:
                offset, count = draw(st.sampled_from(defs))
                if count:
                    field = draw(st.integers(0, count - 1))
                    at = offset + 6 + 3 * field + draw(st.integers(1, 2))  # size or base type
                    data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]
        elif kind == "byte" and data:
            at = draw(st.integers(0, len(data) - 1))
            data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]
        elif kind == "insert":
            at = draw(st.integers(0, len(data)))
            data = data[:at] + draw(st.binary(min_size=1, max_size=6)) + data[at:]
        elif kind == "delete" and data:
            at = draw(st.integers(0, len(data) - 1))
            data = data[:at] + data[at + draw(st.integers(1, 6)) :]
        elif kind == "truncate":
            data = data[: draw(st.integers(0, len(data)))]
        elif kind == "chain":
            other = seeds()[draw(st.sampled_from(sorted(seeds())))]
            data = data + other[: draw(st.integers(0, len(other)))]
    if draw(st.integers(0, 3)):
        data = fitbytes.fix_crcs(data)
    return data


def _safe_slots(data: bytes, message: str, field: int) -> list[fitbytes.FieldSlot]:
    try:
        return list(fitbytes.field_slots(data, message, field))
    except (ValueError, KeyError, IndexError, struct.error):
        return []


def _safe_definitions(data: bytes) -> list[tuple[int, int]]:
    try:
        return [(r.offset, data[r.offset + 5]) for r in fitbytes.records(data) if r.definition]
    except (ValueError, KeyError, IndexError, struct.error):
        return []


@fuzz_settings(1.0)
@given(data=mutated_fit())
def test_fuzz_mutated_fit_files(data: bytes) -> None:
    check_fit(data)


@fuzz_settings(1.0)
@given(data=synthetic_fit())
def test_fuzz_synthetic_fit_files(data: bytes) -> None:
    check_fit(data)


@fuzz_settings(0.5)
@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.binary(max_size=300).map(
            lambda tail: fitbytes.assemble(
                bytes([14, 0x20]) + struct.pack("<H", 2132) + b"\0\0\0\0.FIT\0\0", tail
            )
        ),
    )
)
def test_fuzz_raw_bytes(data: bytes) -> None:
    check_fit(data)


# ---------------------------------------------------------------------------------------------
# JSON summaries
# ---------------------------------------------------------------------------------------------

_JSON_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
)
_ANY_JSON = st.recursive(
    _JSON_LEAF,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)
_KEYS = (
    "activityId",
    "activityType",
    "sportType",
    "startTimeGmt",
    "beginTimestamp",
    "startTimeLocal",
    "duration",
    "elapsedDuration",
    "movingDuration",
    "distance",
    "elevationGain",
    "elevationLoss",
    "avgHr",
    "maxHr",
    "avgPower",
    "parent",
    "summarizedExerciseSets",
    "name",
)
_PLAUSIBLE = {
    "startTimeGmt": st.integers(600_000_000_000, 1_800_000_000_000) | _JSON_LEAF,
    "activityType": st.sampled_from(["running", "strength_training", "multi_sport", "yoga", "x"])
    | st.fixed_dictionaries({"typeKey": _JSON_LEAF}),
    "summarizedExerciseSets": st.lists(
        st.fixed_dictionaries(
            {},
            optional={
                "category": st.sampled_from(["SQUAT", "DEADLIFT"]) | _JSON_LEAF,
                "subCategory": _JSON_LEAF,
                "sets": _JSON_LEAF,
                "reps": _JSON_LEAF,
                "maxWeight": _JSON_LEAF,
                "duration": _JSON_LEAF,
            },
        )
        | _JSON_LEAF,
        max_size=3,
    ),
}


@st.composite
def summary_documents(draw: st.DrawFn) -> bytes:
    """A summarizedActivities document: usually the export's shape with odd values inside,
    sometimes any JSON at all, sometimes not JSON."""
    records = draw(
        st.lists(
            st.fixed_dictionaries(
                {},
                optional={k: _PLAUSIBLE.get(k, _JSON_LEAF) | _ANY_JSON for k in _KEYS},
            )
            | _ANY_JSON,
            max_size=4,
        )
    )
    shape = draw(st.sampled_from(["export", "bare", "any", "bytes"]))
    if shape == "bytes":
        return draw(st.binary(max_size=200))
    doc: Any = (
        [{"summarizedActivitiesExport": records}]
        if shape == "export"
        else records
        if shape == "bare"
        else draw(_ANY_JSON)
    )
    return json.dumps(doc, allow_nan=True).encode()


@fuzz_settings(1.0)
@given(data=summary_documents())
def test_fuzz_summary_json(data: bytes) -> None:
    items = list(parse_summaries(data, "export.zip", "summarizedActivities.json"))
    activities = [i for i in items if isinstance(i, Activity)]
    problems = [i for i in items if isinstance(i, ReadProblem)]
    assert len(activities) + len(problems) == len(items)
    assert contract_violations(activities) == []
    assert contract_violations(problems) == []
    for problem in problems:
        assert (problem.file, problem.member) == ("export.zip", "summarizedActivities.json")


# ---------------------------------------------------------------------------------------------
# Zip archives and exports
# ---------------------------------------------------------------------------------------------


@cache
def small_export() -> bytes:
    """A tiny generated Garmin export (nested zip, FIT, JSON summaries), as bytes."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="chainfix-fuzz-") as tmp:
        path = Path(tmp) / "export.zip"
        write_export(
            runner(weeks=1, seed=29), path, hz=0.02, noise=False, monitoring=False, compresslevel=1
        )
        return path.read_bytes()


KNOWN_SOURCE_CRASHES: tuple[str, ...] = ()
"""Source crashes pinned by a strict xfail while their fix is pending, tolerated here so fuzzing
goes on finding others (none at present)."""


def _read_path(path: Path) -> None:
    history = read_history([path], IngestOptions(workers=1, use_cache=False))
    crashes = [
        p.message
        for p in history.problems
        if p.kind == "plugin_error" and not any(k in p.message for k in KNOWN_SOURCE_CRASHES)
    ]
    kinds = sorted({p.kind for p in history.problems})
    event(f"{len(history.activities)} activities; problems {kinds}")
    assert crashes == []
    assert contract_violations(list(history.activities)) == []
    assert contract_violations(list(history.problems)) == []


@fuzz_settings(0.25)
@given(
    edits=st.lists(
        st.tuples(st.floats(0, 1, exclude_max=True), st.binary(min_size=1, max_size=4)),
        min_size=1,
        max_size=4,
    ),
    cut=st.none() | st.floats(0, 1),
)
def test_fuzz_export_bytes(
    tmp_path_factory: pytest.TempPathFactory, edits: list[tuple[float, bytes]], cut: float | None
) -> None:
    data = bytearray(small_export())
    for where, raw in edits:
        at = int(where * len(data))
        data[at : at + len(raw)] = raw
    if cut is not None:
        data = data[: int(cut * len(data))]
    path = tmp_path_factory.mktemp("fuzz") / "export.zip"
    path.write_bytes(bytes(data))
    _read_path(path)


_NAME_PARTS = [
    *"ab./\\:\x00 é",
    "..",
    "C:",
    "DI_CONNECT",
    "summarizedActivities",
    ".fit",
    ".zip",
    ".json",
    ".gz",
]
_MEMBER_NAME = st.lists(st.sampled_from(_NAME_PARTS), min_size=1, max_size=8).map("".join)
"""Member names built from the parts that matter: separators, '..', drive letters, suffixes."""


@st.composite
def odd_zips(draw: st.DrawFn) -> bytes:
    """Zips with odd member names, attributes, flags, nesting and declared sizes."""
    buf = io.BytesIO()
    fit = seeds()["run"]
    with zipfile.ZipFile(buf, "w") as zf:
        for _ in range(draw(st.integers(1, 5))):
            name = draw(_MEMBER_NAME)
            info = zipfile.ZipInfo(name)
            info.compress_type = draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
            info.external_attr = draw(
                st.sampled_from([0, 0o120777 << 16, 0o100644 << 16, 0o40755 << 16])
            )
            payload = draw(
                st.sampled_from([fit, fit[:50], b"", b"[]", b"{}", b"<html>"])
                | st.binary(max_size=40)
            )
            if draw(st.integers(0, 4)) == 0:
                inner = io.BytesIO()
                with zipfile.ZipFile(inner, "w") as iz:
                    iz.writestr(draw(_MEMBER_NAME), payload)
                payload = inner.getvalue()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # duplicate names are wanted here
                zf.writestr(info, payload)
    data = bytearray(buf.getvalue())
    for offset in _central_entries(bytes(data)):
        if draw(st.integers(0, 5)) == 0:
            data[offset + 8] ^= 1  # encrypted flag
        if draw(st.integers(0, 5)) == 0:
            struct.pack_into("<I", data, offset + 24, draw(st.integers(0, 2**32 - 1)))
    return bytes(data)


def _central_entries(data: bytes) -> Iterator[int]:
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        yield pos
        pos = data.find(b"PK\x01\x02", pos + 4)


@fuzz_settings(0.25)
@given(data=odd_zips())
def test_fuzz_zip_structure(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    directory = tmp_path_factory.mktemp("fuzz")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return
    limits = Limits(max_member_bytes=1_000_000, max_total_bytes=5_000_000)
    for item in walk_zip(zf, "fuzz.zip", limits, str(directory)):
        if isinstance(item, Member):
            try:
                item.load()
            except Exception as exc:  # only BlobLoadError is allowed out of a member's load
                assert type(exc).__name__ == "BlobLoadError", repr(exc)
        else:
            assert problem_errors(item) == []
    assert list(directory.iterdir()) == []  # nothing extracted
    path = directory / "fuzz.zip"
    path.write_bytes(data)
    _read_path(path)


# ---------------------------------------------------------------------------------------------
# Regressions: every crash the fuzzers (and the corpus) found, with the input that showed it
# ---------------------------------------------------------------------------------------------

_HEADER = bytes([14, 0x20]) + struct.pack("<H", 2132) + b"\0\0\0\0.FIT\0\0"
_T0 = 0x40000000
_FILE_ID = fitbytes.definition(0, 0, [(0, 1, 0x00), (4, 4, 0x86)]) + fitbytes.data_record(
    0, bytes([4]) + struct.pack("<I", _T0)
)


def _activity(
    session_fields: list[tuple[int, int, int]], values: bytes, extra: bytes = b""
) -> bytes:
    """file_id, ``extra`` records, and one session message as given."""
    session = fitbytes.definition(1, 18, session_fields) + fitbytes.data_record(1, values)
    return fitbytes.assemble(_HEADER, _FILE_ID + extra + session)


_TIMES = [(253, 4, 0x86), (2, 4, 0x86), (5, 1, 0x00), (8, 4, 0x86)]
_TIME_VALUES = struct.pack("<IIBI", _T0 + 3600, _T0, 1, 3_600_000)


def test_regression_float_manufacturer_infinity() -> None:
    """file_id.manufacturer declared float32 = +inf: ``int(inf)`` raised OverflowError."""
    data = (
        b"\x0e T\x08#\x00\x00\x00.FIT\xfb\xdc`\x00\x00\x00\x00\x00\x00\x00a\x00\x00\x00\x00"
        b"\x04\x00\x01\x00\x01\x04\x88\x02\x01\x84\x03\x01\x8c\x00\x01\xff\x00\x00\x80\x7f"
        b"\x00\x00p\xa4"
    )
    result = check_fit(data)
    assert result.problems[0].kind == "no_session"


def test_regression_float_sport_infinity() -> None:
    """session.sport declared float32 = +inf: the sport became no number, not a crash."""
    fields = [(253, 4, 0x86), (2, 4, 0x86), (5, 4, 0x88), (8, 4, 0x86)]
    values = struct.pack("<IIfI", _T0 + 3600, _T0, math.inf, 3_600_000)
    (activity,) = check_fit(_activity(fields, values)).activities
    assert activity.sport == "generic"


def test_regression_64_bit_start_time() -> None:
    """session.start_time declared uint64 = 2**63: ``timedelta`` overflowed. The session is
    placed by its (valid) timestamp instead."""
    fields = [(253, 4, 0x86), (2, 8, 0x8F), (5, 1, 0x00), (7, 4, 0x86)]
    values = struct.pack("<IQBI", _T0 + 3600, 2**63, 1, 3_600_000)
    (activity,) = check_fit(_activity(fields, values)).activities
    assert activity.elapsed_s == 3600


def test_regression_64_bit_elapsed_time() -> None:
    """session.total_elapsed_time declared uint64 = 2**63: the session's span overflowed
    ``timedelta``. It is now an impossible value, dropped and reported."""
    fields = [*_TIMES, (7, 8, 0x8F)]
    result = check_fit(_activity(fields, _TIME_VALUES + struct.pack("<Q", 2**63)))
    (activity,) = result.activities
    assert activity.elapsed_s is None and activity.timer_s == 3600
    assert [p.kind for p in result.problems] == ["bad_value"]


def test_regression_misaligned_field_of_unknown_message() -> None:
    """A manufacturer message with a field of 3 bytes declared uint16: python-fitparse crashed
    formatting its warning (``None.name``) and the whole file was lost."""
    odd = fitbytes.definition(2, 0xFF00, [(200, 3, 0x84)]) + fitbytes.data_record(2, b"abc")
    result = check_fit(_activity(_TIMES, _TIME_VALUES, extra=odd))
    assert len(result.activities) == 1 and result.problems == []


def test_regression_zero_size_fields() -> None:
    """Fields and developer fields of size 0: python-fitparse failed ("Invalid struct format")
    and the whole file was lost."""
    dev = fitbytes.definition(2, 0xFF00, [(0, 1, 0x02)], dev_fields=[(0, 0, 0)])
    extra = dev + fitbytes.data_record(2, b"\x01")
    result = check_fit(_activity([*_TIMES, (16, 0, 0x02)], _TIME_VALUES, extra=extra))
    assert len(result.activities) == 1 and result.problems == []


def test_regression_misaligned_wanted_field_is_not_misread() -> None:
    """session.total_distance (uint32) in 5 bytes: python-fitparse falls back to bytes, and the
    first byte was read as the distance (0.64 m for 10 km). Now None, and reported."""
    data = _activity([*_TIMES, (9, 5, 0x86)], _TIME_VALUES + struct.pack("<I", 10**6) + b"\0")
    result = check_fit(data)
    (activity,) = result.activities
    assert activity.distance_m is None
    assert [(p.kind, p.severity) for p in result.problems] == [("bad_value", "warning")]
    assert "session.total_distance" in result.problems[0].message


def _summary_items(data: bytes) -> list[Activity | ReadProblem]:
    return list(parse_summaries(data, "export.zip", "x_summarizedActivities.json"))


def test_regression_summary_sport_type_not_text() -> None:
    """``"sportType": true`` raised AttributeError, which aborted the whole export."""
    data = b'[{"summarizedActivitiesExport": [{"sportType": true, "startTimeGmt": 600000000000}]}]'
    (activity,) = _summary_items(data)
    assert isinstance(activity, Activity) and activity.sport == "generic"


def test_regression_summary_nested_too_deep() -> None:
    """JSON nested 100,000 deep raised RecursionError, which aborted the whole export."""
    (problem,) = _summary_items(b"[" * 100_000 + b"]" * 100_000)
    assert isinstance(problem, ReadProblem) and problem.kind == "bad_json"


def test_regression_summary_heart_rate_zero() -> None:
    """``"maxHr": 0`` (no sensor) was kept as 0 bpm, which breaks the source contract."""
    data = (
        b'[{"summarizedActivitiesExport": [{"activityId": null, "maxHr": 0, '
        b'"startTimeGmt": 600000000000}]}]'
    )
    (activity,) = _summary_items(data)
    assert isinstance(activity, Activity) and activity.max_hr is None
    assert contract_violations([activity]) == []


def test_regression_summary_start_next_month() -> None:
    """A summary starting a month from now was kept (the JSON rule allowed all of next year),
    which breaks the source contract; FIT files allow two days."""
    from datetime import UTC, datetime, timedelta

    start = datetime.now(UTC) + timedelta(days=30)
    data = json.dumps(
        [{"summarizedActivitiesExport": [{"startTimeGmt": start.timestamp() * 1000}]}]
    ).encode()
    (problem,) = _summary_items(data)
    assert isinstance(problem, ReadProblem) and problem.kind == "bad_value"
    assert "impossible start time" in problem.message


def test_regression_zip_needing_newer_version(tmp_path: Path) -> None:
    """Three bytes written near the end of an export (its central directory) made it ask for zip
    version 6.4: ``zipfile`` raises NotImplementedError, which aborted the source."""
    data = bytearray(small_export())
    at = int(0.9878505458781647 * len(data))
    data[at : at + 3] = b"\x00\x00@"
    path = tmp_path / "export.zip"
    path.write_bytes(bytes(data))
    history = read_history([path], IngestOptions(workers=1, use_cache=False))
    assert "plugin_error" not in [p.kind for p in history.problems], history.problems


def test_regression_sport_declared_signed() -> None:
    """A ``sport`` field declared as sint8 held -128: it was kept as ``sport_-128``, a name no
    profile has. Values outside the enum's 0..254 are no sport at all: the session is generic."""
    data = bytes.fromhex(
        "0e2054083f0000002e464954fa856000000000030001000100841e060d000004000000000000600000"
        "0c000200010101010000008000600000120003070100080186fd04860000000000000010cc8a"
    )
    result = read_fit(data, ORIGIN)
    assert contract_violations(result.activities) == []
    assert all(not a.sport.startswith("sport_-") for a in result.activities)
