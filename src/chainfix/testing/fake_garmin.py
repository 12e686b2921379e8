"""A faithful local fake of the Garmin Connect API endpoints chainfix uses.

A real HTTP server on ``127.0.0.1`` (stdlib :mod:`http.server` in a background thread, ephemeral
port),
so the real ``garminconnect`` client and its ``requests`` transport are exercised end to end —
no mocks of library internals. Shapes follow ``reference/garmin-connect.md`` §1.5, §2.5 and §6.3.

Usage::

    with FakeGarminConnect() as fake:
        fake.write_token_store(tmp / "garmin")            # a token file the fake accepts
        monkeypatch.setenv("CHAINFIX_GARMIN_API_URL", fake.url)
        client = GarminConnect.from_tokens(tmp / "garmin")
        ...
        assert len(fake.workouts) == 24

Endpoints (all relative to the base URL, all need ``Authorization: Bearer <token>`` except the
token endpoint):

* ``GET /userprofile-service/socialProfile``, ``GET /userprofile-service/userprofile/user-settings``
  (what ``Garmin.login(tokenstore)`` calls);
* ``GET /workout-service/workouts?start&limit``, ``POST /workout-service/workout``,
  ``GET|PUT|DELETE /workout-service/workout/{id}``;
* ``POST /workout-service/schedule/{workoutId}`` (``{"date": ...}``),
  ``GET|DELETE /workout-service/schedule/{scheduleId}``,
  ``GET /calendar-service/year/{y}/month/{m0}`` (0-based month; like Connect's month view it
  spills into the adjacent weeks);
* ``GET /activitylist-service/activities/search/activities`` (``start``, ``limit``, ``startDate``,
  ``endDate``, ``activityType``, ``sortOrder``), ``GET /activitylist-service/activities/count``,
  ``GET /download-service/files/activity/{id}`` (zip with ``<id>_ACTIVITY.fit``);
* ``POST /di-oauth2-service/oauth/token`` (refresh grant).

Fault injection (:meth:`FakeGarminConnect.inject`): ``"401"``, ``"429"``, ``"500"``, ``"drop"``
(the connection is closed without an answer, nothing done) and ``"lost_response"`` (the request is
carried out, then the connection is closed without an answer), aimed at a call index (every
request counts, from 0), an endpoint (method and/or path regex), or both.
"""

from __future__ import annotations

import copy
import io
import json
import re
import secrets
import socket
import threading
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

FaultKind = Literal["401", "429", "500", "drop", "lost_response"]
FAULT_KINDS: tuple[str, ...] = ("401", "429", "500", "drop", "lost_response")

DEFAULT_TOKEN = "chainfix-fake-di-token"
"""Not a JWT on purpose: garminconnect then never tries to refresh it before a call."""

CATEGORIES: frozenset[str] = frozenset(
    """BANDED_EXERCISES BATTLE_ROPE BENCH_PRESS BIKE_OUTDOOR CALF_RAISE CARDIO CARRY CHOP CORE
    CRUNCH CURL DEADLIFT ELLIPTICAL FLOOR_CLIMB FLYE HIP_RAISE HIP_STABILITY HIP_SWING
    HYPEREXTENSION INDOOR_BIKE LADDER LATERAL_RAISE LEG_CURL LEG_RAISE LUNGE OLYMPIC_LIFT PLANK
    PLYO PULL_UP PUSH_UP ROW RUN RUN_INDOOR SANDBAG SHOULDER_PRESS SHOULDER_STABILITY SHRUG
    SIT_UP SLED SLEDGE_HAMMER SQUAT STAIR_STEPPER SUSPENSION TIRE TOTAL_BODY TRICEPS_EXTENSION
    WARM_UP""".split()
)
"""The 47 Connect exercise categories; any other category is refused with HTTP 400 (§2.7)."""

_ACTIVITY_TYPES: dict[str, tuple[int, int]] = {
    "running": (1, 17),
    "cycling": (2, 17),
    "hiking": (3, 17),
    "trail_running": (6, 1),
    "walking": (9, 17),
    "strength_training": (13, 29),
    "treadmill_running": (18, 1),
    "indoor_cycling": (25, 2),
    "lap_swimming": (27, 26),
}


_LOCAL_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


@contextmanager
def localhost_only() -> Iterator[None]:
    """Refuse every name lookup and connection except to the local machine (Python sockets).

    Wrap tests in it to make sure nothing reaches the real Garmin Connect::

        @pytest.fixture(autouse=True)
        def _offline():
            with localhost_only():
                yield
    """
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0] if isinstance(address, tuple) else str(address)
            if host not in _LOCAL_HOSTS:
                raise ConnectionRefusedError(f"network blocked in tests: {address!r}")

    def connect(self: socket.socket, address: Any) -> None:
        check(self, address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(self, address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name is not None and name not in _LOCAL_HOSTS:
            raise socket.gaierror(f"name lookup blocked in tests: {name!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = getaddrinfo
    try:
        yield
    finally:
        socket.socket.connect = real_connect  # type: ignore[method-assign,assignment]
        socket.socket.connect_ex = real_connect_ex  # type: ignore[method-assign,assignment]
        socket.getaddrinfo = real_getaddrinfo


def _stamp(moment: datetime | None = None) -> str:
    """Connect's date-time format, e.g. ``2026-09-28T08:42:27.0``."""
    moment = moment or datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.0")


@dataclass
class Fault:
    """One injected failure. It hits the first ``times`` matching calls at or after ``at``."""

    kind: FaultKind
    at: int | None = None
    method: str | None = None
    path: str | None = None
    """Regular expression searched in the request path."""
    times: int = 1
    hits: int = 0

    def matches(self, index: int, method: str, path: str) -> bool:
        if self.hits >= self.times:
            return False
        if self.at is not None and index < self.at:
            return False
        if self.method is not None and self.method.upper() != method:
            return False
        return self.path is None or re.search(self.path, path) is not None


@dataclass(frozen=True)
class RecordedCall:
    """One request the fake received."""

    index: int
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    status: int | None
    """HTTP status answered; ``None`` when the connection was dropped."""
    fault: str | None = None
    applied: bool = False
    """True when the request changed the fake's state."""

    @property
    def is_write(self) -> bool:
        return self.method != "GET"


@dataclass
class _Response:
    status: int
    body: Any = None
    content_type: str = "application/json"
    applied: bool = False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10  # idle keep-alive connections end, so their threads do not linger
    disable_nagle_algorithm = True  # headers and body go out in two writes
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Silence the default stderr access log."""

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._handle("PUT")

    def do_DELETE(self) -> None:  # noqa: N802
        self._handle("DELETE")

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        self.server.fake._dispatch(self, method, parts.path, parse_qs(parts.query), raw)

    def send(self, response: _Response) -> None:
        if response.status == 204 or response.body is None:
            data = b""
        elif isinstance(response.body, bytes):
            data = response.body
        else:
            data = json.dumps(response.body).encode("utf-8")
        self.send_response(response.status)
        if data:
            self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data:
            self.wfile.write(data)

    def drop(self) -> None:
        """Close the connection without answering."""
        self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, fake: FakeGarminConnect) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake


_Route = tuple[str, re.Pattern[str], Callable[..., _Response]]


class FakeGarminConnect:
    """An in-memory Garmin Connect account behind a local HTTP server. See the module docstring.

    State is public and meant to be inspected by tests: :attr:`workouts` (id → full workout
    JSON), :attr:`schedules` (schedule id → entry), :attr:`activities` (id → summary),
    :attr:`activity_files` (id → FIT bytes), :attr:`calls` (every request).
    """

    def __init__(
        self,
        *,
        display_name: str = "fake-athlete",
        full_name: str = "Fake Athlete",
        list_descriptions: bool = True,
        calendar_spill: bool = True,
    ) -> None:
        self.display_name = display_name
        self.full_name = full_name
        self.list_descriptions = list_descriptions
        """Whether workout list items carry ``description`` (unverified on the real API)."""
        self.calendar_spill = calendar_spill
        self.owner_id = 81234567
        self.workouts: dict[int, dict[str, Any]] = {}
        self.schedules: dict[int, dict[str, Any]] = {}
        self.activities: dict[int, dict[str, Any]] = {}
        self.activity_files: dict[int, bytes] = {}
        self.valid_tokens: set[str] = {DEFAULT_TOKEN}
        self.refresh_tokens: set[str] = set()
        self.calls: list[RecordedCall] = []
        self.faults: list[Fault] = []
        self._lock = threading.RLock()
        self._counter = 0
        self._next_workout = 1_200_000_001
        self._next_schedule = 700_000_001
        self._next_step = 14_600_000_001
        self._next_activity = 21_000_000_001
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._routes: list[_Route] = [
            ("GET", re.compile(r"/userprofile-service/socialProfile"), self._social_profile),
            ("GET", re.compile(r"/userprofile-service/userprofile/user-settings"), self._settings),
            ("GET", re.compile(r"/workout-service/workouts"), self._list_workouts),
            ("POST", re.compile(r"/workout-service/workout"), self._create_workout),
            ("GET", re.compile(r"/workout-service/workout/(\d+)"), self._get_workout),
            ("PUT", re.compile(r"/workout-service/workout/(\d+)"), self._put_workout),
            ("DELETE", re.compile(r"/workout-service/workout/(\d+)"), self._delete_workout),
            ("POST", re.compile(r"/workout-service/schedule/(\d+)"), self._schedule),
            ("GET", re.compile(r"/workout-service/schedule/(\d+)"), self._get_schedule),
            ("DELETE", re.compile(r"/workout-service/schedule/(\d+)"), self._unschedule),
            ("GET", re.compile(r"/calendar-service/year/(\d{4})/month/(\d{1,2})"), self._calendar),
            (
                "GET",
                re.compile(r"/activitylist-service/activities/search/activities"),
                self._list_activities,
            ),
            ("GET", re.compile(r"/activitylist-service/activities/count"), self._count_activities),
            ("GET", re.compile(r"/download-service/files/activity/(\d+)"), self._download),
            ("POST", re.compile(r"/di-oauth2-service/oauth/token"), self._token),
        ]

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeGarminConnect:
        if self._server is None:
            self._server = _Server(self)
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.02},
                name="fake-garmin",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeGarminConnect:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:54321`` (set ``CHAINFIX_GARMIN_API_URL`` to it)."""
        if self._server is None:
            raise RuntimeError("the fake is not running (use it as a context manager)")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    # -- tokens ------------------------------------------------------------------------------

    def issue_token(self, *, refresh: bool = False) -> tuple[str, str | None]:
        """A new access token the fake accepts (and a refresh token when ``refresh``)."""
        with self._lock:
            token = "fake-" + secrets.token_hex(12)
            self.valid_tokens.add(token)
            refresh_token = "fake-refresh-" + secrets.token_hex(12) if refresh else None
            if refresh_token:
                self.refresh_tokens.add(refresh_token)
            return token, refresh_token

    def revoke_tokens(self) -> None:
        """Every token is rejected from now on (401), as after a password change."""
        with self._lock:
            self.valid_tokens.clear()
            self.refresh_tokens.clear()

    def write_token_store(self, folder: Path, token: str = DEFAULT_TOKEN) -> Path:
        """Write a ``garmin_tokens.json`` the fake accepts (0600 in a 0700 folder)."""
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        folder.chmod(0o700)
        with self._lock:
            self.valid_tokens.add(token)
        path = folder / "garmin_tokens.json"
        path.write_text(
            json.dumps({"di_token": token, "di_refresh_token": None, "di_client_id": None}),
            "utf-8",
        )
        path.chmod(0o600)
        return path

    # -- seeding -----------------------------------------------------------------------------

    def add_workout(self, payload: Mapping[str, Any]) -> int:
        """Create a workout as the user would in Connect (no HTTP call); returns its id."""
        with self._lock:
            return int(self._store_new(copy.deepcopy(dict(payload)))["workoutId"])

    def add_schedule(self, workout_id: int, on: date) -> int:
        """Put a workout on the calendar (no HTTP call); returns the schedule id."""
        with self._lock:
            return int(self._new_schedule(workout_id, on)["workoutScheduleId"])

    def add_activity(
        self,
        fit_bytes: bytes | None = None,
        *,
        summary: Mapping[str, Any] | None = None,
        activity_id: int | None = None,
        name: str = "Strength",
        type_key: str = "strength_training",
        start_local: datetime | None = None,
        duration_s: float = 1800.0,
        distance_m: float = 0.0,
    ) -> int:
        """Add an activity (summary shape of Connect's activity list) with its original FIT file.

        ``summary`` (e.g. one item of a real ``activities-1-100.json``) is used as is, with its
        ``activityId``; otherwise a summary is built from the keyword arguments. ``fit_bytes``
        is what ``download_activity(..., ORIGINAL)`` serves, zipped as ``<id>_ACTIVITY.fit``.
        """
        with self._lock:
            if summary is not None:
                item = copy.deepcopy(dict(summary))
                activity_id = int(item.get("activityId") or activity_id or self._next_activity)
            else:
                activity_id = activity_id or self._next_activity
                start = start_local or datetime(2026, 9, 1, 7, 0, 0)
                type_id, parent = _ACTIVITY_TYPES.get(type_key, (4, 4))
                item = {
                    "activityName": name,
                    "startTimeLocal": start.strftime("%Y-%m-%d %H:%M:%S"),
                    "startTimeGMT": start.strftime("%Y-%m-%d %H:%M:%S"),
                    "activityType": {
                        "typeId": type_id,
                        "typeKey": type_key,
                        "parentTypeId": parent,
                        "isHidden": False,
                        "restricted": False,
                        "trimmable": True,
                    },
                    "eventType": {"typeId": 9, "typeKey": "uncategorized", "sortOrder": 10},
                    "distance": distance_m,
                    "duration": duration_s,
                    "elapsedDuration": duration_s,
                    "movingDuration": duration_s,
                    "ownerId": self.owner_id,
                    "ownerDisplayName": self.display_name,
                    "ownerFullName": self.full_name,
                    "beginTimestamp": int(start.replace(tzinfo=UTC).timestamp() * 1000),
                    "manufacturer": "GARMIN",
                    "hasPolyline": False,
                }
            item["activityId"] = activity_id
            self._next_activity = max(self._next_activity, activity_id + 1)
            self.activities[activity_id] = item
            if fit_bytes is not None:
                self.activity_files[activity_id] = bytes(fit_bytes)
            return activity_id

    # -- faults ------------------------------------------------------------------------------

    def inject(
        self,
        kind: FaultKind,
        *,
        at: int | None = None,
        method: str | None = None,
        path: str | None = None,
        times: int = 1,
    ) -> Fault:
        """Fail the next ``times`` calls that match (call index ≥ ``at``, ``method``, ``path``).

        A 401 on a write is followed by garminconnect's one retry after a token refresh: use
        ``times=2`` to make that retry fail as well (or :meth:`revoke_tokens`).
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; choose from {FAULT_KINDS}")
        fault = Fault(kind, at, method, path, times)
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    # -- inspection --------------------------------------------------------------------------

    @property
    def call_count(self) -> int:
        """How many requests arrived so far (the next request gets this index)."""
        with self._lock:
            return self._counter

    def writes(self) -> list[RecordedCall]:
        """Every POST, PUT and DELETE received."""
        with self._lock:
            return [c for c in self.calls if c.is_write]

    def calls_to(self, method: str, path_regex: str = "") -> list[RecordedCall]:
        with self._lock:
            return [c for c in self.calls if c.method == method and re.search(path_regex, c.path)]

    def schedules_of(self, workout_id: int) -> list[date]:
        """The dates a workout is on the calendar (sorted)."""
        with self._lock:
            return sorted(
                date.fromisoformat(s["calendarDate"])
                for s in self.schedules.values()
                if s["workoutId"] == workout_id
            )

    # -- dispatch ----------------------------------------------------------------------------

    def _dispatch(
        self, handler: _Handler, method: str, path: str, query: dict[str, list[str]], raw: bytes
    ) -> None:
        body: Any
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        with self._lock:
            index = self._counter
            self._counter += 1
            fault = next((f for f in self.faults if f.matches(index, method, path)), None)
            if fault is not None:
                fault.hits += 1
            kind = fault.kind if fault else None

            def record(status: int | None, applied: bool = False) -> None:
                self.calls.append(
                    RecordedCall(index, method, path, query, body, status, kind, applied)
                )

            if kind == "drop":
                record(None)
                handler.drop()
                return
            if kind in ("401", "429", "500"):
                status = int(kind)
                message = {401: "Unauthorized", 429: "Too Many Requests", 500: "Server Error"}
                record(status)
                handler.send(_Response(status, {"message": message[status]}))
                return
            response = self._route(handler, method, path, query, body, raw)
            if kind == "lost_response":
                record(None, response.applied)
                handler.drop()
                return
            record(response.status, response.applied)
        handler.send(response)

    def _route(
        self,
        handler: _Handler,
        method: str,
        path: str,
        query: dict[str, list[str]],
        body: Any,
        raw: bytes,
    ) -> _Response:
        for route_method, pattern, action in self._routes:
            match = pattern.fullmatch(path)
            if match is None or route_method != method:
                continue
            if action != self._token:
                auth = handler.headers.get("Authorization", "")
                if not auth.startswith("Bearer ") or auth[7:] not in self.valid_tokens:
                    return _Response(401, {"message": "Token is not active"})
            try:
                return action(*match.groups(), query=query, body=body, raw=raw)
            except _BadRequest as exc:
                return _Response(400, {"message": str(exc)})
        known = any(p.fullmatch(path) for _, p, _ in self._routes)
        return _Response(405 if known else 404, {"message": "not found"})

    # -- endpoints ---------------------------------------------------------------------------

    def _social_profile(self, **_: Any) -> _Response:
        return _Response(
            200,
            {
                "id": 1,
                "profileId": self.owner_id,
                "displayName": self.display_name,
                "fullName": self.full_name,
                "userName": self.display_name,
                "userRoles": ["ROLE_CONNECTUSER"],
            },
        )

    def _settings(self, **_: Any) -> _Response:
        return _Response(
            200,
            {
                "id": self.owner_id,
                "userData": {"gender": "FEMALE", "weight": 60000.0, "measurementSystem": "metric"},
                "userSleep": {"sleepTime": 79200, "wakeTime": 23400},
            },
        )

    def _list_workouts(self, *, query: dict[str, list[str]], **_: Any) -> _Response:
        start = _int_param(query, "start", 0)
        limit = _int_param(query, "limit", 100)
        items = [self._summary(w) for _, w in sorted(self.workouts.items())]
        return _Response(200, items[start : start + limit])

    def _summary(self, workout: dict[str, Any]) -> dict[str, Any]:
        summary = {k: copy.deepcopy(v) for k, v in workout.items() if k != "workoutSegments"}
        if not self.list_descriptions:
            summary.pop("description", None)
        return summary

    def _create_workout(self, *, body: Any, **_: Any) -> _Response:
        _validate_workout(body)
        return _Response(200, copy.deepcopy(self._store_new(copy.deepcopy(body))), applied=True)

    def _store_new(self, body: dict[str, Any]) -> dict[str, Any]:
        workout_id = self._next_workout
        self._next_workout += 1
        now = _stamp()
        stored = self._stored(body, workout_id, created=now)
        self.workouts[workout_id] = stored
        return stored

    def _stored(self, body: dict[str, Any], workout_id: int, *, created: str) -> dict[str, Any]:
        stored: dict[str, Any] = {
            "workoutId": workout_id,
            "ownerId": self.owner_id,
            "workoutName": body.get("workoutName"),
            "description": body.get("description"),
            "updatedDate": _stamp(),
            "createdDate": created,
            "sportType": copy.deepcopy(body.get("sportType")),
            "subSportType": body.get("subSportType"),
            "trainingPlanId": None,
            "author": {"userProfilePk": self.owner_id, "displayName": self.display_name},
            "sharedWithUsers": None,
            "estimatedDurationInSecs": body.get("estimatedDurationInSecs", 0),
            "estimatedDistanceInMeters": None,
            "workoutSegments": copy.deepcopy(body.get("workoutSegments") or []),
        }
        for segment in stored["workoutSegments"]:
            self._assign_step_ids(segment.get("workoutSteps") or [])
        return stored

    def _assign_step_ids(self, steps: list[dict[str, Any]]) -> None:
        for step in steps:
            step["stepId"] = self._next_step
            self._next_step += 1
            self._assign_step_ids(step.get("workoutSteps") or [])

    def _get_workout(self, workout_id: str, **_: Any) -> _Response:
        workout = self.workouts.get(int(workout_id))
        if workout is None:
            return _Response(404, {"message": "Workout not found"})
        return _Response(200, copy.deepcopy(workout))

    def _put_workout(self, workout_id: str, *, body: Any, **_: Any) -> _Response:
        old = self.workouts.get(int(workout_id))
        if old is None:
            return _Response(404, {"message": "Workout not found"})
        _validate_workout(body)
        self.workouts[int(workout_id)] = self._stored(
            body, int(workout_id), created=old["createdDate"]
        )
        return _Response(204, applied=True)

    def _delete_workout(self, workout_id: str, **_: Any) -> _Response:
        if self.workouts.pop(int(workout_id), None) is None:
            return _Response(404, {"message": "Workout not found"})
        for schedule_id in [
            k for k, s in self.schedules.items() if s["workoutId"] == int(workout_id)
        ]:
            del self.schedules[schedule_id]
        return _Response(204, applied=True)

    def _schedule(self, workout_id: str, *, body: Any, **_: Any) -> _Response:
        if int(workout_id) not in self.workouts:
            return _Response(404, {"message": f"No workout found for workout = {workout_id}"})
        if not isinstance(body, dict) or not isinstance(body.get("date"), str):
            raise _BadRequest("date is required")
        try:
            on = date.fromisoformat(body["date"])
        except ValueError as exc:
            raise _BadRequest(f"invalid date {body['date']!r}") from exc
        return _Response(200, self._new_schedule(int(workout_id), on), applied=True)

    def _new_schedule(self, workout_id: int, on: date) -> dict[str, Any]:
        schedule_id = self._next_schedule
        self._next_schedule += 1
        entry = {
            "workoutScheduleId": schedule_id,
            "workoutId": workout_id,
            "calendarDate": on.isoformat(),
            "createdDate": _stamp(),
            "ownerId": self.owner_id,
        }
        self.schedules[schedule_id] = entry
        response = dict(entry)
        workout = self.workouts.get(workout_id)
        response["workout"] = self._summary(workout) if workout else None
        return response

    def _get_schedule(self, schedule_id: str, **_: Any) -> _Response:
        entry = self.schedules.get(int(schedule_id))
        if entry is None:
            return _Response(404, {"message": "schedule not found"})
        return _Response(200, copy.deepcopy(entry))

    def _unschedule(self, schedule_id: str, **_: Any) -> _Response:
        if self.schedules.pop(int(schedule_id), None) is None:
            return _Response(
                404, {"message": f"No workout found for workout schedule = {schedule_id}"}
            )
        return _Response(204, applied=True)

    def _calendar(self, year: str, month0: str, **_: Any) -> _Response:
        y, m = int(year), int(month0) + 1
        if not 1 <= m <= 12:
            raise _BadRequest("month out of range")
        first = date(y, m, 1)
        following = date(y + (m == 12), m % 12 + 1, 1)
        if self.calendar_spill:  # Connect's month grid: six weeks starting on a Sunday
            start = first - timedelta(days=(first.weekday() + 1) % 7)
            end = start + timedelta(days=42)
        else:
            start, end = first, following
        items: list[dict[str, Any]] = []
        for schedule_id, entry in sorted(self.schedules.items()):
            on = date.fromisoformat(entry["calendarDate"])
            if start <= on < end:
                workout = self.workouts.get(entry["workoutId"], {})
                items.append(
                    {
                        "id": schedule_id,
                        "groupId": None,
                        "trainingPlanId": None,
                        "itemType": "workout",
                        "activityTypeId": None,
                        "title": workout.get("workoutName"),
                        "date": on.isoformat(),
                        "workoutId": entry["workoutId"],
                        "sportTypeKey": (workout.get("sportType") or {}).get("sportTypeKey"),
                        "isRace": False,
                        "isParent": False,
                        "protectedWorkoutSchedule": False,
                    }
                )
        for activity_id, activity in sorted(self.activities.items()):
            on = date.fromisoformat(str(activity.get("startTimeLocal", ""))[:10])
            if start <= on < end:
                items.append(
                    {
                        "id": activity_id,
                        "itemType": "activity",
                        "activityTypeId": activity.get("activityType", {}).get("typeId"),
                        "title": activity.get("activityName"),
                        "date": on.isoformat(),
                        "duration": activity.get("duration"),
                        "distance": activity.get("distance"),
                    }
                )
        return _Response(
            200,
            {
                "startDayOfMonth": (first.weekday() + 1) % 7,
                "numOfDaysInMonth": (following - first).days,
                "numOfDaysInPrevMonth": (first - (first - timedelta(days=1)).replace(day=1)).days,
                "month": m - 1,
                "year": y,
                "calendarItems": items,
            },
        )

    def _list_activities(self, *, query: dict[str, list[str]], **_: Any) -> _Response:
        start = _int_param(query, "start", 0)
        limit = _int_param(query, "limit", 20)
        first = _date_param(query, "startDate")
        last = _date_param(query, "endDate")
        type_key = _str_param(query, "activityType")
        ascending = (_str_param(query, "sortOrder") or "desc").lower() == "asc"
        items = []
        for activity in self.activities.values():
            on = date.fromisoformat(str(activity.get("startTimeLocal", ""))[:10])
            if (first and on < first) or (last and on > last):
                continue
            if type_key and activity.get("activityType", {}).get("typeKey") != type_key:
                continue
            items.append(activity)
        items.sort(key=lambda a: str(a.get("startTimeLocal")), reverse=not ascending)
        return _Response(200, copy.deepcopy(items[start : start + limit]))

    def _count_activities(self, **_: Any) -> _Response:
        return _Response(200, {"totalCount": len(self.activities)})

    def _download(self, activity_id: str, **_: Any) -> _Response:
        data = self.activity_files.get(int(activity_id))
        if data is None:
            return _Response(404, {"message": "Activity not found"})
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(f"{int(activity_id)}_ACTIVITY.fit", data)
        return _Response(200, buffer.getvalue(), "application/x-zip-compressed")

    def _token(self, *, raw: bytes, **_: Any) -> _Response:
        form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
        if form.get("grant_type") != "refresh_token" or form.get("refresh_token") not in (
            self.refresh_tokens
        ):
            return _Response(400, {"error": "invalid_grant"})
        token, _unused = self.issue_token()
        return _Response(
            200,
            {
                "access_token": token,
                "refresh_token": form["refresh_token"],
                "token_type": "Bearer",
                "expires_in": 3600,
            },
            applied=True,
        )


class _BadRequest(Exception):
    """Answered as HTTP 400 with the message."""


def _str_param(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def _int_param(query: dict[str, list[str]], name: str, default: int) -> int:
    value = _str_param(query, name)
    try:
        return default if value is None else max(0, int(value))
    except ValueError as exc:
        raise _BadRequest(f"{name} must be an integer") from exc


def _date_param(query: dict[str, list[str]], name: str) -> date | None:
    value = _str_param(query, name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise _BadRequest(f"{name} must be YYYY-MM-DD") from exc


def _validate_workout(body: Any) -> None:
    """The checks Connect is documented to make (reference §2.7): HTTP 400 otherwise."""
    if not isinstance(body, dict):
        raise _BadRequest("workout JSON object expected")
    if not isinstance(body.get("workoutName"), str) or not body["workoutName"].strip():
        raise _BadRequest("workoutName is required")
    sport = body.get("sportType")
    if not isinstance(sport, dict) or not isinstance(sport.get("sportTypeId"), int):
        raise _BadRequest("sportType is required")
    segments = body.get("workoutSegments")
    if not isinstance(segments, list) or not segments:
        raise _BadRequest("workoutSegments is required")
    for segment in segments:
        if not isinstance(segment, dict) or not isinstance(segment.get("workoutSteps"), list):
            raise _BadRequest("workoutSteps is required")
        _validate_steps(segment["workoutSteps"])


def _validate_steps(steps: list[Any]) -> None:
    for step in steps:
        if not isinstance(step, dict):
            raise _BadRequest("invalid step")
        if step.get("type") == "RepeatGroupDTO":
            iterations = step.get("numberOfIterations")
            if not isinstance(iterations, int) or iterations < 1:
                raise _BadRequest("numberOfIterations must be a positive integer")
            _validate_steps(step.get("workoutSteps") or [])
        elif step.get("type") == "ExecutableStepDTO":
            category = step.get("category")
            if category is not None and category not in CATEGORIES:
                raise _BadRequest("Invalid category")
            if not isinstance(step.get("stepType"), dict):
                raise _BadRequest("stepType is required")
        else:
            raise _BadRequest(f"unknown step type {step.get('type')!r}")
