"""A source's own decoder (``FitBlob.decoder``): run like the FIT reader, cached like it, and a
decoder that fails is a ``plugin_error`` of that file, tried again next run, never cached."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from chainfix.fit import FitRead
from chainfix.ingest import IngestOptions, IngestStats, read_history
from chainfix.model import Activity, Origin
from chainfix.sources import folder as folder_source
from chainfix.sources.base import ReadOptions, Source, SourceItem
from chainfix.sources.fitfiles import file_blob


def _called(origin: Origin) -> None:
    """Count a decoder call in a file beside the input (the decoder module that runs may be
    another import of this file than the test's)."""
    with open(Path(origin.path).with_name("calls.log"), "a") as fh:
        fh.write("x")


def calls(folder: Path) -> int:
    log = folder / "calls.log"
    return len(log.read_text()) if log.exists() else 0


def minutes(data: bytes, origin: Origin) -> FitRead:
    """A toy format: the file holds a number of minutes of running."""
    _called(origin)
    start = datetime(2025, 3, 1, 7, tzinfo=UTC)
    seconds = float(data.decode()) * 60
    act = Activity("m", "toy", origin, "running", "generic", start, timer_s=seconds)
    return FitRead(activities=[act])


def boom(data: bytes, origin: Origin) -> FitRead:
    _called(origin)
    raise RuntimeError("the toy decoder broke")


def not_a_read(data: bytes, origin: Origin) -> object:
    _called(origin)
    return "nope"


def toy_source(decoder: str) -> Source:
    def read(path: Path, options: ReadOptions) -> Iterator[SourceItem]:
        yield file_blob(path, options, decoder=f"tests.test_decoders:{decoder}", source="toy")

    return Source("toy", "toy files", lambda p: p.suffix == ".gpx", read)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "toys"
    out.mkdir()
    (out / "a.gpx").write_text("30")
    return out


def read(path: Path) -> tuple[list[Activity], list, IngestStats]:
    stats = IngestStats()
    history = read_history([path], IngestOptions(workers=1), stats=stats)
    return list(history.activities), list(history.problems), stats


def test_a_decoded_file_is_cached(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(folder_source, "track_reader", lambda path: toy_source("minutes"))
    acts, problems, cold = read(folder)
    assert [a.timer_s for a in acts] == [1800.0] and not problems and cold.decoded == 1
    again, _, warm = read(folder)
    assert again == acts and warm.decoded == 0 and calls(folder) == 1
    (folder / "a.gpx").write_text("45")
    changed, _, _ = read(folder)
    assert [a.timer_s for a in changed] == [2700.0] and calls(folder) == 2


@pytest.mark.parametrize("decoder", ["boom", "not_a_read", "missing_function"])
def test_a_failing_decoder_is_a_problem_tried_again(
    folder: Path, monkeypatch: pytest.MonkeyPatch, decoder: str
) -> None:
    monkeypatch.setattr(folder_source, "track_reader", lambda path: toy_source(decoder))
    for run in (1, 2):
        acts, problems, _ = read(folder)
        assert not acts
        assert [(p.file, p.kind) for p in problems] == [(str(folder / "a.gpx"), "plugin_error")]
        assert calls(folder) == (run if decoder != "missing_function" else 0)
