"""The benchmark's FIT timestamp shifter: a shifted copy of a real file is valid FIT (fitdecode,
strict CRCs) whose every absolute time moved by the offset and nothing else changed."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from benchmarks.fitshift import MIN_ABSOLUTE, TimePlan, shift_timestamps
from chainfix.fit import read_fit
from chainfix.model import Origin

fitdecode = pytest.importorskip("fitdecode")

SHIFT = -3 * 86_400
FILES = [
    "dtcooper__python-fitparse/compressed-speed-distance.fit",  # compressed-timestamp headers
    "polyvertex__fitdecode/garmin-fr935-cr.fit",  # 7 chained FIT files, developer fields
    "rgmf__fit_data_whiz/training.fit",  # set messages (set.timestamp is field 254)
    "muktihari__fit/activity_multisport.fit",  # two sessions
    "tormoder__fit/0134902991.fit",  # developer fields on every record
]


def messages(data: bytes) -> list[tuple[str, list[tuple[str, Any, Any]]]]:
    """Every data message as (name, [(field, value, raw value)]), with strict CRC checks."""
    out = []
    with fitdecode.FitReader(
        io.BytesIO(data),
        check_crc=fitdecode.CrcCheck.RAISE,
        error_handling=fitdecode.ErrorHandling.RAISE,
    ) as reader:
        for frame in reader:
            if isinstance(frame, fitdecode.FitDataMessage):
                out.append((frame.name, [(f.name, f.value, f.raw_value) for f in frame.fields]))
    return out


@pytest.mark.parametrize("name", FILES)
def test_shifted_copy_moves_every_time(real_dir: Path, name: str) -> None:
    original = (real_dir / name).read_bytes()
    shifted = shift_timestamps(original, SHIFT)
    assert len(shifted) == len(original) and shifted != original
    before, after = messages(original), messages(shifted)
    assert [m for m, _ in before] == [m for m, _ in after]
    moved = 0
    for (message, old), (_, new) in zip(before, after, strict=True):
        for (field, a, raw), (_, b, new_raw) in zip(old, new, strict=True):
            if isinstance(a, datetime) and isinstance(raw, int) and raw >= MIN_ABSOLUTE:
                assert b == a + timedelta(seconds=SHIFT), (message, field)
                moved += 1
            elif field == "unknown_253" and isinstance(a, int) and a >= MIN_ABSOLUTE:
                assert b == a + SHIFT, message  # field 253 is the timestamp in every message
                moved += 1
            else:  # other fields, and times relative to power-on or unset, keep their bytes
                assert new_raw == raw, (message, field)
    assert moved >= TimePlan.of(original).count > 0


def test_chainfix_reads_the_shifted_activity(real_dir: Path) -> None:
    original = (real_dir / FILES[2]).read_bytes()
    a = read_fit(original, Origin("a.fit"))
    b = read_fit(shift_timestamps(original, SHIFT), Origin("b.fit"))
    assert not a.problems and not b.problems
    assert [x.start_utc + timedelta(seconds=SHIFT) for x in a.activities] == [
        x.start_utc for x in b.activities
    ]
    assert [len(x.sets) for x in a.activities] == [len(x.sets) for x in b.activities]


def test_compressed_timestamps_need_a_multiple_of_32(real_dir: Path) -> None:
    with pytest.raises(ValueError, match="multiple of 32"):
        shift_timestamps((real_dir / FILES[0]).read_bytes(), 100)
