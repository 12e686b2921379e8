"""Deterministic synthetic athlete histories: plans, FIT files and Garmin Connect exports.

Used by tests, ``scripts/make_sample_exports.py`` and the benchmarks. Everything is seeded, so the
same arguments always give the same bytes.

- :mod:`chainfix_synth.personas` plans activities (:class:`PlannedActivity`) for a persona.
- :mod:`chainfix_synth.fitfiles` turns a plan into FIT bytes (activity, monitoring).
- :mod:`chainfix_synth.corrupt` makes damaged variants of FIT bytes.
- :mod:`chainfix_synth.garmin_export` writes a Garmin Connect account export and its manifest.
- :mod:`chainfix_synth.bench` writes a large export for the benchmarks.
"""

from chainfix_synth.personas import (
    Device,
    Persona,
    PlannedActivity,
    PlannedSet,
    beginner_runner,
    cyclist,
    hybrid_lifter,
    runner,
    trail_runner,
)

__all__ = [
    "Device",
    "Persona",
    "PlannedActivity",
    "PlannedSet",
    "beginner_runner",
    "cyclist",
    "hybrid_lifter",
    "runner",
    "trail_runner",
]
