"""Recognising an Apple Health export (``can_open``).

Kept apart from the reader and light, so chainfix's start-up does not load the reader.
"""

from __future__ import annotations

import os
import zipfile
import zlib
from pathlib import Path

XML_NAME = "export.xml"
SNIFF_BYTES = 64 * 1024
"""How much of an XML file ``can_open`` reads: the DOCTYPE names ``HealthData`` near the top."""
SKIPPED_XML = ("export_cda.xml",)
"""The clinical document (HL7 CDA) beside the main XML."""


def looks_like_export(head: bytes) -> bool:
    """The start of a file is an Apple Health export.xml (its DOCTYPE or root names HealthData)."""
    return b"<!DOCTYPE HealthData" in head or b"<HealthData" in head


def _sniff_file(path: Path) -> bool:
    try:
        if not path.is_file():
            return False
        with path.open("rb") as fh:
            return looks_like_export(fh.read(SNIFF_BYTES))
    except OSError:
        return False


def _xml_candidates(names: list[str]) -> list[str]:
    """Names that may be the main XML: ``.xml`` at most two folders deep (``apple_health_export/``,
    or a folder the user zipped it in), ``export.xml`` first; never under ``__MACOSX/``."""
    found = []
    for name in names:
        norm = name.replace("\\", "/")
        base = norm.rsplit("/", 1)[-1].lower()
        if not base.endswith(".xml") or base in SKIPPED_XML or norm.count("/") > 2:
            continue
        if norm.startswith("__MACOSX/") or base.startswith("._"):
            continue
        found.append(name)
    return sorted(found, key=lambda n: (n.rsplit("/", 1)[-1].lower() != XML_NAME, n.count("/"), n))


def zip_member(zf: zipfile.ZipFile) -> str | None:
    """The zip member that is the export's main XML, or None."""
    for name in _xml_candidates(zf.namelist())[:8]:
        try:
            with zf.open(name) as fh:
                if looks_like_export(fh.read(SNIFF_BYTES)):
                    return name
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError, zlib.error):
            continue
        except NotImplementedError:  # an unsupported compression method
            continue
    return None


def _xml_in(folder: Path, names: list[str]) -> Path | None:
    """The export XML among a folder's file names (``export.xml`` first), or None."""
    xmls = sorted(
        (n for n in names if n.lower().endswith(".xml")),
        key=lambda n: (n.lower() != XML_NAME, n),
    )
    for name in xmls:
        if name.lower() not in SKIPPED_XML and _sniff_file(folder / name):
            return folder / name
    return None


def folder_xml(path: Path) -> Path | None:
    """The main XML of an unzipped export (the folder, or its ``apple_health_export`` child)."""
    try:
        with os.scandir(path) as entries:  # no Path per child: folders may hold thousands
            children = [(e.name, e.is_dir() and not e.is_symlink()) for e in entries]
        found = _xml_in(path, [name for name, is_dir in children if not is_dir])
        for name in sorted(name for name, is_dir in children if is_dir):
            if found is not None:
                break
            with os.scandir(path / name) as entries:
                found = _xml_in(path / name, [e.name for e in entries])
        return found
    except OSError:
        return None


def can_open(path: Path) -> bool:
    """An Apple Health export: a zip or folder holding it, or the XML itself. Never raises."""
    try:
        if path.is_dir():
            return folder_xml(path) is not None
        if not path.is_file():
            return False
        if path.suffix.lower() == ".xml":
            return _sniff_file(path)
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                return zip_member(zf) is not None
    except (OSError, zipfile.BadZipFile, ValueError, RuntimeError, EOFError, zlib.error):
        return False
    return False
