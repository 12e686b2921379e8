"""A remembered history whose activities stay text until something asks for them
(:class:`RememberedHistory`), and the splicing of added activities into a history in start order
(:func:`places`, :func:`spliced`), as :mod:`chainfix.ingest.snapshot` stores and
:mod:`chainfix.ingest.increment` grows them."""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Callable, Sequence
from operator import attrgetter

from chainfix.cache import BadEntry, activities_from_doc
from chainfix.errors import ChainfixError
from chainfix.model import Activity, History, ReadProblem


def places(base: Sequence[Activity], added: Sequence[Activity]) -> list[int]:
    """Where each of ``added`` (in start order) goes in ``base`` (in start order): none of them
    starts at the very time of one of ``base``, as :mod:`chainfix.ingest.increment` checks."""
    return [bisect_right(base, a.start_utc, key=attrgetter("start_utc")) for a in added]


def spliced[T](base: Sequence[T], added: Sequence[T], where: Sequence[int]) -> list[T]:
    """``base`` with each of ``added`` put at its place in ``where`` (see :func:`places`)."""
    out: list[T] = []
    start = 0
    for place, item in zip(where, added, strict=True):
        out.extend(base[start:place])
        out.append(item)
        start = place
    out.extend(base[start:])
    return out


_ACTIVITIES = History.__dict__["activities"]
"""The slot a history's activities are kept in."""


class RememberedHistory(History):
    """A remembered history: its problems and file count at hand, its activities decoded from
    the entry's text the first time they are asked for (a run whose analysis is remembered too
    never asks). Equal to the :class:`History` it was stored from, and used like one."""

    __slots__ = ("_text", "_count", "_recover", "_added")

    _text: str | None
    _count: int
    _recover: Callable[[], tuple[Activity, ...]] | None
    _added: str | None

    @classmethod
    def of(
        cls,
        text: str,
        count: int,
        problems: tuple[ReadProblem, ...],
        files: int,
        recover: Callable[[], tuple[Activity, ...]] | None = None,
        added: str | None = None,
    ) -> RememberedHistory:
        """The history whose ``count`` activities are :func:`encode_activities`' ``text``, and
        those of ``added`` (a growth entry's) each at its place; ``recover`` gives them another
        way should the text not decode (its entries removed)."""
        history = object.__new__(cls)
        object.__setattr__(history, "problems", problems)
        object.__setattr__(history, "files_read", files)
        object.__setattr__(history, "_text", text)
        object.__setattr__(history, "_count", count)
        object.__setattr__(history, "_recover", recover)
        object.__setattr__(history, "_added", added)
        return history

    @property  # type: ignore[override]
    def activities(self) -> tuple[Activity, ...]:
        try:
            return _ACTIVITIES.__get__(self, History)  # type: ignore[no-any-return]
        except AttributeError:
            pass
        text = self._text
        assert text is not None
        try:  # intact (its CRC-32 matched) and of this version's writer: never fails but by a bug
            activities = tuple(activities_from_doc(json.loads(text)))
            if self._added is not None:
                added = activities_from_doc(json.loads(self._added))
                activities = tuple(spliced(activities, added, places(activities, added)))
            if len(activities) != self._count:
                raise BadEntry("a remembered history with another count of activities")
        except (ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError) as exc:
            if self._recover is None:
                raise ChainfixError(
                    f"the cache's remembered history of these files does not decode ({exc})",
                    hint="Run the command again with --no-cache.",
                ) from exc
            activities = self._recover()  # the files read again, as a miss would have
        object.__setattr__(self, "activities", activities)  # the setter: decoded from now on
        return activities

    @activities.setter
    def activities(self, value: tuple[Activity, ...]) -> None:  # History.__init__, replace()
        _ACTIVITIES.__set__(self, value)
        object.__setattr__(self, "_text", None)
        object.__setattr__(self, "_added", None)
        object.__setattr__(self, "_count", len(value))

    @property
    def decoded(self) -> bool:
        """Whether its activities were asked for."""
        return self._text is None

    def __len__(self) -> int:
        return self._count

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, History):
            return NotImplemented
        mine = (self.activities, self.problems, self.files_read)
        return mine == (other.activities, other.problems, other.files_read)

    def __hash__(self) -> int:
        return hash((self.activities, self.problems, self.files_read))
