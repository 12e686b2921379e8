"""Decoding a blob's bytes: chainfix's FIT reader, or the decoder its source names.

A :class:`~chainfix.sources.base.FitBlob` whose ``decoder`` is ``"module:function"`` (a GPX or
TCX file of the chainfix-strava plugin, say) is decoded by that function, in whichever process
decodes it: the ingest engine's worker pool imports the module there. The function takes the
bytes and the blob's :class:`~chainfix.model.Origin` and returns a
:class:`~chainfix.fit.FitRead`; it reports bad input as problems in it and should not raise.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chainfix.fit import FitRead
    from chainfix.model import Origin
    from chainfix.sources.base import Source

Decoder = Callable[..., "FitRead"]
_FUNCTIONS: dict[str, Decoder] = {}


class DecoderError(Exception):
    """A named decoder that cannot be imported, raised, or returned something else."""


def decoder_function(decoder: str) -> Decoder:
    """The function ``"module:function"`` names (its module imported on first use)."""
    func = _FUNCTIONS.get(decoder)
    if func is None:
        module, _, name = decoder.partition(":")
        try:
            func = getattr(importlib.import_module(module), name or "decode")
        except (ImportError, AttributeError, ValueError) as exc:
            raise DecoderError(f"decoder {decoder!r} cannot be loaded: {exc}") from exc
        _FUNCTIONS[decoder] = func
    return func


def decoder_key(key: str, decoder: str, args: tuple[Any, ...]) -> str:
    """The cache key of a blob with a decoder: its bytes' key, the decoder, a hash of the
    decoder package's code and of its arguments (see :func:`package_fingerprint`)."""
    digest = hashlib.sha1(repr(args).encode("utf-8", "surrogateescape")).hexdigest()[:12]
    return f"{key}|{decoder}@{package_fingerprint(decoder)}:{digest}"


def decode(
    data: bytes,
    origin: Origin,
    source: str,
    decoder: str | None = None,
    args: tuple[Any, ...] = (),
) -> FitRead:
    """What one blob's bytes give. DecoderError when a named decoder fails (a ``plugin_error``
    for the engine, never cached: the next run tries again)."""
    from chainfix.fit import FitRead, read_fit

    if decoder is None:
        return read_fit(data, origin, source)
    func = decoder_function(decoder)
    try:
        result = func(data, origin, *args)
    except Exception as exc:  # noqa: BLE001 - a plugin's decoder must not stop the history
        raise DecoderError(f"decoder {decoder!r} failed: {type(exc).__name__}: {exc}") from exc
    if not isinstance(result, FitRead):
        raise DecoderError(f"decoder {decoder!r} returned {type(result).__name__}, not FitRead")
    return result


@cache
def package_fingerprint(module: str) -> str:
    """A short hash of the code of the top-level package holding ``module`` (a plugin's reader),
    found without importing it: cached results of a plugin's code are keyed by it, as chainfix's
    own are by :func:`reader_version`. Empty when the package cannot be found."""
    top = module.partition(".")[0]
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return ""
    if spec is None:
        return ""
    files: list[Path] = []
    for folder in spec.submodule_search_locations or ():
        files += sorted(Path(folder).rglob("*.py"))
    if not files and spec.origin:
        files = [Path(spec.origin)]
    digest = hashlib.sha256(top.encode())
    for file in files:
        try:
            digest.update(file.read_bytes())
        except OSError:
            continue
    return digest.hexdigest()[:12]


def sources_fingerprint(sources: Iterable[Source]) -> str:
    """A short hash of the sources' names and their packages' code (:func:`package_fingerprint`):
    what a result read by any of them depends on besides the bytes."""
    parts = []
    for source in sources:
        read = source.read
        module = getattr(read, "module", None) or getattr(
            getattr(read, "func", read), "__module__", ""
        )
        parts.append(f"{source.name}={package_fingerprint(module or '')}")
    return hashlib.sha1(",".join(parts).encode()).hexdigest()[:10]
