"""FIT decoding for chainfix: one small interface, a fast reader and a full-decoder fallback.

``read_fit(data, origin)`` is the only entry point the rest of chainfix uses.
"""

from chainfix.fit.api import FitRead, read_fit

__all__ = ["FitRead", "read_fit"]
