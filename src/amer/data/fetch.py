"""Fetch NorMedTerm and NorMedQA from their pinned upstream addresses, checking SHA-256."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from amer.errors import FetchError


@dataclass(frozen=True)
class Source:
    """A pinned upstream file: where it lives in the data directory, its URL and digest."""

    relpath: str
    url: str
    sha256: str


SOURCES: tuple[Source, ...] = (
    Source(
        "normedterm/NorMedTerm.tsv",
        "https://raw.githubusercontent.com/ltgoslo/NorMedTerm/"
        "c7eb207997d30ba580c93ff17f70a804fdf2a357/NorMedTerm.csv",
        "98fc23129e5ce278679d454be0c494a8efbf5a5feac774a3536b288824de22aa",
    ),
    Source(
        "normedqa/norwegian_medical_qa_v2_txt_only.json",
        "https://raw.githubusercontent.com/kelkalot/normedqa/"
        "6819a6adb391b2bb479100be06d4d30e14345e91/data/norwegian_medical_qa_v2_txt_only.json",
        "ff3c5d9ae2e652648cd65fbb2d9eea32b76ebd92f327e58e749dc29acbfdd8c0",
    ),
)
"""The reference data, pinned by commit and checksum."""

Progress = Callable[[str, int, int | None], None]


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_all(
    data_dir: Path,
    *,
    sources: tuple[Source, ...] = SOURCES,
    force: bool = False,
    progress: Progress | None = None,
    client: httpx.Client | None = None,
) -> list[Path]:
    """Make sure every source is in ``data_dir`` with the right checksum.

    Files already present with the right digest are kept. Downloads go to a temporary
    file in the same folder and are renamed into place only after the check passes.

    Raises:
        FetchError: offline, an HTTP error, or a checksum that does not match.
    """
    paths = []
    with client or httpx.Client(timeout=60.0, follow_redirects=True) as http:
        for source in sources:
            target = data_dir / source.relpath
            if not force and target.is_file() and sha256_file(target) == source.sha256:
                paths.append(target)
                continue
            paths.append(_download(http, source, target, progress))
    return paths


def _download(http: httpx.Client, source: Source, target: Path, progress: Progress | None) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, http.stream("GET", source.url) as response:
            response.raise_for_status()
            total = int(response.headers.get("content-length", 0)) or None
            for chunk in response.iter_bytes():
                out.write(chunk)
                digest.update(chunk)
                if progress:
                    progress(source.relpath, len(chunk), total)
        if digest.hexdigest() != source.sha256:
            raise FetchError(
                f"checksum mismatch for {source.relpath}: expected {source.sha256}, "
                f"got {digest.hexdigest()}; the file was not saved"
            )
        tmp.replace(target)
        return target
    except httpx.HTTPStatusError as e:
        raise FetchError(
            f"download of {source.relpath} failed: HTTP {e.response.status_code}"
        ) from e
    except httpx.TransportError as e:
        raise FetchError(
            f"cannot reach {httpx.URL(source.url).host} to download {source.relpath} "
            "(offline?); put the file in the data directory or set AMER_DATA_DIR"
        ) from e
    finally:
        tmp.unlink(missing_ok=True)
