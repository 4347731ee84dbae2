"""Language identification with py3langid, restricted to a short list of languages (param `languages`).

Restricting the candidates keeps short passages from being labelled with rare languages; probabilities are
normalised so that `min_confidence` means the same for every text length.
"""
from __future__ import annotations

from functools import lru_cache

DEFAULT_LANGUAGES = ["en", "es", "fr", "de", "it", "pt", "nl", "id", "ru", "ja", "ko", "zh", "ar"]


@lru_cache(maxsize=8)
def _identifier(languages: tuple[str, ...]):
    from py3langid.langid import MODEL_FILE, LanguageIdentifier
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(languages))
    return identifier


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
