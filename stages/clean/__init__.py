"""The clean stage (run with `python -m stages.clean`)."""
