"""The methods :mod:`dataclasses` writes, compiled once and kept beside chainfix's bytecode, as
``.pyc`` files keep a module's code.

A dataclass gets its ``__init__``, ``__repr__``, ``__eq__``, ``__hash__`` and, when frozen,
``__setattr__`` and ``__delattr__`` as source text that :mod:`dataclasses` compiles with
``exec`` while the class is made. A cached ``chainfix analyze`` makes about a hundred dataclasses
(chainfix's own and its libraries'), and compiling their 500-odd methods took about 50 ms of each
run, a fifth of it: the same text compiled again on every start.

:func:`install` hands :mod:`dataclasses` a compile step that looks the text up in the store
first. The store maps each text to the code object ``compile`` made of it, written with
``marshal`` as ``.pyc`` files are: the same text gives the same code, so a class made from a
stored code object is the class :mod:`dataclasses` would have made. New texts are compiled as
before and the store is written once, at exit (:func:`save`).

Where and when, Python's own rules for bytecode apply: the store is a file of chainfix's
``__pycache__`` folder (or under ``PYTHONPYCACHEPREFIX``), never of the user folder, so it is
exactly as trusted as the ``.pyc`` files beside it and no user data ever goes through
``marshal``; nothing is written when bytecode is not (``PYTHONDONTWRITEBYTECODE``, a read-only
install). It is used only by the very interpreter that wrote it (its ``sys.version``, bytecode
tag and optimisation level head the file) and when its CRC-32 matches; anything else is ignored
and written afresh.

Only the console script installs it (:func:`chainfix.cli.main`): code that imports chainfix
inside another program keeps :mod:`dataclasses` as it is.
"""

from __future__ import annotations

import atexit
import builtins
import dataclasses
import marshal
import os
import sys
import zlib
from types import CodeType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path  # imported where needed: --version makes no dataclass

MAX_ENTRIES = 2_000
"""Texts kept at most. Every chainfix command together makes about 1,000 (150 dataclasses); past
this, a run keeps only the texts it used itself (those of another version add up)."""

_HEADER = (
    f"chainfix dataclass code\0{sys.implementation.cache_tag}\0{sys.version}\0"
    f"{sys.flags.optimize}\0"
).encode()
_exec = builtins.exec


def store_path() -> Path | None:
    """Where the store is: in the ``__pycache__`` folder of this module's bytecode (Python's
    :func:`importlib.util.cache_from_source`); None for an interpreter without bytecode files."""
    from importlib.util import cache_from_source
    from pathlib import Path

    try:
        bytecode = Path(cache_from_source(__file__))
    except NotImplementedError:  # sys.implementation.cache_tag is None
        return None
    return bytecode.with_name(f"dataclass-code.{sys.implementation.cache_tag}.marshal")


class _Store:
    """The stored code objects by text, found and loaded at the first compile a run asks for."""

    def __init__(self, path: Path | None) -> None:
        self.given = path
        self.path: Path | None = None
        self.codes: dict[str, CodeType] | None = None
        self.used: dict[str, CodeType] = {}
        self.new = 0

    def code(self, text: str) -> CodeType:
        codes = self.codes
        if codes is None:
            self.path = self.given if self.given is not None else store_path()
            codes = self.codes = load(self.path) if self.path is not None else {}
        code = codes.get(text)
        if code is None:
            code = codes[text] = compile(text, "<string>", "exec", dont_inherit=True)
            self.new += 1
        self.used[text] = code
        return code

    def run(self, source: Any, globals: Any = None, locals: Any = None, /) -> None:  # noqa: A002
        """What :mod:`dataclasses` calls in place of the built-in: a text runs as its stored
        code object, anything else as the built-in runs it."""
        if type(source) is str:
            source = self.code(source)
        _exec(source, globals, locals)


_STORE: _Store | None = None


def install(path: Path | None = None) -> None:
    """Compile :mod:`dataclasses`' methods through the store at ``path`` (default:
    :func:`store_path`) for the rest of this process, written at exit (once; a second call
    changes nothing)."""
    global _STORE
    if _STORE is not None:
        return
    _STORE = _Store(path)
    atexit.register(save)
    dataclasses.exec = _STORE.run  # type: ignore[attr-defined]


def uninstall() -> None:
    """:mod:`dataclasses` compiles with the built-in again (the store is not written)."""
    global _STORE
    _STORE = None
    atexit.unregister(save)
    if "exec" in vars(dataclasses):
        del dataclasses.exec  # type: ignore[attr-defined]


def save() -> None:
    """Write the store when this run compiled a text it did not hold and Python writes bytecode
    (never raises: a folder that cannot be written costs the next run the compiling)."""
    store = _STORE
    if store is None or store.path is None or not store.new or store.codes is None:
        return
    if sys.dont_write_bytecode:
        return
    codes = store.codes if len(store.codes) <= MAX_ENTRIES else store.used
    try:
        body = marshal.dumps(codes)
    except ValueError:
        return
    from chainfix.atomic import write_atomic

    try:
        mode = os.stat(__file__).st_mode & 0o666  # as Python gives a .pyc its source's
        write_atomic(store.path, _HEADER + zlib.crc32(body).to_bytes(4, "big") + body, mode=mode)
    except OSError:
        return
    store.new = 0


def load(path: Path) -> dict[str, CodeType]:
    """The stored code objects by text; empty when there is no store, or it is of another
    interpreter, damaged or of another shape."""
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    start = len(_HEADER) + 4
    if not data.startswith(_HEADER) or len(data) < start:
        return {}
    body = memoryview(data)[start:]
    if zlib.crc32(body) != int.from_bytes(data[start - 4 : start], "big"):
        return {}
    try:
        codes = marshal.loads(body)
    except (ValueError, EOFError, TypeError):
        return {}
    if type(codes) is not dict or not all(
        type(text) is str and type(code) is CodeType for text, code in codes.items()
    ):
        return {}
    return codes
