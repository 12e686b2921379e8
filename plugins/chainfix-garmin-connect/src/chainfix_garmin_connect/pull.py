"""Pull activities from Garmin Connect into the local library: incremental, paced, resumable.

How a pull goes (:func:`pull`):

1. Connect's activity list is read newest first, one page of :data:`PAGE_SIZE` at a time, down to
   the *floor*: :data:`LOOKBACK_DAYS` before the newest activity of the last complete pull (so an
   activity the watch synced a few days late is still found), or ``--since``, or everything on a
   first pull.
2. Each listed activity that is not complete in the library is stored: its original FIT file
   (``download_original``, a zip holding ``<id>_ACTIVITY.fit``) and then its summary. Manual
   entries (``manualActivity``) and activities Connect has no original for keep their summary only;
   an original that is not FIT (an uploaded GPX or TCX) is noted and its summary kept.
3. Every request waits until ``pace_s`` seconds have passed since the previous one ended. The first
   error stops the pull at once: a 429 is never retried, and neither is anything else (chainfix's
   adapter lets garminconnect retry a failed *read* up to twice on 5xx or a dropped connection,
   never on 429). What was stored stays; the next pull lists again from the same floor, skips what
   is complete and goes on from there.
4. After a complete pull the newest activity's local day becomes the cursor, in
   ``<user dir>/garmin-connect/state.json`` (written atomically, one entry per library folder).

Nothing is ever downloaded twice: an activity whose summary file exists is complete and skipped
without a request; a FIT file already on disk is never fetched again (a crash between the FIT file
and its summary is finished without a download). One pull at a time (a lock file beside the state).
"""

from __future__ import annotations

import io
import json
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from chainfix.api import (
    ChainfixError,
    DeliveryError,
    GarminAuthError,
    GarminConnect,
    GarminNotFoundError,
    GarminRateLimitError,
    GarminUnavailableError,
    Limits,
    UsageError,
    user_dir,
)

from chainfix_garmin_connect import DEFAULT_PACE_S
from chainfix_garmin_connect.library import Library, Original, default_library, write_atomic
from chainfix_garmin_connect.summaries import local_date_of

PAGE_SIZE = 100
"""Activities per list request (Connect allows up to 1000)."""

MAX_PAGES = 2_000
"""A list that never ends is an error, not 200,000 activities."""

LOOKBACK_DAYS = 7
"""An incremental pull lists this many days before the last pull's newest activity."""

FIRST_DAY = date(1989, 1, 1)
"""Where a first pull starts when it has to list by date (FIT's epoch year)."""

MAX_ORIGINAL_BYTES = Limits().max_member_bytes
"""The largest FIT file taken out of a downloaded zip."""

STATE_VERSION = 1

_sleep: Callable[[float], None] = time.sleep
_clock: Callable[[], float] = time.monotonic


class ActivityClient(Protocol):
    """What a pull needs from Garmin Connect (:class:`chainfix.garmin_client.GarminConnect`)."""

    @property
    def display_name(self) -> str | None: ...

    def list_activities(self, start: date, end: date | None = None) -> list[dict[str, Any]]: ...

    def download_original(self, activity_id: int) -> bytes: ...


StoredCallback = Callable[[int, str | None, str], None]
"""Called after each activity is stored: ``(activity_id, local day, "fit" | "summary")``."""


# ---------------------------------------------------------------------------------------------
# Report, pacing, state, lock
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class PullReport:
    """What a pull did. ``error`` is the error that stopped it (None when it completed)."""

    library: Path
    account: str | None = None
    floor: date | None = None
    """The oldest local day listed (None: everything)."""
    pages: int = 0
    """List requests made."""
    listed: int = 0
    """Activities listed on or after the floor."""
    downloaded: list[int] = field(default_factory=list)
    """Activities whose FIT file was downloaded by this pull."""
    summary_only: list[int] = field(default_factory=list)
    """Activities stored by this pull with their summary alone (no FIT file at Connect)."""
    finished: list[int] = field(default_factory=list)
    """Activities whose FIT file an interrupted pull had stored; this one added the summary."""
    already: int = 0
    """Listed activities that were complete in the library already."""
    notes: list[str] = field(default_factory=list)
    error: ChainfixError | None = None

    @property
    def complete(self) -> bool:
        return self.error is None

    @property
    def new(self) -> int:
        """Activities that became complete in the library during this pull."""
        return len(self.downloaded) + len(self.summary_only) + len(self.finished)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (``chainfix garmin pull --json``)."""
        error = None
        if self.error is not None:
            error = {
                "type": type(self.error).__name__,
                "message": self.error.message,
                "hint": self.error.hint or None,
            }
        return {
            "library": str(self.library),
            "account": self.account,
            "since": self.floor.isoformat() if self.floor else None,
            "complete": self.complete,
            "list_requests": self.pages,
            "listed": self.listed,
            "downloaded": self.downloaded,
            "summary_only": self.summary_only,
            "finished": self.finished,
            "already_in_library": self.already,
            "notes": self.notes,
            "error": error,
        }


class Pacer:
    """Keeps at least ``interval`` seconds between the end of one request and the next."""

    def __init__(self, interval: float) -> None:
        self.interval = max(0.0, interval)
        self._last_end: float | None = None

    @contextmanager
    def request(self) -> Iterator[None]:
        if self._last_end is not None:
            wait = self.interval - (_clock() - self._last_end)
            if wait > 0:
                _sleep(wait)
        try:
            yield
        finally:
            self._last_end = _clock()


def state_file() -> Path:
    """``<user dir>/garmin-connect/state.json``: the cursor of each library."""
    return user_dir() / "garmin-connect" / "state.json"


def load_state(path: Path) -> dict[str, Any]:
    """The state document; an empty one when missing or unreadable (a full listing is safe)."""
    try:
        doc = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {"version": STATE_VERSION, "libraries": {}}
    if not isinstance(doc, dict) or not isinstance(doc.get("libraries"), dict):
        return {"version": STATE_VERSION, "libraries": {}}
    return doc


def _cursor(entry: Any) -> date | None:
    raw = entry.get("cursor") if isinstance(entry, dict) else None
    try:
        return date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


@contextmanager
def pull_lock(folder: Path) -> Iterator[None]:
    """Hold ``folder/pull.lock`` for the duration (POSIX ``flock``; no lock where unavailable)."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle = open(folder / "pull.lock", "a+b")  # closed in finally
    try:
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks; atomic writes still keep files whole
            yield
            return
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            raise UsageError(
                "another `chainfix garmin pull` is running",
                hint="Wait for it to finish, then run the command again.",
            ) from exc
        yield
    finally:
        handle.close()


# ---------------------------------------------------------------------------------------------
# Listing and downloads
# ---------------------------------------------------------------------------------------------


def page_lister(client: Any) -> Callable[[int, int], list[dict[str, Any]]] | None:
    """A function listing one page of activities (newest first), or None when unavailable.

    chainfix's adapter has ``list_activities(start, end)``, which pages through Connect by 20
    without pauses inside one call. Paced paging needs garminconnect's ``get_activities(start,
    limit)``: taken from a future adapter method ``list_activity_page(start, limit)`` when there
    is one, else reached through the adapter's own session and error translation
    (``client._garmin``, ``client._call``). Without either, a pull lists with
    ``list_activities`` in one call.
    """
    native = getattr(client, "list_activity_page", None)
    if callable(native):
        return native  # type: ignore[no-any-return]
    garmin = getattr(client, "_garmin", None)
    call = getattr(client, "_call", None)
    get = getattr(garmin, "get_activities", None)
    if not (callable(get) and callable(call)):
        return None

    def page(start: int, limit: int) -> list[dict[str, Any]]:
        with call("listing your activities"):
            result = get(start, limit)
        return [a for a in result if isinstance(a, dict)] if isinstance(result, list) else []

    return page


def _pages(
    client: ActivityClient, floor: date | None, pacer: Pacer, report: PullReport
) -> Iterator[list[dict[str, Any]]]:
    lister = page_lister(client)
    if lister is None:
        with pacer.request():
            items = client.list_activities(floor or FIRST_DAY)
        report.pages += 1
        yield items
        return
    start = 0
    for _ in range(MAX_PAGES):
        with pacer.request():
            page = lister(start, PAGE_SIZE)
        report.pages += 1
        yield page
        if len(page) < PAGE_SIZE:
            return
        days = [d for d in map(local_date_of, page) if d]
        if floor is not None and days and min(days) < floor.isoformat():
            return
        start += PAGE_SIZE
    raise DeliveryError("Garmin Connect keeps sending activity pages; giving up")


def is_fit(data: bytes) -> bool:
    """True when ``data`` starts with a FIT header (``.FIT`` at offset 8)."""
    return len(data) >= 12 and data[8:12] == b".FIT"


def extract_fit(
    data: bytes, activity_id: int, max_bytes: int = MAX_ORIGINAL_BYTES
) -> tuple[bytes | None, Original, str | None]:
    """The FIT file inside a downloaded original: ``(fit, "fit", None)`` or ``(None, why, note)``.

    Connect's ORIGINAL download is a zip holding ``<id>_ACTIVITY.fit``; raw FIT bytes are accepted
    as well. The member is read with a size limit, never extracted to disk.
    """
    if is_fit(data):
        if len(data) > max_bytes:
            return None, "unreadable", _big(max_bytes)
        return data, "fit", None
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return None, "unreadable", "Garmin Connect sent neither a zip nor a FIT file"
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        fits = sorted(
            (i for i in infos if i.filename.lower().endswith(".fit")),
            key=lambda i: (i.filename != f"{activity_id}_ACTIVITY.fit", i.filename),
        )
        if not fits:
            names = ", ".join(sorted(i.filename for i in infos)[:3]) or "an empty zip"
            return None, "not_fit", f"the original file at Garmin Connect is not FIT ({names})"
        info = fits[0]
        if info.file_size > max_bytes:
            return None, "unreadable", _big(max_bytes)
        try:
            with archive.open(info) as member:
                body = member.read(max_bytes + 1)
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, RuntimeError) as exc:
            return None, "unreadable", f"the downloaded zip cannot be read ({exc})"
        except NotImplementedError as exc:
            return None, "unreadable", f"the downloaded zip uses an unknown compression ({exc})"
    if len(body) > max_bytes:
        return None, "unreadable", _big(max_bytes)
    if not is_fit(body):
        return None, "unreadable", f"{info.filename} in the download is not a FIT file"
    return body, "fit", None


def _big(max_bytes: int) -> str:
    return f"the original FIT file is larger than {max_bytes:,} bytes"


def _activity_id(item: dict[str, Any]) -> int | None:
    raw = item.get("activityId")
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 < raw < 10**20:
        return None
    return raw


# ---------------------------------------------------------------------------------------------
# The pull
# ---------------------------------------------------------------------------------------------


def pull(
    client: ActivityClient,
    library: Library | Path | None = None,
    *,
    since: date | None = None,
    pace_s: float = DEFAULT_PACE_S,
    state_path: Path | None = None,
    on_stored: StoredCallback | None = None,
) -> PullReport:
    """Bring the library up to date with Garmin Connect (see the module docstring).

    Never raises for what Garmin Connect does: the first failure is ``report.error`` (with a hint
    saying what was kept), and the pull stops there. Raises :class:`UsageError` when another pull
    is running or the library belongs to another Garmin account, and :class:`DeliveryError` when
    the library cannot be created.
    """
    lib = library if isinstance(library, Library) else Library(Path(library or default_library()))
    state_path = state_path or state_file()
    with pull_lock(state_path.parent):
        account = client.display_name
        existed = lib.exists()
        recorded = lib.account() if existed else None
        if account and recorded and account != recorded:
            raise UsageError(
                f"{lib.root} holds the activities of Garmin Connect account {recorded!r}, "
                f"not of {account!r} (the account now logged in)",
                hint="Pull each account into its own folder: chainfix garmin pull --library DIR",
            )
        try:
            lib.create(account)
            lib.remove_temporary_files()
        except OSError as exc:
            raise DeliveryError(f"cannot create the library {lib.root}: {exc}") from exc
        key = str(lib.root.resolve())
        state = load_state(state_path)
        entry = state["libraries"].get(key)
        cursor = _cursor(entry) if existed else None
        floor = since or (cursor - timedelta(days=LOOKBACK_DAYS) if cursor else None)
        report = PullReport(library=lib.root, account=account, floor=floor)
        newest: str | None = None
        try:
            newest = _run(client, lib, floor, Pacer(pace_s), report, on_stored)
        except ChainfixError as exc:
            report.error = exc
        except OSError as exc:
            report.error = DeliveryError(f"cannot write to the library {lib.root}: {exc}")
        if report.error is not None:
            report.error = _with_pull_hint(report.error, report, pace_s)
        new_cursor = cursor
        if report.complete and newest is not None:
            newest_day = date.fromisoformat(newest)
            new_cursor = max(cursor, newest_day) if cursor else newest_day
        state["version"] = STATE_VERSION
        state["libraries"][key] = {
            "cursor": new_cursor.isoformat() if new_cursor else None,
            "account": account,
            "last_pull": datetime.now(UTC).isoformat(timespec="seconds"),
            "last_result": "complete"
            if report.complete
            else f"stopped: {report.error.message if report.error else ''}",
        }
        try:
            write_atomic(state_path, (json.dumps(state, indent=1) + "\n").encode("utf-8"))
        except OSError as exc:
            report.notes.append(f"could not save the pull state in {state_path}: {exc}")
        return report


def _run(
    client: ActivityClient,
    lib: Library,
    floor: date | None,
    pacer: Pacer,
    report: PullReport,
    on_stored: StoredCallback | None,
) -> str | None:
    """List and store; returns the newest local day listed. Raises the first error."""
    seen: set[int] = set()
    newest: str | None = None
    floor_day = floor.isoformat() if floor else None
    # a wrongly dated activity (a watch whose clock said 2099) must not move the cursor past today
    horizon = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    for page in _pages(client, floor, pacer, report):
        for item in page:
            activity_id = _activity_id(item)
            if activity_id is None:
                report.notes.append("Garmin Connect listed an activity without an id; skipped")
                continue
            if activity_id in seen:  # pages shift when an activity is added meanwhile
                continue
            seen.add(activity_id)
            day = local_date_of(item)
            if floor_day and day and day < floor_day:
                continue
            report.listed += 1
            if day and day <= horizon and (newest is None or day > newest):
                newest = day
            if lib.is_complete(activity_id):
                report.already += 1
                continue
            what = _store(client, lib, activity_id, item, pacer, report)
            if on_stored is not None:
                on_stored(activity_id, day, what)
    return newest


def _store(
    client: ActivityClient,
    lib: Library,
    activity_id: int,
    item: dict[str, Any],
    pacer: Pacer,
    report: PullReport,
) -> str:
    """Store one activity; returns ``"fit"`` or ``"summary"``. Raises on the first error."""
    if lib.has_fit(activity_id):  # an interrupted pull stored the FIT file, not yet its summary
        lib.store_summary(activity_id, item, "fit")
        report.finished.append(activity_id)
        return "fit"
    if item.get("manualActivity") is True:
        lib.store_summary(activity_id, item, "none", "a manual entry: there is no file")
        report.summary_only.append(activity_id)
        return "summary"
    try:
        with pacer.request():
            data = client.download_original(activity_id)
    except GarminNotFoundError:
        lib.store_summary(activity_id, item, "none", "Garmin Connect has no original file")
        report.summary_only.append(activity_id)
        return "summary"
    fit, original, note = extract_fit(data, activity_id)
    if fit is None:
        lib.store_summary(activity_id, item, original, note)
        report.summary_only.append(activity_id)
        report.notes.append(f"activity {activity_id}: {note}; its summary is kept")
        return "summary"
    lib.store_fit(activity_id, fit)
    lib.store_summary(activity_id, item, "fit")
    report.downloaded.append(activity_id)
    return "fit"


def _with_pull_hint(error: ChainfixError, report: PullReport, pace_s: float) -> ChainfixError:
    """The same error, with a hint on what to do and what was kept."""
    count = report.new
    kept = (
        f"The {count} activit{'y' if count == 1 else 'ies'} this pull stored "
        f"{'is' if count == 1 else 'are'} kept in {report.library}; the next pull continues "
        "where this one stopped and downloads nothing twice."
        if count
        else "The next pull starts again where this one stopped."
    )
    if isinstance(error, GarminRateLimitError):
        hint = (
            "Garmin Connect is limiting requests from this account. Wait at least an hour, then "
            f"run `chainfix garmin pull` again (it already waits {pace_s:g} s between requests; "
            "--pace sets a longer wait). " + kept
        )
    elif isinstance(error, GarminAuthError):
        hint = "Run `chainfix garmin login`, then `chainfix garmin pull` again. " + kept
    elif isinstance(error, GarminUnavailableError):
        hint = "Check your connection, then run `chainfix garmin pull` again. " + kept
    else:
        hint = f"{error.hint} {kept}".strip()
    try:
        renewed = type(error)(error.message, hint=hint)
    except TypeError:  # a subclass with another signature: keep it, change only the hint
        error.hint = hint
        return error
    renewed.__cause__ = error.__cause__ or error
    return renewed


def pull_from_garmin_connect(
    library: Path | None = None,
    *,
    since: date | None = None,
    pace_s: float = DEFAULT_PACE_S,
    on_stored: StoredCallback | None = None,
) -> PullReport:
    """Log in with the saved tokens (``chainfix garmin login``) and :func:`pull`.

    Raises :class:`GarminAuthError` (hint: run ``chainfix garmin login``) and the adapter's other
    errors when the login itself fails; nothing is stored then.
    """
    client = GarminConnect.from_tokens()
    return pull(client, library, since=since, pace_s=pace_s, on_stored=on_stored)
