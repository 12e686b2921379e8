"""The bad-input corpus: every way input can be hostile or broken, and what chainfix must do.

``kinds.KINDS`` defines the kinds (with expected outcomes) and their cases; ``bench`` the good
files they are mixed with; ``fitbytes`` and ``zipbytes`` the byte surgery. ``python -m
tests.corpus`` writes ``README.md`` (a table of every kind); ``tests/test_corpus.py`` runs it all.
"""
