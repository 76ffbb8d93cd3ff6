import hashlib
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from amer.data.fetch import Source, fetch_all, sha256_file
from amer.errors import FetchError

PAYLOAD = b"feber\tCONDITION\tICPC\tN/A\tN/A\n"


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server API
        if self.path == "/missing":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(PAYLOAD)))
        self.end_headers()
        self.wfile.write(PAYLOAD)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _source(url: str, digest: str | None = None) -> Source:
    return Source("normedterm/NorMedTerm.tsv", url, digest or hashlib.sha256(PAYLOAD).hexdigest())


def test_fetch_downloads_and_checks_digest(tmp_path: Path, server: str) -> None:
    (path,) = fetch_all(tmp_path, sources=(_source(f"{server}/t.tsv"),))
    assert path.read_bytes() == PAYLOAD
    assert sha256_file(path) == hashlib.sha256(PAYLOAD).hexdigest()


def test_fetch_keeps_verified_file_without_network(tmp_path: Path) -> None:
    target = tmp_path / "normedterm" / "NorMedTerm.tsv"
    target.parent.mkdir()
    target.write_bytes(PAYLOAD)
    assert fetch_all(tmp_path, sources=(_source("http://127.0.0.1:9/never"),)) == [target]


def test_fetch_checksum_mismatch_saves_nothing(tmp_path: Path, server: str) -> None:
    with pytest.raises(FetchError, match="checksum mismatch"):
        fetch_all(tmp_path, sources=(_source(f"{server}/t.tsv", "0" * 64),))
    assert list((tmp_path / "normedterm").iterdir()) == []


def test_fetch_http_error(tmp_path: Path, server: str) -> None:
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch_all(tmp_path, sources=(_source(f"{server}/missing"),))


def test_fetch_offline_is_one_clear_sentence(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(FetchError, match=r"cannot reach 127.0.0.1 .*\(offline\?\)"):
        fetch_all(tmp_path, sources=(_source(f"http://127.0.0.1:{port}/t.tsv"),))
