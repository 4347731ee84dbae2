"""The tag stage (run with `python -m stages.tag`)."""
from pathlib import Path

from pydantic import ConfigDict, with_config

# The stage's data files (word lists, lexicons, reviewed names), read through `stages.common.datafiles`.
DATA_DIR = Path(__file__).resolve().parent / "data"

# Decorates the spec (a TypedDict) of a YAML data file: a key it does not declare (a typo) is an error.
data_file_spec = with_config(ConfigDict(extra="forbid"))
