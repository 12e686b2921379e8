"""The full decoder: python-fitparse reads every message, chainfix keeps the wanted ones.

It is used for every file the fast reader finds unusual, so it must say precisely where and why
decoding stopped. It keeps every message decoded before the stop (python-fitparse yields them
before raising), except a message cut short by the end of the file.

Two deliberate departures from python-fitparse's defaults, both about data chainfix never reads:
developer fields are read as opaque bytes of their declared size (their descriptions are not
needed, and a missing or odd description must not stop the file), and no value post-processing
runs (chainfix converts raw values itself in ``activities``).

Definitions are parsed here, like python-fitparse does, with two repairs: a field of size 0 holds
no bytes and is skipped (python-fitparse fails on it), and a field of an unknown message whose
size is not a multiple of its base type is read as bytes (python-fitparse crashes formatting its
warning). A wanted field that arrives as bytes (declared so, or misaligned) has no number to
read: it is left out and named in ``Decoded.unreadable`` instead of being misread.
"""

from __future__ import annotations

import warnings
from typing import Any

import fitparse
from fitparse.profile import MESSAGE_TYPES
from fitparse.records import (
    BASE_TYPE_BYTE,
    BASE_TYPES,
    DefinitionMessage,
    DevField,
    DevFieldDefinition,
    FieldDefinition,
)
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

    def _parse_definition_message(self, header: Any) -> DefinitionMessage:
        """python-fitparse's definition parser, skipping zero-size fields (see the module doc)."""
        endian = ">" if self._read_struct("xB") else "<"
        mesg_num, num_fields = self._read_struct("HB", endian=endian)
        mesg_type = MESSAGE_TYPES.get(mesg_num)
        field_defs = []
        for _ in range(num_fields):
            def_num, size, base_num = self._read_struct("3B", endian=endian)
            field = mesg_type.fields.get(def_num) if mesg_type else None
            base_type = BASE_TYPES.get(base_num, BASE_TYPE_BYTE)
            if size % base_type.size:
                base_type = BASE_TYPE_BYTE
            if field and field.components:
                for component in field.components:
                    if component.accumulate:
                        self._accumulators.setdefault(mesg_num, {})[component.def_num] = 0
            if size:
                field_defs.append(
                    FieldDefinition(field=field, def_num=def_num, base_type=base_type, size=size)
                )
        dev_field_defs = []
        if header.is_developer_data:
            for _ in range(self._read_struct("B", endian=endian)):
                def_num, size, index = self._read_struct("3B", endian=endian)
                if size:
                    dev_field_defs.append(
                        DevFieldDefinition(
                            field=self.get_dev_type(index, def_num),
                            dev_data_index=index,
                            def_num=def_num,
                            size=size,
                        )
                    )
        def_mesg = DefinitionMessage(
            header=header,
            endian=endian,
            mesg_type=mesg_type,
            mesg_num=mesg_num,
            field_defs=field_defs,
            dev_field_defs=dev_field_defs,
        )
        self._local_mesgs[header.local_mesg_num] = def_mesg
        return def_mesg

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


def _raw_fields(
    message: Any, names: dict[int, str], unreadable: list[str] | None = None
) -> RawFields | None:
    """Wanted raw values of one data message by name; None when the message was cut short.

    A wanted field read as bytes is left out and its name appended to ``unreadable``, unless it
    is one byte standing for a one-byte type (an enum or uint8 declared as ``byte``): that byte
    is the value.
    """
    def_mesg = message.def_mesg
    expected = len(def_mesg.field_defs) + len(def_mesg.dev_field_defs)
    read = [f for f in message.fields if f.field_def is not None]
    if len(read) < expected:
        return None
    out: RawFields = {}
    for field_data in read:
        field_def = field_data.field_def
        name = names.get(field_def.def_num)
        if name is None or field_def not in def_mesg.field_defs:
            continue
        if field_def.base_type is BASE_TYPE_BYTE and not (
            field_def.size == 1 and field_def.def_num in _ONE_BYTE.get(def_mesg.mesg_num, ())
        ):
            if unreadable is not None:
                unreadable.append(f"{def_mesg.name}.{name}")
            continue
        out[name] = field_data.raw_value
    if message.header.time_offset is not None and "timestamp" in names.values():
        out.setdefault("timestamp", message.fields[-1].raw_value)
    return out


_ONE_BYTE: dict[int, frozenset[int]] = {
    num: frozenset(d for d, f in spec.fields.items() if BASE_TYPES[f.base_type].size == 1)
    for num, spec in wanted_messages(recovery=True).items()
}
"""Wanted fields whose profile type is one byte wide, by message number."""


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


def decode_full(data: bytes, recovery: bool = False) -> Decoded:
    """Decode with python-fitparse (strict CRC); keep what came before any error.
    ``recovery``: read laps and records too (see ``profile.RECOVERY_FIELDS``)."""
    wanted = {
        num: (spec.name, {d: f.name for d, f in spec.fields.items()})
        for num, spec in wanted_messages(recovery).items()
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
            fields = _raw_fields(message, entry[1], decoded.unreadable)
            if fields is not None:
                decoded.messages.append((entry[0], fields))
    except Exception as exc:  # every failure becomes a Stop
        offset = decoder.position if decoder is not None else 0
        decoded.stop = _stop(data, exc, offset)
    finally:
        if decoder is not None:
            decoder.close()
