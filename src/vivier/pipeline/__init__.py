"""Orchestration: ingest (format detection, loading, summaries) and the demo."""
