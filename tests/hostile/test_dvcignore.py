"""What ingest reads is what DVC hashes: .dvcignore ignores byte-code only in the code folders, never a file
of the input folder (ingest reads, and rejects or ingests, every one of them)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ignored():
    from dvc.repo import Repo
    repo = Repo(str(ROOT))
    return lambda path: repo.dvcignore.is_ignored(repo.fs, os.path.join(str(ROOT), path))


@pytest.mark.parametrize("path", ["seeds/__pycache__/x.cpython-311.pyc", "seeds/a.pyc", "seeds/.hidden.txt",
                                  "seeds/sub/__pycache__/y.pyc"])
def test_nothing_in_the_input_folder_is_ignored(ignored, path):
    assert not ignored(path)


@pytest.mark.parametrize("path", ["stages/tag/__pycache__/ner.cpython-311.pyc", "schemas/__pycache__/x.pyc",
                                  "stages/common/__pycache__/cache.cpython-311.pyc"])
def test_byte_code_of_the_code_folders_is_ignored(ignored, path):
    assert ignored(path)
