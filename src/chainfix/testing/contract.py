"""The contract kit: checks that a source plugin behaves the way chainfix relies on.

A plugin's tests call :func:`check_source` with the source's name and a few sample inputs::

    from chainfix.testing.contract import check_source

    def test_contract(tmp_path):
        report = check_source("mysource", samples=[SAMPLE], junk_dir=tmp_path)
        assert report.activities

It checks, and reports every failure at once in one :class:`ContractError`:

- **registration**: the source is found through ``chainfix.plugins.sources()`` (that is, the plugin
  is installed and its ``register_sources`` hook works), its fields are well formed, it opens its
  own samples, and chainfix would pick it for them (no other source outranks it);
- **can_open** returns a ``bool`` quickly and never raises, whatever the path: empty files, random
  bytes, an HTML page named ``.fit``, broken archives, folders, symlinks (dangling and looping),
  paths that do not exist;
- **read** never raises on the samples (and, with ``forced_read=True``, on any of the junk, as with
  ``chainfix analyze --source NAME``); it yields only Activities, FitBlobs and ReadProblems;
- **Activities** are well formed: aware UTC datetimes, SI units in sane ranges, sport and sub_sport
  names from the FIT profile, origins that name the sample they came from;
- **ReadProblems** have a kind from :data:`chainfix.model.PROBLEM_KINDS` and name their file;
- **FitBlobs** load (``load`` returns bytes, or raises ``BlobLoadError``) and chainfix's FIT reader
  decodes them;
- **determinism**: reading a sample twice gives identical results in the same order.

The kit needs no pytest; failures raise :class:`ContractError`, an ``AssertionError``.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import math
import os
import random
import time
import traceback
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from chainfix import plugins
from chainfix.model import PROBLEM_KINDS, Activity, Lap, Origin, ReadProblem, StrengthSet
from chainfix.sources.base import BlobLoadError, FitBlob, ReadOptions, Source

__all__ = [
    "ContractError",
    "ContractReport",
    "activity_errors",
    "check_source",
    "fit_names",
    "make_junk",
    "problem_errors",
]

EARLIEST = datetime(1989, 1, 1, tzinfo=UTC)
"""No GPS sports watch recorded activities before FIT's epoch year."""
MAX_DURATION_S = 14 * 24 * 3600.0
MAX_DISTANCE_M = 5_000_000.0
MAX_CLIMB_M = 50_000.0
MAX_OFFSET_S = 14 * 3600
SPEED_CAPS_M_S = {"running": 15.0, "walking": 15.0, "hiking": 15.0, "swimming": 5.0}
"""Highest believable average speed by sport; anything above is a unit mistake."""
DEFAULT_SPEED_CAP_M_S = 100.0
SEVERITIES = ("error", "warning", "info")


class ContractError(AssertionError):
    """A source broke the contract; ``failures`` lists every broken rule, one sentence each."""

    def __init__(self, source: str, failures: Sequence[str]) -> None:
        self.source = source
        self.failures = list(failures)
        lines = "\n".join(f"  {n}. {f}" for n, f in enumerate(self.failures, 1))
        super().__init__(
            f"source {source!r} breaks the chainfix source contract "
            f"({len(self.failures)} failure(s)):\n{lines}"
        )


@dataclass(slots=True)
class ContractReport:
    """What the samples gave, for further assertions in the plugin's own tests."""

    source: Source
    items: dict[str, list[Activity | ReadProblem | FitBlob]] = field(default_factory=dict)
    """Everything ``read`` yielded, per sample path (as given)."""
    decoded: dict[str, list[Activity]] = field(default_factory=dict)
    """Activities decoded from the FitBlobs of each sample (by chainfix's FIT reader, or by the
    blob's own decoder)."""
    blob_problems: dict[str, list[ReadProblem]] = field(default_factory=dict)
    """Problems from loading or decoding the FitBlobs of each sample."""

    @property
    def activities(self) -> list[Activity]:
        """Every Activity: yielded directly, then decoded from FitBlobs."""
        direct = [i for items in self.items.values() for i in items if isinstance(i, Activity)]
        return direct + [a for acts in self.decoded.values() for a in acts]

    @property
    def problems(self) -> list[ReadProblem]:
        """Every ReadProblem: yielded directly, then from loading or decoding FitBlobs."""
        direct = [i for items in self.items.values() for i in items if isinstance(i, ReadProblem)]
        return direct + [p for ps in self.blob_problems.values() for p in ps]


# ---------------------------------------------------------------------------------------------
# Single-value checks (usable on their own)
# ---------------------------------------------------------------------------------------------


@cache
def fit_names(field_type: str) -> frozenset[str]:
    """The names the FIT profile gives a field type's values (``sport``, ``sub_sport`` ...)."""
    from fitparse.profile import FIELD_TYPES

    return frozenset(str(v) for v in FIELD_TYPES[field_type].values.values())


def is_fit_name(field_type: str, value: str) -> bool:
    """A profile name, or ``<type>_<n>``: a value from a newer profile, kept by its number."""
    return value in fit_names(field_type) or (
        value.startswith(f"{field_type}_") and value[len(field_type) + 1 :].isdigit()
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_number(
    errors: list[str], name: str, value: Any, low: float, high: float, unit: str
) -> None:
    if value is None:
        return
    if not _is_number(value):
        errors.append(f"{name} must be a finite number or None, not {value!r}")
    elif not low <= value <= high:
        errors.append(f"{name}={value!r} is outside {low:g}..{high:g} {unit} (SI units?)")


def _check_datetime(errors: list[str], name: str, value: Any, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, datetime):
        errors.append(f"{name} must be a datetime, not {value!r}")
        return
    if value.tzinfo is None or value.utcoffset() is None:
        errors.append(f"{name}={value.isoformat()} is naive; use an aware UTC datetime")
        return
    if value.utcoffset() != timedelta(0):
        errors.append(f"{name}={value.isoformat()} is not in UTC (convert with .astimezone(UTC))")
    latest = datetime.now(UTC) + timedelta(days=2)
    if not EARLIEST <= value <= latest:
        errors.append(f"{name}={value.isoformat()} is impossible (before 1989 or in the future)")


def _check_set(errors: list[str], index: int, s: Any) -> None:
    where = f"sets[{index}]"
    if not isinstance(s, StrengthSet):
        errors.append(f"{where} must be a StrengthSet, not {type(s).__name__}")
        return
    if s.set_type not in ("active", "rest"):
        errors.append(f"{where}.set_type={s.set_type!r} must be 'active' or 'rest'")
    _check_datetime(errors, f"{where}.start", s.start, optional=True)
    _check_number(errors, f"{where}.duration_s", s.duration_s, 0, 86_400, "s")
    _check_number(errors, f"{where}.weight_kg", s.weight_kg, 0, 1_000, "kg")
    if s.reps is not None and (not isinstance(s.reps, int) or not 0 <= s.reps <= 10_000):
        errors.append(f"{where}.reps={s.reps!r} must be an int in 0..10000 or None")
    if not isinstance(s.categories, tuple) or not all(isinstance(c, str) for c in s.categories):
        errors.append(f"{where}.categories must be a tuple of str")


def activity_errors(act: Any) -> list[str]:
    """Why ``act`` is not a well-formed :class:`chainfix.Activity` (empty when it is)."""
    if not isinstance(act, Activity):
        return [f"expected an Activity, got {type(act).__name__}"]
    errors: list[str] = []
    for name in ("id", "source"):
        value = getattr(act, name)
        if not isinstance(value, str) or not value.strip():
            errors.append(f"{name} must be a non-empty str, not {value!r}")
    if not isinstance(act.origin, Origin) or not isinstance(act.origin.path, str):
        errors.append(f"origin must be an Origin with a str path, not {act.origin!r}")
    elif not act.origin.path or not isinstance(act.origin.member, str | None):
        errors.append(f"origin {act.origin!r} needs a non-empty path and a str or None member")
    if not is_fit_name("sport", act.sport):
        errors.append(f"sport={act.sport!r} is not a FIT profile sport name")
    if not is_fit_name("sub_sport", act.sub_sport):
        errors.append(f"sub_sport={act.sub_sport!r} is not a FIT profile sub_sport name")
    _check_datetime(errors, "start_utc", act.start_utc)
    offset = act.utc_offset_s
    if offset is not None and (
        not isinstance(offset, int) or isinstance(offset, bool) or abs(offset) > MAX_OFFSET_S
    ):
        errors.append(f"utc_offset_s={offset!r} must be None or an int within ±14 h (seconds)")
    _check_number(errors, "elapsed_s", act.elapsed_s, 0, MAX_DURATION_S, "s")
    _check_number(errors, "timer_s", act.timer_s, 0, MAX_DURATION_S, "s")
    _check_number(errors, "distance_m", act.distance_m, 0, MAX_DISTANCE_M, "m")
    _check_number(errors, "ascent_m", act.ascent_m, 0, MAX_CLIMB_M, "m")
    _check_number(errors, "descent_m", act.descent_m, 0, MAX_CLIMB_M, "m")
    _check_number(errors, "avg_speed_m_s", act.avg_speed_m_s, 0, DEFAULT_SPEED_CAP_M_S, "m/s")
    _check_number(errors, "avg_hr", act.avg_hr, 20, 260, "bpm")
    _check_number(errors, "max_hr", act.max_hr, 20, 260, "bpm")
    _check_number(errors, "avg_power_w", act.avg_power_w, 0, 3_000, "W")
    _check_number(errors, "avg_cadence", act.avg_cadence, 0, 400, "per minute")
    if errors:
        return errors
    if act.elapsed_s and act.timer_s and act.timer_s > act.elapsed_s * 1.05 + 120:
        errors.append(f"timer_s={act.timer_s:g} exceeds elapsed_s={act.elapsed_s:g}")
    if act.avg_hr and act.max_hr and act.max_hr + 1 < act.avg_hr:
        errors.append(f"max_hr={act.max_hr:g} is below avg_hr={act.avg_hr:g}")
    duration = act.duration_s
    if act.distance_m and duration > 0:
        implied = act.distance_m / duration
        cap = SPEED_CAPS_M_S.get(act.sport, DEFAULT_SPEED_CAP_M_S)
        if implied > cap:
            errors.append(
                f"distance_m={act.distance_m:g} over {duration:g} s is {implied:.1f} m/s, "
                f"impossible for {act.sport} (distance in metres, durations in seconds?)"
            )
        if act.avg_speed_m_s and not implied / 3 - 0.5 <= act.avg_speed_m_s <= implied * 3 + 0.5:
            errors.append(
                f"avg_speed_m_s={act.avg_speed_m_s:g} disagrees with distance/duration "
                f"({implied:.2f} m/s): km/h instead of m/s?"
            )
    if act.device is not None and not isinstance(act.device, str):
        errors.append(f"device must be a str or None, not {act.device!r}")
    if not isinstance(act.leg, int) or act.leg < 0:
        errors.append(f"leg={act.leg!r} must be an int >= 0")
    if not isinstance(act.from_summary, bool):
        errors.append(f"from_summary must be a bool, not {act.from_summary!r}")
    if not isinstance(act.sets, tuple):
        errors.append("sets must be a tuple of StrengthSet")
    else:
        for index, s in enumerate(act.sets):
            _check_set(errors, index, s)
    if not isinstance(act.summary_sets, tuple):
        errors.append("summary_sets must be a tuple")
    if not isinstance(act.laps, tuple) or not all(isinstance(lap, Lap) for lap in act.laps):
        errors.append("laps must be a tuple of Lap")
    else:
        for index, lap in enumerate(act.laps):
            where = f"laps[{index}]"
            if not _is_number(lap.duration_s) or lap.duration_s <= 0:
                errors.append(f"{where}.duration_s={lap.duration_s!r} must be a number above 0")
            _check_number(errors, f"{where}.duration_s", lap.duration_s, 0, MAX_DURATION_S, "s")
            _check_number(errors, f"{where}.distance_m", lap.distance_m, 0, MAX_DISTANCE_M, "m")
            _check_number(errors, f"{where}.ascent_m", lap.ascent_m, 0, MAX_CLIMB_M, "m")
            _check_number(errors, f"{where}.descent_m", lap.descent_m, 0, MAX_CLIMB_M, "m")
    return errors


def problem_errors(problem: Any) -> list[str]:
    """Why ``problem`` is not a well-formed :class:`chainfix.ReadProblem` (empty when it is)."""
    if not isinstance(problem, ReadProblem):
        return [f"expected a ReadProblem, got {type(problem).__name__}"]
    errors: list[str] = []
    if not isinstance(problem.file, str) or not problem.file:
        errors.append(f"file must name the file (a non-empty str), not {problem.file!r}")
    if problem.member is not None and not isinstance(problem.member, str):
        errors.append(f"member must be a str or None, not {problem.member!r}")
    if problem.kind not in PROBLEM_KINDS:
        errors.append(
            f"kind={problem.kind!r} is not one of chainfix.model.PROBLEM_KINDS "
            f"({', '.join(PROBLEM_KINDS)})"
        )
    if problem.severity not in SEVERITIES:
        errors.append(f"severity={problem.severity!r} must be one of {', '.join(SEVERITIES)}")
    if not isinstance(problem.message, str) or not problem.message.strip():
        errors.append("message must say what is wrong (a non-empty str)")
    return errors


def source_errors(source: Any) -> list[str]:
    """Why ``source`` is not a well-formed :class:`chainfix.Source` (empty when it is)."""
    if not isinstance(source, Source):
        return [f"expected a chainfix.Source, got {type(source).__name__}"]
    errors: list[str] = []
    name = source.name
    if not isinstance(name, str) or not name or name != name.strip() or " " in name:
        errors.append(f"name={name!r} must be a short identifier without spaces")
    desc = source.description
    if not isinstance(desc, str) or not desc.strip() or "\n" in desc.strip():
        errors.append("description must be one non-empty line")
    if not callable(source.can_open):
        errors.append("can_open must be callable")
    if not callable(source.read):
        errors.append("read must be callable")
    if not isinstance(source.priority, int) or isinstance(source.priority, bool):
        errors.append(f"priority must be an int, not {source.priority!r}")
    return errors


# ---------------------------------------------------------------------------------------------
# Junk inputs
# ---------------------------------------------------------------------------------------------

HTML_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>Garmin Connect</title></head>\n"
    b"<body><p>Sign in to download this activity.</p></body></html>\n"
)


def _zip_bytes(entries: Iterable[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return buf.getvalue()


def make_junk(directory: Path) -> list[Path]:
    """Create (once) and return paths no source should choke on, under ``directory``.

    Empty files, deterministic random bytes under many suffixes, an HTML page named like an
    activity file, a FIT header with nothing behind it, broken gzip and zip files, a zip of junk,
    truncated XML, JSON and CSV, binary text, empty and junk-filled folders, a folder named
    ``x.fit``, symlinks (to a file, to a folder, dangling, looping), a path that does not exist.
    """
    root = directory / "chainfix-contract-junk"
    rng = random.Random(20250701)
    noise = bytes(rng.getrandbits(8) for _ in range(4096))
    files: dict[str, bytes] = {
        "empty": b"",
        "empty.fit": b"",
        "empty.gpx": b"",
        "random.bin": noise,
        "random.fit": noise,
        "random.fit.gz": noise[:1000],
        "random.gpx": noise[:2000],
        "random.tcx.gz": noise[:3000],
        "random.csv": noise[:500],
        "random.zip": noise,
        "page.fit": HTML_PAGE,
        "page.gpx": HTML_PAGE,
        "page.tcx": HTML_PAGE,
        "page.csv": HTML_PAGE,
        "header-only.fit": bytes([14, 0x20, 0, 0, 0, 0, 0, 0]) + b".FIT\x00\x00",
        "truncated.fit.gz": gzip.compress(noise)[:200],
        "broken.zip": b"PK\x03\x04" + noise[:300],
        "empty.zip": _zip_bytes([]),
        "junk.zip": _zip_bytes(
            [("a.fit", noise[:64]), ("b/c.gpx", HTML_PAGE), ("d.csv", b"\x00\xff\xfe")]
        ),
        "broken.gpx": b'<?xml version="1.0"?><gpx><trk><trkseg><trkpt lat="1" lon="',
        "broken.tcx": b"<TrainingCenterDatabase><Activities><Activity Sport=",
        "broken.json": b'{"activities": [',
        "binary.csv": b"a,b,c\n\x00\x01\x02,\xff\xfe,\n",
        "latin1.csv": "Activité,Durée\nCourse à pied,3600\n".encode("latin-1"),
        "Läufe März 2025 .fit": noise[:100],
    }
    if root.is_dir():
        return _junk_paths(root, files)
    root.mkdir(parents=True)
    for name, data in files.items():
        (root / name).write_bytes(data)
    (root / "empty-folder").mkdir()
    junk_folder = root / "junk-folder"
    (junk_folder / "nested" / "deeper").mkdir(parents=True)
    for name in ("random.fit", "page.gpx", "broken.zip", "empty.fit"):
        (junk_folder / name).write_bytes(files[name])
        (junk_folder / "nested" / "deeper" / name).write_bytes(files[name])
    (root / "folder.fit").mkdir()
    links = {
        "link-to-file.fit": root / "random.fit",
        "link-to-folder": junk_folder,
        "dangling.fit": root / "does-not-exist.fit",
        "loop.fit": root / "loop.fit",
    }
    for name, target in links.items():
        try:
            (root / name).symlink_to(target)
            if name == "dangling.fit":
                (junk_folder / "dangling.gpx").symlink_to(target)
        except OSError:  # no symlinks on this file system (e.g. some Windows setups)
            pass
    return _junk_paths(root, files)


def _junk_paths(root: Path, files: dict[str, bytes]) -> list[Path]:
    names = [
        *files,
        "empty-folder",
        "junk-folder",
        "folder.fit",
        "link-to-file.fit",
        "link-to-folder",
        "dangling.fit",
        "loop.fit",
    ]
    paths = [root / n for n in names if os.path.lexists(root / n)]
    return [*paths, root / "does-not-exist.fit"]


# ---------------------------------------------------------------------------------------------
# The check
# ---------------------------------------------------------------------------------------------


def _exc(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}"


def _names_sample(file: str, sample: Path) -> bool:
    """True when ``file`` is the sample, a path inside it, or (for a file sample such as an
    export's index file) a path in the sample's folder."""
    a = os.path.normpath(os.path.abspath(file))
    b = os.path.normpath(os.path.abspath(sample))
    if os.path.isfile(b) and not a.startswith(b + os.sep):
        b = os.path.dirname(b)
    return a == b or a.startswith(b.rstrip(os.sep) + os.sep)


def _resolve(source: str | Source, require_registered: bool, failures: list[str]) -> Source | None:
    registered = {s.name: s for s in plugins.sources()}
    name = source if isinstance(source, str) else getattr(source, "name", None)
    found = registered.get(name) if isinstance(name, str) else None
    broken = [f"{i.name}: {i.error}" for i in plugins.host().infos.values() if i.error is not None]
    hint = (
        f"registered sources: {', '.join(sorted(registered)) or 'none'}"
        + (f"; plugins that failed: {'; '.join(broken)}" if broken else "")
        + ". Is the plugin installed (pip install -e .) with a [project.entry-points.chainfix] "
        "entry, and does CHAINFIX_LOAD_PLUGINS allow it?"
    )
    if isinstance(source, str):
        if found is None:
            failures.append(f"no source named {source!r} is registered ({hint})")
        return found
    if found is None:
        if require_registered:
            failures.append(
                f"the source {name!r} is not registered through chainfix's plugins ({hint})"
            )
    elif found is not source and found != source:
        failures.append(f"a different source named {name!r} is registered")
    return source


def _can_open(source: Source, path: Path, budget_s: float) -> tuple[bool | None, str | None]:
    started = time.perf_counter()
    try:
        answer = source.can_open(path)
    except Exception as exc:  # noqa: BLE001 - that is what we check
        return None, f"can_open raised {_exc(exc)} on {path}"
    took = time.perf_counter() - started
    if not isinstance(answer, bool):
        return None, f"can_open returned {answer!r} (not a bool) on {path}"
    if took > budget_s:
        return answer, f"can_open took {took:.1f} s on {path}; it must be a cheap sniff"
    return answer, None


@dataclass(slots=True)
class _Read:
    items: list[Activity | ReadProblem | FitBlob]
    fingerprint: list[Any]
    decoded: list[Activity]
    blob_problems: list[ReadProblem]
    failures: list[str]


def _read(source: Source, path: Path, options: ReadOptions, decode: bool) -> _Read:
    """Read like chainfix does: each FitBlob is loaded as soon as it is yielded."""
    result = _Read([], [], [], [], [])
    try:
        produced = source.read(path, options)
        iterator = iter(produced)
    except Exception as exc:  # noqa: BLE001
        result.failures.append(f"read({path}) raised {_exc(exc)} instead of yielding a problem")
        return result
    while True:
        try:
            item = next(iterator)
        except StopIteration:
            break
        except Exception as exc:  # noqa: BLE001
            result.failures.append(
                f"read({path}) raised {_exc(exc)} after {len(result.items)} item(s) instead of "
                "yielding a ReadProblem"
            )
            break
        result.items.append(item)
        if isinstance(item, FitBlob):
            result.fingerprint.append(_load_blob(item, path, decode, result))
        elif isinstance(item, Activity | ReadProblem):
            result.fingerprint.append(item)
        else:
            result.fingerprint.append(repr(item))
    return result


def _load_blob(blob: FitBlob, sample: Path, decode: bool, result: _Read) -> tuple[Any, ...]:
    where = f"FitBlob {blob.origin} from {sample}"
    head = (blob.origin, blob.size, blob.key, blob.source)
    if not isinstance(blob.origin, Origin) or not callable(blob.load):
        result.failures.append(f"{where}: needs an Origin and a callable load")
        return head
    if not isinstance(blob.size, int) or blob.size < 0:
        result.failures.append(f"{where}: size={blob.size!r} must be an int >= 0")
    if blob.key is not None and not isinstance(blob.key, str):
        result.failures.append(f"{where}: key must be a str or None")
    if not isinstance(blob.source, str) or not blob.source:
        result.failures.append(f"{where}: source must name the source (a non-empty str)")
    try:
        data = blob.load()
    except BlobLoadError as exc:
        result.blob_problems.append(
            ReadProblem(blob.origin.path, blob.origin.member, exc.kind, exc.message)
        )
        if exc.kind not in PROBLEM_KINDS:
            result.failures.append(f"{where}: BlobLoadError kind {exc.kind!r} is unknown")
        return (*head, "load-error", exc.kind, exc.message)
    except OSError as exc:
        result.blob_problems.append(
            ReadProblem(blob.origin.path, blob.origin.member, "io_error", str(exc))
        )
        return (*head, "os-error", str(exc))
    except Exception as exc:  # noqa: BLE001
        result.failures.append(
            f"{where}: load raised {_exc(exc)}; raise chainfix.sources.base.BlobLoadError"
        )
        return (*head, "error")
    if not isinstance(data, bytes | bytearray):
        result.failures.append(f"{where}: load returned {type(data).__name__}, not bytes")
        return (*head, "not-bytes")
    if decode:
        from chainfix.sources.decoders import DecoderError
        from chainfix.sources.decoders import decode as decode_blob

        try:
            fit = decode_blob(
                bytes(data), blob.origin, blob.source, blob.decoder, blob.decoder_args
            )
        except DecoderError as exc:
            result.failures.append(f"{where}: {exc}")
            return (*head, "decoder-error")
        result.decoded.extend(fit.activities)
        result.blob_problems.extend(fit.problems)
    return (*head, hashlib.sha256(data).hexdigest())


def _item_failures(item: Any, sample: Path, index: int, *, check_naming: bool) -> list[str]:
    where = f"item #{index} read from {sample}"
    if isinstance(item, Activity):
        errors = activity_errors(item)
        if not errors and check_naming and not _names_sample(item.origin.path, sample):
            errors.append(f"origin.path {item.origin.path!r} is not the sample or inside it")
        label = f"Activity {getattr(item, 'id', '?')!r} ({where})"
    elif isinstance(item, ReadProblem):
        errors = problem_errors(item)
        if not errors and check_naming and not _names_sample(item.file, sample):
            errors.append(f"file {item.file!r} is not the sample or inside it (name the bad file)")
        label = f"ReadProblem ({where})"
    elif isinstance(item, FitBlob):
        return []
    else:
        return [
            f"{where} is a {type(item).__name__}; read may only yield Activity, FitBlob and "
            "ReadProblem values"
        ]
    return [f"{label}: {e}" for e in errors]


def check_source(
    source: str | Source,
    samples: Sequence[Path | str] = (),
    junk_dir: Path | str | None = None,
    *,
    expect_activities: bool = True,
    require_registered: bool = True,
    expect_chosen: bool = True,
    forced_read: bool = False,
    decode_blobs: bool = True,
    can_open_budget_s: float = 5.0,
    options: ReadOptions | None = None,
) -> ContractReport:
    """Check a source against chainfix's source contract; raise :class:`ContractError` if broken.

    ``source``: the registered source's name (recommended: it also proves the plugin is installed
    and registers), or a :class:`chainfix.Source` object. ``samples``: inputs the source should
    read (good ones, and bad ones it should report as problems). ``junk_dir``: a writable folder
    (pytest's ``tmp_path``) where junk inputs are made; None skips the junk checks.

    ``expect_activities``: the samples must give at least one activity. ``require_registered``:
    a Source object must also be registered. ``expect_chosen``: chainfix must pick this source for
    every sample (nothing of higher priority claims them). ``forced_read``: also read every junk
    path, as ``--source NAME`` would. ``decode_blobs``: decode FitBlobs with chainfix's reader.
    """
    failures: list[str] = []
    resolved = _resolve(source, require_registered, failures)
    if resolved is None:
        raise ContractError(str(source), failures)
    failures.extend(source_errors(resolved))
    if failures and not isinstance(resolved, Source):
        raise ContractError(str(source), failures)
    report = ContractReport(source=resolved)
    options = options or ReadOptions()

    if junk_dir is not None:
        for path in make_junk(Path(junk_dir)):
            answer, failure = _can_open(resolved, path, can_open_budget_s)
            if failure:
                failures.append(failure)
            if answer or forced_read:
                got = _read(resolved, path, options, decode_blobs)
                failures.extend(got.failures)
                for index, item in enumerate(got.items):
                    failures.extend(_item_failures(item, path, index, check_naming=False))

    registered = plugins.sources()
    for raw in samples:
        sample = Path(raw)
        key = str(raw)
        if not os.path.lexists(sample):
            failures.append(f"sample {sample} does not exist")
            continue
        answer, failure = _can_open(resolved, sample, can_open_budget_s)
        if failure:
            failures.append(failure)
        elif not answer:
            failures.append(f"can_open({sample}) is False: the source does not open its sample")
        elif expect_chosen and any(s.name == resolved.name for s in registered):
            from chainfix.ingest import choose_source

            chosen = choose_source(sample, registered, None)
            if chosen is not None and chosen.name != resolved.name:
                failures.append(
                    f"chainfix would read {sample} with source {chosen.name!r} "
                    f"(priority {chosen.priority}) instead of {resolved.name!r} "
                    f"(priority {resolved.priority}): raise the priority or sharpen can_open"
                )
        first = _read(resolved, sample, options, decode_blobs)
        second = _read(resolved, sample, options, decode_blobs)
        failures.extend(first.failures)
        for index, item in enumerate(first.items):
            failures.extend(_item_failures(item, sample, index, check_naming=True))
        for act in first.decoded:
            failures.extend(f"decoded from a FitBlob: {e}" for e in activity_errors(act))
        if not first.failures and not second.failures and first.fingerprint != second.fingerprint:
            diff = next(
                (
                    i
                    for i, (a, b) in enumerate(
                        zip(first.fingerprint, second.fingerprint, strict=False)
                    )
                    if a != b
                ),
                min(len(first.fingerprint), len(second.fingerprint)),
            )
            failures.append(
                f"reading {sample} twice gave different results ({len(first.fingerprint)} item(s) "
                f"then {len(second.fingerprint)}; first difference at item #{diff}): "
                "read must be deterministic (sort folder listings, no sets or clocks)"
            )
        report.items[key] = first.items
        report.decoded[key] = first.decoded
        report.blob_problems[key] = first.blob_problems

    if samples and expect_activities and not report.activities:
        failures.append("the samples gave no activity at all (pass expect_activities=False if so)")
    if failures:
        raise ContractError(resolved.name, failures)
    return report
