"""API keys: created once, stored as salted scrypt hashes, checked in constant time.

The keys file (``settings.keys_path``) is JSON ``{"keys": [{"name", "key_id", "salt", "hash",
"created_at"}]}``. A key reads ``amer_<key_id>_<secret>``; only the key id is stored in clear.
The service re-reads the file when it changes, so a revoked key stops working without a restart.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from amer.errors import AuthError, ConfigError

logger = logging.getLogger(__name__)

_PREFIX = "amer"
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """A stored key: its name, public id, salt and hash (never the key)."""

    name: str
    key_id: str
    salt: str
    hash: str
    created_at: str


def _hash(secret: str, salt: str) -> str:
    digest = hashlib.scrypt(
        secret.encode(), salt=bytes.fromhex(salt), n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32
    )
    return digest.hex()


def _fingerprint(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


def _split(key: str) -> tuple[str, str] | None:
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != _PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


class KeyStore:
    """The keys file: create, revoke, list, and verify presented keys."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._signature: tuple[int, int, int] | None = None
        self._records: dict[str, KeyRecord] = {}
        self._verified: dict[str, str] = {}

    # --- administration ---------------------------------------------------
    def create(self, name: str) -> str:
        """Add a key named ``name`` and return it; only its salted hash is stored.

        Raises:
            AuthError: a key with this name exists.
        """
        records = self._read()
        if any(r.name == name for r in records):
            raise AuthError(f"a key named '{name}' exists; revoke it first")
        key_id, secret, salt = (
            secrets.token_hex(6),
            secrets.token_urlsafe(32),
            secrets.token_hex(16),
        )
        created = datetime.now(UTC).isoformat(timespec="seconds")
        records.append(KeyRecord(name, key_id, salt, _hash(secret, salt), created))
        self._write(records)
        return f"{_PREFIX}_{key_id}_{secret}"

    def revoke(self, name: str) -> None:
        """Remove the key named ``name``.

        Raises:
            AuthError: no key has this name.
        """
        records = self._read()
        kept = [r for r in records if r.name != name]
        if len(kept) == len(records):
            raise AuthError(f"no key named '{name}'")
        self._write(kept)

    def records(self) -> list[KeyRecord]:
        """The stored keys (names, ids and creation times; hashes are useless to a reader)."""
        return self._read()

    # --- verification -----------------------------------------------------
    def recall(self, key: str) -> str | None:
        """The name of ``key`` if it was verified since the file last changed (no hashing)."""
        self._refresh()
        return self._verified.get(_fingerprint(key))

    def verify(self, key: str) -> str | None:
        """The name of the key ``key``, or None when it is unknown, malformed or revoked."""
        self._refresh()
        fingerprint = _fingerprint(key)
        with self._lock:
            known = self._verified.get(fingerprint)
            parts = _split(key)
            record = self._records.get(parts[0]) if parts else None
        if known is not None or parts is None or record is None:
            return known
        if not hmac.compare_digest(_hash(parts[1], record.salt), record.hash):
            return None
        with self._lock:
            if self._records.get(record.key_id) is record:
                self._verified[fingerprint] = record.name
        return record.name

    def _refresh(self) -> None:
        try:
            st = os.stat(self.path)
            signature: tuple[int, int, int] | None = (st.st_mtime_ns, st.st_size, st.st_ino)
        except FileNotFoundError:
            signature = None
        if signature == self._signature:
            return
        try:
            records = self._read() if signature is not None else []
        except ConfigError as e:  # fail closed: no key is valid until the file is repaired
            logger.error("refusing every API key: %s", e)
            records = []
        with self._lock:
            self._records = {r.key_id: r for r in records}
            self._verified = {}
            self._signature = signature

    # --- file -------------------------------------------------------------
    def _read(self) -> list[KeyRecord]:
        if not self.path.is_file():
            return []
        try:
            raw: Any = json.loads(self.path.read_text("utf-8"))
            return [KeyRecord(**item) for item in raw["keys"]]
        except (json.JSONDecodeError, KeyError, TypeError) as e:
            raise ConfigError(f"{self.path}: not a valid keys file ({type(e).__name__})") from e

    def _write(self, records: list[KeyRecord]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = json.dumps({"keys": [_asdict(r) for r in records]}, indent=2)
        tmp = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(body + "\n")
        os.replace(tmp, self.path)


def _asdict(record: KeyRecord) -> dict[str, str]:
    return {f: getattr(record, f) for f in KeyRecord.__slots__}
