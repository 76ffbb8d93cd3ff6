"""Results cache: keyed by version, text hash and labels; LRU-bounded; 0 disables it."""

from __future__ import annotations

from amer.serving.cache import ResultCache, cache_key


def test_cache_key_separates_version_text_and_labels() -> None:
    base = cache_key("v1", "feber", None)
    assert base == cache_key("v1", "feber", [])
    assert cache_key("v1", "feber", ["B", "A"]) == cache_key("v1", "feber", ["A", "B"])
    assert (
        len(
            {
                base,
                cache_key("v2", "feber", None),
                cache_key("v1", "hoste", None),
                cache_key("v1", "feber", ["A"]),
            }
        )
        == 4
    )
    assert "feber" not in repr(base)


def test_cache_evicts_least_recently_used() -> None:
    cache: ResultCache[int] = ResultCache(2)
    a, b, c = (cache_key("v", t, None) for t in "abc")
    cache.put(a, 1)
    cache.put(b, 2)
    assert cache.get(a) == 1
    cache.put(c, 3)
    assert cache.get(b) is None and cache.get(a) == 1 and cache.get(c) == 3
    assert len(cache) == 2


def test_cache_size_zero_disables() -> None:
    cache: ResultCache[int] = ResultCache(0)
    key = cache_key("v", "a", None)
    cache.put(key, 1)
    assert cache.get(key) is None and len(cache) == 0
