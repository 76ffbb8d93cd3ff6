"""Word normalisation shared by the clinical features: Norwegian words to comparable stems."""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"[^\W_]+")
_SUFFIXES = ("ene", "er", "en", "et", "e")
_MIN_STEM = 4
_ICD_FILLERS = frozenset(
    {
        "uspesifisert",
        "uspesifiserte",
        "spesifisert",
        "spesifiserte",
        "annen",
        "annet",
        "andre",
        "ikke",
        "klassifisert",
        "sted",
        "skyldes",
        "som",
    }
)


def stem(word: str) -> str:
    """A crude Norwegian stem: lower case, one inflection suffix removed (``-et``, ``-ene``…)."""
    lower = word.lower()
    for suffix in _SUFFIXES:
        if lower.endswith(suffix) and len(lower) - len(suffix) >= _MIN_STEM:
            return lower[: -len(suffix)]
    return lower


def content_stems(text: str) -> frozenset[str]:
    """Stems of the words of ``text`` that carry meaning (no stop words, no ICD fillers)."""
    return frozenset(stem(w) for w in _WORD.findall(text) if not _is_filler(w.lower()))


def _is_filler(lower: str) -> bool:
    return lower in _ICD_FILLERS or lower in _stop_words()


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.nb.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def concept_key(text: str) -> str:
    """A key under which inflected mentions of one concept meet (``Feberen`` → ``feber``)."""
    return " ".join(stem(w) for w in _WORD.findall(text))
