"""Pulling from the fake Garmin Connect: incremental, paced, resumable, nothing twice."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from chainfix.errors import GarminAuthError, GarminRateLimitError, UsageError
from chainfix.garmin_client import GarminConnect
from chainfix.paths import library_dir
from chainfix_synth.personas import PlannedActivity
from conftest import Account

from chainfix_garmin_connect import pull as pull_module
from chainfix_garmin_connect.library import MARKER, Library, default_library
from chainfix_garmin_connect.pull import (
    PullReport,
    extract_fit,
    pull,
    pull_from_garmin_connect,
    pull_lock,
    state_file,
)


def seed(account: Account, planned: list[PlannedActivity], fits: list[bytes]) -> list[int]:
    return [account.add(p, f) for p, f in zip(planned, fits, strict=True)]


def local_day(p: PlannedActivity) -> date:
    return (p.start_utc + timedelta(seconds=p.utc_offset_s)).date()


def assert_library_holds(root: Path, account: Account) -> None:
    """Every seeded activity complete; FIT files byte for byte what Connect holds."""
    lib = Library(root)
    for activity_id in account.seeded:
        assert lib.is_complete(activity_id), activity_id
        if activity_id in account.fits:
            assert lib.fit_path(activity_id).read_bytes() == account.fits[activity_id]
        else:
            assert not lib.has_fit(activity_id)
    assert not [p for p in root.iterdir() if p.name.endswith(".tmp")]


def test_first_pull_downloads_all_then_nothing_then_only_the_new_one(
    account: Account, persona_activities: list[PlannedActivity], fit_files: list[bytes]
) -> None:
    ids = seed(account, persona_activities[:10], fit_files[:10])

    first = pull_from_garmin_connect()
    assert first.complete and first.error is None
    assert sorted(first.downloaded) == sorted(ids) and first.already == 0
    assert first.library == library_dir() / "garmin-connect" == default_library()
    assert (first.library / MARKER).is_file()
    assert_library_holds(first.library, account)
    assert sorted(account.downloads()) == sorted(ids)

    second = pull_from_garmin_connect()
    assert second.complete and second.downloaded == [] and second.summary_only == []
    floor = local_day(persona_activities[9]) - timedelta(days=7)  # the look-back
    assert second.floor == floor and second.pages == 1
    assert second.already == len([p for p in persona_activities[:10] if local_day(p) >= floor])
    assert account.download_requests() == 10  # not one more request

    new_id = account.add(persona_activities[10], fit_files[10])
    third = pull_from_garmin_connect()
    assert third.downloaded == [new_id] and third.new == 1
    assert sorted(account.downloads()) == sorted([*ids, new_id])
    assert_library_holds(third.library, account)

    state = json.loads(state_file().read_bytes())
    entry = state["libraries"][str(default_library().resolve())]
    assert entry["cursor"] == local_day(persona_activities[10]).isoformat()
    assert entry["account"] == "fake-athlete" and entry["last_result"] == "complete"


def test_a_wrongly_dated_activity_does_not_move_the_cursor_past_today(
    account: Account,
    persona_activities: list[PlannedActivity],
    fit_files: list[bytes],
    library: Path,
) -> None:
    seed(account, persona_activities[:3], fit_files[:3])
    future = account.add(
        persona_activities[3],
        fit_files[3],
        startTimeLocal="2099-01-01 08:00:00",
        startTimeGMT="2099-01-01 07:00:00",
    )
    assert pull(GarminConnect.from_tokens(), library).new == 4
    entry = json.loads(state_file().read_bytes())["libraries"][str(library.resolve())]
    assert entry["cursor"] == local_day(persona_activities[2]).isoformat()
    late = account.add(persona_activities[4], fit_files[4])
    assert pull(GarminConnect.from_tokens(), library).downloaded == [late]
    assert Library(library).is_complete(future)


def test_requests_are_paced(
    account: Account,
    persona_activities: list[PlannedActivity],
    fit_files: list[bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed(account, persona_activities[:5], fit_files[:5])
    slept: list[float] = []
    monkeypatch.setattr(pull_module, "_sleep", slept.append)
    report = pull(GarminConnect.from_tokens(), pace_s=3.0)
    assert len(report.downloaded) == 5
    # one list request and five downloads: a wait before each request but the first
    assert len(slept) == 5 and all(2.5 < s <= 3.0 for s in slept)


def test_manual_entries_and_activities_without_a_fit_original(
    account: Account,
    persona_activities: list[PlannedActivity],
    fit_files: list[bytes],
    library: Path,
) -> None:
    manual = account.add(persona_activities[0], None, manualActivity=True)
    missing = account.add(persona_activities[1], None)  # Connect answers 404
    gpx = account.add(persona_activities[2], fit_files[2])
    account.fake.activity_files[gpx] = b'<?xml version="1.0"?><gpx></gpx>'  # not FIT inside
    account.fits.pop(gpx)
    good = account.add(persona_activities[3], fit_files[3])

    report = pull(GarminConnect.from_tokens(), library)
    assert report.complete
    assert report.downloaded == [good]
    assert sorted(report.summary_only) == sorted([manual, missing, gpx])
    assert any(str(gpx) in note and "not a FIT file" in note for note in report.notes)
    assert manual not in account.downloads() and account.download_requests() == 3
    lib = Library(library)
    originals = {
        i: json.loads(lib.summary_path(i).read_bytes())["original"]
        for i in (manual, missing, gpx, good)
    }
    assert originals == {manual: "none", missing: "none", gpx: "unreadable", good: "fit"}
    assert not lib.has_fit(gpx)

    again = pull(GarminConnect.from_tokens(), library)
    assert again.new == 0 and again.already == 4 and account.download_requests() == 3


def test_a_late_synced_activity_is_found_and_older_gaps_need_since(
    account: Account,
    persona_activities: list[PlannedActivity],
    fit_files: list[bytes],
    library: Path,
) -> None:
    # activities 1..9 now; 8 (two days before the newest) syncs late; 0 (12 days before) too
    ids = {i: account.add(persona_activities[i], fit_files[i]) for i in range(1, 10) if i != 8}
    assert pull(GarminConnect.from_tokens(), library).new == 8
    late = account.add(persona_activities[8], fit_files[8])
    old = account.add(persona_activities[0], fit_files[0])
    assert local_day(persona_activities[9]) - local_day(persona_activities[0]) > timedelta(days=7)

    report = pull(GarminConnect.from_tokens(), library)
    assert report.downloaded == [late]  # within the 7-day look-back
    assert report.floor == local_day(persona_activities[9]) - timedelta(days=7)

    report = pull(GarminConnect.from_tokens(), library, since=date(2025, 1, 1))
    assert report.downloaded == [old] and report.already == 9 and report.listed == 10
    assert sorted(account.downloads()) == sorted([*ids.values(), late, old])


def test_paging_is_paced_and_stops_at_the_floor(
    account: Account,
    persona_activities: list[PlannedActivity],
    fit_files: list[bytes],
    library: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pull_module, "PAGE_SIZE", 4)
    seed(account, persona_activities, fit_files)  # 15 activities over three weeks
    first = pull(GarminConnect.from_tokens(), library)
    assert first.pages == 4 and len(first.downloaded) == 15
    before = len(account.fake.calls_to("GET", "/activitylist-service/"))
    second = pull(GarminConnect.from_tokens(), library)
    lists = len(account.fake.calls_to("GET", "/activitylist-service/")) - before
    # the floor is a week before the newest activity: the second page reaches past it
    assert second.pages == lists == 2 and second.new == 0
    assert second.listed == len(
        [p for p in persona_activities if local_day(p) >= second.floor]  # type: ignore[operator]
    )


def test_without_the_paging_seam_the_adapters_date_listing_is_used(
    account: Account,
    persona_activities: list[PlannedActivity],
    fit_files: list[bytes],
    library: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pull_module, "page_lister", lambda client: None)
    ids = seed(account, persona_activities[:6], fit_files[:6])
    report = pull(GarminConnect.from_tokens(), library)
    assert sorted(report.downloaded) == sorted(ids)
    calls = account.fake.calls_to("GET", "/activitylist-service/")
    assert calls and all("startDate" in c.query for c in calls)
    assert pull(GarminConnect.from_tokens(), library).already == 6


def test_a_429_stops_at_once_and_keeps_what_was_downloaded(
    account: Account,
    persona_activities: list[PlannedActivity],
    fit_files: list[bytes],
    library: Path,
) -> None:
    ids = seed(account, persona_activities[:10], fit_files[:10])
    start = account.fake.call_count
    # login (2 calls) and the list are done; the fourth download is refused, and every later call
    account.fake.inject("429", at=start + 2 + 1 + 3, times=1000)
    client = GarminConnect.from_tokens()
    report = pull(client, library)
    assert isinstance(report.error, GarminRateLimitError) and not report.complete
    assert "429" in report.error.message
    assert "Wait at least an hour" in report.error.hint
    assert "The 3 activities this pull stored are kept" in report.error.hint
    assert len(report.downloaded) == 3 and account.download_requests() == 4  # no retry
    assert account.fake.call_count == start + 2 + 1 + 4  # nothing after the 429

    account.fake.clear_faults()
    rerun = pull(GarminConnect.from_tokens(), library)
    assert rerun.complete and len(rerun.downloaded) == 7 and rerun.already == 3
    assert sorted(account.downloads()) == sorted(ids)
    assert_library_holds(library, account)


def test_a_refused_login_says_to_run_chainfix_garmin_login(
    account: Account,
    persona_activities: list[PlannedActivity],
    fit_files: list[bytes],
    library: Path,
) -> None:
    seed(account, persona_activities[:3], fit_files[:3])
    # the token is refused while listing (garminconnect sends a read twice after a 401)
    account.fake.inject("401", path="/activitylist-service/", times=2)
    report = pull(GarminConnect.from_tokens(), library)
    assert isinstance(report.error, GarminAuthError)
    assert "chainfix garmin login" in report.error.hint
    # the token is revoked: the login itself fails, with the same advice
    account.fake.revoke_tokens()
    with pytest.raises(GarminAuthError) as info:
        pull_from_garmin_connect(library)
    assert "chainfix garmin login" in info.value.hint
    assert not Library(library).is_complete(next(iter(account.seeded)))


def test_no_saved_login_says_to_run_chainfix_garmin_login(library: Path) -> None:
    with pytest.raises(GarminAuthError) as info:
        pull_from_garmin_connect(library)
    assert "not logged in" in info.value.message
    assert "chainfix garmin login" in info.value.hint
    assert not library.exists()


def test_a_crash_between_a_fit_file_and_its_summary_is_finished_without_a_download(
    account: Account,
    persona_activities: list[PlannedActivity],
    fit_files: list[bytes],
    library: Path,
) -> None:
    ids = seed(account, persona_activities[:4], fit_files[:4])
    assert pull(GarminConnect.from_tokens(), library).new == 4
    lib = Library(library)
    lib.summary_path(ids[-1]).unlink()  # as if the process died right after the FIT file
    (library / f".{ids[-1]}.json.1234abcd.tmp").write_bytes(b'{"half')
    report = pull(GarminConnect.from_tokens(), library)
    assert report.finished == [ids[-1]] and report.downloaded == []
    assert account.download_requests() == 4
    assert_library_holds(library, account)


def test_an_interrupted_pull_resumes_without_downloading_twice(
    account: Account,
    persona_activities: list[PlannedActivity],
    fit_files: list[bytes],
    library: Path,
) -> None:
    ids = seed(account, persona_activities[:10], fit_files[:10])
    stored: list[int] = []

    def crash_after_four(activity_id: int, day: str | None, what: str) -> None:
        stored.append(activity_id)
        if len(stored) == 4:
            raise KeyboardInterrupt  # Ctrl-C, or the machine going to sleep

    with pytest.raises(KeyboardInterrupt):
        pull(GarminConnect.from_tokens(), library, on_stored=crash_after_four)
    report = pull(GarminConnect.from_tokens(), library)
    assert report.complete and len(report.downloaded) == 6 and report.already == 4
    assert sorted(account.downloads()) == sorted(ids)  # each exactly once


def test_one_pull_at_a_time(account: Account, library: Path) -> None:
    with pull_lock(state_file().parent):
        with pytest.raises(UsageError, match="another `chainfix garmin pull` is running"):
            pull(GarminConnect.from_tokens(), library)


def test_a_library_of_another_account_is_refused(account: Account, library: Path) -> None:
    Library(library).create("someone-else")
    with pytest.raises(UsageError, match="someone-else") as info:
        pull(GarminConnect.from_tokens(), library)
    assert "--library" in info.value.hint


def test_report_as_json(account: Account, library: Path) -> None:
    report = pull(GarminConnect.from_tokens(), library)
    doc = report.to_dict()
    assert doc["complete"] is True and doc["error"] is None and doc["since"] is None
    assert json.loads(json.dumps(doc)) == doc
    assert PullReport(library).new == 0


# -- what a downloaded original can be --------------------------------------------------------


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_extract_fit(fit_files: list[bytes]) -> None:
    fit = fit_files[0]
    assert extract_fit(zipped({"7_ACTIVITY.fit": fit}), 7) == (fit, "fit", None)
    assert extract_fit(fit, 7) == (fit, "fit", None)
    # the activity's own member is preferred; the name's letter case does not matter
    both = zipped({"1_other.FIT": fit_files[1], "7_ACTIVITY.fit": fit})
    assert extract_fit(both, 7)[0] == fit
    assert extract_fit(zipped({"x.FIT": fit}), 7)[0] == fit
    data, original, note = extract_fit(zipped({"7_ACTIVITY.gpx": b"<gpx/>"}), 7)
    assert (data, original) == (None, "not_fit") and note and "7_ACTIVITY.gpx" in note
    assert extract_fit(zipped({}), 7)[:2] == (None, "not_fit")
    assert extract_fit(b"<html>Sign in</html>", 7)[:2] == (None, "unreadable")
    assert extract_fit(zipped({"7_ACTIVITY.fit": b"<html></html>"}), 7)[:2] == (None, "unreadable")
    assert extract_fit(zipped({"7_ACTIVITY.fit": fit}), 7, max_bytes=100)[:2] == (
        None,
        "unreadable",
    )
    assert extract_fit(b"PK\x03\x04" + b"\x00" * 40, 7)[:2] == (None, "unreadable")
