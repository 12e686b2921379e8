"""Test helpers for chainfix and its plugins (importable without pytest)."""
