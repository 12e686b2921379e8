"""chainfix's exceptions: one small hierarchy, each with a hint that says what to do next.

Library code raises these; the CLI turns them into a one-line message and a non-zero exit code.
Per-file read problems are not exceptions: sources report them as ``ReadProblem`` values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chainfix.model import History


EXIT_OK = 0
"""Everything was read."""
EXIT_FATAL = 1
"""Nothing usable, or a fatal error (one line and what to do)."""
EXIT_USAGE = 2
"""A usage error: an unknown option, a bad value, a missing path."""
EXIT_PARTIAL = 3
"""The job was done, but some files could not be read (each is listed)."""
EXIT_INTERRUPTED = 130
"""Ctrl-C (128 + SIGINT)."""


class ChainfixError(Exception):
    """Base class. ``hint`` tells the user what to do about it."""

    hint: str = ""
    exit_code: int = EXIT_FATAL
    """The command's exit code when this error ends it (README: 1 fatal, 2 usage)."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.__class__.__name__


class UsageError(ChainfixError):
    """The user asked for something that cannot work (bad path, bad option combination)."""

    exit_code = EXIT_USAGE


class NothingToReadError(ChainfixError):
    """No source could read anything usable from the given paths."""

    hint = "Point chainfix at a FIT file, a folder of FIT files or a Garmin Connect export zip."

    def __init__(
        self, message: str, hint: str | None = None, *, history: History | None = None
    ) -> None:
        super().__init__(message, hint)
        self.history = history
        """What was read (each file's problem), so the CLI can show why nothing was usable."""


class DataFileError(ChainfixError):
    """A coefficient table, catalogue or other data file is invalid (names file, row and column)."""

    hint = "Fix the named row, or remove your override file to use chainfix's built-in tables."


class ProfileError(ChainfixError):
    """The athlete profile is missing or invalid."""

    hint = "Run `chainfix profile --help` to set it."


class ProfileValueError(ProfileError):
    """A value given for the profile (a date, equipment, a pain area ...) is not one chainfix
    knows; the message names the allowed values."""

    exit_code = EXIT_USAGE


class DeliveryError(ChainfixError):
    """Writing or uploading workouts failed."""


class GarminAuthError(DeliveryError):
    """Garmin Connect refused our tokens, or there are none."""

    hint = "Run `chainfix garmin login`."


class GarminRateLimitError(DeliveryError):
    """Garmin Connect answered 429 Too Many Requests."""

    hint = (
        "Garmin Connect is rate-limiting this account. Wait at least an hour before trying again; "
        "what was already uploaded is recorded and will not be sent twice."
    )


class GarminUnavailableError(DeliveryError):
    """The network or Garmin Connect failed; the operation can be resumed."""

    hint = "Check your connection and run the same command again: it resumes where it stopped."


class MissingExtraError(ChainfixError):
    """An optional dependency is not installed."""
