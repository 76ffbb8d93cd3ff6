"""The one typed settings object of amer.

Every path, label set, seed and threshold lives here. Values come, in order of
precedence, from keyword arguments, ``AMER_*`` environment variables, an optional
TOML file named by ``AMER_CONFIG_FILE``, files in ``secrets_dir`` and the defaults
below. Nothing else in the package reads the environment.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

AMER_LABELS: tuple[str, ...] = (
    "CONDITION",
    "SUBSTANCE",
    "PHYSIOLOGY",
    "PROCEDURE",
    "ANAT_LOC",
    "MICROORGANISM",
)
"""The six entity labels the AMER model predicts."""

_PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "password", "admin"}


class GateSettings(BaseSettings):
    """Quality-gate thresholds; a metric must be strictly greater to pass."""

    model_config = SettingsConfigDict(extra="forbid")

    token_accuracy: float = 0.90
    """Minimum token accuracy (thesis: > 90 %)."""
    precision: float = 0.85
    """Minimum micro precision (thesis: > 85 %)."""
    recall: float = 0.85
    """Minimum micro recall (thesis: > 85 %)."""
    f1: float = 0.87
    """Minimum micro F1 (thesis: > 87 %)."""


class Settings(BaseSettings):
    """Runtime settings of amer, read from ``AMER_*`` variables and an optional file."""

    model_config = SettingsConfigDict(
        env_prefix="AMER_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    # --- where things are -------------------------------------------------
    environment: Literal["development", "test", "production"] = "development"
    """Deployment environment; placeholder secrets are refused outside development."""
    home: Path = Path(".amer")
    """Home of amer's state: MLflow store, API keys, feedback, caches."""
    data_dir: Path = Path("../shared/data")
    """Directory holding ``normedterm/NorMedTerm.tsv`` and ``normedqa/*.json``."""
    terminology_file: Path | None = None
    """Terminology TSV; defaults to ``data_dir/normedterm/NorMedTerm.tsv``."""
    corpus_file: Path | None = None
    """Corpus file or folder; defaults to the NorMedQA JSON under ``data_dir``."""
    corpus_format: Literal["auto", "normedqa", "text", "lines", "jsonl", "csv"] = "auto"
    """How to read the corpus; ``auto`` decides by file extension."""
    corpus_text_field: str = "text"
    """Field (JSONL) or column (CSV) holding the document text."""
    training_config: Path = Path("configs/ner.cfg")
    """spaCy training config (hyperparameters live there, not here)."""
    gold_file: Path | None = None
    """Hand-annotated evaluation set reported beside the 20 % split; None skips it.
    ``make run`` points it at the set in ``tests/fixtures/gold`` (AMER_GOLD_FILE)."""
    secrets_dir: Path | None = None
    """Directory of mounted secrets (one file per field), e.g. a Kubernetes Secret."""

    # --- data cleaning ------------------------------------------------------
    labels: tuple[str, ...] = AMER_LABELS
    """Entity labels kept from the terminology."""
    label_priority: tuple[str, ...] = (
        "CONDITION",
        "MICROORGANISM",
        "ANAT_LOC",
        "PROCEDURE",
        "PHYSIOLOGY",
        "SUBSTANCE",
    )
    """A term listed under several kept labels gets the first of them in this order."""
    min_term_length: int = 3
    """Terms shorter than this many characters are dropped (acronyms of 2+ kept)."""
    lowercase_match: bool = True
    """Match terms case-insensitively (acronyms in capitals always match exactly)."""
    inflect: bool = True
    """Add Norwegian definite and plural forms of terminology nouns."""

    # --- split, training, evaluation ---------------------------------------
    seed: int = 42
    """Seed for the split, training and the bootstrap."""
    test_fraction: float = Field(default=0.2, gt=0.0, lt=1.0)
    """Share of documents held out for evaluation (thesis: 80/20)."""
    dev_fraction: float = Field(default=0.1, gt=0.0, lt=1.0)
    """Share of the training documents used by spaCy for model selection."""
    max_epochs: int | None = None
    """Override of ``training.max_epochs`` in the spaCy config."""
    max_steps: int | None = None
    """Override of ``training.max_steps`` in the spaCy config."""
    bootstrap_samples: int = 1000
    """Bootstrap resamples for 95 % confidence intervals."""
    gates: GateSettings = GateSettings()
    """Quality gates (thesis thresholds)."""

    # --- registry ----------------------------------------------------------
    tracking_uri: str | None = None
    """MLflow tracking URI; default an embedded sqlite store under ``home``."""
    registered_model: str = "amer-ner"
    """Name of the registered model."""
    max_f1_drop: float = 0.005
    """Production refuses a challenger whose micro F1 is this much below the champion."""
    retrain_max_age_days: int = 30
    """Age trigger: retrain when production is older than this."""
    feedback_threshold: int = 50
    """Feedback trigger: retrain when this many corrections have been recorded."""
    drift_threshold: float = 0.2
    """Drift trigger and alert: population stability index above this is drift."""
    drift_pvalue: float = 0.01
    """Chi-square p-value below which a label mix is called shifted."""
    drift_window: int = Field(default=1000, ge=1)
    """Most recent requests ``amer monitor drift`` compares with the training reference."""
    drift_min_requests: int = Field(default=200, ge=1)
    """Fewer recorded requests than this give no drift score (too noisy to judge)."""
    traffic_max_bytes: int = Field(default=5_000_000, ge=10_000)
    """Size at which the traffic aggregates file is rotated."""
    traffic_backups: int = Field(default=3, ge=0)
    """Rotated traffic files kept; the window never holds more than these plus the current."""

    # --- serving -----------------------------------------------------------
    model_uri: str = "models:/amer-ner@production"
    """What ``amer serve`` loads: a path or ``models:/NAME@ALIAS``."""
    host: str = "127.0.0.1"
    """Address the API binds to."""
    port: int = 8000
    """Port the API binds to."""
    workers: int = 1
    """Worker processes of the API."""
    api_url: str = "http://127.0.0.1:8000"
    """Where clients (UI, smoke tests) find the API."""
    api_key: SecretStr | None = None
    """Key clients send; None for an open development server."""
    auth_enabled: bool = True
    """Require API keys on scoring routes."""
    protect_metrics: bool = False
    """Require an API key on ``/metrics`` too."""
    keys_file: Path | None = None
    """Salted key hashes; defaults to ``home/api_keys.json``."""
    tls_certfile: Path | None = None
    """TLS certificate; with ``tls_keyfile`` the API serves HTTPS."""
    tls_keyfile: Path | None = None
    """TLS private key."""
    request_timeout_s: float = 60.0
    """Scoring timeout (thesis: 60 s); over it the API answers 504."""
    max_text_chars: int = 100_000
    """Longest text accepted; longer gets 413."""
    max_batch_size: int = 64
    """Most documents in one batch request."""
    max_concurrency: int = 32
    """Scoring requests held at once; more get 503 with Retry-After."""
    cache_size: int = 4096
    """Entries in the results cache; 0 disables it."""
    reload_interval_s: float = 30.0
    """How often the API checks whether its registry alias moved."""
    feedback_file: Path | None = None
    """Clinician corrections (JSONL); defaults to ``home/feedback.jsonl``."""
    drift_file: Path | None = None
    """Latest drift result (JSON); defaults to ``home/drift.json``."""
    log_format: Literal["json", "text"] = "json"
    """Log format of entry points."""
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    """Log level of entry points."""

    @field_validator("labels", "label_priority")
    @classmethod
    def _known_labels(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("must name at least one label")
        return tuple(v.strip().upper() for v in value)

    @model_validator(mode="after")
    def _no_placeholder_secrets(self) -> Settings:
        key = self.api_key.get_secret_value() if self.api_key is not None else None
        placeholder = key is not None and key.strip().lower() in _PLACEHOLDER_SECRETS
        if self.environment != "development" and placeholder:
            raise ValueError("api_key is a placeholder; set a real key outside development")
        return self

    # --- derived paths -------------------------------------------------------
    @property
    def terminology_path(self) -> Path:
        """The terminology TSV to read."""
        return self.terminology_file or self.data_dir / "normedterm" / "NorMedTerm.tsv"

    @property
    def corpus_path(self) -> Path:
        """The corpus file or folder to read."""
        return self.corpus_file or (
            self.data_dir / "normedqa" / "norwegian_medical_qa_v2_txt_only.json"
        )

    @property
    def resolved_tracking_uri(self) -> str:
        """The MLflow tracking URI, defaulting to sqlite under ``home``."""
        if self.tracking_uri:
            return self.tracking_uri
        return f"sqlite:///{(self.home / 'mlflow.db').resolve()}"

    @property
    def artifact_root(self) -> Path:
        """Where the embedded store keeps run artifacts."""
        return (self.home / "artifacts").resolve()

    @property
    def keys_path(self) -> Path:
        """The API keys file."""
        return self.keys_file or self.home / "api_keys.json"

    @property
    def feedback_path(self) -> Path:
        """The clinician feedback file."""
        return self.feedback_file or self.home / "feedback.jsonl"

    @property
    def drift_path(self) -> Path:
        """The latest drift result."""
        return self.drift_file or self.home / "drift.json"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get("AMER_CONFIG_FILE")
        if config_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config_file)))
        sources.append(file_secret_settings)
        return tuple(sources)


@lru_cache(maxsize=1)
def get_settings(**overrides: Any) -> Settings:
    """Build (once) the settings of this process; entry points call this, not imports."""
    secrets = os.environ.get("AMER_SECRETS_DIR")
    if secrets and Path(secrets).is_dir():
        return Settings(_secrets_dir=secrets, **overrides)  # type: ignore[call-arg]
    return Settings(**overrides)
