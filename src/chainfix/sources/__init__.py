"""Built-in sources: FIT files and folders, and the Garmin Connect account export.

The types a source works with are in :mod:`chainfix.sources.base`; plugins take them from
:mod:`chainfix.api`. This package imports nothing itself, so its light modules (the archive
limits) load without the domain types.
"""
