"""The garminconnect adapter against the local fake Garmin Connect (real HTTP, no network)."""

from __future__ import annotations

import base64
import inspect
import io
import json
import os
import stat
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime
from importlib.metadata import version
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import requests

import chainfix.garmin_client as adapter
from chainfix.errors import (
    DeliveryError,
    GarminAuthError,
    GarminRateLimitError,
    GarminUnavailableError,
    MissingExtraError,
    UsageError,
)
from chainfix.garmin_client import GarminConnect, GarminNotFoundError
from chainfix.testing.fake_garmin import FakeGarminConnect, localhost_only

garminconnect = pytest.importorskip("garminconnect")


@pytest.fixture(autouse=True)
def _offline() -> Iterator[None]:
    """Nothing in this module may reach beyond 127.0.0.1."""
    with localhost_only():
        yield


EMAIL = "athlete@example.com"
PASSWORD = "correct horse battery staple 9!"


@pytest.fixture
def client(fake: FakeGarminConnect) -> GarminConnect:
    fake.write_token_store(adapter.token_dir())
    return GarminConnect.from_tokens()


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- the internals this adapter relies on ---------------------------------------------------


def test_garminconnect_version_is_the_supported_one() -> None:
    major, minor, patch = (int(x) for x in version("garminconnect").split(".")[:3])
    assert (0, 3, 20) <= (major, minor, patch) < (0, 4, 0)


def test_garminconnect_internals_are_still_there() -> None:
    """Fails loudly when a garminconnect upgrade moves what the adapter (and the fake) rely on."""
    g = garminconnect.Garmin()
    adapter.check_internals(g)  # raises DeliveryError naming what is missing
    assert g.client._connectapi == "https://connectapi.garmin.com"
    assert g.client._di_token_url.startswith("https://diauth.garmin.com/")
    assert garminconnect.client.token_file_path("/x/y").name == adapter.TOKEN_FILE
    # the narrow SSO seam the login tests replace: Garmin.login passes the prompt through it
    seam = inspect.signature(garminconnect.client.Client.login).parameters
    assert list(seam)[:4] == ["self", "email", "password", "prompt_mfa"]
    # 429 on a write is a connection error carrying the status, 404 is its subclass
    assert issubclass(
        garminconnect.GarminConnectNotFoundError, garminconnect.GarminConnectConnectionError
    )
    assert not issubclass(
        garminconnect.GarminConnectTooManyRequestsError, garminconnect.GarminConnectConnectionError
    )


def test_guard_names_what_is_missing() -> None:
    g = garminconnect.Garmin()
    del g.client._connectapi
    with pytest.raises(DeliveryError) as info:
        adapter.check_internals(g)
    assert "Garmin.client._connectapi" in info.value.message
    assert "garminconnect>=0.3.20,<0.4" in info.value.hint
    with pytest.raises(DeliveryError, match="Garmin.upload_workout"):
        adapter.check_internals(SimpleNamespace(client=None))


def test_missing_extra_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "garminconnect", None)
    adapter.token_dir()
    (adapter.token_dir() / adapter.TOKEN_FILE).write_text("{}", "utf-8")
    with pytest.raises(MissingExtraError) as info:
        GarminConnect.from_tokens()
    assert "pip install 'chainfix-cli[garmin]'" in info.value.hint


def test_api_url_must_be_a_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(adapter.API_URL_ENV, "ftp://example.org")
    with pytest.raises(UsageError, match=adapter.API_URL_ENV):
        adapter.api_url()
    monkeypatch.setenv(adapter.API_URL_ENV, "http://127.0.0.1:9/")
    assert adapter.api_url() == "http://127.0.0.1:9"
    monkeypatch.delenv(adapter.API_URL_ENV)
    assert adapter.api_url() is None


# -- login -----------------------------------------------------------------------------------


def test_login_from_saved_tokens_calls_the_profile_endpoints(fake: FakeGarminConnect) -> None:
    path = fake.write_token_store(adapter.token_dir())
    client = GarminConnect.from_tokens()
    assert client.display_name == "fake-athlete"
    assert client.base_url == fake.url
    assert [(c.method, c.path) for c in fake.calls] == [
        ("GET", "/userprofile-service/socialProfile"),
        ("GET", "/userprofile-service/userprofile/user-settings"),
    ]
    assert mode(path) == 0o600 and mode(path.parent) == 0o700


def test_no_tokens_means_not_logged_in(fake: FakeGarminConnect) -> None:
    with pytest.raises(GarminAuthError) as info:
        GarminConnect.from_tokens()
    assert info.value.hint == "Run `chainfix garmin login`."
    assert fake.call_count == 0


def test_rejected_tokens_send_the_user_to_login(fake: FakeGarminConnect) -> None:
    fake.write_token_store(adapter.token_dir())
    fake.revoke_tokens()
    with pytest.raises(GarminAuthError) as info:
        GarminConnect.from_tokens()
    assert "chainfix garmin login" in info.value.hint
    assert {c.status for c in fake.calls} == {401}


def test_unreachable_garmin_at_login_is_not_an_auth_problem(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """garminconnect wraps a dropped connection during login in an auth error; we look deeper."""
    monkeypatch.setattr(adapter, "READ_RETRIES", 0)
    with FakeGarminConnect() as fake:
        fake.write_token_store(adapter.token_dir())
        monkeypatch.setenv(adapter.API_URL_ENV, fake.url)
        fake.inject("drop", times=10)
        with pytest.raises(GarminUnavailableError, match="dropped"):
            GarminConnect.from_tokens()


def _jwt(payload: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(payload)}.c2lnbmF0dXJl"


def test_token_refresh_goes_to_the_configured_api_never_to_garmin(fake: FakeGarminConnect) -> None:
    """An expiring token is refreshed at CHAINFIX_GARMIN_API_URL and the new one saved 0600."""
    folder = adapter.token_dir()
    _, refresh = fake.issue_token(refresh=True)
    expired = _jwt({"exp": int(time.time()) - 60, "client_id": "GARMIN_CONNECT_MOBILE_ANDROID_DI"})
    path = folder / adapter.TOKEN_FILE
    path.write_text(
        json.dumps(
            {
                "di_token": expired,
                "di_refresh_token": refresh,
                "di_client_id": "GARMIN_CONNECT_MOBILE_ANDROID_DI",
            }
        ),
        "utf-8",
    )
    client = GarminConnect.from_tokens()
    assert client.display_name == "fake-athlete"
    assert fake.calls[0].path == "/di-oauth2-service/oauth/token"
    saved = json.loads(path.read_text("utf-8"))
    assert saved["di_token"] != expired and saved["di_token"] in fake.valid_tokens
    assert mode(path) == 0o600


def fake_sso(
    fake: FakeGarminConnect, seen: dict[str, Any], *, needs_mfa: bool = True
) -> Callable[..., tuple[None, None]]:
    """Stands in for garminconnect's SSO strategy chain (``Client.login``), nothing else."""

    def login(
        self: Any,
        email: str,
        password: str,
        prompt_mfa: Callable[[], str] | None = None,
        return_on_mfa: bool = False,
    ) -> tuple[None, None]:
        seen["email"], seen["password"] = email, password
        if email != EMAIL or password != PASSWORD:
            raise garminconnect.GarminConnectAuthenticationError("Invalid credentials")
        if needs_mfa:
            assert prompt_mfa is not None and not return_on_mfa
            seen["code"] = prompt_mfa()
            if seen["code"] != "123456":
                raise garminconnect.GarminConnectAuthenticationError("Invalid MFA code")
        self.di_token, _ = fake.issue_token()
        self.di_refresh_token = None
        self.di_client_id = None
        return None, None

    return login


def test_credentials_and_mfa_through_the_adapter(
    fake: FakeGarminConnect, monkeypatch: pytest.MonkeyPatch, _isolated_home: Path
) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(garminconnect.client.Client, "login", fake_sso(fake, seen))
    prompts: list[str] = []

    def prompt() -> str:
        prompts.append("asked")
        return "123456"

    client = GarminConnect.login(EMAIL, PASSWORD, prompt)
    assert prompts == ["asked"] and seen["code"] == "123456"
    assert client.display_name == "fake-athlete"
    assert client._garmin.password is None  # garminconnect forgets it, and so do we
    path = adapter.token_file()
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
    tokens = json.loads(path.read_text("utf-8"))
    assert tokens["di_token"] in fake.valid_tokens
    for file in files_under(_isolated_home):
        data = file.read_bytes()
        assert PASSWORD.encode() not in data and EMAIL.encode() not in data, file

    # later runs log in from the saved tokens only: the SSO seam must not be used again
    def no_sso(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("credential login used after tokens were saved")

    monkeypatch.setattr(garminconnect.client.Client, "login", no_sso)
    assert GarminConnect.from_tokens().display_name == "fake-athlete"


def test_no_code_is_asked_for_when_garmin_does_not_ask(
    fake: FakeGarminConnect, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(garminconnect.client.Client, "login", fake_sso(fake, seen, needs_mfa=False))

    def prompt() -> str:
        raise AssertionError("MFA prompt shown although Garmin did not ask")

    assert GarminConnect.login(EMAIL, PASSWORD, prompt).display_name == "fake-athlete"
    assert "code" not in seen and adapter.has_tokens()


def test_wrong_password_is_an_auth_error_and_saves_nothing(
    fake: FakeGarminConnect, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(garminconnect.client.Client, "login", fake_sso(fake, seen))
    with pytest.raises(GarminAuthError) as info:
        GarminConnect.login(EMAIL, "wrong", lambda: "123456")
    assert "e-mail address, password and code" in info.value.hint
    assert not adapter.has_tokens()
    assert PASSWORD not in str(info.value) and "wrong" not in str(info.value)


def test_login_rate_limit_has_its_own_hint(
    fake: FakeGarminConnect, monkeypatch: pytest.MonkeyPatch
) -> None:
    def limited(*args: Any, **kwargs: Any) -> None:
        raise garminconnect.GarminConnectTooManyRequestsError("All login strategies rate limited")

    monkeypatch.setattr(garminconnect.client.Client, "login", limited)
    with pytest.raises(GarminRateLimitError) as info:
        GarminConnect.login(EMAIL, PASSWORD, lambda: "")
    assert info.value.hint == adapter.LOGIN_RATE_HINT


def test_logout_deletes_only_the_token_file(client: GarminConnect) -> None:
    other = adapter.token_dir() / "notes.txt"
    other.write_text("keep me", "utf-8")
    assert adapter.logout() is True
    assert not adapter.has_tokens() and other.exists()
    assert adapter.logout() is False


# -- calls and failures ----------------------------------------------------------------------

PAYLOAD: dict[str, Any] = {
    "workoutName": "t",
    "sportType": {"sportTypeId": 5, "sportTypeKey": "strength_training"},
    "workoutSegments": [{"segmentOrder": 1, "workoutSteps": []}],
}


def test_workout_calls_round_trip(client: GarminConnect, fake: FakeGarminConnect) -> None:
    workout_id = client.upload_workout(PAYLOAD | {"description": "d"})
    schedule_id = client.schedule_workout(workout_id, date(2026, 12, 1))
    assert schedule_id in fake.schedules
    assert [w["workoutId"] for w in client.list_workouts()] == [workout_id]
    assert client.get_workout(workout_id)["description"] == "d"
    client.update_workout(workout_id, PAYLOAD | {"workoutName": "renamed"})
    assert fake.workouts[workout_id]["workoutName"] == "renamed"
    put = fake.calls_to("PUT")[-1]
    assert put.body["workoutId"] == workout_id
    [item] = client.calendar_month(2026, 12)
    assert (item["id"], item["workoutId"], item["date"]) == (schedule_id, workout_id, "2026-12-01")
    assert fake.calls_to("GET", "calendar-service")[-1].path.endswith("/year/2026/month/11")
    client.unschedule_workout(schedule_id)
    client.delete_workout(workout_id)
    assert not fake.workouts and not fake.schedules
    with pytest.raises(GarminNotFoundError):
        client.delete_workout(workout_id)
    with pytest.raises(GarminNotFoundError):
        client.unschedule_workout(schedule_id)


def test_workout_list_is_read_page_by_page(client: GarminConnect, fake: FakeGarminConnect) -> None:
    for n in range(5):
        fake.add_workout(PAYLOAD | {"workoutName": f"w{n}"})
    assert len(client.list_workouts(page_size=2)) == 5
    starts = [c.query["start"][0] for c in fake.calls_to("GET", "/workout-service/workouts")]
    assert starts == ["0", "2", "4"]


EXPECTED = {
    "401": GarminAuthError,
    "429": GarminRateLimitError,
    "500": GarminUnavailableError,
    "drop": GarminUnavailableError,
    "lost_response": GarminUnavailableError,
}


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_every_failure_of_a_write_is_a_chainfix_error(
    client: GarminConnect, fake: FakeGarminConnect, kind: str
) -> None:
    fake.inject(kind, method="POST", times=2)  # type: ignore[arg-type]
    with pytest.raises(EXPECTED[kind]) as info:
        client.upload_workout(PAYLOAD)
    assert "while uploading workout 't'" in info.value.message
    assert info.value.hint
    if kind == "lost_response":
        assert len(fake.workouts) == 1  # done on the server, the answer never came


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_every_failure_of_a_read_is_a_chainfix_error(
    client: GarminConnect, fake: FakeGarminConnect, kind: str
) -> None:
    fake.inject(kind, method="GET", times=2)  # type: ignore[arg-type]
    with pytest.raises(EXPECTED[kind]):
        client.list_workouts()


def test_a_dropped_connection_is_a_plain_requests_error_inside_garminconnect(
    client: GarminConnect, fake: FakeGarminConnect
) -> None:
    """On writes garminconnect does not wrap network errors: the adapter must catch them."""
    fake.inject("drop", method="POST")
    with pytest.raises(GarminUnavailableError) as info:
        client.schedule_workout(1, date(2026, 1, 1))
    assert isinstance(info.value.__cause__, requests.ConnectionError)
    assert "the connection was dropped" in info.value.message
    assert "resumes" in info.value.hint


def test_429_on_a_write_is_not_retried(client: GarminConnect, fake: FakeGarminConnect) -> None:
    fake.inject("429", method="POST", times=5)
    with pytest.raises(GarminRateLimitError):
        client.upload_workout(PAYLOAD)
    assert len(fake.calls_to("POST")) == 1


def test_refused_workout_reports_garmins_reason(client: GarminConnect) -> None:
    bad = json.loads(json.dumps(PAYLOAD))
    bad["workoutSegments"][0]["workoutSteps"] = [
        {"type": "ExecutableStepDTO", "stepType": {"stepTypeId": 3}, "category": "UNASSIGNED"}
    ]
    with pytest.raises(DeliveryError) as info:
        client.upload_workout(bad)
    assert type(info.value) is DeliveryError
    assert "HTTP 400: Invalid category" in info.value.message


def test_failed_reads_print_no_traceback(
    client: GarminConnect, fake: FakeGarminConnect, capfd: pytest.CaptureFixture[str]
) -> None:
    """garminconnect calls logger.exception on failed reads; nothing may reach stderr."""
    fake.inject("500", method="GET")
    with pytest.raises(GarminUnavailableError):
        client.list_workouts()
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err and captured.err == ""


def test_activities_and_original_download(client: GarminConnect, fake: FakeGarminConnect) -> None:
    fit = b"\x0e\x10fake-fit-bytes.FIT"
    old = fake.add_activity(fit, name="Old", start_local=datetime(2026, 8, 1, 7))
    new = fake.add_activity(fit + b"2", name="New", start_local=datetime(2026, 9, 2, 7))
    fake.add_activity(None, name="Run", type_key="running", start_local=datetime(2026, 9, 3, 7))
    listed = client.list_activities(date(2026, 9, 1), date(2026, 9, 30))
    assert [a["activityName"] for a in listed] == ["Run", "New"]
    assert all("activityType" in a and "startTimeLocal" in a for a in listed)
    with zipfile.ZipFile(io.BytesIO(client.download_original(new))) as archive:
        assert archive.namelist() == [f"{new}_ACTIVITY.fit"]
        assert archive.read(f"{new}_ACTIVITY.fit") == fit + b"2"
    assert old in fake.activities
    with pytest.raises(GarminNotFoundError):
        client.download_original(123)


def test_token_files_keep_their_permissions_on_a_permissive_umask(
    fake: FakeGarminConnect,
) -> None:
    folder = adapter.token_dir()
    path = fake.write_token_store(folder)
    os.chmod(path, 0o644)
    os.chmod(folder, 0o755)
    GarminConnect.from_tokens()
    assert mode(path) == 0o600 and mode(folder) == 0o700


def test_without_the_api_url_the_real_garmin_is_used_and_blocked_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Proves the tests would notice a call to the real Garmin Connect (and shows the URL)."""
    monkeypatch.delenv(adapter.API_URL_ENV, raising=False)
    monkeypatch.setattr(adapter, "READ_RETRIES", 0)
    FakeGarminConnect().write_token_store(adapter.token_dir())
    with pytest.raises(GarminUnavailableError):
        GarminConnect.from_tokens()
