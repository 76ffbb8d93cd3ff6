"""Operations against real server processes: overload, timeout, hot swap, TLS, workers."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import shutil
import subprocess
import threading
import time
from pathlib import Path

import httpx
import psutil
import pytest

from amer.client import Client
from amer.serving.auth import KeyStore
from amer.serving.process import ServerProcess

pytestmark = pytest.mark.integration

SAMPLE = "Pasienten har feber og hoste og bruker paracetamol."


def _env(root: Path, **extra: str) -> dict[str, str]:
    return {
        "AMER_HOME": str(root / "home"),
        "AMER_KEYS_FILE": str(root / "keys.json"),
        "AMER_RELOAD_INTERVAL_S": "0",
        **extra,
    }


def _model_copy(source: Path, target: Path, *, version: str) -> Path:
    shutil.copytree(source, target)
    meta = json.loads((target / "meta.json").read_text("utf-8"))
    meta["version"] = version
    (target / "meta.json").write_text(json.dumps(meta), "utf-8")
    return target


def test_ops_overload_503_and_timeout_504(lexicon_model_dir: Path, tmp_path: Path) -> None:
    key = KeyStore(tmp_path / "keys.json").create("t")
    env = _env(
        tmp_path, AMER_MAX_CONCURRENCY="1", AMER_REQUEST_TIMEOUT_S="0.05", AMER_CACHE_SIZE="0"
    )
    with ServerProcess(str(lexicon_model_dir), env=env) as server:

        async def burst() -> list[httpx.Response]:
            async with httpx.AsyncClient(
                base_url=server.url, timeout=30, headers={"Authorization": f"Bearer {key}"}
            ) as c:
                texts = [f"feber og hoste {i} " * 5000 for i in range(8)]
                return list(
                    await asyncio.gather(*(c.post("/v1/entities", json={"text": t}) for t in texts))
                )

        responses = asyncio.run(burst())
        statuses = {r.status_code for r in responses}
        assert statuses <= {200, 503, 504} and {503, 504} <= statuses
        rejected = [r for r in responses if r.status_code == 503]
        assert all(r.headers["retry-after"] and r.json()["error"] for r in rejected)
        metrics = httpx.get(f"{server.url}/metrics").text
        assert "amer_requests_rejected_total" in metrics
        assert httpx.get(f"{server.url}/healthz").status_code == 200


def test_ops_alias_move_swaps_without_failed_requests(
    lexicon_model_dir: Path, tmp_path: Path
) -> None:
    key = KeyStore(tmp_path / "keys.json").create("t")
    v1 = _model_copy(lexicon_model_dir, tmp_path / "v1", version="1.0.0")
    v2 = _model_copy(lexicon_model_dir, tmp_path / "v2", version="2.0.0")
    broken = _model_copy(lexicon_model_dir, tmp_path / "v3", version="3.0.0")
    (broken / "config.cfg").write_text("[nlp\nthis is not a config", "utf-8")
    current = tmp_path / "current"
    current.symlink_to(v1)
    env = _env(tmp_path, AMER_RELOAD_INTERVAL_S="0.2", AMER_CACHE_SIZE="0")
    with ServerProcess(str(current), env=env) as server, Client(server.url, key, retries=0) as c:
        seen: list[str] = []
        errors: list[BaseException] = []
        stop = threading.Event()

        def hammer() -> None:
            while not stop.is_set():
                try:
                    seen.append(c.entities(SAMPLE)["version"])
                except Exception as e:  # noqa: BLE001 - recorded and asserted below
                    errors.append(e)

        thread = threading.Thread(target=hammer)
        thread.start()
        try:
            _repoint(current, v2)
            _wait_for(lambda: seen and seen[-1] == "2.0.0")
            _repoint(current, broken)
            _wait_for(
                lambda: (
                    "amer_model_reload_failures_total 1.0"
                    in httpx.get(f"{server.url}/metrics").text
                )
            )
            time.sleep(0.3)
        finally:
            stop.set()
            thread.join()
        assert errors == []
        assert seen[0] == "1.0.0" and seen[-1] == "2.0.0"
        assert c.model_info()["version"] == "2.0.0"
        assert "amer_model_reloads_total 1.0" in httpx.get(f"{server.url}/metrics").text


def _repoint(link: Path, target: Path) -> None:
    tmp = link.with_name(link.name + ".new")
    tmp.symlink_to(target)
    tmp.replace(link)


def _wait_for(condition, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def _self_signed(directory: Path) -> tuple[Path, Path]:
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ModuleNotFoundError:
        cert, key = directory / "cert.pem", directory / "key.pem"
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1",
                "-keyout",
                str(key),
                "-out",
                str(cert),
            ],
            check=True,
            capture_output=True,
        )
        return cert, key
    import ipaddress

    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(private, hashes.SHA256())
    )
    cert, key = directory / "cert.pem", directory / "key.pem"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert, key


def test_ops_tls_and_protected_metrics(lexicon_model_dir: Path, tmp_path: Path) -> None:
    api_key = KeyStore(tmp_path / "keys.json").create("t")
    cert, key = _self_signed(tmp_path)
    env = _env(
        tmp_path,
        AMER_TLS_CERTFILE=str(cert),
        AMER_TLS_KEYFILE=str(key),
        AMER_PROTECT_METRICS="true",
    )
    with ServerProcess(str(lexicon_model_dir), env=env, scheme="https", verify=str(cert)) as server:
        assert server.url.startswith("https://")
        with Client(server.url, api_key, verify=str(cert)) as c:
            assert c.entities(SAMPLE)["entities"]
        assert httpx.get(f"{server.url}/metrics", verify=str(cert)).status_code == 401
        scraped = httpx.get(
            f"{server.url}/metrics",
            verify=str(cert),
            headers={"Authorization": f"Bearer {api_key}"},
        )
        assert scraped.status_code == 200 and "amer_requests_total" in scraped.text
        assert httpx.get(f"{server.url}/healthz", verify=str(cert)).status_code == 200
        with pytest.raises(httpx.TransportError):
            httpx.get(f"http://127.0.0.1:{server.port}/healthz")


def test_ops_several_workers(lexicon_model_dir: Path, tmp_path: Path) -> None:
    key = KeyStore(tmp_path / "keys.json").create("t")
    with ServerProcess(
        str(lexicon_model_dir), env=_env(tmp_path), args=("--workers", "2"), ready_timeout=90
    ) as server:
        children = psutil.Process(server.pid).children(recursive=True)
        workers = [p for p in children if "spawn_main" in " ".join(p.cmdline())]
        assert len(workers) == 2
        with Client(server.url, key) as c:
            assert all(c.entities(f"{SAMPLE} {i}")["entities"] for i in range(10))
