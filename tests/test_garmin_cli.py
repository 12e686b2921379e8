"""``chainfix garmin login | status | logout`` with click's CliRunner against the fake."""

from __future__ import annotations

import json
import stat
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

import chainfix.garmin_client as adapter
from chainfix.cli import garmin as garmin_cli
from chainfix.testing.fake_garmin import FakeGarminConnect, localhost_only
from tests.garmin_support import root_with

garminconnect = pytest.importorskip("garminconnect")


@pytest.fixture(autouse=True)
def _offline() -> Iterator[None]:
    """Nothing in this module may reach beyond 127.0.0.1."""
    with localhost_only():
        yield


EMAIL = "runner@example.org"
PASSWORD = "s3cret-Pa55word-that-must-not-leak"


@pytest.fixture
def cli() -> click.Group:
    return root_with(garmin_cli.register)


def run(cli: click.Group, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input)


def sso(fake: FakeGarminConnect, calls: list[dict[str, Any]]) -> Callable[..., tuple[None, None]]:
    """garminconnect's SSO strategy chain (``Client.login``) replaced, and only that."""

    def login(
        self: Any,
        email: str,
        password: str,
        prompt_mfa: Callable[[], str] | None = None,
        return_on_mfa: bool = False,
    ) -> tuple[None, None]:
        call: dict[str, Any] = {"email": email, "password": password}
        calls.append(call)
        if (email, password) != (EMAIL, PASSWORD):
            raise garminconnect.GarminConnectAuthenticationError("Invalid username or password")
        assert prompt_mfa is not None
        call["code"] = prompt_mfa()
        if call["code"] != "654321":
            raise garminconnect.GarminConnectAuthenticationError("MFA verification failed")
        self.di_token, _ = fake.issue_token()
        self.di_refresh_token = None
        self.di_client_id = None
        return None, None

    return login


def test_login_prompts_for_email_password_and_mfa_and_keeps_only_tokens(
    cli: click.Group,
    fake: FakeGarminConnect,
    monkeypatch: pytest.MonkeyPatch,
    _isolated_home: Path,
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(garminconnect.client.Client, "login", sso(fake, calls))
    result = run(cli, "garmin", "login", input=f"{EMAIL}\n{PASSWORD}\n654321\n")
    assert result.exit_code == 0, result.output
    assert calls == [{"email": EMAIL, "password": PASSWORD, "code": "654321"}]
    assert "Garmin Connect e-mail:" in result.output
    assert "Garmin Connect password:" in result.output
    assert "Code from Garmin (MFA):" in result.output
    assert "Logged in to Garmin Connect as fake-athlete." in result.output
    assert "password were not saved" in result.output
    assert PASSWORD not in result.output  # hidden input is not echoed

    token_file = _isolated_home / "garmin" / "garmin_tokens.json"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(token_file.parent.stat().st_mode) == 0o700
    for path in _isolated_home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert PASSWORD.encode() not in data, path
            assert EMAIL.encode() not in data, path

    # the next login finds the saved tokens and asks for nothing
    monkeypatch.setattr(garminconnect.client.Client, "login", _must_not_be_called)
    again = run(cli, "garmin", "login")
    assert again.exit_code == 0, again.output
    assert "Already logged in to Garmin Connect as fake-athlete" in again.output


def _must_not_be_called(*args: Any, **kwargs: Any) -> None:
    raise AssertionError("the credential login was used although tokens are saved")


def test_login_force_logs_in_again(
    cli: click.Group, fake: FakeGarminConnect, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.write_token_store(adapter.token_dir())
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(garminconnect.client.Client, "login", sso(fake, calls))
    result = run(cli, "garmin", "login", "--force", input=f"{EMAIL}\n{PASSWORD}\n654321\n")
    assert result.exit_code == 0, result.output
    assert len(calls) == 1


def test_rejected_saved_login_asks_for_credentials(
    cli: click.Group, fake: FakeGarminConnect, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.write_token_store(adapter.token_dir(), token="revoked-token")
    fake.valid_tokens.discard("revoked-token")
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(garminconnect.client.Client, "login", sso(fake, calls))
    result = run(cli, "garmin", "login", input=f"{EMAIL}\n{PASSWORD}\n654321\n")
    assert result.exit_code == 0, result.output
    assert "no longer accepted" in result.output
    assert len(calls) == 1


def test_wrong_password_is_one_line_and_a_hint(
    cli: click.Group, fake: FakeGarminConnect, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(garminconnect.client.Client, "login", sso(fake, calls))
    result = run(cli, "garmin", "login", input=f"{EMAIL}\nnot-it\n")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[-2] == "Error: Garmin Connect refused the login while logging in"
    assert lines[-1].startswith("Check the e-mail address, password and code")
    assert "Traceback" not in result.output and "not-it" not in result.output
    assert not adapter.has_tokens()


def test_wrong_mfa_code_is_refused(
    cli: click.Group, fake: FakeGarminConnect, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(garminconnect.client.Client, "login", sso(fake, calls))
    result = run(cli, "garmin", "login", input=f"{EMAIL}\n{PASSWORD}\n000000\n")
    assert result.exit_code == 1
    assert "refused the login" in result.output and not adapter.has_tokens()


def test_login_when_garmin_is_unreachable(
    cli: click.Group, fake: FakeGarminConnect, monkeypatch: pytest.MonkeyPatch
) -> None:
    def exhausted(*args: Any, **kwargs: Any) -> None:
        raise garminconnect.GarminConnectConnectionError(
            "All login strategies exhausted: ConnectionError"
        )

    monkeypatch.setattr(garminconnect.client.Client, "login", exhausted)
    result = run(cli, "garmin", "login", input=f"{EMAIL}\n{PASSWORD}\n")
    assert result.exit_code == 1
    assert "Error: could not reach Garmin Connect while logging in" in result.output
    assert "Traceback" not in result.output


def test_status(cli: click.Group, fake: FakeGarminConnect) -> None:
    missing = run(cli, "garmin", "status")
    assert missing.exit_code == 1
    assert "Error: not logged in to Garmin Connect" in missing.output
    assert "Run `chainfix garmin login`." in missing.output

    fake.write_token_store(adapter.token_dir())
    result = run(cli, "garmin", "status")
    assert result.exit_code == 0, result.output
    assert "Logged in to Garmin Connect as fake-athlete." in result.output
    assert "(mode 0600)" in result.output
    data = json.loads(run(cli, "garmin", "status", "--json").output)
    assert data["logged_in"] is True and data["token_file_mode"] == "0600"
    assert data["api_url"] == fake.url

    fake.revoke_tokens()
    rejected = run(cli, "garmin", "status")
    assert rejected.exit_code == 1
    assert "no longer accepted" in rejected.output and "Traceback" not in rejected.output


def test_logout(cli: click.Group, fake: FakeGarminConnect) -> None:
    path = fake.write_token_store(adapter.token_dir())
    result = run(cli, "garmin", "logout")
    assert result.exit_code == 0
    assert f"Logged out: deleted {path}." in result.output
    assert not path.exists()
    assert "Not logged in" in run(cli, "garmin", "logout").output


def test_missing_extra_is_reported_before_any_prompt(
    cli: click.Group, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "garminconnect", None)
    result = run(cli, "garmin", "login")
    assert result.exit_code == 1
    assert "pip install 'chainfix-cli[garmin]'" in result.output
    assert "e-mail" not in result.output


@pytest.mark.parametrize("command", [[], ["login"], ["status"], ["logout"]])
def test_every_command_has_help(cli: click.Group, command: list[str]) -> None:
    result = run(cli, "garmin", *command, "--help")
    assert result.exit_code == 0 and "Usage:" in result.output
