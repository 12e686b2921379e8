"""A coach's model override for tests: the built-in endurance table with one coefficient changed."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def calves_override(folder: Path, value: str) -> Path:
    """``endurance-exposure.csv`` in ``folder``: running's calves coefficient set to ``value``."""
    original = (ROOT / "src" / "chainfix" / "data" / "endurance-exposure.csv").read_text()
    header, *rows = original.splitlines()
    calves = header.split(",").index("calves")
    changed = []
    for row in rows:
        if row.startswith("running,generic,"):
            cells = row.split(",")
            cells[calves] = value
            row = ",".join(cells)
        changed.append(row)
    path = folder / "endurance-exposure.csv"
    path.write_text("\n".join([header, *changed]) + "\n")
    return path
