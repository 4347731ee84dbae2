"""The ingest stage (run with `python -m stages.ingest`); see __main__.py."""
