"""chainfix: read a training history, measure how quad-dominant it is, plan posterior-chain work."""

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

DISTRIBUTION = "chainfix-cli"
"""The distribution name on PyPI: ``chainfix`` there is an unrelated project. The command and the
import name stay ``chainfix``; plugins depend on this name."""


def install_hint(extra: str) -> str:
    """How to install an optional extra, from PyPI and from a checkout."""
    return f"pip install '{DISTRIBUTION}[{extra}]'  (from a checkout: pip install -e '.[{extra}]')"


if TYPE_CHECKING:
    from chainfix.hookspecs import hookimpl
    from chainfix.model import Activity, History, Origin, ReadProblem, StrengthSet
    from chainfix.sources.base import Source

_LAZY = {
    "hookimpl": "chainfix.hookspecs",
    "Activity": "chainfix.model",
    "History": "chainfix.model",
    "Origin": "chainfix.model",
    "ReadProblem": "chainfix.model",
    "StrengthSet": "chainfix.model",
    "Source": "chainfix.sources.base",
}


def __getattr__(name: str) -> Any:
    """The domain types load on first use, so ``chainfix --version`` imports nothing else."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'chainfix' has no attribute {name!r}")


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
