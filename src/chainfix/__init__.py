"""chainfix: read a training history, measure how quad-dominant it is, plan posterior-chain work."""

from chainfix.hookspecs import hookimpl
from chainfix.model import Activity, History, Origin, ReadProblem, StrengthSet
from chainfix.sources.base import Source

__version__ = "0.1.0"

__all__ = [
    "Activity",
    "History",
    "Origin",
    "ReadProblem",
    "Source",
    "StrengthSet",
    "__version__",
    "hookimpl",
]
