from pathlib import Path

import pytest
from pydantic import ValidationError

from amer.settings import Settings, get_settings


def test_settings_read_amer_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AMER_SEED", "7")
    monkeypatch.setenv("AMER_GATES__F1", "0.9")
    monkeypatch.setenv("AMER_LABELS", '["condition", "SUBSTANCE"]')
    settings = Settings()
    assert settings.seed == 7 and settings.gates.f1 == 0.9
    assert settings.labels == ("CONDITION", "SUBSTANCE")


def test_settings_read_toml_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "amer.toml"
    config.write_text('seed = 11\ndata_dir = "/data"\n[gates]\nrecall = 0.8\n')
    monkeypatch.setenv("AMER_CONFIG_FILE", str(config))
    monkeypatch.setenv("AMER_SEED", "12")  # the environment wins over the file
    settings = Settings()
    assert settings.seed == 12 and settings.data_dir == Path("/data")
    assert settings.gates.recall == 0.8


def test_settings_refuse_placeholder_key_outside_development() -> None:
    with pytest.raises(ValidationError, match="placeholder"):
        Settings(environment="production", api_key="changeme")
    assert Settings(environment="development", api_key="changeme").api_key is not None


def test_settings_refuse_unknown_fields() -> None:
    with pytest.raises(ValidationError):
        Settings(not_a_setting=1)  # type: ignore[call-arg]


def test_settings_derived_paths_default_under_home_and_data_dir(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, data_dir=tmp_path / "d")
    assert settings.keys_path == tmp_path / "api_keys.json"
    assert settings.terminology_path == tmp_path / "d" / "normedterm" / "NorMedTerm.tsv"
    assert settings.resolved_tracking_uri.startswith("sqlite:///")


def test_get_settings_is_cached() -> None:
    assert get_settings() is get_settings()
