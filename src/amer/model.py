"""``load_model()`` and ``extract()``: the one way to run an AMER model.

A saved AMER model is a spaCy pipeline directory: ``tok2vec`` and ``ner`` (the CNN),
``amer_model_spans`` (keeps the model's entities as a source), ``amer_lexicon``
(terminology matches) and ``amer_aggregate`` (decides the entities). Its ``meta.json``
carries amer's own facts (dataset version, metrics) under ``"amer"``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import spacy
from spacy.language import Language
from spacy.tokens import Doc

import amer.labeling.aggregation  # noqa: F401  (registers spaCy factories)
from amer.errors import ModelError
from amer.labeling.aggregation import MODEL_KEY, aggregate
from amer.labeling.lexicon import INFLECTION_KEY, LEXICON_KEY, LexiconLabeller

logger = logging.getLogger(__name__)

Mode = Literal["combined", "model", "lexicon"]
SOURCES: dict[str, tuple[str, ...]] = {
    "combined": (LEXICON_KEY, INFLECTION_KEY, MODEL_KEY),
    "model": (MODEL_KEY,),
    "lexicon": (LEXICON_KEY, INFLECTION_KEY),
}
"""Which labelling sources each mode aggregates, in priority order."""

TRAIN_VOCAB_FILE = "train_vocab.txt"
"""Lower-cased tokens seen in training, saved beside the pipeline for drift monitoring."""

SELF_TEST_TEXT = "Pasienten har hatt feber og hoste i tre dager og bruker paracetamol."
"""A canned Norwegian sentence used for readiness checks."""


@dataclass(frozen=True, slots=True)
class DocStats:
    """Aggregates of one document for monitoring: counts only, never text."""

    n_chars: int
    n_tokens: int
    oov_tokens: int
    lexicon_tokens: int
    entities_per_label: dict[str, int]


@dataclass(frozen=True, slots=True)
class Entity:
    """One recognised entity, with character offsets into the text."""

    start: int
    end: int
    text: str
    label: str
    source: str
    icd10: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The entity as a JSON-ready dict."""
        return asdict(self)


class AmerModel:
    """A loaded AMER pipeline: statistical NER combined with the terminology lexicon."""

    def __init__(
        self, nlp: Language, *, source: str = "", train_vocab: frozenset[str] = frozenset()
    ) -> None:
        self.nlp = nlp
        self.source = source
        self.train_vocab = train_vocab
        self._lexicon: LexiconLabeller | None = (
            nlp.get_pipe("amer_lexicon") if "amer_lexicon" in nlp.pipe_names else None  # type: ignore[assignment]
        )

    @property
    def meta(self) -> dict[str, Any]:
        """amer's facts about this model (dataset version, metrics, ...)."""
        return dict(self.nlp.meta.get("amer", {}))

    @property
    def version(self) -> str:
        """The model's version string from its meta."""
        return str(self.nlp.meta.get("version", "0.0.0"))

    @property
    def labels(self) -> tuple[str, ...]:
        """Labels this model can produce."""
        if "ner" in self.nlp.pipe_names:
            return tuple(self.nlp.get_pipe("ner").labels)  # type: ignore[attr-defined]
        return tuple(sorted({e.label for e in self._lexicon.entries})) if self._lexicon else ()

    def docs(
        self, texts: Iterable[str], *, mode: Mode = "combined", batch_size: int = 64
    ) -> Iterable[Doc]:
        """Run the pipeline and set ``doc.ents`` from the sources of ``mode``."""
        disable = ["amer_aggregate"] if "amer_aggregate" in self.nlp.pipe_names else []
        if mode == "lexicon":
            disable += [
                p for p in ("tok2vec", "ner", "amer_model_spans") if p in self.nlp.pipe_names
            ]
        for doc in self.nlp.pipe(texts, batch_size=batch_size, disable=disable):
            doc.ents = aggregate(doc, SOURCES[mode])
            yield doc

    def extract(
        self, text: str, labels: Sequence[str] | None = None, *, mode: Mode = "combined"
    ) -> list[Entity]:
        """Entities in ``text``, optionally only those with the given labels."""
        return self.extract_batch([text], labels, mode=mode)[0]

    def extract_batch(
        self,
        texts: Sequence[str],
        labels: Sequence[str] | None = None,
        *,
        mode: Mode = "combined",
    ) -> list[list[Entity]]:
        """Entities of several texts at once (faster than one call per text)."""
        wanted = {label.upper() for label in labels} if labels else None
        return [self._entities(doc, wanted) for doc in self.docs(texts, mode=mode)]

    def analyse_batch(
        self, texts: Sequence[str], labels: Sequence[str] | None = None
    ) -> list[tuple[list[Entity], DocStats]]:
        """Entities plus monitoring aggregates (token counts, vocabulary and lexicon share)."""
        wanted = {label.upper() for label in labels} if labels else None
        return [(self._entities(doc, wanted), self._stats(doc)) for doc in self.docs(texts)]

    def _stats(self, doc: Doc) -> DocStats:
        words = [t for t in doc if not (t.is_space or t.is_punct)]
        covered = {
            i
            for key in (LEXICON_KEY, INFLECTION_KEY)
            for s in doc.spans.get(key, [])
            for i in range(s.start, s.end)
        }
        per_label: dict[str, int] = {}
        for ent in doc.ents:
            per_label[ent.label_] = per_label.get(ent.label_, 0) + 1
        oov = sum(1 for t in words if t.lower_ not in self.train_vocab) if self.train_vocab else 0
        return DocStats(
            n_chars=len(doc.text),
            n_tokens=len(words),
            oov_tokens=oov,
            lexicon_tokens=sum(1 for t in words if t.i in covered),
            entities_per_label=per_label,
        )

    def _entities(self, doc: Doc, wanted: set[str] | None) -> list[Entity]:
        found = []
        for ent in doc.ents:
            if wanted is not None and ent.label_ not in wanted:
                continue
            icd10 = ent.kb_id_ or (self._lexicon.icd10_for(ent.text) if self._lexicon else None)
            found.append(
                Entity(
                    ent.start_char, ent.end_char, ent.text, ent.label_, ent.ent_id_, icd10 or None
                )
            )
        return found

    def self_test(self) -> list[Entity]:
        """Run the canned sentence; raise :class:`ModelError` if the model cannot answer."""
        try:
            return self.extract(SELF_TEST_TEXT)
        except Exception as e:  # noqa: BLE001 - any failure means the model is unusable
            raise ModelError(f"model self-test failed: {type(e).__name__}") from e

    def save(self, path: Path) -> Path:
        """Write the pipeline (and its training vocabulary) to ``path`` (a directory)."""
        self.nlp.to_disk(path)
        if self.train_vocab:
            (path / TRAIN_VOCAB_FILE).write_text(
                "\n".join(sorted(self.train_vocab)) + "\n", "utf-8"
            )
        return path


def load_model(uri: str | Path) -> AmerModel:
    """Load an AMER model from a directory or a registry URI (``models:/amer-ner@production``).

    Raises:
        ModelError: nothing loadable at ``uri``.
    """
    text = str(uri)
    if text.startswith("models:/"):
        from amer.registry.loading import load_registered_model

        return load_registered_model(text)
    path = Path(text)
    if not (path / "config.cfg").is_file():
        raise ModelError(f"no AMER model at {path} (expected a spaCy pipeline directory)")
    try:
        nlp = spacy.load(path)
    except (OSError, ValueError, KeyError) as e:
        raise ModelError(f"cannot load the model at {path}: {e}") from e
    vocab_file = path / TRAIN_VOCAB_FILE
    vocab = (
        frozenset(vocab_file.read_text("utf-8").split()) if vocab_file.is_file() else frozenset()
    )
    logger.info("loaded model from %s", path)
    return AmerModel(nlp, source=text, train_vocab=vocab)
