"""Model holder: swaps only to versions that load and self-test; the old one keeps serving."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from amer.errors import ModelError
from amer.model import AmerModel, load_model
from amer.serving.holder import ModelHolder, ModelInfo, PathSource, source_for
from amer.settings import Settings


class _FakeSource:
    """Points at a token; loading a token named 'bad' fails its self-test."""

    def __init__(self, model: AmerModel) -> None:
        self.token, self.model, self.loads = "1", model, 0

    def current(self) -> str:
        return self.token

    def load(self, token: str) -> tuple[AmerModel, ModelInfo]:
        self.loads += 1
        if token == "bad":
            broken = load_model(self.model.source)
            broken.nlp.remove_pipe("amer_aggregate")
            broken.docs = None  # type: ignore[method-assign,assignment]
            return broken, ModelInfo(name="m", version=token)
        return self.model, ModelInfo(name="m", version=token)


def _metric(name: str) -> float:
    return REGISTRY.get_sample_value(name) or 0.0


@pytest.fixture(scope="module")
def model(lexicon_model_dir: Path) -> AmerModel:
    return load_model(lexicon_model_dir)


def test_holder_swaps_when_the_source_moves(model: AmerModel) -> None:
    source = _FakeSource(model)
    holder = ModelHolder(source)
    assert not holder.ready
    holder.load_initial()
    assert holder.info.version == "1" and not holder.refresh()
    before = _metric("amer_model_reloads_total")
    source.token = "2"
    assert holder.refresh()
    assert holder.info.version == "2"
    assert _metric("amer_model_reloads_total") == before + 1


def test_holder_refuses_a_failing_version_once(model: AmerModel) -> None:
    source = _FakeSource(model)
    holder = ModelHolder(source)
    holder.load_initial()
    before = _metric("amer_model_reload_failures_total")
    source.token = "bad"
    assert not holder.refresh()
    assert not holder.refresh()
    assert holder.info.version == "1"
    assert source.loads == 2
    assert _metric("amer_model_reload_failures_total") == before + 1


def test_holder_current_before_load_is_a_model_error(model: AmerModel) -> None:
    with pytest.raises(ModelError):
        _ = ModelHolder(_FakeSource(model)).current


def test_path_source_follows_a_symlink(lexicon_model_dir: Path, tmp_path: Path) -> None:
    v2 = Path(shutil.copytree(lexicon_model_dir, tmp_path / "v2"))
    meta = json.loads((v2 / "meta.json").read_text("utf-8"))
    (v2 / "meta.json").write_text(json.dumps({**meta, "version": "2.0.0"}), "utf-8")
    link = tmp_path / "current"
    link.symlink_to(lexicon_model_dir)
    holder = ModelHolder(PathSource(link))
    holder.load_initial()
    assert holder.info.dataset_version == "fixture"
    link.unlink()
    link.symlink_to(v2)
    assert holder.refresh() and holder.info.version == "2.0.0"


def test_source_for_needs_an_alias_for_registry_uris(tmp_path: Path) -> None:
    assert isinstance(source_for(Settings(), str(tmp_path)), PathSource)
    with pytest.raises(ModelError, match="alias"):
        source_for(Settings(), "models:/amer-ner/3")
