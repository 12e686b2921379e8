"""The safety limits every archive is read under (options of every history command)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    """Safety limits for archives (see ``chainfix analyze --help``)."""

    max_member_bytes: int = 512 * 1024**2
    """Largest uncompressed archive member."""
    max_total_bytes: int = 20 * 1024**3
    """Largest total uncompressed size of one archive, nested archives included."""
    max_ratio: float = 200.0
    """Largest compression ratio of a member (zip bombs compress 1000:1 and more)."""
    max_depth: int = 4
    """Deepest archive nesting (a Garmin export nests three levels)."""
    max_members: int = 200_000
    """Most members in one archive."""
