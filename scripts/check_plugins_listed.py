"""CI check: every plugin package under plugins/ is listed by `chainfix plugins`, loaded cleanly."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    expected = {
        name
        for pyproject in sorted((ROOT / "plugins").glob("*/pyproject.toml"))
        for name in tomllib.loads(pyproject.read_text())["project"]["entry-points"]["chainfix"]
    }
    out = subprocess.run(
        ["chainfix", "plugins", "--json"], check=True, capture_output=True, text=True
    ).stdout
    loaded = {p["name"] for p in json.loads(out) if p["error"] is None}
    missing = sorted(expected - loaded)
    if missing:
        print(f"not listed by `chainfix plugins` (or failed to load): {missing}")
        return 1
    print("chainfix plugins lists:", ", ".join(sorted(expected)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
