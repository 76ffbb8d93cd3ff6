"""The registry against a real embedded MLflow store (sqlite in a temp folder).

Pipeline results here are small fakes built around the lexicon-only fixture model, so each
test registers versions in well under a second; the real pipeline runs in the integration tests.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from amer.errors import ModelError, PromotionError, RegistryError
from amer.pipeline import PipelineResult
from amer.registry.store import Registry
from amer.registry.tracking import TrackedRun, find_cached, track_result
from amer.settings import Settings

FIXTURE_DATA = Path(__file__).parents[2] / "fixtures" / "data"


@pytest.fixture(scope="module")
def store_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """One embedded store for the module (creating the sqlite schema takes a few seconds)."""
    return Settings(home=tmp_path_factory.mktemp("store"), data_dir=FIXTURE_DATA)


@pytest.fixture
def registry(store_settings: Settings) -> Registry:
    """A registry with a fresh model name, so tests share the store but not the model."""
    from amer.registry.connection import make_client

    return Registry(make_client(store_settings), name=f"amer-test-{uuid.uuid4().hex[:8]}")


@pytest.fixture
def register(make_pipeline_result: Callable[..., PipelineResult]) -> Callable[..., TrackedRun]:
    """Registers a fake pipeline result (see ``make_pipeline_result``) as a new version."""

    def go(
        registry: Registry, settings: Settings, tmp: Path, model_dir: Path, **kw: Any
    ) -> TrackedRun:
        key = kw.pop("key", uuid.uuid4().hex)
        result = make_pipeline_result(tmp, model_dir, **kw)
        return track_result(registry, settings, result, key=key)

    return go


def test_store_track_result_registers_a_tagged_version(
    registry: Registry,
    store_settings: Settings,
    tmp_path: Path,
    lexicon_model_dir: Path,
    register: Callable[..., TrackedRun],
) -> None:
    tracked = register(registry, store_settings, tmp_path, lexicon_model_dir, key="k1")
    info = registry.resolve(tracked.version.version)
    assert info.version == "1" and info.dataset_version == "d1" and info.gates_passed
    assert info.metrics == {
        "accuracy": 0.95,
        "precision": 0.91,
        "recall": 0.89,
        "f1": 0.9,
        "latency": 2.0,
    }
    assert info.staging_passed is None and info.run_id == tracked.run_id
    run = registry.client.get_run(tracked.run_id)
    assert run.data.metrics["f1.CONDITION"] == 0.85 and run.data.params["dataset_version"] == "d1"
    assert run.inputs.dataset_inputs[0].dataset.digest == "d1"
    assert "amer.git_commit" in run.data.tags
    assert find_cached(registry, "k1") == info and find_cached(registry, "other") is None


def test_store_download_gives_a_loadable_model_directory(
    registry: Registry,
    store_settings: Settings,
    tmp_path: Path,
    lexicon_model_dir: Path,
    register: Callable[..., TrackedRun],
) -> None:
    from amer.model import load_model

    register(registry, store_settings, tmp_path, lexicon_model_dir)
    path = registry.download("1", cache_dir=tmp_path / "cache")
    assert path == tmp_path / "cache" / registry.name / "1"
    assert [e.text for e in load_model(path).extract("Pasienten har feber.")] == ["feber"]
    assert registry.download(1, cache_dir=tmp_path / "cache") == path


def test_store_promotion_refuses_failed_gates_and_force_needs_a_reason(
    registry: Registry,
    store_settings: Settings,
    tmp_path: Path,
    lexicon_model_dir: Path,
    register: Callable[..., TrackedRun],
) -> None:
    register(registry, store_settings, tmp_path, lexicon_model_dir, gates=False)
    with pytest.raises(PromotionError, match="failed its quality gates"):
        registry.promote("1", to="staging")
    with pytest.raises(PromotionError, match="needs --reason"):
        registry.promote("1", to="staging", force=True)
    move = registry.promote("1", to="staging", force=True, reason="demo", actor="ana")
    assert move is not None and move.forced and move.actor == "ana"
    assert registry.resolve("staging").version == "1"


def test_store_promote_rollback_and_history(
    registry: Registry,
    store_settings: Settings,
    tmp_path: Path,
    lexicon_model_dir: Path,
    register: Callable[..., TrackedRun],
) -> None:
    for f1 in (0.90, 0.91, 0.85):
        register(registry, store_settings, tmp_path, lexicon_model_dir, f1=f1)
    with pytest.raises(PromotionError, match="not been through staging"):
        registry.promote("1", to="production")
    for version in ("1", "2", "3"):
        registry.record_staging(version, passed=True, junit_path=None)
    registry.promote("1", to="production", actor="ana")
    assert registry.promote("1", to="production") is None
    registry.promote("2", to="production", actor="ana", reason="better")
    with pytest.raises(PromotionError, match=r"6\.00 points below production v2"):
        registry.promote("3", to="production")
    move = registry.rollback(actor="bo")
    assert (move.from_version, move.to_version, move.action) == ("2", "1", "rollback")
    assert registry.resolve("production").version == "1"
    with pytest.raises(PromotionError, match="no earlier production version"):
        registry.rollback()
    history = [(m.alias, m.from_version, m.to_version, m.actor) for m in registry.history()]
    assert history == [
        ("production", None, "1", "ana"),
        ("production", "1", "2", "ana"),
        ("production", "2", "1", "bo"),
    ]
    listed = registry.list_versions()
    assert [v.version for v in listed] == ["3", "2", "1"] and listed[2].aliases == ("production",)


def test_store_resolve_unknown_refs_raise(registry: Registry) -> None:
    with pytest.raises(RegistryError, match="no alias @production"):
        registry.resolve("production")
    assert registry.list_versions() == [] and registry.history() == []


def test_store_load_registered_model_by_alias_and_version(
    registry: Registry,
    store_settings: Settings,
    tmp_path: Path,
    lexicon_model_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    register: Callable[..., TrackedRun],
) -> None:
    from amer.model import load_model

    register(registry, store_settings, tmp_path, lexicon_model_dir)
    registry.promote("1", to="staging")
    monkeypatch.setenv("AMER_TRACKING_URI", store_settings.resolved_tracking_uri)
    model = load_model(f"models:/{registry.name}@staging")
    assert model.nlp.meta["amer"]["registry"] == {
        "name": registry.name,
        "version": "1",
        "alias": "staging",
    }
    assert model.extract("Pasienten har feber.")[0].label == "CONDITION"
    assert load_model(f"models:/{registry.name}/1").meta["registry"]["alias"] is None
    with pytest.raises(ModelError, match="no alias @production"):
        load_model(f"models:/{registry.name}@production")
    with pytest.raises(ModelError, match="not a registry URI"):
        load_model(f"models:/{registry.name}")
