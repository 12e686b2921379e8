"""FIT decoding for chainfix: one small interface, a fast reader and a full-decoder fallback.

``read_fit(data, origin)`` is the only entry point the rest of chainfix uses. It loads on first
use: a run that finds everything in the cache (and a module that needs only ``fit.sanity``)
never imports the readers or python-fitparse's profile.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chainfix.fit.api import FitRead, read_fit

__all__ = ["FitRead", "read_fit"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from chainfix.fit import api

        return getattr(api, name)
    raise AttributeError(f"module 'chainfix.fit' has no attribute {name!r}")
