"""The public API for chainfix plugins: everything a source plugin needs, from one module.

A plugin imports from ``chainfix.api`` (and, in its tests, from ``chainfix.testing``) and from
nothing else in chainfix; a test in chainfix's own suite fails when a plugin in ``plugins/`` does.
What is here keeps its name and signature across minor releases.

- **Declaring a source**: :class:`Source`, :data:`hookimpl`, :class:`LazyRead` (a reader that
  loads when first used), :class:`ReadOptions`, :class:`Limits`,
  the item types a source yields (:class:`Activity` with its :class:`Lap` values,
  :class:`ReadProblem`, :class:`FitBlob`).
- **Walking input safely**: :func:`walk_zip` (nested zips with size, ratio and depth limits),
  :func:`walk_folder`, :func:`gunzip_limited`.
- **FIT**: :func:`fit_file_item` hands a FIT file to chainfix's parallel, cached reader;
  :func:`read_fit` decodes FIT bytes in place. :func:`file_blob` hands any file to a decoder
  of the plugin's own (``"module:function"`` returning a :class:`FitRead`), run in the same
  worker pool and cached the same way.
- **The part cache**: a source that yields :class:`Container` parts with :class:`PortableLoad`
  loaders gets parallel decoding and caching per part (see ``docs/plugins.md``); wrap its read
  function in :class:`PartsReader` so that only chainfix's engine sees the marks.
- **Where to keep things**: :func:`user_dir`, :func:`library_dir`, :func:`write_atomic`.
- **Garmin Connect**: :class:`GarminConnect` (needs the ``garmin`` extra).

Every name loads on first use: importing this module costs nothing until a name is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chainfix.atomic import write_atomic
    from chainfix.errors import (
        ChainfixError,
        DeliveryError,
        GarminAuthError,
        GarminRateLimitError,
        GarminUnavailableError,
        MissingExtraError,
        UsageError,
    )
    from chainfix.fit.api import FitRead, read_fit
    from chainfix.garmin_client import GarminConnect, GarminNotFoundError
    from chainfix.hookspecs import hookimpl
    from chainfix.model import (
        Activity,
        ExerciseSummary,
        History,
        Lap,
        Origin,
        ProblemKind,
        ReadProblem,
        Severity,
        StrengthSet,
    )
    from chainfix.paths import library_dir, user_dir
    from chainfix.sources.archive import Member, walk_zip
    from chainfix.sources.base import (
        BlobLoadError,
        Container,
        FitBlob,
        LazyRead,
        PartsReader,
        PortableLoad,
        ReadOptions,
        Source,
        SourceItem,
    )
    from chainfix.sources.fitfiles import file_blob, fit_file_item, gunzip_limited, walk_folder
    from chainfix.sources.garmin_json import activity_types
    from chainfix.sources.limits import Limits

_HOME: dict[str, str] = {
    "write_atomic": "chainfix.atomic",
    **dict.fromkeys(
        (
            "ChainfixError",
            "DeliveryError",
            "GarminAuthError",
            "GarminRateLimitError",
            "GarminUnavailableError",
            "MissingExtraError",
            "UsageError",
        ),
        "chainfix.errors",
    ),
    "FitRead": "chainfix.fit.api",
    "read_fit": "chainfix.fit.api",
    "GarminConnect": "chainfix.garmin_client",
    "GarminNotFoundError": "chainfix.garmin_client",
    "hookimpl": "chainfix.hookspecs",
    **dict.fromkeys(
        (
            "Activity",
            "ExerciseSummary",
            "History",
            "Lap",
            "Origin",
            "ProblemKind",
            "ReadProblem",
            "Severity",
            "StrengthSet",
        ),
        "chainfix.model",
    ),
    "library_dir": "chainfix.paths",
    "user_dir": "chainfix.paths",
    **dict.fromkeys(("Member", "walk_zip"), "chainfix.sources.archive"),
    **dict.fromkeys(
        (
            "BlobLoadError",
            "Container",
            "FitBlob",
            "LazyRead",
            "PartsReader",
            "PortableLoad",
            "ReadOptions",
            "Source",
            "SourceItem",
        ),
        "chainfix.sources.base",
    ),
    **dict.fromkeys(
        ("file_blob", "fit_file_item", "gunzip_limited", "walk_folder"),
        "chainfix.sources.fitfiles",
    ),
    "activity_types": "chainfix.sources.garmin_json",
    "Limits": "chainfix.sources.limits",
}
"""Each public name -> the module that defines it. Names load on first use, so a plugin's entry
module that imports ``hookimpl`` and ``Source`` costs chainfix's start-up almost nothing (the
FIT reader, the zip walk and the Garmin client load only when a plugin uses them)."""


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use, and keep it here."""
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'chainfix.api' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


__all__ = [
    "Activity",
    "BlobLoadError",
    "ChainfixError",
    "Container",
    "DeliveryError",
    "ExerciseSummary",
    "FitBlob",
    "FitRead",
    "GarminAuthError",
    "GarminConnect",
    "GarminNotFoundError",
    "GarminRateLimitError",
    "GarminUnavailableError",
    "History",
    "Lap",
    "LazyRead",
    "Limits",
    "Member",
    "MissingExtraError",
    "Origin",
    "PartsReader",
    "PortableLoad",
    "ProblemKind",
    "ReadOptions",
    "ReadProblem",
    "Severity",
    "Source",
    "SourceItem",
    "StrengthSet",
    "UsageError",
    "activity_types",
    "file_blob",
    "fit_file_item",
    "gunzip_limited",
    "hookimpl",
    "library_dir",
    "read_fit",
    "user_dir",
    "walk_folder",
    "walk_zip",
    "write_atomic",
]
