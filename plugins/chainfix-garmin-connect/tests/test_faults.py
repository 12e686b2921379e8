"""A fault at every single request of a pull, then a rerun: the library complete, nothing twice.

For each request a pull makes (the two login reads, the activity list, every download) and each
failure Garmin Connect can produce (401, 429, 500, a dropped connection, an answer lost after the
work was done), a fresh account and chainfix home are pulled with that one fault. The pull must
stop with the matching chainfix error (or, for the login reads, which garminconnect itself retries,
may complete); a plain rerun must leave every activity in the library exactly as Connect holds it,
each FIT file transferred exactly once over both runs; a third pull must download nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import chainfix.garmin_client as adapter
import pytest
from chainfix.errors import (
    ChainfixError,
    GarminAuthError,
    GarminRateLimitError,
    GarminUnavailableError,
)
from chainfix.testing.fake_garmin import FAULT_KINDS, FakeGarminConnect
from chainfix_synth.personas import PlannedActivity
from conftest import Account

from chainfix_garmin_connect.library import Library, default_library
from chainfix_garmin_connect.pull import PullReport, pull_from_garmin_connect

EXPECTED: dict[str, type[ChainfixError]] = {
    "401": GarminAuthError,
    "429": GarminRateLimitError,
    "500": GarminUnavailableError,
    "drop": GarminUnavailableError,
    "lost_response": GarminUnavailableError,
}
LOGIN_CALLS = 2
"""``Garmin.login(tokenstore)`` reads the social profile and the user settings."""


@contextmanager
def fresh_account(
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    planned: list[PlannedActivity],
    fits: list[bytes],
) -> Iterator[Account]:
    """A new chainfix home and a new fake account: 5 FIT activities, 1 manual, 1 without file."""
    monkeypatch.setenv("CHAINFIX_HOME", str(home))
    with FakeGarminConnect() as fake:
        monkeypatch.setenv(adapter.API_URL_ENV, fake.url)
        fake.write_token_store(adapter.token_dir())
        account = Account(fake)
        for p, f in zip(planned[:5], fits[:5], strict=True):
            account.add(p, f)
        account.add(planned[5], None, manualActivity=True)  # no request for it
        account.add(planned[6], None)  # Connect answers 404: summary only
        yield account


def run_pull() -> PullReport | ChainfixError:
    try:
        return pull_from_garmin_connect()
    except ChainfixError as exc:  # the login failed
        return exc


def check_library(account: Account) -> None:
    lib = Library(default_library())
    for activity_id in account.seeded:
        assert lib.is_complete(activity_id), f"activity {activity_id} missing"
        if activity_id in account.fits:
            assert lib.fit_path(activity_id).read_bytes() == account.fits[activity_id]
        else:
            assert not lib.has_fit(activity_id)
    downloads = account.downloads()
    assert sorted(downloads) == sorted(account.fits), "a FIT file was transferred twice"
    leftovers = [p.name for p in lib.root.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_a_fault_at_every_request_then_a_rerun_completes_without_duplicates(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    persona_activities: list[PlannedActivity],
    fit_files: list[bytes],
) -> None:
    with fresh_account(tmp_path / "baseline", monkeypatch, persona_activities, fit_files) as acc:
        report = run_pull()
        assert isinstance(report, PullReport) and report.complete
        calls = acc.fake.call_count
    # login (2), one list page, 5 FIT downloads, 1 download answered 404; the manual entry: none
    assert calls == LOGIN_CALLS + 1 + 5 + 1

    tried = 0
    for index in range(calls):
        for kind in FAULT_KINDS:
            home = tmp_path / f"{index}-{kind}"
            with fresh_account(home, monkeypatch, persona_activities, fit_files) as account:
                try:
                    # garminconnect sends a read again once after a 401: make both fail
                    account.fake.inject(kind, at=index, times=2 if kind == "401" else 1)  # type: ignore[arg-type]
                    first = run_pull()
                    error = first if isinstance(first, ChainfixError) else first.error
                    if index >= LOGIN_CALLS:
                        assert isinstance(error, EXPECTED[kind]), repr(error)
                    elif error is not None:
                        assert isinstance(error, EXPECTED[kind]), repr(error)
                    if error is not None and kind == "401":
                        assert "chainfix garmin login" in error.hint
                    rerun = run_pull()
                    assert isinstance(rerun, PullReport) and rerun.complete, rerun
                    check_library(account)
                    quiet = account.download_requests()
                    third = run_pull()
                    assert isinstance(third, PullReport) and third.new == 0
                    assert account.download_requests() == quiet
                    tried += 1
                except AssertionError as exc:
                    raise AssertionError(f"fault {kind} at request {index}: {exc}") from exc
    assert tried == calls * len(FAULT_KINDS)
