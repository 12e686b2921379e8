"""The muscle-load model's coefficient tables: read from data files, overridable by a coach.

Every number the analysis uses lives in ``chainfix/data/*.csv`` with its source, basis and (for
exposure rows) confidence. A user or coach overrides rows with files of the same name, in this order
(later wins):

1. the built-in tables shipped in the package;
2. files in ``chainfix.paths.model_override_dir()`` (``<user dir>/model/``);
3. the file or folder given as ``AnalysisOptions.model`` (``--model``).

An override file holds only the rows it changes: a row replaces the built-in row with the same key
(e.g. ``sport, sub_sport, variant`` for ``endurance-exposure.csv``) and a new key adds a row. Every
value is checked; a bad one raises :class:`chainfix.errors.DataFileError` naming the file, the row
(spreadsheet numbering: the header is row 1) and the column.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from chainfix.analysis.coefficients import Model, ModelFile
from chainfix.analysis.model_from_rows import _build, _Row
from chainfix.bundled import data_text
from chainfix.errors import DataFileError
from chainfix.model import MUSCLE_GROUPS
from chainfix.paths import model_override_dir

BUILT_IN = "built-in"


@dataclass(frozen=True, slots=True)
class TableSpec:
    """How one table file is keyed and which columns it must have."""

    key: tuple[str, ...]
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()


_GROUP_COLS = MUSCLE_GROUPS

TABLES: dict[str, TableSpec] = {
    "endurance-exposure.csv": TableSpec(
        key=("sport", "sub_sport", "variant"),
        required=("sport", "sub_sport", "variant", *_GROUP_COLS, "scale"),
        optional=("confidence", "basis", "sources", "notes"),
    ),
    "modifiers.csv": TableSpec(
        key=("modifier",),
        required=("modifier", "parameters"),
        optional=("applies_to", "inputs", "formula", "basis", "sources", "notes"),
    ),
    "strength-credits.csv": TableSpec(
        key=("family",),
        required=("family", "pattern", *_GROUP_COLS),
        optional=("examples", "basis", "sources", "notes"),
    ),
    "fit-set-families.csv": TableSpec(
        key=("order",),
        required=("order", "fit_category", "match", "family"),
        optional=("basis", "notes"),
    ),
    "weekly-targets.csv": TableSpec(
        key=("kind", "name", "level", "condition"),
        required=(
            "kind",
            "name",
            "counts",
            "level",
            "condition",
            "minimum",
            "development",
            "in_season",
        ),
        optional=("unit", "basis", "sources", "notes"),
    ),
    "analysis-rules.csv": TableSpec(
        key=("name",),
        required=("name", "value"),
        optional=("unit", "basis", "sources", "notes"),
    ),
    "sources.csv": TableSpec(
        key=("key",),
        required=("key", "reference"),
        optional=("grade", "used_for"),
    ),
}
"""The tables the analysis reads, by file name."""


def split_citations(text: str) -> list[str]:
    """Citation keys in a ``sources`` cell.

    ``"R6: A 2020; B 2019 (remark) [D]"`` -> ``["A 2020", "B 2019"]``.
    """
    keys = []
    for part in (text or "").split(";"):
        part = re.sub(r"\(.*?\)|\[.*?\]", "", part)
        part = re.sub(r"^\s*(R\d+|in season)\s*:\s*", "", part, flags=re.IGNORECASE)
        part = part.strip()
        if part:
            keys.append(part)
    return keys


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def _parse_csv(text: str, file: str, spec: TableSpec) -> list[_Row]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise DataFileError(f"{file}: the file is empty; it needs a header row") from None
    except csv.Error as exc:
        raise DataFileError(f"{file}: row 1: not valid CSV ({exc})") from None
    header = [h.strip().lstrip("\ufeff") for h in header]
    for col in spec.required:
        if col not in header:
            raise DataFileError(
                f"{file}: row 1, column '{col}': missing; the header needs "
                f"{', '.join(spec.required)}"
            )
    rows: list[_Row] = []
    number = 1
    try:
        for record in reader:
            number += 1
            if not record or all(not c.strip() for c in record):
                continue
            if len(record) > len(header):
                raise DataFileError(
                    f"{file}: row {number}, column {len(header) + 1}: {len(record)} cells but the "
                    f"header has {len(header)} (a comma inside a value needs quotes)"
                )
            values = {h: (record[i] if i < len(record) else "") for i, h in enumerate(header)}
            row = _Row(values, file, number)
            for col in spec.key:
                if not row.get(col):
                    raise row.fail(col, "empty; this column identifies the row")
            rows.append(row)
    except csv.Error as exc:
        raise DataFileError(f"{file}: row {number + 1}: not valid CSV ({exc})") from None
    return rows


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise DataFileError(f"{path}: not UTF-8 text; save it as CSV (UTF-8)") from None
    except OSError as exc:
        raise DataFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None


@lru_cache(maxsize=1)
def _built_in_texts() -> dict[str, str]:
    return {name: data_text(name) for name in TABLES}


def override_files(path: str | Path | None) -> tuple[list[tuple[Path, str]], list[str]]:
    """The override files that apply: the user model folder, then ``path`` (a file or a folder).

    Returns ``[(file, origin)]`` in the order they apply and the ignored files of model folders.
    A ``path`` that does not exist, or a single file whose name is not a table, is an error.
    """
    files: list[tuple[Path, str]] = []
    ignored: list[str] = []

    def folder(d: Path, origin: str) -> None:
        for p in sorted(d.iterdir()):
            if p.name in TABLES and p.is_file():
                files.append((p, origin))
            elif p.suffix.lower() == ".csv":
                ignored.append(str(p))

    user = model_override_dir()
    if user.is_dir():
        folder(user, "user")
    if path is not None:
        p = Path(path).expanduser()
        if p.is_dir():
            folder(p, "option")
        elif p.is_file():
            if p.name not in TABLES:
                raise DataFileError(
                    f"{p}: not a model table; name the file one of {', '.join(sorted(TABLES))}"
                )
            files.append((p, "option"))
        else:
            raise DataFileError(f"{p}: no such file or folder")
    return files, ignored


def load_model(path: str | Path | None = None) -> Model:
    """The built-in tables with the user's and ``path``'s overrides applied, validated."""
    files, ignored = override_files(path)
    stamp = tuple((str(p), origin, *_stat(p)) for p, origin in files)
    return _load_cached(stamp, tuple(ignored))


def _stat(p: Path) -> tuple[int, int]:
    st = p.stat()
    return st.st_mtime_ns, st.st_size


@lru_cache(maxsize=8)
def _load_cached(stamp: tuple[tuple[str, str, int, int], ...], ignored: tuple[str, ...]) -> Model:
    texts = _built_in_texts()
    merged: dict[str, dict[tuple[str, ...], _Row]] = {}
    used: list[ModelFile] = []
    for name, spec in TABLES.items():
        rows = _parse_csv(texts[name], f"{BUILT_IN} {name}", spec)
        merged[name] = {tuple(r.get(k) for k in spec.key): r for r in rows}
        used.append(ModelFile(name, f"chainfix/data/{name}", "built-in"))
    for path_s, origin, *_ in stamp:
        path = Path(path_s)
        spec = TABLES[path.name]
        for r in _parse_csv(_read_text(path), str(path), spec):
            key = tuple(r.get(k) for k in spec.key)
            if path.name == "fit-set-families.csv":
                key = (f"{r.number('order', 0):g}",)
                old = next((k for k in merged[path.name] if _same_order(k[0], key[0])), None)
                if old is not None:
                    del merged[path.name][old]
            merged[path.name][key] = r
        used.append(ModelFile(path.name, str(path), origin))  # type: ignore[arg-type]
    return _build({n: list(rows.values()) for n, rows in merged.items()}, tuple(used), ignored)


def _same_order(a: str, b: str) -> bool:
    try:
        return float(a) == float(b)
    except ValueError:
        return False
