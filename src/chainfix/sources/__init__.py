"""Built-in sources: FIT files and folders, and the Garmin Connect account export."""

from chainfix.sources.base import FitBlob, Limits, ReadOptions, Source, SourceItem

__all__ = ["FitBlob", "Limits", "ReadOptions", "Source", "SourceItem"]
