"""Test support shared by the Garmin Connect and sync tests (loaded as a pytest plugin).

``fake``: chainfix's local fake Garmin Connect, with the adapter pointed at it and read retries
off. ``root_with(register)``: a throw-away root command group carrying one CLI module, set up
like the real root (``-h``/``--help``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import click
import pytest

from chainfix.testing.fake_garmin import FakeGarminConnect


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGarminConnect]:
    import chainfix.garmin_client as adapter

    monkeypatch.setattr(adapter, "READ_RETRIES", 0)
    with FakeGarminConnect() as server:
        monkeypatch.setenv(adapter.API_URL_ENV, server.url)
        yield server


def root_with(register: Callable[[click.Group], None]) -> click.Group:
    """A root group holding the commands that ``register`` adds, with the real root's settings."""

    from chainfix.cli import ChainfixGroup

    @click.group(cls=ChainfixGroup, context_settings={"help_option_names": ["-h", "--help"]})
    def root() -> None:
        """chainfix (test root)"""

    register(root)
    return root
