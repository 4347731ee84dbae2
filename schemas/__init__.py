"""pandera models (polars backend), one per table of CONTRACT.md. Stages validate every table before writing.

Models are not strict: stages may add columns beyond the contract's minimum.
"""
