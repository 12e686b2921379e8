"""An :class:`~chainfix.analysis.result.Analysis` as JSON text and back, exactly.

What it was made with is not stored: the options are the ones asked for again, and the model is
loaded again from its tables (see :mod:`chainfix.analysis.memo`, which keys the text by both).
Every value survives: text, integers, floats (``repr``, NaN and infinities included), flags,
None, dates and tuples; a value of any other type is refused (:class:`ValueError`), and such an
analysis is not stored.
"""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import date
from typing import Any

from chainfix.analysis.coefficients import Model
from chainfix.analysis.frame import Frame
from chainfix.analysis.result import (
    Analysis,
    AnalysisOptions,
    EquFlag,
    GroupDetail,
    Lifting,
    PatternScore,
)
from chainfix.model import MuscleScore

_PLAIN = (str, int, float, bool, type(None))
_DATE = "$date"
"""The one key of a date written as ``{"$date": "YYYY-MM-DD"}``."""

_RECORDS: tuple[type, ...] = (MuscleScore, GroupDetail, Lifting, PatternScore, EquFlag)
_FIELDS = {cls: tuple(f.name for f in fields(cls)) for cls in _RECORDS}


def analysis_text(a: Analysis) -> str:
    """``a`` as JSON text, without its options and model; ValueError when a value cannot be
    written exactly."""
    doc = {
        "level": [a.level, a.level_source, a.level_reason],
        "days": [_value(a.window_start), _value(a.window_end), _value(a.score_start)],
        "muscles": {g: _record(s) for g, s in a.muscles.items()},
        "details": {g: _record(d) for g, d in a.details.items()},
        "balance": _value(a.balance),
        "running_share": _value(a.running_share),
        "totals": _value(a.totals),
        "lifting": _record(a.lifting),
        "patterns": {name: _record(p) for name, p in a.patterns.items()},
        "equ_flags": [_record(f) for f in a.equ_flags],
        "data_gaps": _value(a.data_gaps),
        "weekly": _value(a.weekly.columns),
        "activities": _value(a.activities.columns),
        "explanations": _value(a.explanations),
        "activity_count": a.activity_count,
        "plan_start": _value(a.plan_start),
    }
    return json.dumps(doc, separators=(",", ":"))


def analysis_from_text(text: str, options: AnalysisOptions, model: Model) -> Analysis:
    """The analysis :func:`analysis_text` wrote, made with ``options`` and ``model``;
    ValueError (or KeyError, TypeError, IndexError, AttributeError) when the text is not of
    that shape."""
    doc = json.loads(text)
    level, level_source, level_reason = doc["level"]
    window_start, window_end, score_start = map(_decoded, doc["days"])
    return Analysis(
        level=level,
        level_source=level_source,
        level_reason=level_reason,
        window_start=window_start,
        window_end=window_end,
        score_start=score_start,
        muscles={g: _made(MuscleScore, s) for g, s in doc["muscles"].items()},
        details={g: _made(GroupDetail, d) for g, d in doc["details"].items()},
        balance=_decoded(doc["balance"]),
        running_share=_decoded(doc["running_share"]),
        totals=_decoded(doc["totals"]),
        lifting=_made(Lifting, doc["lifting"]),
        patterns={name: _made(PatternScore, p) for name, p in doc["patterns"].items()},
        equ_flags=[_made(EquFlag, f) for f in doc["equ_flags"]],
        data_gaps=_decoded(doc["data_gaps"]),
        weekly=Frame(_decoded(doc["weekly"])),
        activities=Frame(_decoded(doc["activities"])),
        explanations=_decoded(doc["explanations"]),
        options=options,
        model=model,
        activity_count=doc["activity_count"],
        plan_start=_decoded(doc["plan_start"]),
    )


def _record(record: Any) -> list[Any]:
    return [_value(getattr(record, name)) for name in _FIELDS[type(record)]]


def _made(cls: type, values: list[Any]) -> Any:
    if type(values) is not list or len(values) != len(_FIELDS[cls]):
        raise ValueError(f"a {cls.__name__} of the wrong shape")
    return cls(*map(_decoded, values))


def _value(value: Any) -> Any:
    """``value`` as JSON values: a date as ``{"$date": ...}``, a tuple as ``{"$tuple": [...]}``."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is list:
        return [_value(v) for v in value]
    if kind is tuple:
        return {"$tuple": [_value(v) for v in value]}
    if kind is date:
        return {_DATE: value.isoformat()}
    if kind is dict and all(type(k) is str and not k.startswith("$") for k in value):
        return {k: _value(v) for k, v in value.items()}
    raise ValueError(f"a value that is not stored exactly: {kind.__name__}")


def _decoded(value: Any) -> Any:
    kind = type(value)
    if kind is list:
        return [_decoded(v) for v in value]
    if kind is not dict:
        return value
    if len(value) == 1:
        if _DATE in value:
            return date.fromisoformat(value[_DATE])
        if "$tuple" in value:
            return tuple(_decoded(v) for v in value["$tuple"])
    return {k: _decoded(v) for k, v in value.items()}
