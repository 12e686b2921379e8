"""The FIT reading interface: ``read_fit`` tries the fast reader, then the full decoder."""

from __future__ import annotations

from dataclasses import dataclass, field

from chainfix.fit.activities import build
from chainfix.fit.decoded import Decoded
from chainfix.fit.fast import decode_fast
from chainfix.fit.rebuild import needs_recovery
from chainfix.model import Activity, Origin, ReadProblem


@dataclass(slots=True)
class FitRead:
    """What one FIT file gave: its activities (one per session) and problems."""

    activities: list[Activity] = field(default_factory=list)
    problems: list[ReadProblem] = field(default_factory=list)
    file_type: str | None = None
    """FIT ``file_id.type`` name (``activity``, ``monitoring_b``, ``workout`` ...)."""
    reader: str = "fast"
    """Which decoder produced the result: ``fast`` or ``full``."""


def read_fit(data: bytes, origin: Origin, source: str = "fit") -> FitRead:
    """Decode one FIT file (possibly chained) into Activities and ReadProblems. Never raises.

    The fast reader handles plainly valid files; any anomaly (bad CRC, truncation, undefined local
    message, unknown base type, odd definition ...) hands the whole file to the full decoder, so
    the result never depends on which one read it. ``FitRead.reader`` says which did.
    """
    try:
        if not data:
            return FitRead(
                problems=[
                    ReadProblem(origin.path, origin.member, "empty", "The file is empty (0 bytes).")
                ]
            )
        data = bytes(data)
        reader = "fast"
        try:
            decoded = decode_fast(data)
        except Exception:  # any doubt at all: the full decoder decides
            decoded, reader = _decode_full(data), "full"
        if needs_recovery(decoded):  # no session: read laps and records to rebuild it
            try:
                if reader != "fast":
                    raise LookupError("the full decoder read it")
                decoded = decode_fast(data, recovery=True)
            except Exception:  # e.g. records behind compressed timestamps: the full decoder
                decoded, reader = _decode_full(data, recovery=True), "full"
        built = build(decoded, origin, source)
        return FitRead(built.activities, built.problems, built.file_type, reader)
    except Exception as exc:  # the contract: never raise
        message = f"The FIT reader failed unexpectedly ({type(exc).__name__}: {exc})."
        return FitRead(
            problems=[ReadProblem(origin.path, origin.member, "corrupt", message)], reader="full"
        )


def _decode_full(data: bytes, recovery: bool = False) -> Decoded:
    """The full decoder (python-fitparse), imported the first time a file needs it: a plainly
    valid file never does."""
    from chainfix.fit.full import decode_full

    return decode_full(data, recovery=recovery)
