"""The aggregate stage (run with `python -m stages.aggregate`)."""
