"""Start ``amer serve`` as a child process on a free loopback port and wait until it is ready.

Used by ``amer deploy staging``, the integration tests and the load benchmark.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import IO

import httpx

from amer.errors import ServiceError

SERVE_COMMAND = (sys.executable, "-c", "from amer.cli import main; main()", "serve")


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


class ServerProcess:
    """``amer serve --model MODEL`` on ``127.0.0.1:<free port>``; a context manager."""

    def __init__(
        self,
        model: str,
        *,
        env: Mapping[str, str] | None = None,
        args: tuple[str, ...] = (),
        log_path: Path | None = None,
        scheme: str = "http",
        verify: bool | str = True,
        ready_timeout: float = 60.0,
    ) -> None:
        self.port = free_port()
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        self.command = [
            *SERVE_COMMAND,
            "--model",
            model,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            *args,
        ]
        self.env = {**os.environ, **(env or {})}
        self.log_path = log_path
        self.verify = verify
        self.ready_timeout = ready_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def pid(self) -> int:
        """The server's process id."""
        assert self.process is not None
        return self.process.pid

    def start(self) -> ServerProcess:
        """Start the server and wait for ``/readyz``; raises :class:`ServiceError` if it dies."""
        self._log = open(self.log_path, "ab") if self.log_path else None  # noqa: SIM115
        self.process = subprocess.Popen(
            self.command,
            env=self.env,
            stdout=self._log or subprocess.DEVNULL,
            stderr=self._log or subprocess.DEVNULL,
            start_new_session=True,
        )
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise ServiceError(f"the server exited with code {self.process.returncode}")
            try:
                if (
                    httpx.get(f"{self.url}/readyz", timeout=2, verify=self.verify).status_code
                    == 200
                ):
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise ServiceError(f"the server was not ready within {self.ready_timeout:.0f} s")

    def stop(self) -> int | None:
        """Stop the server (SIGTERM to its process group, then SIGKILL); its exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self._log is not None:
            self._log.close()
        return self.process.returncode

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
