"""The model registry: a thin wrapper around an injected :class:`MlflowClient`.

Versions carry amer's facts as tags (see :mod:`amer.registry.versions`); ``staging`` and
``production`` are MLflow aliases (not the deprecated stages); every alias move is logged
(:mod:`amer.registry.audit`) and gated (:mod:`amer.registry.gates`).
"""

from __future__ import annotations

import getpass
import logging
import shutil
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from amer.errors import PromotionError, RegistryError
from amer.registry.audit import AliasMove, read_moves, record_move
from amer.registry.gates import check_promotion
from amer.registry.versions import (
    TAG_STAGING_AT,
    TAG_STAGING_JUNIT,
    TAG_STAGING_PASSED,
    ModelVersionInfo,
    info_from_version,
)
from amer.settings import Settings

if TYPE_CHECKING:
    from mlflow import MlflowClient
    from mlflow.entities.model_registry import ModelVersion

logger = logging.getLogger(__name__)

Alias = Literal["staging", "production"]
ALIASES: tuple[str, ...] = ("staging", "production")
MODEL_DIR_ARTIFACT = "amer_model"
"""Name of the raw spaCy model directory inside the logged pyfunc's artifacts."""


class Registry:
    """Versions, aliases, promotion and rollback of one registered model."""

    def __init__(self, client: MlflowClient, *, name: str, max_f1_drop: float = 0.005) -> None:
        self.client = client
        self.name = name
        self.max_f1_drop = max_f1_drop

    @classmethod
    def from_settings(cls, settings: Settings) -> Registry:
        """The registry named by ``settings`` (store URI, model name, F1 tolerance)."""
        from amer.registry.connection import make_client

        client = make_client(settings)
        return cls(client, name=settings.registered_model, max_f1_drop=settings.max_f1_drop)

    # --- reading ---------------------------------------------------------------
    def exists(self) -> bool:
        """Whether the registered model has been created."""
        from mlflow.exceptions import MlflowException

        try:
            self.client.get_registered_model(self.name)
        except MlflowException as e:
            if e.error_code == "RESOURCE_DOES_NOT_EXIST":
                return False
            raise RegistryError(f"cannot reach the registry: {e.message}") from e
        return True

    def ensure_registered_model(self) -> None:
        """Create the registered model if missing (safe when two processes race)."""
        from mlflow.exceptions import MlflowException

        if self.exists():
            return
        try:
            self.client.create_registered_model(
                self.name, description="AMER: Norwegian clinical NER (spaCy), built by amer."
            )
        except MlflowException as e:
            if e.error_code != "RESOURCE_ALREADY_EXISTS":
                raise RegistryError(f"cannot create {self.name!r}: {e.message}") from e

    def resolve(self, ref: str | int) -> ModelVersionInfo:
        """The version an alias (``production``, ``staging``) or a version number names.

        Raises:
            RegistryError: no such alias or version.
        """
        return info_from_version(self._model_version(str(ref)))

    def find(self, ref: str) -> ModelVersionInfo | None:
        """Like :meth:`resolve`, but None when nothing carries that alias or number."""
        try:
            return self.resolve(ref)
        except RegistryError:
            return None

    def list_versions(self) -> list[ModelVersionInfo]:
        """Every version, newest first (search results carry no aliases, so they are added)."""
        if not self.exists():
            return []
        found = self.client.search_model_versions(f"name = '{self.name}'")
        aliases: dict[str, list[str]] = {}
        for alias, version in (self.client.get_registered_model(self.name).aliases or {}).items():
            aliases.setdefault(str(version), []).append(alias)
        infos = [info_from_version(mv, aliases=aliases.get(str(mv.version))) for mv in found]
        return sorted(infos, key=lambda v: int(v.version), reverse=True)

    def history(self) -> list[AliasMove]:
        """Every alias move, oldest first."""
        if not self.exists():
            return []
        return read_moves(dict(self.client.get_registered_model(self.name).tags or {}))

    def download(self, version: str | int, *, cache_dir: Path | None = None) -> Path:
        """The version's spaCy model directory, downloaded to a local folder.

        With ``cache_dir`` the folder is ``cache_dir/NAME/VERSION`` and is reused (versions
        never change); without it each call gets a fresh temporary folder.
        """
        mv = self._model_version(str(version))
        if cache_dir is not None:
            final = cache_dir / self.name / str(mv.version)
            if (final / "config.cfg").is_file():
                return final
            final.parent.mkdir(parents=True, exist_ok=True)
        target = Path(tempfile.mkdtemp(prefix=f"amer-v{mv.version}-", dir=cache_dir))
        try:
            path = download_model_dir(self.client, mv, target)
            if cache_dir is None:
                return path
            try:
                path.rename(final)
            except OSError:  # another process put it there first
                if not (final / "config.cfg").is_file():
                    raise
            return final
        finally:
            if cache_dir is not None:
                shutil.rmtree(target, ignore_errors=True)

    # --- writing ---------------------------------------------------------------
    def record_staging(self, version: str | int, *, passed: bool, junit_path: Path | None) -> None:
        """Record the staging smoke tests' result (and their JUnit report) on a version."""
        mv = self._model_version(str(version))
        self.client.set_model_version_tag(
            self.name, mv.version, TAG_STAGING_PASSED, str(passed).lower()
        )
        self.client.set_model_version_tag(
            self.name, mv.version, TAG_STAGING_AT, str(int(time.time()))
        )
        if junit_path is not None:
            if mv.run_id and junit_path.is_file():
                self.client.log_artifact(mv.run_id, str(junit_path), artifact_path="staging")
            self.client.set_model_version_tag(
                self.name, mv.version, TAG_STAGING_JUNIT, str(junit_path)
            )

    def promote(
        self,
        version: str | int,
        *,
        to: Alias,
        force: bool = False,
        reason: str | None = None,
        actor: str | None = None,
    ) -> AliasMove | None:
        """Point alias ``to`` at ``version`` if the gates allow it; None if it already does.

        Raises:
            PromotionError: the version failed a gate (and ``force`` is off), or ``force``
                was given without a reason.
        """
        if to not in ALIASES:
            raise PromotionError(f"unknown alias {to!r}; use one of {', '.join(ALIASES)}")
        candidate = self.resolve(version)
        current = self.find(to)
        if current is not None and current.version == candidate.version:
            return None
        refusals = check_promotion(
            candidate, to=to, champion=self.find("production"), max_f1_drop=self.max_f1_drop
        )
        if refusals and not force:
            raise PromotionError(
                f"refusing to promote {self.name} v{candidate.version} to {to}: "
                + "; ".join(refusals)
                + " (override with --force --reason TEXT)"
            )
        if force and refusals and not (reason and reason.strip()):
            raise PromotionError("--force needs --reason: say why the gates are overridden")
        return self._move(to, candidate.version, current, actor, reason, "promote", bool(refusals))

    def rollback(self, *, actor: str | None = None, reason: str | None = None) -> AliasMove:
        """Move ``production`` back to the version that held it before the current one.

        Raises:
            PromotionError: there is no production version, or none before it.
        """
        from amer.registry.audit import production_lineage

        current = self.find("production")
        if current is None:
            raise PromotionError(f"{self.name} has no production version to roll back")
        lineage = production_lineage(self.history())
        previous = [v for v in lineage[:-1] if v != current.version] if lineage else []
        if not lineage or lineage[-1] != current.version or not previous:
            raise PromotionError(
                f"no earlier production version of {self.name} to roll back to "
                f"(v{current.version} is the first)"
            )
        target = previous[-1]
        why = reason or f"rollback from v{current.version}"
        return self._move("production", target, current, actor, why, "rollback", False)

    # --- internals ---------------------------------------------------------------
    def _move(
        self,
        alias: str,
        version: str,
        current: ModelVersionInfo | None,
        actor: str | None,
        reason: str | None,
        action: Literal["promote", "rollback"],
        forced: bool,
    ) -> AliasMove:
        self.client.set_registered_model_alias(self.name, alias, version)
        move = record_move(
            self.client,
            self.name,
            alias=alias,
            from_version=current.version if current else None,
            to_version=version,
            actor=actor or _default_actor(),
            reason=reason,
            action=action,
            forced=forced,
        )
        logger.info(
            "moved alias",
            extra={"model": self.name, "alias": alias, "version": version, "forced": forced},
        )
        return move

    def _model_version(self, ref: str) -> ModelVersion:
        from mlflow.exceptions import MlflowException

        try:
            if ref.isdigit():
                return self.client.get_model_version(self.name, ref)
            return self.client.get_model_version_by_alias(self.name, ref)
        except MlflowException as e:
            what = f"version {ref}" if ref.isdigit() else f"alias @{ref}"
            raise RegistryError(f"{self.name} has no {what} ({e.error_code})") from e


def _default_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def download_model_dir(client: MlflowClient, mv: ModelVersion, target: Path) -> Path:
    """Download the raw spaCy directory logged with ``mv`` into ``target``; return its path."""
    from mlflow.artifacts import download_artifacts
    from mlflow.exceptions import MlflowException

    root = client.get_model_version_download_uri(mv.name, mv.version).rstrip("/")
    try:
        mlmodel = download_artifacts(artifact_uri=f"{root}/MLmodel", dst_path=str(target))
        relative = _model_dir_in(Path(mlmodel))
        local = download_artifacts(artifact_uri=f"{root}/{relative}", dst_path=str(target))
    except (MlflowException, OSError, KeyError, TypeError) as e:
        raise RegistryError(f"cannot download {mv.name} v{mv.version} from {root}: {e}") from e
    path = Path(local)
    if not (path / "config.cfg").is_file():
        raise RegistryError(f"{mv.name} v{mv.version} holds no spaCy model directory at {root}")
    return path


def _model_dir_in(mlmodel: Path) -> str:
    """Where the pyfunc's ``MLmodel`` file says the raw model directory is."""
    import yaml  # type: ignore[import-untyped,unused-ignore]

    flavor = yaml.safe_load(mlmodel.read_text("utf-8"))["flavors"]["python_function"]
    return str(flavor["artifacts"][MODEL_DIR_ARTIFACT]["path"])
