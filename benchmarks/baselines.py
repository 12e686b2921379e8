"""The baseline decoders both benchmarks measure chainfix against, each a full decode of one file.

Import from a benchmark script (``python benchmarks/<script>.py`` puts this folder on the path).
"""

from __future__ import annotations

import io


def fitparse_full(data: bytes) -> int:
    """python-fitparse's normal whole-file decode, every message to name/value pairs."""
    import fitparse

    messages = fitparse.FitFile(io.BytesIO(data), check_crc=True).get_messages()
    return sum(len(m.get_values()) >= 0 for m in messages)


def fitdecode_full(data: bytes) -> int:
    """fitdecode in strict mode, every data message to a dict of field values."""
    import fitdecode

    count = 0
    with fitdecode.FitReader(
        io.BytesIO(data),
        check_crc=fitdecode.CrcCheck.RAISE,
        error_handling=fitdecode.ErrorHandling.RAISE,
    ) as reader:
        for frame in reader:
            if isinstance(frame, fitdecode.FitDataMessage):
                _values = {f.name: f.value for f in frame.fields}
                count += 1
    return count
