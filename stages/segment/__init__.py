"""The segment stage (run with `python -m stages.segment`)."""
