"""A bounded LRU cache of results keyed by model version, text hash and labels."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Generic, TypeVar

from amer.monitoring.metrics import CACHE_HITS, CACHE_MISSES

V = TypeVar("V")
CacheKey = tuple[str, str, tuple[str, ...]]


def cache_key(version: str, text: str, labels: Sequence[str] | None) -> CacheKey:
    """The key of a result: model version, sha256 of the text, sorted labels (empty = all)."""
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return version, digest, tuple(sorted(set(labels or ())))


class ResultCache(Generic[V]):
    """Thread-safe LRU of at most ``size`` entries; ``size`` 0 disables it (and its counters)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[CacheKey, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: CacheKey) -> V | None:
        """The cached value, counting a hit or a miss."""
        if self.size <= 0:
            return None
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
        (CACHE_HITS if value is not None else CACHE_MISSES).inc()
        return value

    def put(self, key: CacheKey, value: V) -> None:
        """Store a value, evicting the least recently used entries beyond ``size``."""
        if self.size <= 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)
