"""The full decoder: python-fitparse reads every message, chainfix keeps the wanted ones.

It is used for every file the fast reader finds unusual, so it must say precisely where and why
decoding stopped. It keeps every message decoded before the stop (python-fitparse yields them
before raising), except a message cut short by the end of the file.

Two deliberate departures from python-fitparse's defaults, both about data chainfix never reads:
developer fields are read as opaque bytes of their declared size (their descriptions are not
needed, and a missing or odd description must not stop the file), and no value post-processing
runs (chainfix converts raw values itself in ``activities``).
"""

from __future__ import annotations

import warnings
from typing import Any

import fitparse
from fitparse.records import BASE_TYPE_BYTE, DevField
from fitparse.utils import FitCRCError, FitEOFError, FitHeaderError, FitParseError

from chainfix.fit.decoded import Decoded, RawFields, Stop
from chainfix.fit.profile import wanted_messages

_MAGIC = b".FIT"


class _HeaderError(Exception):
    """A python-fitparse error raised while reading a segment header at ``start``."""

    def __init__(self, error: Exception, start: int) -> None:
        super().__init__(str(error))
        self.error = error
        self.start = start


class _NoProcessing:
    """A data processor that leaves values raw (python-fitparse's processor API)."""

    def run_type_processor(self, field_data: Any) -> None:
        pass

    def run_field_processor(self, field_data: Any) -> None:
        pass

    def run_unit_processor(self, field_data: Any) -> None:
        pass

    def run_message_processor(self, data_message: Any) -> None:
        pass


class _Decoder(fitparse.UncachedFitFile):
    """python-fitparse with opaque developer fields and header errors tagged with their offset."""

    def _parse_file_header(self) -> None:
        start = self._file.tell()
        try:
            super()._parse_file_header()
        except FitParseError as exc:
            raise _HeaderError(exc, start) from exc

    def add_dev_data_id(self, message: Any) -> None:
        pass

    def add_dev_field_description(self, message: Any) -> None:
        pass

    def get_dev_type(self, dev_data_index: int, field_def_num: int) -> DevField:
        return DevField(
            dev_data_index=dev_data_index,
            def_num=field_def_num,
            type=BASE_TYPE_BYTE,
            name=None,
            units=None,
            native_field_num=None,
        )

    @property
    def position(self) -> int | None:
        handle = getattr(self, "_file", None)
        return handle.tell() if handle is not None else None


def _raw_fields(message: Any, names: dict[int, str]) -> RawFields | None:
    """Wanted raw values of one data message by name; None when the message was cut short."""
    def_mesg = message.def_mesg
    expected = len(def_mesg.field_defs) + len(def_mesg.dev_field_defs)
    read = [f for f in message.fields if f.field_def is not None]
    if len(read) < expected:
        return None
    out: RawFields = {}
    for field_data in read:
        name = names.get(field_data.field_def.def_num)
        if name is not None and field_data.field_def in def_mesg.field_defs:
            out[name] = field_data.raw_value
    if message.header.time_offset is not None and "timestamp" in names.values():
        out.setdefault("timestamp", message.fields[-1].raw_value)
    return out


def _header_stop(data: bytes, error: _HeaderError) -> Stop:
    start, exc = error.start, error.error
    has_magic = data[start + 8 : start + 12] == _MAGIC
    if start == 0 and not has_magic:
        if len(data) < 12:
            return Stop("not_fit", "it is too short to be a FIT file", 0)
        return Stop("not_fit", "it does not start with a FIT header", 0)
    where = "the first FIT header" if start == 0 else f"the chained FIT header at byte {start}"
    if isinstance(exc, FitCRCError):
        return Stop("bad_header", f"{where} fails its checksum", start)
    if isinstance(exc, FitEOFError):
        return Stop("truncated", f"the file ends inside {where}", start)
    if not has_magic:
        extra = len(data) - start
        reason = f"the {extra} bytes from byte {start} on are not a chained FIT file"
        return Stop("bad_header", reason, start)
    return Stop("bad_header", f"{where} is invalid ({exc})", start)


def _stop(data: bytes, exc: Exception, offset: int | None) -> Stop:
    at = f" at byte {offset}" if offset is not None else ""
    if isinstance(exc, _HeaderError):
        return _header_stop(data, exc)
    if isinstance(exc, FitEOFError):
        return Stop("truncated", f"the file ends early{at}", offset)
    if isinstance(exc, FitCRCError):
        where = f" (segment ending at byte {offset})" if offset is not None else ""
        return Stop("bad_crc", f"the file checksum does not match{where}", offset)
    if isinstance(exc, FitHeaderError):
        return Stop("bad_header", f"a FIT header is invalid{at} ({exc})", offset)
    if isinstance(exc, FitParseError):
        text = str(exc)
        if "invalid local message type" in text:
            local = text.rsplit(" ", 1)[-1]
            reason = f"a record{at} uses local message {local}, which was never defined"
            return Stop("corrupt", reason, offset)
        return Stop("corrupt", f"the FIT structure is invalid{at} ({text})", offset)
    return Stop("corrupt", f"the decoder failed{at} ({type(exc).__name__}: {exc})", offset)


def decode_full(data: bytes) -> Decoded:
    """Decode with python-fitparse (strict CRC); keep what came before any error."""
    wanted = {
        num: (spec.name, {d: f.name for d, f in spec.fields.items()})
        for num, spec in wanted_messages().items()
    }
    decoded = Decoded()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # python-fitparse warns, then raises: the raise is reported
        _decode_into(decoded, data, wanted)
    return decoded


def _decode_into(
    decoded: Decoded, data: bytes, wanted: dict[int, tuple[str, dict[int, str]]]
) -> None:
    decoder: _Decoder | None = None
    try:
        decoder = _Decoder(data, check_crc=True, data_processor=_NoProcessing())
        for message in decoder.get_messages():
            entry = wanted.get(message.def_mesg.mesg_num)
            if entry is None:
                continue
            fields = _raw_fields(message, entry[1])
            if fields is not None:
                decoded.messages.append((entry[0], fields))
    except Exception as exc:  # every failure becomes a Stop
        offset = decoder.position if decoder is not None else 0
        decoded.stop = _stop(data, exc, offset)
    finally:
        if decoder is not None:
            decoder.close()
