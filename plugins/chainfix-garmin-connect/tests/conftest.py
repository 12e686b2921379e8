"""Shared fixtures: an isolated chainfix home, no network, a fake Garmin Connect with activities.

Every test runs with ``CHAINFIX_HOME`` in a fresh temporary folder and with every connection
outside 127.0.0.1 refused; Garmin Connect is chainfix's own fake (a real HTTP server on
127.0.0.1 driven through the real garminconnect client).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import chainfix.garmin_client as adapter
import pytest
from chainfix import plugins
from chainfix.testing.fake_garmin import FakeGarminConnect, localhost_only
from chainfix_synth.fitfiles import activity_fit
from chainfix_synth.personas import PlannedActivity, runner

from chainfix_garmin_connect import pull as pull_module

TYPE_KEYS = {
    ("running", "generic"): ("running", 1, 17),
    ("running", "trail"): ("trail_running", 6, 1),
    ("training", "strength_training"): ("strength_training", 13, 29),
    ("cycling", "generic"): ("cycling", 2, 17),
}
"""FIT (sport, sub_sport) → Connect (typeKey, typeId, parentTypeId)."""


@pytest.fixture(autouse=True)
def _isolated(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """A fresh chainfix home, the plugin loaded, no read retries, no network, no real sleeps."""
    monkeypatch.setenv("CHAINFIX_HOME", str(tmp_path_factory.mktemp("chainfix-home")))
    monkeypatch.delenv("CHAINFIX_LOAD_PLUGINS", raising=False)
    monkeypatch.delenv(adapter.API_URL_ENV, raising=False)
    monkeypatch.setattr(adapter, "READ_RETRIES", 0)  # each injected fault reaches the pull
    monkeypatch.setattr(pull_module, "_sleep", lambda seconds: None)
    plugins.reset()
    with localhost_only():
        yield


@pytest.fixture(scope="session")
def persona_activities() -> list[PlannedActivity]:
    """Three weeks of the synthetic runner: 15 activities (runs and strength sessions)."""
    return runner(weeks=3).activities


@pytest.fixture(scope="session")
def fit_files(persona_activities: list[PlannedActivity]) -> list[bytes]:
    """The FIT file of each persona activity (built once per session)."""
    return [activity_fit(p) for p in persona_activities]


def api_summary(planned: PlannedActivity, **extra: Any) -> dict[str, Any]:
    """An activity-list item as Connect's API sends it: seconds, metres, GMT and local strings."""
    type_key, type_id, parent = TYPE_KEYS[(planned.sport, planned.sub_sport)]
    local = planned.start_utc + timedelta(seconds=planned.utc_offset_s)
    summary: dict[str, Any] = {
        "activityName": planned.name,
        "startTimeLocal": local.strftime("%Y-%m-%d %H:%M:%S"),
        "startTimeGMT": planned.start_utc.strftime("%Y-%m-%d %H:%M:%S"),
        "activityType": {"typeId": type_id, "typeKey": type_key, "parentTypeId": parent},
        "eventType": {"typeId": 9, "typeKey": "uncategorized", "sortOrder": 10},
        "distance": planned.distance_m if planned.distance_m is not None else 0.0,
        "duration": float(planned.timer_s),
        "elapsedDuration": float(planned.elapsed_s),
        "movingDuration": float(planned.timer_s),
        "averageHR": float(planned.avg_hr) if planned.avg_hr else None,
        "maxHR": float(planned.max_hr) if planned.max_hr else None,
        "beginTimestamp": int(planned.start_utc.timestamp() * 1000),
        "manualActivity": False,
        "parent": False,
        "manufacturer": "GARMIN",
    }
    summary.update(extra)
    return summary


class Account:
    """A fake Garmin Connect account, logged in (tokens in the chainfix home)."""

    def __init__(self, fake: FakeGarminConnect) -> None:
        self.fake = fake
        self.seeded: dict[int, PlannedActivity] = {}
        self.fits: dict[int, bytes] = {}

    def add(self, planned: PlannedActivity, fit: bytes | None, **extra: Any) -> int:
        """Seed one activity (``fit=None``: no original file, as for a manual entry)."""
        activity_id = self.fake.add_activity(fit, summary=api_summary(planned, **extra))
        self.seeded[activity_id] = planned
        if fit is not None:
            self.fits[activity_id] = fit
        return activity_id

    def downloads(self) -> list[int]:
        """Activity ids of the downloads the fake answered with a file (HTTP 200)."""
        return [
            int(c.path.rsplit("/", 1)[1])
            for c in self.fake.calls_to("GET", r"/download-service/files/activity/")
            if c.status == 200
        ]

    def download_requests(self) -> int:
        return len(self.fake.calls_to("GET", r"/download-service/"))


@pytest.fixture
def account(monkeypatch: pytest.MonkeyPatch) -> Iterator[Account]:
    """A running fake, ``CHAINFIX_GARMIN_API_URL`` pointing at it, and saved tokens."""
    with FakeGarminConnect() as fake:
        monkeypatch.setenv(adapter.API_URL_ENV, fake.url)
        fake.write_token_store(adapter.token_dir())
        yield Account(fake)


@pytest.fixture
def library(tmp_path: Path) -> Path:
    return tmp_path / "library"
