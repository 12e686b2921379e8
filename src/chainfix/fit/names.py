"""Names and text as a watch shows them: FIT string limits, one-line clipping that never splits
a character, the dated workout name and the exercise title. Used by the FIT workout writer, the
Garmin Connect workouts and the reports, so all three show the same names."""

from __future__ import annotations

import re

from chainfix.model import Workout, WorkoutStep

WORKOUT_NAME_MAX_BYTES = 31
"""``workout.wkt_name``: Connect's export allocates 32 bytes (31 + NUL)."""
EXERCISE_TITLE_MAX_BYTES = 47
"""``exercise_title.wkt_step_name``: Connect allocates 200; 47 bytes fit two watch lines."""
NOTES_MAX_BYTES = 199
"""``workout_step.notes``: Connect allocates 200 bytes (199 + NUL)."""
DESCRIPTION_MAX_BYTES = 159
"""``workout.wkt_description``: Connect allocates 160 bytes (159 + NUL)."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DANGLING = " ,;:-/&+(["


def cut_utf8(text: str, max_bytes: int) -> str:
    """The longest prefix of ``text`` that is at most ``max_bytes`` of UTF-8."""
    return text.encode("utf-8")[:max_bytes].decode("utf-8", "ignore")


def one_line(text: str) -> str:
    """``text`` without control characters or lone surrogates, whitespace collapsed."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    return " ".join(_CONTROL.sub(" ", text).split())


def watch_name(workout: Workout) -> str:
    """The name on the watch: the title plus the planned day, so sessions can be told apart in
    the watch's flat workout list (e.g. ``Posterior chain A 01 Dec``)."""
    suffix = f" {workout.date:%d %b}"
    title = clip_name(workout.title, WORKOUT_NAME_MAX_BYTES - len(suffix.encode()))
    return f"{title}{suffix}"


def clip_name(text: str, max_bytes: int) -> str:
    """``text`` on one line, cut to at most ``max_bytes`` of UTF-8 for a watch display.

    The cut never splits a character, prefers a word boundary (when that keeps at least half),
    drops trailing separators, and closes a parenthesis it cut open when there is room.
    """
    clean = one_line(text)
    if len(clean.encode("utf-8")) <= max_bytes:
        return clean
    hard = cut_utf8(clean, max_bytes)
    cut = hard
    if not clean[len(cut)].isspace():
        space = cut.rfind(" ")
        if space >= len(cut) // 2:
            cut = cut[:space]
    cut = cut.rstrip(_DANGLING)
    if cut.count("(") > cut.count(")"):
        if len(cut.encode("utf-8")) < max_bytes:
            cut += ")"
        else:
            cut = cut[: cut.rfind("(")].rstrip(_DANGLING)
    return cut or hard.strip()


def clip_text(text: str, max_bytes: int) -> str:
    """Free text cut to ``max_bytes`` of UTF-8, ending in ``...`` when cut."""
    clean = one_line(text)
    if len(clean.encode("utf-8")) <= max_bytes:
        return clean
    return cut_utf8(clean, max_bytes - 3).rstrip() + "..."


def exercise_title(step: WorkoutStep) -> str | None:
    """The name the watch shows: the catalogue's watch title, else the exercise's name."""
    for text in (step.watch_title, step.name):
        if isinstance(text, str):
            title = clip_name(text, EXERCISE_TITLE_MAX_BYTES)
            if title:
                return title
    return None
