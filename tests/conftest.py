"""Shared fixtures: small hand-written data, settings pointing at them, a lexicon-only model."""

from __future__ import annotations

import json
import logging
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from amer.data.cleaning import LexiconEntry, clean_terminology
from amer.data.terminology import read_terminology
from amer.pipeline import PipelineResult
from amer.settings import AMER_LABELS, Settings, get_settings

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_DATA = FIXTURES / "data"


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test sees the developer's AMER_* variables or cached settings."""
    import os

    for key in list(os.environ):
        if key.startswith("AMER_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("AMER_HOME", str(tmp_path / "amer-home"))
    get_settings.cache_clear()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    get_settings.cache_clear()
    # a CLI command run in-process configures logging on pytest's captured stream
    root.handlers[:], root.level = handlers, level
    import amer.cli.common

    amer.cli.common._configured = False


@pytest.fixture
def fixture_settings(tmp_path: Path) -> Settings:
    """Settings on the fixture data, with a tiny training run."""
    return Settings(
        home=tmp_path / "amer-home",
        data_dir=FIXTURE_DATA,
        gold_file=FIXTURES / "gold" / "clinical_gold.jsonl",
        training_config=Path(__file__).parents[1] / "configs" / "ner.cfg",
        max_epochs=4,
        bootstrap_samples=50,
    )


@pytest.fixture(scope="session")
def fixture_lexicon() -> list[LexiconEntry]:
    """The fixture terminology, cleaned."""
    terms = read_terminology(FIXTURE_DATA / "normedterm" / "NorMedTerm.tsv")
    entries, _ = clean_terminology(terms, labels=AMER_LABELS, label_priority=AMER_LABELS)
    return entries


@pytest.fixture(scope="session")
def lexicon_model_dir(
    tmp_path_factory: pytest.TempPathFactory, fixture_lexicon: list[LexiconEntry]
) -> Path:
    """A saved lexicon-only AMER model (no statistical NER): loads in well under a second."""
    from amer.training.assemble import assemble_model

    model = assemble_model(fixture_lexicon, meta={"dataset_version": "fixture"})
    return model.save(tmp_path_factory.mktemp("models") / "lexicon-model")


@dataclass(frozen=True)
class LiveAPI:
    """An inference API running on a loopback port, with a valid key."""

    url: str
    key: str
    settings: Settings


@pytest.fixture
def live_api(tmp_path: Path, lexicon_model_dir: Path) -> Iterator[LiveAPI]:
    """The real app (fixture model and terminology) under uvicorn in a thread, on a free port."""
    import threading
    import time

    import uvicorn

    from amer.serving.app import create_app
    from amer.serving.auth import KeyStore
    from amer.serving.holder import PathSource

    settings = Settings(home=tmp_path / "api-home", data_dir=FIXTURE_DATA, reload_interval_s=0)
    key = KeyStore(settings.keys_path).create("tests")
    app = create_app(settings, source=PathSource(lexicon_model_dir))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, access_log=False)
    )
    thread = threading.Thread(target=server.run, name="live-api", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test API did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield LiveAPI(f"http://127.0.0.1:{port}", key, settings)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def make_pipeline_result() -> Callable[..., PipelineResult]:
    """Builds a PipelineResult as the contract describes it around an already-built model, so
    registry tests register versions in well under a second (the real pipeline runs in the
    integration tests)."""

    def make(
        tmp: Path, model_dir: Path, *, f1: float = 0.9, gates: bool = True, dataset: str = "d1"
    ) -> PipelineResult:
        out = tmp / f"out-{uuid.uuid4().hex[:6]}"
        shutil.copytree(model_dir, out / "model")
        failures = [] if gates else ["f1 0.5000 is not above 0.8700"]
        report: dict[str, Any] = {
            "dataset_version": dataset,
            "metrics": {
                "micro": {"precision": 0.91, "recall": 0.89, "f1": f1},
                "token_accuracy": 0.95,
                "latency_ms": {"p50": 2.0, "p95": 5.0},
                "per_label": {"CONDITION": {"precision": 0.9, "recall": 0.8, "f1": 0.85}},
            },
            "gates": {"passed": gates, "failures": failures},
        }
        (out / "report.json").write_text(json.dumps(report), "utf-8")
        (out / "report.md").write_text("# AMER model card\n", "utf-8")
        return PipelineResult(
            output_dir=out,
            model_dir=out / "model",
            report=report,
            report_path=out / "report.json",
            report_md_path=out / "report.md",
            verification={"passed": True},
            dataset_version=dataset,
            config_path=Path(__file__).parents[1] / "configs" / "ner.cfg",
            duration_s=1.0,
        )

    return make
