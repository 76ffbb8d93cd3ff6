"""Clean a terminology into a lexicon and a corpus into unique documents, counting every rule.

Terminology rules, in order (each dropped term counted under its reason):

1. ``label_not_kept``: the category is not one of the configured labels.
2. normalise: Unicode NFC, whitespace collapsed, a parenthetical part removed
   (``Kolera (cholera)`` → ``Kolera``; counted as ``parenthetical_removed``).
3. ``numeric``: no letter at all. ``too_short``: fewer than ``min_length`` characters,
   unless an acronym in capitals of two or more letters. ``too_long``: more than
   eight words (long ICD descriptions never occur verbatim in notes).
4. ``generic``: a generic phrase or word that is no entity (``ikke angitt``, ``frisk``),
   listed in ``resources/generic_terms.txt``, or a Norwegian stop word.
5. ``relabelled``: a plainly wrong category corrected from ``resources/label_overrides.tsv``.
6. Conflicts: a term (compared in lower case) listed under several kept labels gets the
   first of them in ``label_priority``; each extra row is counted as ``duplicate``,
   and every term that had more than one label as ``conflicts_resolved``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from pydantic import BaseModel, Field

from amer.data.corpus import Document
from amer.data.terminology import Term

_PAREN = re.compile(r"\s*\([^()]*\)")
_SPACE = re.compile(r"[ \t\u00a0\u2000-\u200b]+")
_MAX_WORDS = 8


@dataclass(frozen=True, slots=True)
class LexiconEntry:
    """A cleaned term: surface form, label and the ICD-10 code it carries, if any."""

    term: str
    label: str
    icd10: str | None = None


class CleaningReport(BaseModel):
    """What terminology cleaning kept, dropped and changed, by rule."""

    input_terms: int = 0
    kept_terms: int = 0
    dropped: dict[str, int] = Field(default_factory=dict)
    changed: dict[str, int] = Field(default_factory=dict)
    per_label: dict[str, int] = Field(default_factory=dict)


class CorpusCleaningReport(BaseModel):
    """What corpus cleaning kept and dropped."""

    input_documents: int = 0
    kept_documents: int = 0
    dropped: dict[str, int] = Field(default_factory=dict)


def normalise_text(text: str) -> str:
    """Unicode NFC, runs of spaces collapsed, each line stripped, blank lines removed."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = (_SPACE.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def clean_terminology(
    terms: Iterable[Term],
    *,
    labels: Sequence[str],
    label_priority: Sequence[str],
    min_length: int = 3,
) -> tuple[list[LexiconEntry], CleaningReport]:
    """Turn raw terminology rows into a deterministic, conflict-free lexicon."""
    report = CleaningReport()
    dropped: Counter[str] = Counter()
    changed: Counter[str] = Counter()
    kept = set(labels)
    overrides = _label_overrides()
    by_key: dict[str, list[Term]] = defaultdict(list)
    for row in terms:
        report.input_terms += 1
        reason = _drop_reason(row, kept=kept, min_length=min_length, changed=changed)
        if reason:
            dropped[reason] += 1
            continue
        key = _clean_term(row.term).lower()
        if key in overrides and overrides[key] != row.category:
            row = row.model_copy(update={"category": overrides[key]})
            changed["relabelled"] += 1
        by_key[key].append(row)
    entries = [_resolve(rows, label_priority, dropped, changed) for rows in by_key.values()]
    entries.sort(key=lambda e: (e.term.lower(), e.label))
    report.kept_terms = len(entries)
    report.dropped = dict(sorted(dropped.items()))
    report.changed = dict(sorted(changed.items()))
    report.per_label = dict(sorted(Counter(e.label for e in entries).items()))
    return entries, report


def _drop_reason(row: Term, *, kept: set[str], min_length: int, changed: Counter[str]) -> str:
    if row.category not in kept:
        return "label_not_kept"
    term = _clean_term(row.term)
    if term != row.term:
        changed["normalised" if not _PAREN.search(row.term) else "parenthetical_removed"] += 1
    if not any(ch.isalpha() for ch in term):
        return "numeric"
    if len(term) < min_length and not is_acronym(term):
        return "too_short"
    if len(term.split()) > _MAX_WORDS:
        return "too_long"
    if term.lower() in _generic_terms():
        return "generic"
    return ""


def _resolve(
    rows: list[Term], priority: Sequence[str], dropped: Counter[str], changed: Counter[str]
) -> LexiconEntry:
    labels = {r.category for r in rows}
    rank = {label: i for i, label in enumerate(priority)}
    label = min(labels, key=lambda lab: (rank.get(lab, len(rank)), lab))
    if len(labels) > 1:
        changed["conflicts_resolved"] += 1
    dropped["duplicate"] += len(rows) - 1
    chosen = sorted((r for r in rows if r.category == label), key=lambda r: r.term)
    codes = sorted(r.icd10 for r in rows if r.icd10)
    return LexiconEntry(_clean_term(chosen[0].term), label, codes[0] if codes else None)


def _clean_term(term: str) -> str:
    without = _PAREN.sub("", term) if not term.startswith("(") else term
    return normalise_text(without).replace("\n", " ")


def is_acronym(term: str) -> bool:
    """True for a word or phrase in capitals with at least two letters (``KOLS``)."""
    letters = [ch for ch in term if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


@lru_cache(maxsize=1)
def _generic_terms() -> frozenset[str]:
    from spacy.lang.nb.stop_words import STOP_WORDS

    text = resources.files("amer").joinpath("resources/generic_terms.txt").read_text("utf-8")
    listed = {line.strip().lower() for line in text.splitlines()}
    return frozenset({t for t in listed if t and not t.startswith("#")} | set(STOP_WORDS))


@lru_cache(maxsize=1)
def _label_overrides() -> dict[str, str]:
    text = resources.files("amer").joinpath("resources/label_overrides.tsv").read_text("utf-8")
    pairs = (line.split("\t") for line in text.splitlines() if line and line[0] != "#")
    return {term.strip().lower(): label.strip() for term, label in pairs}


def clean_corpus(documents: Iterable[Document]) -> tuple[list[Document], CorpusCleaningReport]:
    """Normalise documents and drop empty ones and exact duplicates (after normalising)."""
    report = CorpusCleaningReport()
    dropped: Counter[str] = Counter()
    seen: set[str] = set()
    kept: list[Document] = []
    for doc in documents:
        report.input_documents += 1
        text = normalise_text(doc.text)
        if not text:
            dropped["empty"] += 1
        elif text in seen:
            dropped["duplicate"] += 1
        else:
            seen.add(text)
            kept.append(Document(id=doc.id, text=text))
    report.kept_documents = len(kept)
    report.dropped = dict(sorted(dropped.items()))
    return kept, report
