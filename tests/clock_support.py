"""Results that depend on the clock: the read cache's idea of now, moved forward (volatile entries
are trusted within their UTC hour only), and an export whose result depends on it."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest


class CacheClock:
    """``chainfix.cache.store``'s clock, moved forward by ``shift``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import chainfix.cache.store

        self.shift = timedelta(0)
        real = chainfix.cache.store.datetime
        clock = self

        class Shifted(real):  # type: ignore[misc, valid-type]
            @classmethod
            def now(cls, tz=None):  # type: ignore[no-untyped-def]
                return real.now(tz) + clock.shift

        monkeypatch.setattr(chainfix.cache.store, "datetime", Shifted)


def export_with_a_future_start(path: Path) -> Path:
    """A Garmin export zip of two summaries, yesterday and in 10 days: the second is refused as
    in the future (``bad_value``), a result that a later run may not give."""
    now_ms = int(datetime.now(UTC).timestamp() * 1000)
    records = [
        {"activityId": 1, "activityType": {"typeKey": "running"}, "startTimeGmt": start}
        for start in (now_ms - 86_400_000, now_ms + 10 * 86_400_000)
    ]
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            "DI_CONNECT/DI-Connect-Fitness/a_0_summarizedActivities.json",
            json.dumps([{"summarizedActivitiesExport": records}]),
        )
    return path
