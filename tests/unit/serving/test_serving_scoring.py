"""Scorer: bounded work (503), timeouts (504), batching of concurrent requests, cache, stats."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

import pytest

from amer.model import DocStats, Entity
from amer.serving.holder import LoadedModel, ModelInfo
from amer.serving.scoring import Overloaded, Scorer, TimedOut


class _SlowModel:
    """Finds one CONDITION and one SUBSTANCE per text; waits for ``gate`` before answering."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.gate.set()
        self.calls: list[int] = []

    def analyse_batch(self, texts: Sequence[str]) -> list[tuple[list[Entity], DocStats]]:
        self.gate.wait(5)
        self.calls.append(len(texts))
        ents = [Entity(0, 1, "x", "CONDITION", "lexicon"), Entity(1, 2, "y", "SUBSTANCE", "model")]
        stats = DocStats(1, 1, 0, 1, {"CONDITION": 1, "SUBSTANCE": 1})
        return [(ents, stats) for _ in texts]


class _Holder:
    def __init__(self, model: _SlowModel) -> None:
        self.current = LoadedModel(model=model, info=ModelInfo(name="m", version="1"), token="t")  # type: ignore[arg-type]


def _scorer(model: _SlowModel, sink: object = None, **options: float) -> Scorer:
    defaults = {"max_concurrency": 4, "timeout_s": 5.0, "cache_size": 0}
    scorer = Scorer(_Holder(model), stats_sink=sink, **{**defaults, **options})  # type: ignore[arg-type]
    scorer.start()
    return scorer


def test_scoring_filters_labels_and_reports_model() -> None:
    scorer = _scorer(_SlowModel())
    loaded, found = asyncio.run(scorer.score(["a", "b"], ["substance"]))
    scorer.stop()
    assert loaded.info.version == "1"
    assert [[e.label for e in ents] for ents in found] == [["SUBSTANCE"], ["SUBSTANCE"]]


def test_scoring_refuses_work_beyond_the_bound() -> None:
    model = _SlowModel()
    model.gate.clear()
    scorer = _scorer(model, max_concurrency=2)

    async def run() -> list[object]:
        tasks = [asyncio.ensure_future(scorer.score([f"t{i}"])) for i in range(3)]
        await asyncio.sleep(0.1)
        model.gate.set()
        return list(await asyncio.gather(*tasks, return_exceptions=True))

    results = asyncio.run(run())
    scorer.stop()
    assert sum(isinstance(r, Overloaded) for r in results) == 1
    assert scorer.held == 0


def test_scoring_times_out_and_skips_abandoned_work() -> None:
    model = _SlowModel()
    model.gate.clear()
    scorer = _scorer(model, timeout_s=0.05)

    async def run() -> None:
        first = asyncio.ensure_future(scorer.score(["running"]))
        await asyncio.sleep(0.01)
        with pytest.raises(TimedOut):
            await scorer.score(["queued"])
        model.gate.set()
        with pytest.raises(TimedOut):
            await first

    asyncio.run(run())
    scorer.stop()
    assert model.calls == [1]
    assert scorer.held == 0


def test_scoring_batches_concurrent_requests() -> None:
    model = _SlowModel()
    model.gate.clear()
    scorer = _scorer(model, max_concurrency=16)

    async def run() -> None:
        tasks = [asyncio.ensure_future(scorer.score([f"t{i}"])) for i in range(6)]
        await asyncio.sleep(0.1)
        model.gate.set()
        await asyncio.gather(*tasks)

    asyncio.run(run())
    scorer.stop()
    assert sum(model.calls) == 6 and len(model.calls) < 6


def test_scoring_cache_skips_the_model_and_records_stats() -> None:
    model = _SlowModel()
    recorded: list[DocStats] = []
    scorer = _scorer(model, recorded.extend, cache_size=8)
    asyncio.run(scorer.score(["same"]))
    asyncio.run(scorer.score(["same"], ["CONDITION"]))
    scorer.stop()
    assert model.calls == [1]
    assert len(recorded) == 1 and recorded[0].entities_per_label == {"CONDITION": 1, "SUBSTANCE": 1}
