"""A bounded window of traffic aggregates (never text), shared by the API's worker processes.

Each scored document becomes one JSON line of counts (:class:`amer.model.DocStats`) in
``AMER_HOME/traffic/traffic.jsonl``. Writers hold an exclusive ``flock`` on a lock file
while they append and, when the file passes ``traffic_max_bytes``, rotate it to
``traffic.jsonl.1`` … ``.N`` (oldest dropped), so several uvicorn workers — or pods sharing
a volume — can record at once and the window stays bounded on disk.
"""

from __future__ import annotations

import fcntl
import json
import logging
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from amer.errors import DataError
from amer.model import DocStats
from amer.settings import Settings

logger = logging.getLogger(__name__)

TRAFFIC_FILE = "traffic.jsonl"


class TrafficRecorder:
    """Appends per-document aggregates to a size-rotated JSONL window; safe across processes."""

    def __init__(self, directory: Path, *, max_bytes: int = 5_000_000, backups: int = 3) -> None:
        self.directory = directory
        self.path = directory / TRAFFIC_FILE
        self.max_bytes = max_bytes
        self.backups = backups
        self._thread_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> TrafficRecorder:
        """The recorder under ``settings.home/traffic`` with the configured rotation."""
        return cls(
            settings.home / "traffic",
            max_bytes=settings.traffic_max_bytes,
            backups=settings.traffic_backups,
        )

    def record(self, stats: Sequence[DocStats]) -> None:
        """Append one line per document: counts only, never text or entity strings."""
        if not stats:
            return
        now = round(time.time(), 3)
        payload = "".join(json.dumps(_to_row(s, now), separators=(",", ":")) + "\n" for s in stats)
        with self._locked():
            with self.path.open("a", encoding="utf-8") as f:
                f.write(payload)
                size = f.tell()
            if size >= self.max_bytes:
                self._rotate()

    def read_window(self, limit: int) -> list[DocStats]:
        """The most recent ``limit`` documents, oldest first.

        Raises:
            DataError: a traffic file has a malformed line (the message names file and line).
        """
        window: deque[DocStats] = deque(maxlen=max(limit, 0))
        with self._locked():
            for path in self.files():
                window.extend(_read_rows(path))
        return list(window)

    def files(self) -> list[Path]:
        """Existing traffic files, oldest first."""
        rotated = [self._backup(i) for i in range(self.backups, 0, -1)]
        return [p for p in [*rotated, self.path] if p.is_file()]

    def clear(self) -> None:
        """Forget the recorded window (e.g. after a new model version goes live)."""
        with self._locked():
            for path in self.files():
                path.unlink()

    def _backup(self, index: int) -> Path:
        return self.path.with_name(f"{TRAFFIC_FILE}.{index}")

    def _rotate(self) -> None:
        if self.backups == 0:
            self.path.unlink()
            return
        self._backup(self.backups).unlink(missing_ok=True)
        for i in range(self.backups - 1, 0, -1):
            if self._backup(i).is_file():
                self._backup(i).rename(self._backup(i + 1))
        self.path.rename(self._backup(1))
        logger.info("rotated traffic window file %s", self.path)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.directory.mkdir(parents=True, exist_ok=True)
        with self._thread_lock, (self.directory / ".lock").open("a") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def _to_row(stats: DocStats, now: float) -> dict[str, Any]:
    return {
        "t": now,
        "chars": stats.n_chars,
        "tokens": stats.n_tokens,
        "oov": stats.oov_tokens,
        "lex": stats.lexicon_tokens,
        "ents": stats.entities_per_label,
    }


def _read_rows(path: Path) -> Iterator[DocStats]:
    with path.open(encoding="utf-8") as f:
        yield from _parse(f, path)


def _parse(f: IO[str], path: Path) -> Iterator[DocStats]:
    for number, line in enumerate(f, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            yield DocStats(
                n_chars=int(row["chars"]),
                n_tokens=int(row["tokens"]),
                oov_tokens=int(row["oov"]),
                lexicon_tokens=int(row["lex"]),
                entities_per_label={str(k): int(v) for k, v in row["ents"].items()},
            )
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            reason = type(e).__name__
            raise DataError(f"{path}:{number}: malformed traffic record ({reason})") from e
