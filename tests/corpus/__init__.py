"""The bad-input corpus: every way input can be hostile or broken, and what chainfix must do.

``kinds.KINDS`` defines the kinds (with expected outcomes) and their cases; ``bench`` the good
files they are mixed with; ``fitbytes`` and ``zipbytes`` the byte surgery. ``python -m
tests.corpus`` writes ``README.md`` (a table of every kind); ``tests/test_corpus.py`` runs it all.
"""

import sys
from pathlib import Path

# ``python -m tests.corpus`` runs from the repository root: the generator lives beside this folder.
_TESTS = str(Path(__file__).resolve().parents[1])
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)
