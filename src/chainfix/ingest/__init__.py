"""Read a whole history: a source per path, FIT decoded in a worker pool, cached, merged.

- :mod:`~chainfix.ingest.engine` - the engine that reads every path through its source;
- :mod:`~chainfix.ingest.pool` - the decoder side of the worker pool;
- :mod:`~chainfix.ingest.merge` - one history from it all: summaries linked, duplicates once;
- :mod:`~chainfix.ingest.printable` - names and messages made safe to print.
"""

from chainfix.ingest.engine import IngestOptions, IngestStats, read_history
from chainfix.ingest.merge import LINK_SECONDS, merge
from chainfix.ingest.routing import choose_source

__all__ = [
    "LINK_SECONDS",
    "IngestOptions",
    "IngestStats",
    "choose_source",
    "merge",
    "read_history",
]
