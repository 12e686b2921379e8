"""Analysis: how running-heavy and quad-dominant the training is, per muscle group, with reasons.

```python
from chainfix.analysis import analyze, AnalysisOptions, Analysis
a = analyze(history, AnalysisOptions(weeks=12))
a.muscles["hamstrings"].priority, a.explanations  # JSON: chainfix.report.analysis_json
```

The coefficient tables live in ``chainfix/data/*.csv`` (see :mod:`chainfix.analysis.tables` for
how a coach overrides them).
"""

from typing import TYPE_CHECKING, Any

from chainfix.analysis.coefficients import Model
from chainfix.analysis.explain import with_plan_start
from chainfix.analysis.result import (
    Analysis,
    AnalysisOptions,
    EquFlag,
    GroupDetail,
    Lifting,
    PatternScore,
)
from chainfix.analysis.tables import load_model
from chainfix.analysis.wording import FRAMING
from chainfix.model import LEVELS

if TYPE_CHECKING:
    from chainfix.analysis.engine import analyze


def __getattr__(name: str) -> Any:
    """``analyze`` loads the engine when first asked for: a remembered analysis
    (:mod:`chainfix.analysis.memo`) needs none of it."""
    if name == "analyze":
        from chainfix.analysis.engine import analyze

        return analyze
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "FRAMING",
    "LEVELS",
    "Analysis",
    "AnalysisOptions",
    "EquFlag",
    "GroupDetail",
    "Lifting",
    "Model",
    "PatternScore",
    "analyze",
    "load_model",
    "with_plan_start",
]
