"""Language identification with py3langid, restricted to a short list of languages (param `languages`).

Restricting the candidates keeps short passages from being labelled with rare languages; probabilities are
normalised so that `min_confidence` means the same for every text length.

Loading py3langid's model means decompressing 68 MB of LZMA (0.6 s), more than a rerun of the stage that
cleans one new document takes otherwise. So the stage may name a folder (`keep_model_copy_in`, the clean
cache) where an uncompressed copy of the model's arrays is kept, memory-mapped on later runs (0.03 s). The
copy holds the very arrays py3langid would load (named by the model file's hash and py3langid's version)
and is turned into an identifier the way py3langid does it, so the results are the same to the bit; any
problem with it falls back to py3langid's own loader.
"""
from __future__ import annotations

import hashlib
import io
import lzma
import os
import shutil
import tempfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_LANGUAGES = ["en", "es", "fr", "de", "it", "pt", "nl", "id", "ru", "ja", "ko", "zh", "ar"]
MODEL_ARRAYS = ("ptc", "pc", "classes", "nextmove", "nextmove_row", "out_feat")

# Where the stage keeps the uncompressed model copy (None: py3langid's loader only). Set once by the
# stage's entry point before any identification; it changes speed, never results.
_model_copy_folder: list[Path] = []


def keep_model_copy_in(folder: str | Path | None) -> None:
    _model_copy_folder[:] = [Path(folder)] if folder else []


@lru_cache(maxsize=8)
def _identifier(languages: tuple[str, ...]):
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier
    identifier = None
    if _model_copy_folder:
        try:
            ptc, pc, classes, nextmove, row, output = _model_from_copy(_model_copy_folder[0],
                                                                       MODEL_DIR / MODEL_FILE)
            identifier = LanguageIdentifier(np.asarray(ptc), np.asarray(pc), classes, nextmove, output,
                                            norm_probs=True, tk_row=row)
        except Exception:  # an unreadable copy or another py3langid: its own loader
            identifier = None
    if identifier is None:
        identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(languages))
    return identifier


def _model_from_copy(folder: Path, model_file: Path) -> tuple[Any, ...]:
    """py3langid.modelio.load_model's result, from memory-mapped arrays in `folder` (written first)."""
    from py3langid.modelio import _to_array
    langid_version = metadata.version("py3langid")
    digest = hashlib.sha256(model_file.read_bytes()).hexdigest()[:16]
    copy = folder / f"langid-{langid_version}-{digest}"
    if not copy.is_dir():
        _write_model_copy(model_file, copy)
    data = {name: np.load(copy / f"{name}.npy", mmap_mode="r", allow_pickle=False) for name in MODEL_ARRAYS}
    return (data["ptc"], data["pc"], data["classes"].tolist(), _to_array(data["nextmove"]),
            _to_array(data["nextmove_row"]), data["out_feat"].tolist())


def _write_model_copy(model_file: Path, copy: Path) -> None:
    """The model's arrays as .npy files in a new folder `copy`, renamed into place once complete."""
    copy.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{copy.name}.", suffix=".tmp", dir=copy.parent))
    try:
        with lzma.open(model_file) as source, np.load(io.BytesIO(source.read()), allow_pickle=False) as data:
            for name in MODEL_ARRAYS:
                np.save(staging / f"{name}.npy", data[name], allow_pickle=False)
        os.chmod(staging, 0o755)
        os.replace(staging, copy)
    except OSError:
        if not copy.is_dir():  # else another run wrote it meanwhile
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # only left when it was not renamed


def identify(text: str, languages: list[str] | tuple[str, ...] | None = None,
             max_chars: int = 2000) -> tuple[str, float]:
    """(ISO 639-1 code, probability) of the text; ("und", 0.0) when it has no letters."""
    if not text or not any(ch.isalpha() for ch in text[:max_chars]):
        return "und", 0.0
    langs = tuple(sorted(set(languages or DEFAULT_LANGUAGES)))
    try:
        code, prob = _identifier(langs).classify(text[:max_chars])
    except Exception:  # an unknown code in the param list: fall back to the default list
        code, prob = _identifier(tuple(sorted(DEFAULT_LANGUAGES))).classify(text[:max_chars])
    return str(code), float(prob)
