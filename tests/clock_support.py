"""Moving the read cache's idea of now forward: volatile entries are trusted within their UTC
hour only."""

from __future__ import annotations

from datetime import timedelta

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
