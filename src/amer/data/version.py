"""Dataset version: a content hash of the cleaned inputs and the cleaning settings."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from amer.data.cleaning import LexiconEntry
from amer.data.corpus import Document

VERSION_LENGTH = 16


def dataset_version(
    entries: Iterable[LexiconEntry],
    documents: Iterable[Document],
    cleaning: Mapping[str, Any],
) -> str:
    """A short hex digest that changes when the lexicon, corpus or cleaning settings change.

    The hash covers the cleaned data (not file bytes), so reformatting a file without
    changing its content keeps the version, while any changed term or text changes it.
    """
    digest = hashlib.sha256()
    digest.update(json.dumps(dict(cleaning), sort_keys=True, default=str).encode())
    for entry in entries:
        digest.update(f"T\t{entry.term}\t{entry.label}\t{entry.icd10 or ''}\n".encode())
    for doc in documents:
        digest.update(f"D\t{doc.id}\t{len(doc.text)}\n".encode())
        digest.update(doc.text.encode())
    return digest.hexdigest()[:VERSION_LENGTH]
