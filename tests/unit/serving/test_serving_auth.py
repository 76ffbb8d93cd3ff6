"""API keys: salted hashes only, constant-time check, revocation seen without restart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from amer.errors import AuthError, ConfigError
from amer.serving.auth import KeyStore


def test_auth_create_stores_only_a_salted_hash(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys.json")
    key_a, key_b = store.create("a"), store.create("b")
    text = (tmp_path / "keys.json").read_text("utf-8")
    assert key_a.split("_", 2)[2] not in text and key_b.split("_", 2)[2] not in text
    records = json.loads(text)["keys"]
    assert [r["name"] for r in records] == ["a", "b"]
    assert records[0]["salt"] != records[1]["salt"]
    assert (tmp_path / "keys.json").stat().st_mode & 0o077 == 0


def test_auth_verify_names_the_key(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys.json")
    key = store.create("ward-7")
    reader = KeyStore(tmp_path / "keys.json")
    assert reader.verify(key) == "ward-7"
    assert reader.recall(key) == "ward-7"


@pytest.mark.parametrize(
    "presented", ["", "amer", "amer__x", "nope_1_2", "amer_000000000000_secret"]
)
def test_auth_verify_refuses_malformed_or_unknown(tmp_path: Path, presented: str) -> None:
    store = KeyStore(tmp_path / "keys.json")
    store.create("a")
    assert store.verify(presented) is None


def test_auth_verify_refuses_wrong_secret_with_known_id(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys.json")
    key = store.create("a")
    assert store.verify(key[:-1] + ("x" if key[-1] != "x" else "y")) is None


def test_auth_revoke_seen_by_a_running_reader(tmp_path: Path) -> None:
    admin, service = KeyStore(tmp_path / "keys.json"), KeyStore(tmp_path / "keys.json")
    key = admin.create("a")
    assert service.verify(key) == "a"
    admin.revoke("a")
    assert service.recall(key) is None
    assert service.verify(key) is None


def test_auth_duplicate_and_unknown_names_refused(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys.json")
    store.create("a")
    with pytest.raises(AuthError):
        store.create("a")
    with pytest.raises(AuthError):
        store.revoke("b")
    assert [r.name for r in store.records()] == ["a"]


def test_auth_bad_keys_file_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "keys.json").write_text("{not json", "utf-8")
    with pytest.raises(ConfigError, match="keys.json"):
        KeyStore(tmp_path / "keys.json").records()


def test_auth_corrupt_file_refuses_every_key(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys.json")
    key = store.create("a")
    assert store.verify(key) == "a"
    (tmp_path / "keys.json").write_text("{broken", "utf-8")
    assert store.recall(key) is None and store.verify(key) is None
