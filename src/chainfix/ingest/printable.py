"""Names and messages made safe to print: control characters and undecodable bytes shown escaped."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from chainfix.model import Activity, Origin, ReadProblem

if TYPE_CHECKING:  # concurrent.futures is imported when a pool starts: warm runs need none
    pass


def printable(text: str) -> str:
    """``text`` safe to show on a terminal: control characters (escape sequences, bells, line
    breaks) and bytes that are not UTF-8 (held as lone surrogates) become ``\\xNN`` escapes;
    everything else, non-ASCII letters included, is kept."""
    if text.isprintable():
        return text
    out = []
    for char in text:
        if char.isprintable():
            out.append(char)
        elif 0xDC80 <= ord(char) <= 0xDCFF:  # a byte of a name that is not UTF-8
            out.append(f"\\x{ord(char) - 0xDC00:02x}")
        elif ord(char) < 0x100:
            out.append(f"\\x{ord(char):02x}")
        else:
            out.append(f"\\u{ord(char):04x}")
    return "".join(out)


def _printable_origin(origin: Origin) -> Origin:
    path, member = origin.path, origin.member
    if path.isprintable() and (member is None or member.isprintable()):
        return origin
    return Origin(printable(path), printable(member) if member is not None else None)


def _printable_activity(act: Activity) -> Activity:
    origin = _printable_origin(act.origin)
    return act if origin is act.origin else replace(act, origin=origin)


def _printable_problem(p: ReadProblem) -> ReadProblem:
    """File and member names (from other systems' disks and archives) and the message (which may
    quote them) as :func:`printable` text: never sent raw to a terminal."""
    member = p.member
    if (
        p.file.isprintable()
        and (member is None or member.isprintable())
        and p.message.isprintable()
    ):
        return p
    return replace(
        p,
        file=printable(p.file),
        member=printable(member) if member is not None else None,
        message=printable(p.message),
    )
