"""Reports of an analysis: terminal (rich), JSON (``Analysis.to_json``), CSV files and HTML."""
