"""A second run over an unchanged export comes from chainfix's cache without opening the export."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from chainfix.cli import cli
from click.testing import CliRunner
from healthgen import write_export

from chainfix_apple_health import export


def run(path: Path) -> tuple[str, float]:
    started = time.perf_counter()
    result = CliRunner().invoke(cli, ["activities", str(path), "--json", "--workers", "1"])
    assert result.exit_code == 0, result.output
    return result.output, time.perf_counter() - started


@pytest.mark.parametrize("zipped", [True, False])
def test_warm_run_replays_the_cold_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zipped: bool
) -> None:
    path = write_export(
        tmp_path / ("e.zip" if zipped else "e"), zipped=zipped, filler_bytes=4 << 20
    )
    cold, cold_s = run(path)

    def must_not_read(*args: object) -> None:
        raise AssertionError("the export was read again")

    with monkeypatch.context() as m:
        m.setattr(export, "read_export", must_not_read)
        warm, warm_s = run(path)
    assert warm == cold
    assert warm_s < 1.0, f"warm run took {warm_s:.2f} s (cold {cold_s:.2f} s)"


def test_a_changed_export_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_export(tmp_path / "e.zip")
    run(path)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    calls: list[object] = []
    real = export.read_export

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(export, "read_export", counting)
    run(path)
    assert len(calls) == 1


def test_a_new_route_invalidates_an_unzipped_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_export(tmp_path / "e", zipped=False)
    first = export.part_key(root, export.Limits())
    (root / "apple_health_export" / "workout-routes" / "route_new.gpx").write_bytes(b"<gpx/>")
    assert export.part_key(root, export.Limits()) != first
