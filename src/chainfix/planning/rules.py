"""Reading a sourced rule file: the TOML table reader the planner's data files share.

Every number the planner uses is read through :class:`RuleTable`, checked once, and handed out as
typed values. A bad or missing value raises :class:`chainfix.errors.DataFileError` naming the
file, the table and the key. A user overrides a built-in file with ``<user dir>/<name>`` or an
explicit path; an override must hold every key (copy the built-in file and edit it). The files:
``data/dosing.toml`` (:mod:`~chainfix.planning.dosing`) and ``data/assessment.toml``
(:mod:`~chainfix.planning.assessment_rules`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from chainfix.bundled import data_text
from chainfix.errors import DataFileError
from chainfix.paths import override_file

PHASES: tuple[str, ...] = ("base", "build", "race", "off")
"""Training phases: ``race`` is in season; ``off`` is an off-season block (R16)."""


class RuleTable:
    """A TOML table with typed getters that name the file, table and key on error."""

    def __init__(self, data: Mapping[str, Any], file: str, name: str) -> None:
        self._data = data
        self.file = file
        self.name = name

    def _fail(self, key: str, why: str) -> DataFileError:
        if not self.name:
            return DataFileError(f"{self.file}: [{key}] {why}")
        return DataFileError(f"{self.file}: [{self.name}] {key}: {why}")

    def raw(self, key: str) -> Any:
        if key not in self._data:
            raise self._fail(key, "missing")
        return self._data[key]

    def has(self, key: str) -> bool:
        return key in self._data

    def table(self, key: str) -> RuleTable:
        value = self.raw(key)
        if not isinstance(value, Mapping):
            raise self._fail(key, "must be a table")
        return RuleTable(value, self.file, f"{self.name}.{key}" if self.name else key)

    def number(self, key: str, lo: float = float("-inf"), hi: float = float("inf")) -> float:
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._fail(key, f"must be a number, not {value!r}")
        if not lo <= value <= hi:
            raise self._fail(key, f"{value} is outside {lo:g}..{hi:g}")
        return float(value)

    def integer(self, key: str, lo: int = -(2**31), hi: int = 2**31) -> int:
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._fail(key, f"must be a whole number, not {value!r}")
        if not lo <= value <= hi:
            raise self._fail(key, f"{value} is outside {lo}..{hi}")
        return value

    def text(self, key: str) -> str:
        value = self.raw(key)
        if not isinstance(value, str):
            raise self._fail(key, f"must be text, not {value!r}")
        return value

    def words(self, key: str) -> tuple[str, ...]:
        value = self.raw(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._fail(key, "must be a list of words")
        return tuple(value)

    def int_range(self, key: str, lo: int = 0, hi: int = 10_000) -> tuple[int, int]:
        value = self.raw(key)
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        ):
            raise self._fail(key, f"must be [low, high] whole numbers, not {value!r}")
        a, b = value
        if not lo <= a <= b <= hi:
            raise self._fail(key, f"[{a}, {b}] must satisfy {lo} <= low <= high <= {hi}")
        return a, b

    def steps(self, key: str) -> dict[str, int]:
        """A ``{ladder = step}`` table."""
        value = self.table(key)
        return {k: value.integer(k, 1, 50) for k in value._data}

    def keys(self) -> list[str]:
        return list(self._data)


def read_rule_file(name: str, path: Path | None) -> tuple[dict[str, Any], str]:
    """Read ``path``, else ``<user dir>/<name>``, else the built-in file."""
    candidates = [path] if path is not None else [override_file(name)]
    for candidate in candidates:
        if candidate is not None and candidate.is_file():
            try:
                return tomllib.loads(candidate.read_text("utf-8")), str(candidate)
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                raise DataFileError(f"{candidate}: cannot read: {exc}") from exc
    if path is not None:
        raise DataFileError(f"{path}: file not found")
    return tomllib.loads(data_text(name)), f"chainfix/data/{name}"


def words_of(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """Split ``"a, b;c"`` or a list into clean lower-case words (empty parts dropped)."""
    if value is None:
        return ()
    parts = value.replace(";", ",").split(",") if isinstance(value, str) else list(value)
    out = []
    for part in parts:
        word = str(part).strip().lower().replace("-", "_").replace(" ", "_")
        if word:
            out.append(word)
    return tuple(out)
