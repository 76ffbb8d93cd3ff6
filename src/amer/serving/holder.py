"""The model being served, where it comes from, and the hot swap when its alias moves.

A :class:`ModelSource` names the version it points at now (``current()``) and loads one
(``load(version)``). :class:`PathSource` serves a directory (following a symlink, so moving the
link swaps the model); :class:`RegistrySource` serves a registry alias. :class:`ModelHolder`
keeps the current model and swaps only to a version that loads and passes ``self_test()``.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from amer.errors import AmerError, ModelError
from amer.model import AmerModel, load_model
from amer.monitoring.metrics import MODEL_INFO, RELOAD_FAILURES, RELOADS
from amer.settings import Settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelInfo:
    """What is known about a served model version."""

    name: str
    version: str
    alias: str | None = None
    dataset_version: str | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    loaded_at: str = ""


@dataclass(frozen=True)
class LoadedModel:
    """A model and its facts; requests take one reference and keep it to the end."""

    model: AmerModel
    info: ModelInfo
    token: str


class ModelSource(Protocol):
    """Where the served model comes from."""

    def current(self) -> str:
        """A token naming the version the source points at now (cheap; polled)."""
        ...

    def load(self, token: str) -> tuple[AmerModel, ModelInfo]:
        """Load the version named by ``token``."""
        ...


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _info_from_model(model: AmerModel, *, source: str, alias: str | None = None) -> ModelInfo:
    meta = model.meta
    registry = meta.get("registry") or {}
    metrics = meta.get("metrics") or {}
    return ModelInfo(
        name=str(registry.get("name") or model.nlp.meta.get("name", "amer_ner")),
        version=str(registry.get("version") or model.version),
        alias=alias or registry.get("alias"),
        dataset_version=meta.get("dataset_version"),
        metrics=metrics if isinstance(metrics, dict) else {},
        source=source,
        loaded_at=_now(),
    )


class PathSource:
    """A model directory; a symlinked directory is followed, so re-pointing the link swaps."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def current(self) -> str:
        """The resolved directory and the time its meta.json was written."""
        real = os.path.realpath(self.path)
        try:
            stamp = os.stat(os.path.join(real, "meta.json")).st_mtime_ns
        except FileNotFoundError:
            stamp = 0
        return f"{real}@{stamp}"

    def load(self, token: str) -> tuple[AmerModel, ModelInfo]:
        """Load the directory the token names."""
        real = token.rsplit("@", 1)[0]
        model = load_model(real)
        return model, _info_from_model(model, source=str(self.path))


class RegistrySource:
    """A registry alias such as ``models:/amer-ner@production``."""

    def __init__(self, settings: Settings, *, name: str, alias: str) -> None:
        from amer.registry.loading import model_cache_dir
        from amer.registry.store import Registry

        named = settings.model_copy(update={"registered_model": name})
        self.registry = Registry.from_settings(named)
        self.cache_dir = model_cache_dir(named)
        self.name, self.alias = name, alias

    @property
    def uri(self) -> str:
        """The URI this source serves."""
        return f"models:/{self.name}@{self.alias}"

    def current(self) -> str:
        """The version number the alias points at."""
        return str(self.registry.resolve(self.alias).version)

    def load(self, token: str) -> tuple[AmerModel, ModelInfo]:
        """Download and load a version; its facts come from the registry."""
        version = self.registry.resolve(token)
        model = load_model(self.registry.download(version.version, cache_dir=self.cache_dir))
        return model, ModelInfo(
            name=version.name,
            version=str(version.version),
            alias=self.alias,
            dataset_version=version.dataset_version,
            metrics=dict(version.metrics or {}),
            source=self.uri,
            loaded_at=_now(),
        )


def source_for(settings: Settings, uri: str) -> ModelSource:
    """The source serving ``uri``: ``models:/NAME@ALIAS`` (registry) or a directory."""
    if uri.startswith("models:/"):
        ref = uri.removeprefix("models:/")
        if "@" not in ref:
            raise ModelError(f"serve a registry alias (models:/NAME@ALIAS), not {uri}")
        name, alias = ref.split("@", 1)
        return RegistrySource(settings, name=name, alias=alias)
    return PathSource(Path(uri))


class ModelHolder:
    """The current model; ``refresh()`` swaps to a new version only if it loads and self-tests."""

    def __init__(self, source: ModelSource) -> None:
        self.source = source
        self._current: LoadedModel | None = None
        self._refused: str | None = None
        self._swap_lock = threading.Lock()

    @property
    def current(self) -> LoadedModel:
        """The loaded model; raises :class:`ModelError` before the first load."""
        loaded = self._current
        if loaded is None:
            raise ModelError("no model loaded yet")
        return loaded

    @property
    def ready(self) -> bool:
        """Whether a model is loaded."""
        return self._current is not None

    @property
    def model(self) -> AmerModel:
        """The current model."""
        return self.current.model

    @property
    def info(self) -> ModelInfo:
        """Facts about the current model."""
        return self.current.info

    def load_initial(self) -> LoadedModel:
        """Load what the source points at now; raises if it cannot be served."""
        token = self.source.current()
        loaded = self._load(token)
        self._install(loaded)
        return loaded

    def refresh(self) -> bool:
        """Swap to the source's current version if it moved; True when a swap happened.

        A version that fails to load or to self-test is refused (logged, counted in
        ``amer_model_reload_failures_total``, not retried) and the old model keeps serving.
        """
        with self._swap_lock:
            try:
                token = self.source.current()
            except AmerError as e:
                logger.warning("cannot resolve the served model: %s", type(e).__name__)
                return False
            if self._current is not None and token in (self._current.token, self._refused):
                return False
            try:
                loaded = self._load(token)
            except AmerError as e:
                self._refused = token
                RELOAD_FAILURES.inc()
                logger.error("refused new model version %s: %s", token, e)
                return False
            self._install(loaded)
            RELOADS.inc()
            return True

    def _load(self, token: str) -> LoadedModel:
        try:
            model, info = self.source.load(token)
        except AmerError:
            raise
        except Exception as e:  # noqa: BLE001 - any failure to load refuses the version
            raise ModelError(f"loading failed: {type(e).__name__}") from e
        model.self_test()
        return LoadedModel(model=model, info=info, token=token)

    def _install(self, loaded: LoadedModel) -> None:
        self._current = loaded
        info = loaded.info
        MODEL_INFO.info(
            {
                "name": info.name,
                "version": info.version,
                "alias": info.alias or "",
                "dataset_version": info.dataset_version or "",
            }
        )
        logger.info(
            "serving model %s version %s",
            info.name,
            info.version,
            extra={"model_version": info.version, "model_source": info.source},
        )


class Poller:
    """A daemon thread calling ``holder.refresh()`` every ``interval`` seconds."""

    def __init__(self, holder: ModelHolder, *, interval: float) -> None:
        self.holder, self.interval = holder, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="amer-model-poller", daemon=True)

    def start(self) -> None:
        """Start polling (does nothing for a non-positive interval)."""
        if self.interval > 0:
            self._thread.start()

    def stop(self) -> None:
        """Stop polling and wait for the thread."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.holder.refresh()
            except Exception as e:  # noqa: BLE001 - the poller must survive anything
                logger.error("model refresh crashed: %s", type(e).__name__)
