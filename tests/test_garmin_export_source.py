"""The Garmin Connect export source, end to end on generated exports.

Expected counts and totals are computed from the generator's inputs (its manifest), never typed in.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from chainfix_synth.garmin_export import ExportManifest, write_export
from chainfix_synth.personas import runner
from click.testing import CliRunner

from chainfix.cli import cli
from chainfix.ingest import IngestOptions, read_history
from chainfix.model import History

PERSONA = runner(weeks=6, seed=11)


def read(path: Path) -> History:
    return read_history([path], IngestOptions(workers=1, use_cache=False))


def export(tmp_path: Path, name: str = "export.zip", **options: object) -> ExportManifest:
    options.setdefault("hz", 0.2)
    return write_export(PERSONA, tmp_path / name, **options)  # type: ignore[arg-type]


def recovered(manifest: ExportManifest) -> list[Any]:
    """The lost activities chainfix gets back: an upload cut before its session still holds its
    records and laps, so its session is rebuilt from them (a bad-CRC copy is kept as it is)."""
    if set(manifest.corrupt_members.values()) != {"truncated"}:
        return []
    return [p for a in manifest.lost for p in a.parts]


def assert_matches(history: History, manifest: ExportManifest) -> None:
    acts = history.activities
    parts = manifest.parts + recovered(manifest)
    assert len(acts) == len(parts)
    assert sum(a.timer_s or 0 for a in acts) == pytest.approx(
        sum(p.timer_s for p in parts), abs=0.01 * len(acts)
    )
    assert sum(a.distance_m or 0 for a in acts) == pytest.approx(
        sum(p.distance_m or 0.0 for p in parts), abs=0.1 * len(acts)
    )
    by_sport: dict[str, float] = defaultdict(float)
    expected: dict[str, float] = defaultdict(float)
    for a in acts:
        by_sport[a.sport] += a.timer_s or 0
    for p in parts:
        expected[p.sport] += p.timer_s
    assert by_sport == pytest.approx(expected, abs=0.5)
    # every start time of the plan is there exactly once
    planned = sorted(int(p.start_utc.timestamp()) for p in parts)
    assert sorted(int(a.start_utc.timestamp()) for a in acts) == planned


@pytest.mark.parametrize("layout", ["current", "legacy", "unpacked"])
@pytest.mark.parametrize("folder", [False, True], ids=["zip", "folder"])
def test_layouts_read_exactly(tmp_path: Path, layout: str, folder: bool) -> None:
    manifest = export(tmp_path, layout=layout, folder=folder, parts=2 if layout == "current" else 1)
    history = read(manifest.path)
    assert_matches(history, manifest)


def test_problems_name_every_bad_member(tmp_path: Path) -> None:
    manifest = export(tmp_path, corrupt=("truncated", "bad_crc"))
    history = read(manifest.path)
    errors = {p.member: p.kind for p in history.errors}
    for member, damage in manifest.corrupt_members.items():
        assert member in errors, f"{member} ({damage}) not reported"
    skipped = {p.member: p.kind for p in history.skipped}
    for member in manifest.non_activity_members:
        assert skipped[member] == "not_activity"
    for member in manifest.duplicate_members:
        assert member in skipped or any(p.member == member for p in history.skipped)
    # the lost activities (corrupt uploads with no JSON) are not invented
    assert_matches_lost(history, manifest)


def assert_matches_lost(history: History, manifest: ExportManifest) -> None:
    starts = {int(a.start_utc.timestamp()) for a in history.activities}
    for lost in manifest.lost:
        if "bad_crc" not in manifest.corrupt_members.values():
            assert int(lost.start_utc.timestamp()) not in starts


def test_json_only_activities_use_export_units(tmp_path: Path) -> None:
    manifest = export(tmp_path)
    history = read(manifest.path)
    json_only = [a for a in history.activities if a.from_summary]
    expected = [e.planned for e in manifest.activities if e.json_only]
    assert len(json_only) == len(expected) >= 2
    for act, plan in zip(
        sorted(json_only, key=lambda a: a.start_utc),
        sorted(expected, key=lambda p: p.start_utc),
        strict=True,
    ):
        assert act.start_utc == plan.start_utc
        assert act.utc_offset_s == plan.utc_offset_s
        assert act.timer_s == pytest.approx(plan.timer_s, abs=0.001)
        assert (act.distance_m or 0) == pytest.approx(plan.distance_m or 0, abs=0.01)
    strength = [a for a in json_only if a.summary_sets]
    assert strength, "the strength summary lost its summarizedExerciseSets"
    planned_sets = [p for p in expected if p.sets][0].sets
    assert sum(s.sets for s in strength[0].summary_sets) == len(
        [s for s in planned_sets if s.set_type == "active"]
    )


def test_multisport_counts_legs_not_parent(tmp_path: Path) -> None:
    manifest = export(tmp_path, multisport=True)
    history = read(manifest.path)
    multis = [e for e in manifest.activities if e.planned.legs]
    assert multis
    legs = multis[0].planned.legs
    got = [a for a in history.activities if any(a.start_utc == leg.start_utc for leg in legs)]
    assert sorted(a.sport for a in got) == sorted(leg.sport for leg in legs)
    assert all(a.sport != "multisport" for a in history.activities)


def test_fit_gets_local_offset_and_no_double_counting(tmp_path: Path) -> None:
    manifest = export(tmp_path)
    history = read(manifest.path)
    assert not [a for a in history.activities if a.from_summary and a.sets]
    plans = {int(p.start_utc.timestamp()): p for p in manifest.parts}
    rebuilt = {int(p.start_utc.timestamp()) for p in recovered(manifest)}
    for a in history.activities:
        if int(a.start_utc.timestamp()) in rebuilt:
            assert a.utc_offset_s is None  # its activity message (the offset) was cut off
            continue
        assert a.utc_offset_s == plans[int(a.start_utc.timestamp())].utc_offset_s


def test_strength_sets_come_through(tmp_path: Path) -> None:
    manifest = export(tmp_path)
    history = read(manifest.path)
    for exported in manifest.activities:
        plan = exported.planned
        if plan.sets and not exported.json_only:
            (act,) = [a for a in history.activities if a.start_utc == plan.start_utc]
            assert len(act.sets) == len(plan.sets)
            assert [s.reps for s in act.sets] == [s.reps for s in plan.sets]


def test_sample_export_via_cli_names_the_corrupt_upload() -> None:
    root = Path(__file__).resolve().parents[1]
    sample = root / "sample_exports" / "garmin-export-runner.zip"
    manifest = json.loads(
        (root / "sample_exports" / "garmin-export-runner.manifest.json").read_text()
    )
    result = CliRunner().invoke(cli, ["activities", str(sample), "--json", "--no-cache"])
    assert result.exit_code == 3, result.output
    doc = json.loads(result.stdout)
    # the truncated upload is rebuilt from its records (a warning, not an error)
    truncated = [m for m, damage in manifest["corrupt_members"].items() if damage == "truncated"]
    assert len(doc["activities"]) == manifest["expected_activity_count"] + len(truncated)
    bad = [p for p in doc["problems"] if p["severity"] != "info"]
    assert {p["member"] for p in bad} == set(manifest["corrupt_members"])
    result = CliRunner().invoke(cli, ["analyze", str(sample)])
    assert result.exit_code == 3
    corrupt_name = next(iter(manifest["corrupt_members"])).rsplit("/", 1)[-1]
    flat = "".join(result.output.split())
    assert corrupt_name in flat and "truncated" in result.output
