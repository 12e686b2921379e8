"""chainfix: read a training history, measure how quad-dominant it is, plan posterior-chain work."""

from chainfix.hookspecs import hookimpl
from chainfix.model import Activity, History, Origin, ReadProblem, StrengthSet
from chainfix.sources.base import Source

__version__ = "0.1.0"

DISTRIBUTION = "chainfix-cli"
"""The distribution name on PyPI: ``chainfix`` there is an unrelated project. The command and the
import name stay ``chainfix``; plugins depend on this name."""


def install_hint(extra: str) -> str:
    """How to install an optional extra, from PyPI and from a checkout."""
    return f"pip install '{DISTRIBUTION}[{extra}]'  (from a checkout: pip install -e '.[{extra}]')"


__all__ = [
    "Activity",
    "History",
    "Origin",
    "ReadProblem",
    "Source",
    "StrengthSet",
    "DISTRIBUTION",
    "__version__",
    "install_hint",
    "hookimpl",
]
