"""``python -m tests.corpus``: regenerate ``tests/corpus/README.md`` from the kind definitions."""

from tests.corpus.readme import write

if __name__ == "__main__":
    print(f"wrote {write()}")
