"""A streaming, constant-memory scan of ``export.xml`` that parses only what chainfix needs.

An export is millions of one-line ``<Record …/>`` elements with a few thousand ``<Workout>``
elements among them. Parsing every Record (even in C, even to throw it away) is what makes other
readers slow, so this scan works on raw bytes first:

1. **The prolog** (XML declaration, DOCTYPE with its internal DTD subset, the ``<HealthData>`` start
   tag) is parsed by expat with every dangerous feature refused: an entity declaration (the
   "billion laughs"), an external DTD or entity, an encoding other than UTF-8/ASCII/Latin-1. The
   ``<!ELEMENT>`` and ``<!ATTLIST>`` declarations of a real export pass.
2. **The body** is read in chunks; ``bytes.find`` (memchr speed) locates each ``<Workout`` start and
   its ``</Workout>`` end, and each ``HKCategoryTypeIdentifierAppleStandHour`` record. Everything
   else is skipped without being parsed.
3. **Each element found** is parsed on its own by a fresh expat parser with a depth limit, so a
   hostile element (undefined entities, deep nesting, bad bytes) costs only itself.

Memory is bounded by the chunk size plus the largest element allowed (:data:`MAX_ELEMENT`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from typing import IO
from xml.parsers import expat

from chainfix.api import ProblemKind, Severity

CHUNK = 4 * 1024**2
"""Bytes read at a time."""
PROLOG_MAX = 1024**2
"""The ``<HealthData>`` root must start within this many bytes (a real DTD is about 10 KB)."""
MAX_ELEMENT = 8 * 1024**2
"""Largest Workout element parsed (real ones are a few KB; thousands of events stay far below)."""
MAX_DEPTH = 8
"""Deepest nesting inside one element (a real Workout nests three levels)."""
ENCODINGS = {"utf-8": "UTF-8", "utf8": "UTF-8", "us-ascii": "UTF-8", "iso-8859-1": "ISO-8859-1"}
"""Declared encodings read (expat's own; ASCII is a subset of UTF-8)."""

WORKOUT = b"<Workout"
WORKOUT_END = b"</Workout"
STAND = b"HKCategoryTypeIdentifierAppleStandHour"
ROOT_END = b"</HealthData>"
_DELIMS = frozenset(b" \t\r\n/>")
_ROOT_START = re.compile(rb"<HealthData(?=[\s/>])")
_DECLARED = re.compile(rb"<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_START_TAG = re.compile(rb"<[A-Za-z_][\w.-]*(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")


class ScanError(Exception):
    """The file as a whole cannot be read: a refused DTD, a wrong encoding, not an export."""

    def __init__(self, kind: ProblemKind, message: str) -> None:
        super().__init__(message)
        self.kind: ProblemKind = kind
        self.message = message


class ElementError(Exception):
    """One element found in the body is not well-formed (or too deep)."""


@dataclass(slots=True)
class Element:
    """A parsed element: its tag, attributes and child elements (text is not kept)."""

    tag: str
    attrs: dict[str, str]
    children: list[Element] = field(default_factory=list)

    def find_all(self, tag: str) -> list[Element]:
        return [c for c in self.children if c.tag == tag]


@dataclass(frozen=True, slots=True)
class Found:
    """An element the scan located: ``kind`` is ``workout`` or ``stand``; ``offset`` in bytes."""

    kind: str
    offset: int
    data: bytes


@dataclass(frozen=True, slots=True)
class Trouble:
    """Something wrong with the file found while scanning (the scan goes on where it can)."""

    kind: ProblemKind
    message: str
    severity: Severity = "error"


def _refuse(reason: str) -> Callable[..., None]:
    def handler(*args: object) -> None:
        name = args[0] if args and isinstance(args[0], str) else ""
        raise ScanError("corrupt", reason.format(name=name))

    return handler


def check_prolog(head: bytes) -> tuple[str, int]:
    """The body's encoding and where the body starts, or :class:`ScanError`.

    ``head`` is the start of the file (up to :data:`PROLOG_MAX` bytes or more).
    """
    if not head.strip():
        raise ScanError("empty", "the file is empty")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:4]:
        raise ScanError(
            "unsupported",
            "the file is UTF-16 or UTF-32 encoded; the Health app writes UTF-8 (was it re-saved "
            "by an editor?)",
        )
    match = _ROOT_START.search(head, 0, PROLOG_MAX)
    if match is None:
        raise ScanError(
            "corrupt",
            f"no <HealthData> root element in the first {PROLOG_MAX // 1024:,} KB: not an Apple "
            "Health export.xml",
        )
    tag = _START_TAG.match(head, match.start())
    if tag is None:
        raise ScanError("truncated", "the file ends inside the <HealthData> start tag")
    body_at = tag.end()
    prolog = head[:body_at]
    closed_root = prolog.endswith(b"/>")
    declared: list[str] = []
    root: list[str] = []
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.XmlDeclHandler = lambda version, encoding, standalone: declared.append(encoding or "")

    def doctype(name: str, sysid: str | None, pubid: str | None, internal: int) -> None:
        if sysid or pubid:
            raise ScanError(
                "corrupt",
                f"the DOCTYPE refers to an external DTD ({sysid or pubid!r}), which is never "
                "loaded: refused (a real export's DTD is inline)",
            )

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = _refuse(
        "the DTD declares the entity {name!r}: entity declarations are refused (entity "
        "expansion and external entities are ways to attack an XML reader)"
    )
    parser.UnparsedEntityDeclHandler = _refuse("the DTD declares the unparsed entity {name!r}")

    def external(context: str, base: str | None, sysid: str | None, pubid: str | None) -> int:
        raise ScanError("corrupt", "the file refers to an external entity, which is never loaded")

    parser.ExternalEntityRefHandler = external
    parser.StartElementHandler = lambda name, attrs: root.append(name)
    declared_at = _DECLARED.match(prolog)
    if declared_at is not None and declared_at.group(1).decode("ascii").lower() not in ENCODINGS:
        raise ScanError(
            "unsupported",
            f"the file declares the encoding {declared_at.group(1).decode('ascii')!r}; chainfix "
            "reads UTF-8 exports (as the Health app writes them)",
        )
    try:
        parser.Parse(prolog if closed_root else prolog + ROOT_END, True)
    except ValueError as exc:  # an encoding expat cannot read
        raise ScanError("unsupported", f"the file cannot be decoded: {exc}") from None
    except expat.ExpatError as exc:
        reason = expat.ErrorString(exc.code)
        raise ScanError(
            "corrupt", f"the XML prolog is not well-formed ({reason}, line {exc.lineno})"
        ) from None
    encoding = (declared[0] if declared else "") or "utf-8"
    if encoding.lower() not in ENCODINGS:
        raise ScanError(
            "unsupported",
            f"the file declares the encoding {encoding!r}; chainfix reads UTF-8 exports (as the "
            "Health app writes them)",
        )
    return ENCODINGS[encoding.lower()], body_at


def parse_element(data: bytes, encoding: str = "UTF-8") -> Element:
    """Parse one element located by the scan, refusing entities, DTDs and deep nesting."""
    stack: list[Element] = []
    top: list[Element] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        if len(stack) >= MAX_DEPTH:
            raise ElementError(f"elements nested more than {MAX_DEPTH} levels deep")
        element = Element(tag, attrs)
        (stack[-1].children if stack else top).append(element)
        stack.append(element)

    def end(tag: str) -> None:
        stack.pop()

    parser = expat.ParserCreate(encoding)
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = _refuse("a DOCTYPE inside an element")
    parser.EntityDeclHandler = _refuse("an entity declaration inside an element")
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        reason = expat.ErrorString(exc.code)
        hint = ""
        if exc.code == expat.errors.codes[expat.errors.XML_ERROR_INVALID_TOKEN]:
            try:
                data.decode(encoding.replace("ISO-8859-1", "latin-1"))
            except UnicodeDecodeError:
                hint = f": it holds bytes that are not {encoding} (a wrong encoding?)"
        raise ElementError(f"not well-formed XML ({reason}, column {exc.offset}){hint}") from None
    except ScanError as exc:
        raise ElementError(exc.message) from None
    except RecursionError:  # pragma: no cover - the depth limit comes first
        raise ElementError("elements nested too deep") from None
    return top[0]


class XmlScan:
    """Iterate over a stream of ``export.xml``, yielding :class:`Found` and :class:`Trouble`.

    Raises :class:`ScanError` before the first item when the prolog is refused. ``advance`` is
    called with the number of bytes read from ``stream`` as they are read. After iteration,
    ``closed`` says whether the document ended with ``</HealthData>``, ``read_bytes`` how much was
    read.
    """

    def __init__(
        self,
        stream: IO[bytes],
        *,
        workouts: bool = True,
        stand: bool = True,
        advance: Callable[[int], None] | None = None,
        chunk: int | None = None,
    ) -> None:
        self.stream = stream
        self.want_workouts = workouts
        self.want_stand = stand
        self.advance = advance
        self.chunk = chunk or CHUNK
        self.encoding = "UTF-8"
        self.closed = False
        self.read_bytes = 0
        self._tail = b""

    def _read(self) -> bytes:
        data = self.stream.read(self.chunk)
        if data:
            self.read_bytes += len(data)
            self._tail = (self._tail + data[-64:])[-64:]
            if self.advance is not None:
                self.advance(len(data))
        return data

    def _head(self) -> bytes:
        """The start of the file, up to and including the root's start tag when within reach."""
        head = b""
        while len(head) < PROLOG_MAX + MAX_ELEMENT:
            match = _ROOT_START.search(head)
            if match is not None and _START_TAG.match(head, match.start()) is not None:
                break
            if match is None and len(head) >= PROLOG_MAX:
                break
            data = self._read()
            if not data:
                break
            head += data
        return head

    def __iter__(self) -> Iterator[Found | Trouble]:
        buf = self._head()
        self.encoding, pos = check_prolog(buf)
        base = 0  # file offset of buf[0]
        eof = False
        while True:
            i = self._next_workout(buf, pos) if self.want_workouts else -1
            if i == -2:  # "<Workout" at the very end of buf: need one more byte to tell
                i = -1
                limit = pos + max(0, len(buf) - pos - len(WORKOUT))
            elif i >= 0:
                limit = i
            elif eof:
                limit = len(buf)
            else:
                cut = buf.rfind(b"<", pos)
                limit = cut if cut >= 0 else pos
            if self.want_stand:
                done = yield from self._stand(buf, pos, limit, base, eof)
            else:
                done = limit
            pos = done
            if done == limit and i >= 0:
                end = self._element_end(buf, i)
                if 0 <= end and end - i <= MAX_ELEMENT:
                    yield Found("workout", base + i, buf[i:end])
                    pos = end
                    continue
                if eof and end < 0:
                    yield Trouble(
                        "truncated",
                        f"the file ends inside a Workout element (at byte {base + i:,}): it was "
                        "cut short; the workouts before it are read",
                        "warning",
                    )
                    return
                if len(buf) - i > MAX_ELEMENT or end >= 0:
                    yield Trouble(
                        "bad_value",
                        f"the Workout element at byte {base + i:,} is larger than "
                        f"{MAX_ELEMENT // 1024**2} MB (or never closed); skipped",
                        "warning",
                    )
                    pos = i + len(WORKOUT)
                    continue
            elif eof:
                break
            elif len(buf) - pos > MAX_ELEMENT:  # no element boundary in sight: hostile filler
                pos = len(buf) - len(STAND)
            data = self._read()
            if not data:
                eof = True
            base += pos
            buf = buf[pos:] + data
            pos = 0
        self.closed = self._tail.rstrip().endswith(ROOT_END)

    @staticmethod
    def _next_workout(buf: bytes, pos: int) -> int:
        """Index of the next ``<Workout`` start tag, -1 for none, -2 when it cannot be told yet."""
        i = buf.find(WORKOUT, pos)
        while i >= 0:
            after = i + len(WORKOUT)
            if after >= len(buf):
                return -2
            if buf[after] in _DELIMS:
                return i
            i = buf.find(WORKOUT, after)
        return -1

    @staticmethod
    def _element_end(buf: bytes, i: int) -> int:
        """Index just after the element starting at ``i``, or -1 when ``buf`` ends first."""
        tag = _START_TAG.match(buf, i)
        if tag is None:
            return -1
        if buf[tag.end() - 2 : tag.end()] == b"/>":
            return tag.end()
        j = buf.find(WORKOUT_END, tag.end())
        while j >= 0:
            after = j + len(WORKOUT_END)
            if after >= len(buf):
                return -1
            if buf[after] in _DELIMS:  # not </WorkoutRoute>
                k = buf.find(b">", after)
                return k + 1 if k >= 0 else -1
            j = buf.find(WORKOUT_END, after)
        return -1

    def _stand(
        self, buf: bytes, pos: int, limit: int, base: int, eof: bool
    ) -> Generator[Found | Trouble, None, int]:
        """Yield the stand-hour records in ``buf[pos:limit]``; return where to go on from."""
        j = buf.find(STAND, pos, limit)
        while j >= 0:
            s = buf.rfind(b"<", pos, j)
            e = buf.find(b">", j)
            if e < 0:
                return limit if eof else max(s, pos)
            if s >= 0:
                yield Found("stand", base + s, buf[s : e + 1])
            j = buf.find(STAND, e + 1, limit)
        return limit
