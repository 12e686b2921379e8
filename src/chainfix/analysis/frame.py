"""A small table of named, equal-length columns: the analysis's weekly and per-activity numbers.

The analysis is plain Python (a window holds a few hundred activities, ten years a few
thousand), so ``chainfix analyze`` never loads pandas or numpy: they cost half a second of
start-up. The reports that want a data frame (``--tables``, ``--csv``, the HTML trend) convert
with :meth:`Frame.to_pandas`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True, slots=True)
class Frame:
    """Columns by name, in order; every column has one value per row."""

    columns: dict[str, list[Any]]

    def __post_init__(self) -> None:
        lengths = {len(values) for values in self.columns.values()}
        if len(lengths) > 1:
            raise ValueError(f"columns of different lengths: {sorted(lengths)}")

    @classmethod
    def from_rows(cls, names: Sequence[str], rows: Sequence[Sequence[Any]]) -> Frame:
        """A frame from rows given in the order of ``names``."""
        columns: dict[str, list[Any]] = {name: [] for name in names}
        lists = list(columns.values())
        for row in rows:
            for values, value in zip(lists, row, strict=True):
                values.append(value)
        return cls(columns)

    @property
    def names(self) -> list[str]:
        return list(self.columns)

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()), ()))

    def __contains__(self, name: object) -> bool:
        return name in self.columns

    def __getitem__(self, name: str) -> list[Any]:
        return self.columns[name]

    def row(self, index: int) -> dict[str, Any]:
        """One row as ``{column: value}`` (negative indexes count from the end)."""
        return {name: values[index] for name, values in self.columns.items()}

    def rows(self) -> Iterator[dict[str, Any]]:
        """Every row as ``{column: value}``, in order."""
        names = self.names
        for values in zip(*self.columns.values(), strict=True):
            yield dict(zip(names, values, strict=True))

    def take(self, indexes: Sequence[int]) -> Frame:
        """The rows at ``indexes``, in that order."""
        return Frame({name: [v[i] for i in indexes] for name, v in self.columns.items()})

    def tail(self, count: int) -> Frame:
        """The last ``count`` rows."""
        start = max(0, len(self) - count)
        return Frame({name: values[start:] for name, values in self.columns.items()})

    def to_pandas(self) -> pd.DataFrame:
        """The same table as a pandas DataFrame (loads pandas)."""
        import pandas as pd

        return pd.DataFrame(self.columns, columns=self.names)
