"""The lexicon labeller: terminology matches as weak labels, one span group per source.

It wraps two of spaCy's rule-based span rulers (the engine of the EntityRuler): one for
the terms as listed (``doc.spans["lexicon"]``) and one for their Norwegian inflected
forms (``doc.spans["inflection"]``). Terms are matched case-insensitively, acronyms in
capitals exactly. Each span's ``id_`` carries the term's ICD-10 code, if any. Only the
cleaned term list is saved with a pipeline; patterns are rebuilt when it loads.

With ``token_features`` on, it also writes each token's lexicon match into ``token.tag_``
(``LEX-B-CONDITION``, ``LEX-I-CONDITION`` or ``LEX-O``): a gazetteer feature that the NER's
tok2vec embeds (``TAG`` in its attrs) when the labeller runs before it. During training
(spaCy calls :meth:`update` before it annotates a batch) each match's feature is hidden
with probability ``feature_dropout``, so the network also learns entities from context
and does not merely copy the lexicon.
"""

from __future__ import annotations

import gzip
import io
import random
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.pipeline.span_ruler import SpanRuler
from spacy.tokens import Doc
from spacy.util import ensure_path

from amer.data.cleaning import LexiconEntry, is_acronym
from amer.labeling.aggregation import aggregate
from amer.labeling.inflection import inflect_term

LEXICON_KEY = "lexicon"
INFLECTION_KEY = "inflection"
_FILE = "lexicon.tsv.gz"
_RULERS = ((LEXICON_KEY, "LOWER"), (LEXICON_KEY, "ORTH"), (INFLECTION_KEY, "LOWER"))
"""(span key, phrase-matcher attribute) of each ruler: terms, acronyms, inflected forms.
Acronyms use phrase patterns on ORTH: token patterns would put thousands of entries in the
slower token Matcher."""


class LexiconLabeller:
    """spaCy component that writes terminology matches to ``doc.spans``."""

    def __init__(
        self,
        nlp: Language,
        name: str,
        *,
        inflect: bool,
        token_features: bool = True,
        feature_dropout: float = 0.0,
        seed: int = 0,
    ) -> None:
        self.nlp = nlp
        self.name = name
        self.inflect = inflect
        self.token_features = token_features
        self.feature_dropout = feature_dropout
        self._random = random.Random(seed)
        self._training_docs = 0
        self.entries: list[LexiconEntry] = []
        self._icd10: dict[str, str] = {}
        self._rulers = self._new_rulers()

    def _new_rulers(self) -> list[SpanRuler]:
        # The rulers tokenize their patterns with a tokenizer-only pipeline that shares
        # the vocab: piping them through ``self.nlp`` would run this component too.
        tokenize_only = spacy.blank(self.nlp.lang or "nb", vocab=self.nlp.vocab)
        tokenize_only.tokenizer = self.nlp.tokenizer
        return [
            SpanRuler(tokenize_only, f"{self.name}_{n}", spans_key=key, phrase_matcher_attr=attr)
            for n, (key, attr) in enumerate(_RULERS)
        ]

    def set_entries(self, entries: Iterable[LexiconEntry]) -> None:
        """Replace the terminology and rebuild the patterns."""
        self.entries = sorted(entries, key=lambda e: (e.term.lower(), e.label))
        self._icd10 = {e.term.lower(): e.icd10 for e in self.entries if e.icd10}
        self._rulers = self._new_rulers()
        groups = build_patterns(self.entries, inflect=self.inflect)
        for ruler, patterns in zip(self._rulers, groups, strict=True):
            if patterns:
                ruler.add_patterns(patterns)

    def initialize(
        self,
        get_examples: Any = None,
        *,
        nlp: Language | None = None,
        lexicon_path: str | None = None,
    ) -> None:
        """spaCy's initialize hook: load the term list from ``lexicon_path`` (lexicon.tsv.gz)."""
        if lexicon_path:
            self.from_bytes(Path(lexicon_path).read_bytes())

    def icd10_for(self, text: str) -> str | None:
        """The ICD-10 code of a term, looked up in lower case."""
        return self._icd10.get(text.lower())

    def __call__(self, doc: Doc) -> Doc:
        for key in (LEXICON_KEY, INFLECTION_KEY):
            doc.spans[key] = []
        for ruler in self._rulers:
            if len(ruler):
                doc = ruler(doc)
        if self.token_features:
            hide = self.feature_dropout if self._training_docs > 0 else 0.0
            self._training_docs = max(0, self._training_docs - 1)
            _write_token_features(doc, hide=hide, rng=self._random)
        return doc

    def update(self, examples: Iterable[Any], **kwargs: Any) -> dict[str, float]:
        """Called by spaCy's training loop before this component annotates a batch.

        The next ``len(examples)`` documents get feature dropout; nothing is learned.
        """
        self._training_docs = len(list(examples))
        losses: dict[str, float] = kwargs.get("losses") or {}
        return losses

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        """The term list as gzipped TSV."""
        return _encode(self.entries)

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> LexiconLabeller:
        """Load a term list written by :meth:`to_bytes` and rebuild the patterns."""
        text = gzip.decompress(data).decode("utf-8")
        self.set_entries(_parse_row(line) for line in io.StringIO(text) if line.strip())
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Write ``lexicon.tsv.gz`` under ``path``."""
        folder = ensure_path(path)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / _FILE).write_bytes(self.to_bytes())

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> LexiconLabeller:
        """Read ``lexicon.tsv.gz`` under ``path``."""
        return self.from_bytes((ensure_path(path) / _FILE).read_bytes())


def _write_token_features(
    doc: Doc, *, hide: float = 0.0, rng: random.Random | None = None
) -> None:
    tags = ["LEX-O"] * len(doc)
    for span in aggregate(doc, (LEXICON_KEY, INFLECTION_KEY)):
        if hide and rng is not None and rng.random() < hide:
            continue
        tags[span.start] = f"LEX-B-{span.label_}"
        for i in range(span.start + 1, span.end):
            tags[i] = f"LEX-I-{span.label_}"
    for token, tag in zip(doc, tags, strict=True):
        token.tag_ = tag


def write_lexicon_file(entries: Iterable[LexiconEntry], path: Path) -> Path:
    """Write a term list in the format :meth:`LexiconLabeller.initialize` reads."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_encode(entries))
    return path


def _encode(entries: Iterable[LexiconEntry]) -> bytes:
    rows = (f"{e.term}\t{e.label}\t{e.icd10 or ''}\n" for e in entries)
    return gzip.compress("".join(rows).encode("utf-8"), mtime=0)


def _parse_row(line: str) -> LexiconEntry:
    term, label, icd10 = line.rstrip("\n").split("\t")
    return LexiconEntry(term, label, icd10 or None)


def build_patterns(entries: Iterable[LexiconEntry], *, inflect: bool) -> list[list[dict[str, Any]]]:
    """Phrase patterns for the three rulers (see ``_RULERS``): listed terms matched in lower
    case, acronyms matched exactly, and inflected forms matched in lower case.

    Inflected forms that are themselves listed terms are left to the listed term.
    """
    entries = list(entries)
    listed = {e.term.lower() for e in entries}
    groups: list[list[dict[str, Any]]] = [[], [], []]
    for entry in entries:
        acronym = all(is_acronym(w) for w in entry.term.split())
        groups[1 if acronym else 0].append(_pattern(entry.term, entry))
        if not inflect:
            continue
        for form in inflect_term(entry.term, neuter_e=entry.label == "ANAT_LOC"):
            if form.lower() not in listed:
                groups[2].append(_pattern(form, entry))
    return groups


def _pattern(surface: str, entry: LexiconEntry) -> dict[str, Any]:
    return {"label": entry.label, "pattern": surface, "id": entry.icd10 or ""}


@Language.factory(
    "amer_lexicon",
    default_config={"inflect": True, "token_features": True, "feature_dropout": 0.0, "seed": 0},
)
def make_lexicon_labeller(
    nlp: Language,
    name: str,
    inflect: bool,
    token_features: bool,
    feature_dropout: float,
    seed: int,
) -> LexiconLabeller:
    """Factory of the lexicon labeller (``amer_lexicon``)."""
    return LexiconLabeller(
        nlp,
        name,
        inflect=inflect,
        token_features=token_features,
        feature_dropout=feature_dropout,
        seed=seed,
    )
