"""pandera models (polars backend), one per table of CONTRACT.md. Stages validate every table before writing.

Every model is strict and declares every column its stage writes (the contract's minimum and the extras), so a
stage builds its frames from the model (schemas.base.frame) and an undeclared column fails validation.
"""
