"""Deterministic, seeded document-level splits."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def _rank(seed: int, salt: str, key: str) -> str:
    return hashlib.sha256(f"{seed}:{salt}:{key}".encode()).hexdigest()


def split_documents(
    items: Sequence[T], *, keys: Sequence[str], fraction: float, seed: int, salt: str = "test"
) -> tuple[list[T], list[T]]:
    """Split ``items`` into (rest, held_out) with ``fraction`` of them held out.

    Each item is ranked by a hash of the seed and its key (a document id or text hash), so
    the split does not depend on input order and an added document never moves others.
    """
    if len(items) != len(keys):
        raise ValueError("items and keys must have the same length")
    if not 0.0 < fraction < 1.0:
        raise ValueError("fraction must be between 0 and 1")
    order = sorted(range(len(items)), key=lambda i: _rank(seed, salt, keys[i]))
    n_held = max(1, round(len(items) * fraction)) if len(items) > 1 else 0
    held = set(order[:n_held])
    rest = [items[i] for i in range(len(items)) if i not in held]
    held_out = [items[i] for i in range(len(items)) if i in held]
    return rest, held_out
