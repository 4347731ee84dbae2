"""Language identification with py3langid, restricted to a short list of languages (param `languages`).

Restricting the candidates keeps short passages from being labelled with rare languages; probabilities are
normalised so that a confidence threshold means the same for every text length.

Loading py3langid's model means decompressing 68 MB of LZMA (0.6 s), more than a rerun of the stage that
cleans one new document takes otherwise. So the stage may name a folder (the clean cache folder) where an
uncompressed copy of the model's arrays is kept as numpy .npy files (never a pickle: they are read with
`allow_pickle=False`), memory-mapped on later runs (0.03 s). The copy holds the very arrays py3langid would
load (named by the model file's hash and py3langid's version) and is turned into an identifier the way
py3langid does it, so the results are the same to the bit; any problem with it falls back to py3langid's own
loader. The copy is a load-speed trick, not a cache of results.
"""
from __future__ import annotations

import hashlib
import io
import lzma
import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from stages.common import StageError

MODEL_ARRAYS = ("ptc", "pc", "classes", "nextmove", "nextmove_row", "out_feat")


@dataclass(frozen=True)
class Identifier:
    """py3langid restricted to some languages."""
    model: Any   # py3langid.langid.LanguageIdentifier

    def identify(self, text: str, max_chars: int) -> tuple[str, float]:
        """(ISO 639-1 code, probability) of the text's first `max_chars` characters; ("und", 0.0) when
        they hold no letter."""
        if not text or not any(ch.isalpha() for ch in text[:max_chars]):
            return "und", 0.0
        code, prob = self.model.classify(text[:max_chars])
        if not script_fits(str(code), text[:max_chars]):
            return "und", 0.0   # restricted to its list, the model names a language of another script
        return str(code), float(prob)


# The scripts (Unicode ranges) of languages not written in the Latin alphabet; every other language is.
SCRIPTS: dict[str, tuple[tuple[int, int], ...]] = {
    "arabic": ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)),
    "cyrillic": ((0x0400, 0x052F),), "greek": ((0x0370, 0x03FF),), "hebrew": ((0x0590, 0x05FF),),
    "devanagari": ((0x0900, 0x097F),), "bengali": ((0x0980, 0x09FF),), "thai": ((0x0E00, 0x0E7F),),
    "hangul": ((0x1100, 0x11FF), (0x3130, 0x318F), (0xAC00, 0xD7AF)),
    "han": ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF)),   # with kana
}
LANGUAGE_SCRIPTS = {"ar": "arabic", "fa": "arabic", "ur": "arabic", "ru": "cyrillic", "uk": "cyrillic",
                    "bg": "cyrillic", "sr": "cyrillic", "el": "greek", "he": "hebrew", "hi": "devanagari",
                    "mr": "devanagari", "ne": "devanagari", "bn": "bengali", "th": "thai", "ko": "hangul",
                    "ja": "han", "zh": "han"}


def script_of(char: str) -> str:
    point = ord(char)
    for script, ranges in SCRIPTS.items():
        if any(lo <= point <= hi for lo, hi in ranges):
            return script
    return "latin"


class _LetterScripts(dict):
    """char -> its script_of when it is a letter (str.isalpha), else None; computed on first sight (a text
    has few distinct characters). Bounded by the characters of Unicode."""

    def __missing__(self, char: str) -> str | None:
        value = self[char] = script_of(char) if char.isalpha() else None
        return value


LETTER_SCRIPTS = _LetterScripts()


def script_fits(code: str, text: str) -> bool:
    """Whether the language's script holds at least half of the text's letters (Hindi in Devanagari is
    not Arabic, whatever a model restricted to a list without Hindi says). Counted per distinct character."""
    want = LANGUAGE_SCRIPTS.get(code, "latin")
    if text.isascii():
        return want == "latin"
    letters = fitting = 0
    for char, n in Counter(text).items():
        script = LETTER_SCRIPTS[char]
        if script is not None:
            letters += n
            fitting += n if script == want else 0
    return fitting * 2 >= letters


@lru_cache(maxsize=8)
def identifier(languages: tuple[str, ...], model_copy_folder: str | None) -> Identifier:
    """An identifier for these languages (loaded once per process and arguments); with a folder, from the
    uncompressed model copy kept there (written first when missing)."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier
    model = None
    if model_copy_folder is not None:
        try:
            ptc, pc, classes, nextmove, row, output = _model_from_copy(Path(model_copy_folder),
                                                                       MODEL_DIR / MODEL_FILE)
            model = LanguageIdentifier(np.asarray(ptc), np.asarray(pc), classes, nextmove, output,
                                       norm_probs=True, tk_row=row)
        except Exception:  # an unreadable copy or another py3langid: its own loader
            model = None
    if model is None:
        model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    known = sorted(model.nb_classes)   # before set_languages: every language of the model
    unknown = sorted(set(languages) - set(known))
    if unknown:
        raise StageError(f"clean.languages: {unknown} not known to py3langid (it knows: {', '.join(known)})")
    model.set_languages(sorted(set(languages)))
    return Identifier(model)


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
