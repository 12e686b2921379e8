"""The one thin adapter between chainfix and the ``garminconnect`` library.

Everything chainfix needs from Garmin Connect goes through :class:`GarminConnect`; nothing else in
chainfix imports ``garminconnect``. The import is lazy, so chainfix works without the optional
``garmin`` extra until a Garmin command is used (then :class:`MissingExtraError` says what to
install).

What this module guarantees:

* Tokens live in ``<user dir>/garmin/garmin_tokens.json`` (garminconnect's own token store), the
  file 0600 in a 0700 folder. The e-mail address and password are passed to garminconnect once and
  never stored or logged. After ``chainfix garmin login`` every run logs in from the tokens only.
* Every failure leaves as a :class:`~chainfix.errors.ChainfixError`: 401 →
  :class:`GarminAuthError`; 429 (which garminconnect raises on writes as a plain connection error
  carrying the status) → :class:`GarminRateLimitError`, never retried; 5xx, timeouts and dropped
  connections (``requests`` errors that garminconnect does not wrap on writes) →
  :class:`GarminUnavailableError`; 404 → :class:`GarminNotFoundError`; other refusals →
  :class:`DeliveryError`.
* ``CHAINFIX_GARMIN_API_URL`` points the client at another Connect API base URL (a local fake, a
  proxy). garminconnect has no option for that, so the adapter sets the private attributes
  ``client._connectapi`` and ``client._di_token_url``; :func:`check_internals` fails loudly when a
  garminconnect upgrade removes them (``tests/test_garmin_adapter.py`` runs it).
"""

from __future__ import annotations

import inspect
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol
from urllib.parse import urlsplit

from chainfix import install_hint
from chainfix.errors import (
    ChainfixError,
    DeliveryError,
    GarminAuthError,
    GarminRateLimitError,
    GarminUnavailableError,
    MissingExtraError,
    UsageError,
)
from chainfix.paths import GARMIN_TOKEN_FILE, garmin_dir, garmin_token_file

API_URL_ENV = "CHAINFIX_GARMIN_API_URL"
"""Environment variable: Connect API base URL to use instead of ``https://connectapi.garmin.com``."""

TOKEN_FILE = GARMIN_TOKEN_FILE
"""garminconnect's token file name inside the token folder."""

SUPPORTED = ">=0.3.20,<0.4"
INSTALL_HINT = f"Install the Garmin extra: {install_hint('garmin')}"

READ_RETRIES = 2
"""garminconnect retries of idempotent reads after a 5xx or network error (never after a 429)."""

LOGIN_HINT = "Run `chainfix garmin login`."
LOGIN_RATE_HINT = (
    "Garmin is limiting logins from this account or network. Wait an hour and try again; "
    "chainfix keeps the tokens, so you rarely need to log in."
)

_STATUS_RE = re.compile(r"(?:API Error |error \()(\d{3})\b")
_DETAIL_RE = re.compile(r"API Error \d{3} - (.{1,160})")

_REQUIRED_METHODS = (
    "login",
    "get_workouts",
    "get_workout_by_id",
    "upload_workout",
    "update_workout",
    "delete_workout",
    "schedule_workout",
    "unschedule_workout",
    "get_scheduled_workouts",
    "get_activities_by_date",
    "get_activities",
    "download_activity",
)


class GarminNotFoundError(DeliveryError):
    """Garmin Connect answered 404: the workout or calendar entry does not exist (any more)."""


class GarminClient(Protocol):
    """What the sync engine needs from Garmin Connect (implemented by :class:`GarminConnect`)."""

    def list_workouts(self) -> list[dict[str, Any]]:
        """Every workout in the library (summaries, all pages)."""
        ...

    def get_workout(self, workout_id: int) -> dict[str, Any]:
        """One workout, full JSON."""
        ...

    def upload_workout(self, payload: dict[str, Any]) -> int:
        """Create a workout; returns its new id."""
        ...

    def update_workout(self, workout_id: int, payload: dict[str, Any]) -> None:
        """Replace a workout in place (PUT); it keeps its id and calendar entries."""
        ...

    def delete_workout(self, workout_id: int) -> None:
        """Delete a workout (raises :class:`GarminNotFoundError` when already gone)."""
        ...

    def schedule_workout(self, workout_id: int, on: date) -> int | None:
        """Put a workout on the calendar; returns the schedule id."""
        ...

    def unschedule_workout(self, schedule_id: int) -> None:
        """Remove one calendar entry (raises :class:`GarminNotFoundError` when already gone)."""
        ...

    def calendar_month(self, year: int, month: int) -> list[dict[str, Any]]:
        """The calendar items Connect shows for a month (1-12); may spill into adjacent months."""
        ...


# ---------------------------------------------------------------------------------------------
# garminconnect import, internals guard, paths
# ---------------------------------------------------------------------------------------------


def import_garminconnect() -> ModuleType:
    """``garminconnect``, or :class:`MissingExtraError` telling the user what to install."""
    try:
        import garminconnect
    except ImportError as exc:
        raise MissingExtraError(
            "Garmin Connect support needs the optional 'garmin' extra (garminconnect)",
            hint=INSTALL_HINT,
        ) from exc
    # garminconnect logs tracebacks (logger.exception) on failed reads. Without a handler of its
    # own, Python's last-resort handler would print them on stderr; chainfix reports errors itself.
    gc_logger = logging.getLogger("garminconnect")
    if not any(isinstance(h, logging.NullHandler) for h in gc_logger.handlers):
        gc_logger.addHandler(logging.NullHandler())
    return garminconnect


def check_internals(garmin: Any) -> None:
    """Fail loudly when garminconnect no longer has what this adapter relies on.

    Checked: the public methods chainfix calls, ``Garmin.login(tokenstore)``,
    ``Garmin(prompt_mfa=...)`` (how the MFA prompt is passed), and the private attributes
    ``client._connectapi`` / ``client._di_token_url`` used for ``CHAINFIX_GARMIN_API_URL``.
    """
    missing: list[str] = []
    for name in _REQUIRED_METHODS:
        if not callable(getattr(garmin, name, None)):
            missing.append(f"Garmin.{name}()")
    client = getattr(garmin, "client", None)
    for attr in ("_connectapi", "_di_token_url"):
        if not isinstance(getattr(client, attr, None), str):
            missing.append(f"Garmin.client.{attr}")
    for attr in ("di_token", "di_refresh_token", "dump"):
        if not hasattr(client, attr):
            missing.append(f"Garmin.client.{attr}")
    try:
        if "tokenstore" not in inspect.signature(garmin.login).parameters:
            missing.append("Garmin.login(tokenstore)")
        if "prompt_mfa" not in inspect.signature(type(garmin).__init__).parameters:
            missing.append("Garmin(prompt_mfa=...)")
    except (TypeError, ValueError, AttributeError):
        missing.append("inspectable login signatures")
    download_format = getattr(type(garmin), "ActivityDownloadFormat", None)
    if getattr(download_format, "ORIGINAL", None) is None:
        missing.append("Garmin.ActivityDownloadFormat.ORIGINAL")
    if missing:
        raise DeliveryError(
            f"garminconnect {_gc_version()} is not compatible with chainfix: missing "
            + ", ".join(missing),
            hint=f"Install a supported version: pip install 'garminconnect{SUPPORTED}'",
        )


def _gc_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("garminconnect")
    except PackageNotFoundError:
        return "(unknown version)"


def token_dir() -> Path:
    """The token folder, ``<user dir>/garmin`` (created 0700)."""
    return garmin_dir()


def token_file(folder: Path | None = None) -> Path:
    """The token file inside ``folder`` (default :func:`token_dir`)."""
    return garmin_token_file(folder)


def has_tokens(folder: Path | None = None) -> bool:
    return token_file(folder).is_file()


def logout(folder: Path | None = None) -> bool:
    """Delete the saved tokens; ``True`` when there were some. Does not revoke them at Garmin."""
    path = token_file(folder)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise DeliveryError(f"cannot delete {path}: {exc}") from exc
    return True


def _secure(folder: Path) -> None:
    """Enforce 0700 on the token folder and 0600 on the token file."""
    try:
        os.chmod(folder, 0o700)
        path = token_file(folder)
        if path.exists():
            os.chmod(path, 0o600)
    except OSError as exc:
        raise DeliveryError(f"cannot restrict the permissions of {folder}: {exc}") from exc


def api_url(explicit: str | None = None) -> str | None:
    """The Connect API base URL override (``explicit``, else ``CHAINFIX_GARMIN_API_URL``)."""
    url = explicit or os.environ.get(API_URL_ENV) or None
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise UsageError(
            f"{API_URL_ENV} must be an http(s) base URL such as http://127.0.0.1:8080, got {url!r}"
        )
    return url.rstrip("/")


def _point_at(garmin: Any, base: str) -> None:
    garmin.client._connectapi = base
    # Token refreshes go to the same place, so a fake or proxy never leaks a call to Garmin.
    garmin.client._di_token_url = f"{base}/di-oauth2-service/oauth/token"


# ---------------------------------------------------------------------------------------------
# Error translation
# ---------------------------------------------------------------------------------------------


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 12:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _status(exc: BaseException) -> int | None:
    status = getattr(getattr(exc, "response", None), "status_code", None)
    if isinstance(status, int):
        return status
    match = _STATUS_RE.search(str(exc))
    return int(match.group(1)) if match else None


def _reason(chain: list[BaseException]) -> str:
    """A few words on a network failure, e.g. `` (connection dropped)``."""
    names = {type(e).__name__ for e in chain}
    if names & {"RemoteDisconnected", "ConnectionResetError", "ConnectionAbortedError"}:
        return " (the connection was dropped)"
    if any("Timeout" in n for n in names) or "TimeoutError" in names:
        return " (timed out)"
    if names & {"ConnectionRefusedError", "NewConnectionError", "NameResolutionError"}:
        return " (no connection)"
    return ""


def translate_error(
    exc: BaseException, what: str, *, auth_hint: str = LOGIN_HINT, rate_hint: str | None = None
) -> ChainfixError:
    """The chainfix error for an exception raised by garminconnect (or requests) while ``what``.

    The whole ``__cause__`` chain is looked at: garminconnect wraps a dropped connection or a 429
    during login in an authentication error, which must not send the user to log in again.
    """
    gc = import_garminconnect()
    if isinstance(exc, ChainfixError):
        return exc
    chain = _chain(exc)
    status = next((s for s in map(_status, chain) if s is not None), None)
    network = any(
        isinstance(e, OSError | TimeoutError) and _status(e) is None for e in chain
    )  # requests' exceptions are OSErrors
    detail_match = next((m for m in (_DETAIL_RE.search(str(e)) for e in chain) if m), None)
    detail = f": {detail_match.group(1).strip()}" if detail_match else ""

    if status == 429 or (status is None and isinstance(exc, gc.GarminConnectTooManyRequestsError)):
        err: ChainfixError = GarminRateLimitError(
            f"Garmin Connect answered 429 Too Many Requests while {what}"
        )
        if rate_hint:
            err.hint = rate_hint
        return err
    if status == 401 or (
        status is None and not network and isinstance(exc, gc.GarminConnectAuthenticationError)
    ):
        return GarminAuthError(f"Garmin Connect refused the login while {what}", hint=auth_hint)
    if status == 404:
        return GarminNotFoundError(f"Garmin Connect has no such item ({what})")
    if status is not None and status >= 500:
        return GarminUnavailableError(f"Garmin Connect failed with HTTP {status} while {what}")
    if status == 403:
        return DeliveryError(
            f"Garmin Connect answered 403 Forbidden while {what}",
            hint="Garmin sometimes blocks clients for a while; try later, or run "
            "`chainfix garmin login` again.",
        )
    if status is not None and 400 <= status < 500:
        return DeliveryError(
            f"Garmin Connect refused the request while {what} (HTTP {status}{detail})"
        )
    if network or isinstance(exc, gc.GarminConnectConnectionError):
        reason = _reason(chain)
        return GarminUnavailableError(f"could not reach Garmin Connect while {what}{reason}")
    return DeliveryError(
        f"unexpected error from garminconnect while {what}: {type(exc).__name__}",
        hint="Run `chainfix doctor` and report this with its output.",
    )


# ---------------------------------------------------------------------------------------------
# The adapter
# ---------------------------------------------------------------------------------------------


def _new_garmin(
    *,
    email: str | None = None,
    password: str | None = None,
    prompt_mfa: Callable[[], str] | None = None,
    base_url: str | None = None,
) -> Any:
    gc = import_garminconnect()
    garmin = gc.Garmin(
        email=email,
        password=password,
        prompt_mfa=prompt_mfa,
        retry_attempts=READ_RETRIES,
        retry_min_wait=1.0,
        retry_max_wait=4.0,
    )
    check_internals(garmin)
    if base_url:
        _point_at(garmin, base_url)
    return garmin


class GarminConnect:
    """A logged-in Garmin Connect session (implements :class:`GarminClient`)."""

    def __init__(self, garmin: Any, folder: Path) -> None:
        self._garmin = garmin
        self.token_dir = folder

    # -- construction -----------------------------------------------------------------------

    @classmethod
    def from_tokens(
        cls, folder: Path | None = None, *, base_url: str | None = None
    ) -> GarminConnect:
        """Log in with the saved tokens only (never with a password)."""
        folder = folder or token_dir()
        if not has_tokens(folder):
            raise GarminAuthError("not logged in to Garmin Connect (no saved tokens)")
        garmin = _new_garmin(base_url=api_url(base_url))
        try:
            garmin.login(str(folder))
        except Exception as exc:
            raise translate_error(
                exc,
                "logging in with the saved tokens",
                auth_hint="The saved Garmin login is no longer accepted. " + LOGIN_HINT,
            ) from exc
        _secure(folder)
        return cls(garmin, folder)

    @classmethod
    def login(
        cls,
        email: str,
        password: str,
        prompt_mfa: Callable[[], str],
        *,
        folder: Path | None = None,
        base_url: str | None = None,
    ) -> GarminConnect:
        """Log in with e-mail and password (``prompt_mfa`` is called if Garmin asks for a code)
        and save the tokens. Neither the e-mail nor the password is stored.

        The new login happens in a private staging folder beside the token file: the saved
        tokens are replaced (atomically) only once it has succeeded, so a failed, refused or
        interrupted ``login --force`` keeps the working login."""
        folder = folder or token_dir()
        try:
            staging = Path(tempfile.mkdtemp(prefix=".login-", dir=folder))
        except OSError as exc:
            raise DeliveryError(
                f"cannot write in the token folder {folder}: {exc.strerror}",
                hint="Check that the chainfix user folder is writable, then log in again.",
            ) from exc
        try:
            garmin = _new_garmin(
                email=email, password=password, prompt_mfa=prompt_mfa, base_url=api_url(base_url)
            )
            try:
                garmin.login(str(staging))
            except Exception as exc:
                raise translate_error(
                    exc,
                    "logging in",
                    auth_hint="Check the e-mail address, password and code, then run "
                    "`chainfix garmin login` again.",
                    rate_hint=LOGIN_RATE_HINT,
                ) from exc
            finally:
                garmin.password = None
            if not has_tokens(staging):
                raise DeliveryError(
                    f"logged in, but garminconnect did not save the tokens in {folder}",
                    hint="Check that the folder is writable, then log in again.",
                )
            os.chmod(token_file(staging), 0o600)
            os.replace(token_file(staging), token_file(folder))
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        client_state = getattr(garmin, "client", None)
        if client_state is not None and hasattr(client_state, "_tokenstore_path"):
            client_state._tokenstore_path = str(folder)  # refreshed tokens go to the real file
        _secure(folder)
        return cls(garmin, folder)

    # -- identity ---------------------------------------------------------------------------

    @property
    def display_name(self) -> str | None:
        return getattr(self._garmin, "display_name", None)

    @property
    def full_name(self) -> str | None:
        return getattr(self._garmin, "full_name", None) or None

    @property
    def base_url(self) -> str:
        return str(self._garmin.client._connectapi)

    # -- calls ------------------------------------------------------------------------------

    @contextmanager
    def _call(self, what: str) -> Iterator[None]:
        try:
            yield
        except ChainfixError:
            raise
        except Exception as exc:
            raise translate_error(exc, what) from exc

    def list_workouts(self, page_size: int = 100) -> list[dict[str, Any]]:
        workouts: list[dict[str, Any]] = []
        start = 0
        while True:
            with self._call("listing your workouts"):
                page = self._garmin.get_workouts(start, page_size)
            if not isinstance(page, list):
                raise DeliveryError("Garmin Connect sent an unexpected workout list")
            workouts.extend(w for w in page if isinstance(w, dict))
            if len(page) < page_size:
                return workouts
            start += page_size
            if start >= 50_000:
                raise DeliveryError("Garmin Connect keeps sending workout pages; giving up")

    def get_workout(self, workout_id: int) -> dict[str, Any]:
        with self._call(f"reading workout {workout_id}"):
            result = self._garmin.get_workout_by_id(workout_id)
        return result if isinstance(result, dict) else {}

    def upload_workout(self, payload: dict[str, Any]) -> int:
        with self._call(f"uploading workout {payload.get('workoutName')!r}"):
            result = self._garmin.upload_workout(payload)
        workout_id = result.get("workoutId") if isinstance(result, dict) else None
        if not isinstance(workout_id, int):
            raise GarminUnavailableError("Garmin Connect did not return the new workout's id")
        return workout_id

    def update_workout(self, workout_id: int, payload: dict[str, Any]) -> None:
        with self._call(f"updating workout {workout_id}"):
            self._garmin.update_workout(workout_id, payload)

    def delete_workout(self, workout_id: int) -> None:
        with self._call(f"deleting workout {workout_id}"):
            self._garmin.delete_workout(workout_id)

    def schedule_workout(self, workout_id: int, on: date) -> int | None:
        with self._call(f"scheduling workout {workout_id} on {on.isoformat()}"):
            result = self._garmin.schedule_workout(workout_id, on.isoformat())
        schedule_id = result.get("workoutScheduleId") if isinstance(result, dict) else None
        return schedule_id if isinstance(schedule_id, int) else None

    def unschedule_workout(self, schedule_id: int) -> None:
        with self._call(f"removing calendar entry {schedule_id}"):
            self._garmin.unschedule_workout(schedule_id)

    def calendar_month(self, year: int, month: int) -> list[dict[str, Any]]:
        with self._call(f"reading the calendar of {year}-{month:02d}"):
            result = self._garmin.get_scheduled_workouts(year, month)
        items = result.get("calendarItems") if isinstance(result, dict) else None
        return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []

    # -- activities (for source plugins) ----------------------------------------------------

    def list_activities(self, start: date, end: date | None = None) -> list[dict[str, Any]]:
        """Activity summaries between two dates (inclusive), newest first."""
        with self._call("listing your activities"):
            result = self._garmin.get_activities_by_date(
                start.isoformat(), end.isoformat() if end else None
            )
        return [a for a in result if isinstance(a, dict)] if isinstance(result, list) else []

    def list_activity_page(self, start: int, limit: int = 100) -> list[dict[str, Any]]:
        """One page of activity summaries, newest first, so a caller can pace its requests."""
        with self._call("listing your activities"):
            result = self._garmin.get_activities(start, limit)
        return [a for a in result if isinstance(a, dict)] if isinstance(result, list) else []

    def download_original(self, activity_id: int) -> bytes:
        """The original upload of an activity: a zip holding ``<activityId>_ACTIVITY.fit``."""
        fmt = type(self._garmin).ActivityDownloadFormat.ORIGINAL
        with self._call(f"downloading activity {activity_id}"):
            data = self._garmin.download_activity(activity_id, dl_fmt=fmt)
        if not isinstance(data, bytes | bytearray):
            raise DeliveryError(f"Garmin Connect sent no file for activity {activity_id}")
        return bytes(data)
