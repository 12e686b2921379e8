"""Delivery: getting planned workouts onto the athlete's watch.

``garmin`` is the thin adapter around garminconnect (optional extra), ``garmin_json`` builds the
strength-workout JSON, ``ledger`` records every upload, ``sync`` delivers a plan exactly once.
Import the submodules directly; this package imports nothing heavy.
"""
