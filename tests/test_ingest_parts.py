"""Whole parts in the cache: a warm run replays zips and summaries without opening them.

A part is a zip file on disk, a zip nested in one (a Garmin ``UploadedFiles_*_Part*.zip``) or a
summary JSON. Warm results must equal cold ones exactly, a change inside a nested zip must only
re-read that zip (and decode only the changed member), and the limits are part of the key.
"""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from chainfix_synth.garmin_export import ExportManifest, write_export
from chainfix_synth.personas import runner
from clock_support import CacheClock, export_with_a_future_start

from chainfix.codec import activity_to_dict, problem_to_dict
from chainfix.ingest import IngestOptions, IngestStats, read_history
from chainfix.sources.base import Limits

PERSONA = runner(weeks=8, seed=5)


def export(tmp_path: Path, name: str = "export.zip", **options: object) -> ExportManifest:
    options.setdefault("hz", 0.2)
    options.setdefault("parts", 2)
    return write_export(PERSONA, tmp_path / name, **options)  # type: ignore[arg-type]


def snapshot(
    path: Path, *, cache: bool = True, workers: int = 1, limits: Limits | None = None
) -> tuple[list[dict], list[dict], IngestStats]:
    stats = IngestStats()
    options = IngestOptions(workers=workers, use_cache=cache, limits=limits or Limits())
    history = read_history([path], options, stats=stats)
    return (
        [activity_to_dict(a) for a in history.activities],
        [problem_to_dict(p) for p in history.problems],
        stats,
    )


def fit_members(manifest: ExportManifest) -> int:
    return len(manifest.fit_members)


def test_warm_zip_export_is_replayed_whole_and_equals_cold(tmp_path: Path) -> None:
    manifest = export(tmp_path, corrupt=("truncated", "bad_crc"), multisport=True)
    cold_acts, cold_problems, cold = snapshot(manifest.path)
    warm_acts, warm_problems, warm = snapshot(manifest.path)
    fresh_acts, fresh_problems, _ = snapshot(manifest.path, cache=False)
    assert cold.decoded == fit_members(manifest) and cold.parts_cached == 0
    assert warm.decoded == 0 and warm.parts_cached == 1  # the export zip, not even opened
    assert warm.cached == cold.decoded and warm.files == cold.files
    assert warm_acts == cold_acts == fresh_acts
    assert warm_problems == cold_problems == fresh_problems
    assert {p["kind"] for p in cold_problems} >= {"truncated", "bad_crc"}


def test_moved_export_reuses_nested_parts_and_relabels(tmp_path: Path) -> None:
    manifest = export(tmp_path)
    snapshot(manifest.path)
    moved = tmp_path / "elsewhere" / "renamed.zip"
    moved.parent.mkdir()
    moved.write_bytes(manifest.path.read_bytes())
    acts, problems, stats = snapshot(moved)
    fresh_acts, fresh_problems, _ = snapshot(moved, cache=False)
    # another file, so the outer zip is read again; its Part zips and summaries come whole
    assert stats.decoded == 0 and stats.parts_cached >= 2
    assert acts == fresh_acts and problems == fresh_problems
    assert all(a["source_file"] == str(moved) for a in acts)


def _rewrite_member(src: Path, dst: Path, member: str, change: bytes) -> None:
    """Copy the export zip, replacing one FIT member inside one nested Part zip."""
    part_name, inner_name = member.split("!/")
    with zipfile.ZipFile(src) as outer, zipfile.ZipFile(dst, "w") as out:
        for info in outer.infolist():
            data = outer.read(info)
            if info.filename == part_name:
                buf = io.BytesIO()
                with zipfile.ZipFile(io.BytesIO(data)) as inner, zipfile.ZipFile(buf, "w") as new:
                    for inner_info in inner.infolist():
                        body = inner.read(inner_info)
                        if inner_info.filename == inner_name:
                            body = change
                        new.writestr(inner_info, body)
                data = buf.getvalue()
            out.writestr(info, data)


def test_changed_member_invalidates_only_its_nested_zip(tmp_path: Path) -> None:
    manifest = export(tmp_path)
    _, _, cold = snapshot(manifest.path)
    target = next(m for m in manifest.fit_members if "_Part1.zip!/" in m)
    with zipfile.ZipFile(manifest.path) as zf:
        part = zipfile.ZipFile(io.BytesIO(zf.read(target.split("!/")[0])))
        original = part.read(target.split("!/")[1])
    changed = tmp_path / "changed.zip"
    _rewrite_member(manifest.path, changed, target, original[: len(original) // 2])
    acts, problems, stats = snapshot(changed)
    fresh_acts, fresh_problems, _ = snapshot(changed, cache=False)
    assert acts == fresh_acts and problems == fresh_problems
    assert stats.decoded == 1  # only the changed member is decoded again
    assert stats.cached == cold.decoded - 1
    # Part2 and the summary JSON files came whole; Part1 was opened and walked
    assert stats.parts_cached >= 2
    assert any(p["member"] == target and p["kind"] == "truncated" for p in problems)
    # and the changed export is now warm as a whole
    again_acts, again_problems, again = snapshot(changed)
    assert again.parts_cached == 1 and again.decoded == 0
    assert again_acts == acts and again_problems == problems


def test_unzipped_export_folder_replays_its_part_zips(tmp_path: Path) -> None:
    manifest = export(tmp_path, name="export", folder=True)
    cold_acts, cold_problems, cold = snapshot(manifest.path)
    warm_acts, warm_problems, warm = snapshot(manifest.path)
    assert warm.decoded == 0 and warm.parts_cached >= 3  # 2 Part zips + summary JSON
    assert warm_acts == cold_acts and warm_problems == cold_problems
    assert warm.files == cold.files


def test_limits_are_part_of_the_key(tmp_path: Path) -> None:
    manifest = export(tmp_path)
    snapshot(manifest.path)
    tight = Limits(max_member_bytes=5_000)
    acts, problems, stats = snapshot(manifest.path, limits=tight)
    fresh_acts, fresh_problems, _ = snapshot(manifest.path, cache=False, limits=tight)
    assert stats.parts_cached == 0
    assert acts == fresh_acts and problems == fresh_problems
    assert any(p["kind"] == "unsafe_archive" for p in problems)


def test_no_cache_leaves_the_cache_alone(tmp_path: Path) -> None:
    manifest = export(tmp_path)
    snapshot(manifest.path, cache=False)
    _, _, stats = snapshot(manifest.path)
    assert stats.parts_cached == 0 and stats.cached == 0


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_reaches_the_total_cold_and_warm(tmp_path: Path, workers: int) -> None:
    manifest = export(tmp_path)
    total = manifest.path.stat().st_size
    for _ in range(2):  # cold, then warm
        seen: list[tuple[int, int]] = []

        def record(done: int, tot: int, seen: list[tuple[int, int]] = seen) -> None:
            seen.append((done, tot))

        read_history([manifest.path], IngestOptions(workers=workers), on_progress=record)
        assert seen and seen[-1] == (total, total)
        dones = [d for d, _ in seen]
        assert dones == sorted(dones)


def test_a_result_that_depends_on_the_clock_is_trusted_for_an_hour_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = export_with_a_future_start(tmp_path / "export.zip")
    clock = CacheClock(monkeypatch)
    cold_acts, cold_problems, _ = snapshot(path)
    assert len(cold_acts) == 1 and [p["kind"] for p in cold_problems] == ["bad_value"]
    _, _, warm = snapshot(path)
    assert warm.parts_cached == 1  # within the hour
    clock.shift = timedelta(hours=1)
    acts, problems, later = snapshot(path)
    assert later.parts_cached == 0  # read again: the refusal may no longer hold
    assert acts == cold_acts and problems == cold_problems


def test_clean_results_do_not_expire(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    manifest = export(tmp_path)
    clock = CacheClock(monkeypatch)
    snapshot(manifest.path)
    clock.shift = timedelta(days=400)
    _, _, stats = snapshot(manifest.path)
    assert stats.parts_cached == 1 and stats.decoded == 0
