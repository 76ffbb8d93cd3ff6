"""Norwegian (bokmål) inflected forms of terminology nouns.

Terms are listed in base form (``mutasjon``); notes use definite and plural forms
(``mutasjonen``, ``mutasjoner``, ``mutasjonene``). Only the last word of a term is
inflected, as in ``akutt hjerteinfarkt`` → ``akutt hjerteinfarktet``.
"""

from __future__ import annotations

_MIN_STEM = 4
_NO_INFLECT_ENDINGS = ("um", "us", "is", "a", "o", "i", "y", "å", "é")


def inflect_word(word: str, *, neuter_e: bool = False) -> list[str]:
    """Definite singular, indefinite plural and definite plural forms of a noun.

    Returns the forms in a fixed order, without the word itself; an empty list for
    words that are too short, acronyms, contain digits, or look like verbs (``-ere``).
    ``neuter_e`` adds the neuter definite ``-et`` of words in ``-e`` (``hjertet``); it is
    off by default because most ``-et`` forms of such words are verb participles.
    """
    lower = word.lower()
    if (
        len(word) < _MIN_STEM
        or not word.isalpha()
        or word.isupper()
        or lower.endswith(_NO_INFLECT_ENDINGS)
        or lower.endswith("ere")
    ):
        return []
    if lower.endswith("e"):
        forms = [word + "n", word + "r", word + "ne"] + ([word + "t"] if neuter_e else [])
    elif lower.endswith(("el", "er")) and len(word) > 5:
        contracted = word[:-2] + word[-1]
        forms = [word + "en", word + "et", contracted + "er", contracted + "ene"]
    else:
        forms = [word + "en", word + "et", word + "er", word + "ene"]
    return list(dict.fromkeys(forms))


def inflect_term(term: str, *, neuter_e: bool = False) -> list[str]:
    """Inflected forms of a (possibly multi-word) term: its last word is inflected."""
    head, _, last = term.rpartition(" ")
    prefix = head + " " if head else ""
    return [prefix + form for form in inflect_word(last, neuter_e=neuter_e)]
