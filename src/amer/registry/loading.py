"""Load a registered model by URI: ``models:/amer-ner@production``, ``@staging`` or ``/3``."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from amer.errors import ModelError, RegistryError
from amer.model import AmerModel, load_model
from amer.settings import Settings, get_settings

_URI = re.compile(r"^models:/(?P<name>[^/@]+)(?:@(?P<alias>[\w-]+)|/(?P<version>\d+))/?$")


def parse_model_uri(uri: str) -> tuple[str, str | None, str | None]:
    """``(name, alias, version)`` of a registry URI; exactly one of alias and version is set.

    Raises:
        ModelError: ``uri`` is not ``models:/NAME@ALIAS`` or ``models:/NAME/VERSION``.
    """
    match = _URI.match(uri.strip())
    if match is None:
        raise ModelError(
            f"not a registry URI: {uri!r} (use models:/NAME@ALIAS or models:/NAME/VERSION)"
        )
    return match["name"], match["alias"], match["version"]


def model_cache_dir(settings: Settings) -> Path:
    """Downloaded versions, under ``home``, one folder per tracking store."""
    store = hashlib.sha256(settings.resolved_tracking_uri.encode()).hexdigest()[:12]
    return settings.home / "model-cache" / store


def load_registered_model(uri: str) -> AmerModel:
    """Download and load the version ``uri`` names, from the store the settings point at.

    The model's ``nlp.meta["amer"]["registry"]`` tells which name, version and alias it was.

    Raises:
        ModelError: the URI is malformed, or names nothing in the registry.
    """
    from amer.registry.store import Registry

    name, alias, version = parse_model_uri(uri)
    settings = get_settings().model_copy(update={"registered_model": name})
    registry = Registry.from_settings(settings)
    try:
        info = registry.resolve(alias or str(version))
        path = registry.download(info.version, cache_dir=model_cache_dir(settings))
    except RegistryError as e:
        raise ModelError(f"cannot load {uri}: {e}") from e
    model = load_model(path)
    model.source = uri
    amer_meta = model.nlp.meta.setdefault("amer", {})
    amer_meta["registry"] = {"name": name, "version": info.version, "alias": alias}
    return model
