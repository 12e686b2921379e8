"""What a FIT decoder hands to ``activities``: the wanted messages and where decoding stopped.

Both decoders (``fast`` and ``full``) produce this same shape, with raw field values: integers
after the base type's invalid value became None, arrays as tuples, no scale, offset or enum name
applied yet. ``activities`` turns it into Activities, so the two decoders cannot disagree there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

RawFields = dict[str, Any]
"""Field name → raw value (int, float, tuple of them, or None)."""

StopKind = Literal["not_fit", "bad_header", "bad_crc", "truncated", "corrupt"]


@dataclass(frozen=True, slots=True)
class Stop:
    """Why and where decoding stopped before the end of the file."""

    kind: StopKind
    reason: str
    """A clause for the problem sentence, e.g. ``the file ends early at byte 768``."""
    offset: int | None = None


@dataclass(slots=True)
class Decoded:
    """The wanted messages of one FIT file in file order, and the stop (None when clean)."""

    messages: list[tuple[str, RawFields]] = field(default_factory=list)
    stop: Stop | None = None
    unreadable: list[str] = field(default_factory=list)
    """``message.field`` names of wanted fields left out because they held no number (declared
    as bytes, or with a size that is not a multiple of their type): one per data message."""
