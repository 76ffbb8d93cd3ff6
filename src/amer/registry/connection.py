"""Connect to MLflow the amer way: telemetry off, the store from settings, our experiments.

The embedded default is a sqlite file plus a local artifact folder under ``AMER_HOME``; any
other tracking URI (a PostgreSQL-backed ``mlflow server``, a cloud workspace's endpoint) is
used as it is, with no code change.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from amer.errors import RegistryError
from amer.settings import Settings

if TYPE_CHECKING:
    from mlflow import MlflowClient

logger = logging.getLogger(__name__)

MLFLOW_ENV_DEFAULTS: dict[str, str] = {
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
    "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",
    "MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT": "true",
}
"""Variables MLflow 3 reads: telemetry opt-out (``mlflow.telemetry.utils.is_telemetry_disabled``)
no tqdm bars on stderr while artifacts download, no "View run" lines on stdout."""


def quiet_mlflow() -> None:
    """Opt out of MLflow's usage telemetry, even if ``mlflow`` was imported before.

    MLflow reads the opt-out from the process environment, so this writes it there (it never
    overrides a value the operator set) and then drops a telemetry client made at import time.
    """
    for key, value in MLFLOW_ENV_DEFAULTS.items():
        os.environ.setdefault(key, value)
    from mlflow.telemetry.client import set_telemetry_client

    set_telemetry_client()  # type: ignore[no-untyped-call]


def is_embedded(settings: Settings) -> bool:
    """Whether the store is amer's embedded sqlite default (artifacts then live in ``home``)."""
    return not settings.tracking_uri


def make_client(settings: Settings) -> MlflowClient:
    """An :class:`MlflowClient` for the tracking and registry store named by ``settings``.

    Also points the ``mlflow`` fluent API at the same store, since model logging uses it.
    """
    quiet_mlflow()
    import mlflow
    from mlflow import MlflowClient

    uri = settings.resolved_tracking_uri
    if is_embedded(settings):
        settings.home.mkdir(parents=True, exist_ok=True)
        settings.artifact_root.mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def ensure_experiment(client: MlflowClient, name: str, *, artifact_location: str | None) -> str:
    """The id of experiment ``name``, created if missing (safe when two processes race)."""
    from mlflow.exceptions import MlflowException

    found = client.get_experiment_by_name(name)
    if found is not None:
        return str(found.experiment_id)
    try:
        return str(client.create_experiment(name, artifact_location=artifact_location))
    except MlflowException as e:
        found = client.get_experiment_by_name(name)
        if found is None:
            raise RegistryError(f"cannot create MLflow experiment {name!r}: {e.message}") from e
        return str(found.experiment_id)


def experiment_artifact_location(settings: Settings, name: str) -> str | None:
    """Where a new experiment keeps artifacts: under ``home`` when embedded, else the server's."""
    if not is_embedded(settings):
        return None
    return (settings.artifact_root / name).as_uri()
