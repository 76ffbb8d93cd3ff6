"""Scoring off the event loop: a bounded queue, one inference thread that batches, a cache.

Requests put their texts on a queue; an inference thread takes everything waiting (up to a
batch size), runs the model once over it, and answers each request. Work held at once is
bounded by ``max_concurrency`` documents-requests: beyond it :class:`Overloaded` is raised
(the API answers 503). A request not answered within ``request_timeout_s`` gets
:class:`TimedOut` (504); work not yet started for it is skipped.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from amer.model import DocStats, Entity
from amer.monitoring.metrics import ENTITIES, TEXT_LENGTH
from amer.serving.cache import ResultCache, cache_key
from amer.serving.holder import LoadedModel, ModelHolder

logger = logging.getLogger(__name__)

Result = tuple[list[Entity], DocStats]
StatsSink = Callable[[Sequence[DocStats]], None]


class Overloaded(Exception):
    """More work than the service holds; retry later."""


class TimedOut(Exception):
    """The request was not answered within the scoring timeout."""


@dataclass
class _Job:
    loaded: LoadedModel
    texts: list[str]
    future: Future[list[Result]]


class Scorer:
    """Scores texts with the holder's current model; use as a context (starts the thread)."""

    def __init__(
        self,
        holder: ModelHolder,
        *,
        max_concurrency: int,
        timeout_s: float,
        cache_size: int,
        max_batch_docs: int = 64,
        stats_sink: StatsSink | None = None,
    ) -> None:
        self.holder = holder
        self.max_concurrency = max_concurrency
        self.timeout_s = timeout_s
        self.max_batch_docs = max_batch_docs
        self.cache: ResultCache[Result] = ResultCache(cache_size)
        self._stats_sink = stats_sink
        self._held = 0
        self._held_lock = threading.Lock()
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="amer-inference", daemon=True)
        self._recorder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="amer-traffic")

    def start(self) -> None:
        """Start the inference thread."""
        self._thread.start()

    def stop(self) -> None:
        """Finish queued work and stop the threads."""
        self._queue.put(None)
        self._thread.join(timeout=10)
        self._recorder.shutdown(wait=True)

    @property
    def held(self) -> int:
        """Requests being scored or waiting now."""
        return self._held

    async def score(
        self, texts: Sequence[str], labels: Sequence[str] | None = None
    ) -> tuple[LoadedModel, list[list[Entity]]]:
        """Entities of each text (filtered by ``labels``) and the model that found them.

        Raises:
            Overloaded: ``max_concurrency`` requests are held already.
            TimedOut: no answer within the timeout.
        """
        loaded = self.holder.current
        version = f"{loaded.info.name}/{loaded.info.version}/{loaded.token}"
        keys = [cache_key(version, t, None) for t in texts]
        results: list[Result | None] = [self.cache.get(k) for k in keys]
        missing = [i for i, r in enumerate(results) if r is None]
        if missing:
            computed = await self._compute(loaded, [texts[i] for i in missing])
            for i, result in zip(missing, computed, strict=True):
                results[i] = result
                self.cache.put(keys[i], result)
        done = [r for r in results if r is not None]
        self._observe(done)
        wanted = {label.upper() for label in labels} if labels else None
        return loaded, [
            [e for e in ents if wanted is None or e.label in wanted] for ents, _ in done
        ]

    async def _compute(self, loaded: LoadedModel, texts: list[str]) -> list[Result]:
        with self._held_lock:
            if self._held >= self.max_concurrency:
                raise Overloaded
            self._held += 1
        future: Future[list[Result]] = Future()
        future.add_done_callback(self._release)
        self._queue.put(_Job(loaded, texts, future))
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout_s)
        except TimeoutError:
            future.cancel()
            raise TimedOut from None

    def _release(self, _: object) -> None:
        with self._held_lock:
            self._held -= 1

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            jobs, stop = self._drain(first)
            for group in _by_model(jobs):
                self._run_group(group)
            if stop:
                return

    def _drain(self, first: _Job) -> tuple[list[_Job], bool]:
        jobs, n_docs = [first], len(first.texts)
        while n_docs < self.max_batch_docs:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                break
            if job is None:
                return jobs, True
            jobs.append(job)
            n_docs += len(job.texts)
        return jobs, False

    def _run_group(self, jobs: list[_Job]) -> None:
        live = [j for j in jobs if j.future.set_running_or_notify_cancel()]
        if not live:
            return
        texts = [t for job in live for t in job.texts]
        try:
            results = live[0].loaded.model.analyse_batch(texts)
        except Exception as e:  # noqa: BLE001 - answer every waiting request with the failure
            logger.error("scoring failed: %s", type(e).__name__)
            for job in live:
                job.future.set_exception(e)
            return
        offset = 0
        for job in live:
            job.future.set_result(results[offset : offset + len(job.texts)])
            offset += len(job.texts)
        if self._stats_sink is not None:
            self._recorder.submit(self._record, [stats for _, stats in results])

    def _record(self, stats: list[DocStats]) -> None:
        try:
            self._stats_sink(stats)  # type: ignore[misc]
        except Exception as e:  # noqa: BLE001 - monitoring must never break scoring
            logger.warning("traffic recording failed: %s", type(e).__name__)

    @staticmethod
    def _observe(results: list[Result]) -> None:
        for _, stats in results:
            TEXT_LENGTH.observe(stats.n_chars)
            for label, count in stats.entities_per_label.items():
                ENTITIES.labels(label=label).inc(count)


def _by_model(jobs: list[_Job]) -> list[list[_Job]]:
    groups: dict[int, list[_Job]] = {}
    for job in jobs:
        groups.setdefault(id(job.loaded), []).append(job)
    return list(groups.values())
