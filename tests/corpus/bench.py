"""The corpus's vocabulary and workbench: kinds, cases, outcomes, and the good files they join.

A :class:`Kind` is one way input can be bad (a truncated definition, a zip bomb, JSON holding
NaN ...), with the :class:`Outcome` chainfix must give for it, written down before any run. Its
:class:`Case`\\ s build concrete inputs. Each case is mixed into a :class:`Mix` of good generated
files (a folder, a zip, or a Garmin export), so a test can check that the bad input is reported as
promised *and* that every good file is still read exactly as when read alone.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

from chainfix_synth.fitfiles import activity_fit, gzipped, monitoring_fit
from chainfix_synth.garmin_export import write_export
from chainfix_synth.personas import extra_activity, runner

from chainfix.model import History, ProblemKind, Severity
from tests.conftest import REAL_DIR
from tests.corpus import zipbytes
from tests.corpus.zipbytes import Entry

Layout = Literal["folder", "zip", "export", "export_folder", "paths"]
"""Where a case's bad input goes: a file in a folder of good FIT files; a member of a zip of good
FIT files (bad members first, so a reader that gives up early loses the good ones); a member of a
generated Garmin export (first in the archive); a file in that export unzipped to a folder (first
in walk order where it matters); or a path of its own, beside the good folder."""

EXIT_OK = 0
EXIT_PARTIAL = 3


@dataclass(frozen=True, slots=True)
class Outcome:
    """What chainfix must make of a bad input.

    ``problem`` None means the input is read without any problem (it only looks odd). Otherwise a
    ReadProblem of that kind and ``severity`` must name the bad input, with ``fragment`` in its
    message (case-insensitive), and the bad input itself must still give ``kept`` activities.
    """

    problem: ProblemKind | None
    fragment: str = ""
    severity: Severity | None = None
    kept: int = 0
    note: str = ""
    """What else is checked or worth knowing, for the README."""

    def __post_init__(self) -> None:
        if (self.problem is None) != (self.severity is None):
            raise ValueError("an outcome names a problem kind and its severity, or neither")

    @property
    def exit_code(self) -> int:
        """The CLI's exit code for a run holding this input beside good files."""
        return EXIT_PARTIAL if self.severity in ("error", "warning") else EXIT_OK

    def describe(self) -> str:
        """The outcome in words, for the README table."""
        if self.problem is None:
            text = f"accepted, no problem; {self._kept()}"
        else:
            text = f'`{self.problem}` {self.severity} "{self.fragment}"; {self._kept()}'
        return f"{text}. {self.note}".strip()

    def _kept(self) -> str:
        return (
            "nothing kept"
            if not self.kept
            else f"{self.kept} activit{'y' if self.kept == 1 else 'ies'} kept"
        )


@dataclass(frozen=True, slots=True)
class Bad:
    """Where the bad input is: the path problems must name, and the member inside an archive.

    With ``nested`` the problem's member may also lie below ``member`` (``member!/...``).
    """

    file: Path
    member: str | None = None
    nested: bool = False

    def names(self, path: str, member: str | None) -> bool:
        """Does a problem or an activity origin with this path and member point at the input?"""
        if path != str(self.file):
            return False
        if self.member is None or member == self.member:
            return True
        return self.nested and member is not None and member.startswith(self.member + "!/")


@dataclass(frozen=True, slots=True)
class Goods:
    """The valid generated inputs every case is mixed with, and valid files to damage."""

    fits: dict[str, bytes]
    """File name → bytes of the good files of a folder or zip mix."""
    victims: dict[str, bytes]
    """Valid files of other activities (their starts differ from the good ones): raw material."""
    monitoring: bytes
    """A valid FIT file that is not an activity."""
    export: bytes
    """A clean generated Garmin export (no corrupt or duplicate uploads), as zip bytes."""


@cache
def goods() -> Goods:
    """Generate the good files once per process (deterministic: fixed persona and seeds)."""
    persona = runner(weeks=3, seed=5)
    acts = [a for a in persona.activities if a.device]
    runs = [a for a in acts if a.sport == "running"]
    lifts = [a for a in acts if a.sets]
    fits = {
        "good-run.fit": activity_fit(runs[0], hz=0.05),
        "good-strength.fit": activity_fit(lifts[0], hz=0.05),
        "good-brick.fit": activity_fit(extra_activity(persona, "brick", 0.5, 3), hz=0.05),
        "good-run-2.fit.gz": gzipped(activity_fit(runs[1], hz=0.05)),
    }
    victims = {
        "run": activity_fit(runs[2], hz=0.05),
        "run2": activity_fit(runs[3], hz=0.05),
        "strength": activity_fit(lifts[1], hz=0.05),
        "brick": activity_fit(extra_activity(persona, "brick", 0.8, 9), hz=0.05),
    }
    watch = runs[0].device
    assert watch is not None
    monitoring = monitoring_fit(runs[0].start_local.date(), watch, interval_min=60)
    export = _export_bytes()
    return Goods(fits, victims, monitoring, export)


def _export_bytes() -> bytes:
    with tempfile.TemporaryDirectory(prefix="chainfix-corpus-") as tmp:
        path = Path(tmp) / "export.zip"
        write_export(runner(weeks=2, seed=17), path, hz=0.05, corrupt=(), duplicate=False, parts=2)
        return path.read_bytes()


def real_bytes(name: str) -> bytes | None:
    """A real fixture's bytes by file name, None when the shared fixtures are absent."""
    if not REAL_DIR.is_dir():
        return None
    for path in sorted(REAL_DIR.rglob(name)):
        if path.is_file():
            return path.read_bytes()
    return None


class Mix:
    """Good files laid out for one case; the case's ``inject`` adds the bad input.

    ``paths`` are what chainfix is given (the folder, zip or export; plus a path of its own for
    the ``paths`` layout). Methods place the bad input and return its :class:`Bad`.
    """

    def __init__(self, root: Path, layout: Layout, goods: Goods) -> None:
        self.root = root
        self.layout = layout
        self.goods = goods
        self.folder = root / "history"
        self.zip = root / "history.zip"
        self.export = root / "export.zip"
        self.export_folder = root / "export"
        self.paths: list[Path] = []
        root.mkdir(parents=True, exist_ok=True)
        if layout == "export_folder":
            with zipfile.ZipFile(io.BytesIO(goods.export)) as zf:
                zf.extractall(self.export_folder)  # our own generated names: safe
            self.paths = [self.export_folder]
        elif layout in ("folder", "paths"):
            self.folder.mkdir(parents=True)
            for name, data in goods.fits.items():
                (self.folder / name).write_bytes(data)
            self.paths = [self.folder]
        elif layout == "zip":
            self.zip.write_bytes(zipbytes.build(self._good_entries()))
            self.paths = [self.zip]
        else:
            self.export.write_bytes(goods.export)
            self.paths = [self.export]

    def _good_entries(self) -> list[Entry]:
        return [Entry(name, data) for name, data in self.goods.fits.items()]

    # -- placing the bad input ------------------------------------------------------------------

    def put(self, name: str, data: bytes) -> Bad:
        """A file: in the folder (``folder``) or as a path of its own (``paths``)."""
        if self.layout == "folder":
            path = self.folder / name
        elif self.layout == "paths":
            path = self.root / name
            self.paths.append(path)
        else:
            raise ValueError(f"put() is for the folder and paths layouts, not {self.layout}")
        path.write_bytes(data)
        return Bad(path)

    def put_in_export(self, relative: str, data: bytes) -> Bad:
        """A file inside the unzipped export (``relative`` to its top folder)."""
        if self.layout != "export_folder":
            raise ValueError("put_in_export() is for the export_folder layout")
        path = self.export_folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return Bad(path)

    def link(self, name: str, target: Path) -> Bad:
        """A symbolic link in the folder."""
        path = self.folder / name
        path.symlink_to(target)
        return Bad(path)

    def members(
        self,
        extra: Sequence[Entry],
        member: str,
        *,
        edit: Callable[[bytes], bytes] | None = None,
        first: bool = True,
        nested: bool = False,
    ) -> Bad:
        """Rewrite the zip with ``extra`` members (before the good ones unless ``first`` is
        False), then ``edit`` its bytes; ``member`` is the one problems must name."""
        if self.layout != "zip":
            raise ValueError("members() is for the zip layout")
        good = self._good_entries()
        data = zipbytes.build([*extra, *good] if first else [*good, *extra])
        self.zip.write_bytes(edit(data) if edit else data)
        return Bad(self.zip, member, nested)

    def export_member(self, name: str, data: bytes, *, nested: bool = False) -> Bad:
        """Add a member to the export, first in the archive."""
        if self.layout != "export":
            raise ValueError("export_member() is for the export layout")
        out = io.BytesIO()
        with (
            zipfile.ZipFile(io.BytesIO(self.goods.export)) as src,
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
        ):
            dst.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data)
            for info in src.infolist():
                dst.writestr(info, src.read(info))
        self.export.write_bytes(out.getvalue())
        return Bad(self.export, name, nested)


@dataclass(frozen=True, slots=True)
class Case:
    """One concrete bad input of a kind."""

    label: str
    layout: Layout
    inject: Callable[[Mix], Bad]
    limits: dict[str, int | float] = field(default_factory=dict)
    """``Limits`` fields to lower for this case (the CLI gets the matching options)."""
    real: str | None = None
    """The real fixture this case is built from; the case is skipped when it is absent."""
    check: Callable[[History, Bad], None] | None = None
    """Extra assertions on ``(history, bad)``."""
    bug: str | None = None
    """A known bug (in code owned elsewhere) that makes this case fail: the test is a strict
    xfail naming it, and the README flags the case, until the fix lands."""


@dataclass(frozen=True, slots=True)
class Kind:
    """One way input can be bad, with its expected outcome and its cases."""

    name: str
    group: str
    what: str
    outcome: Outcome
    cases: tuple[Case, ...]
