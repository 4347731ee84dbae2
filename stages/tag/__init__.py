"""The tag stage (run with `python -m stages.tag`)."""
