"""Run a lab on its own event loop in a background thread (tests, demo, in-process benchmarks).

Examples:
    >>> from netatlas.lab.runtime import prepare_lab
    >>> lab = prepare_lab("wan", 2, seed=1, port=22199)
    >>> with BackgroundLab(lab) as running:
    ...     running.addresses
    ['127.20.0.1', '127.20.0.2']
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from netatlas.lab.runtime import Lab
from netatlas.lab.server import LabServer

START_TIMEOUT_S = 120.0
T = TypeVar("T")


class BackgroundLab:
    """Serve ``lab`` (its devices and its rogues) on a background thread.

    ``capture_logins``: a JSON-lines file recording every connection and password attempt on
    every device (passwords as SHA-256 only); see :class:`netatlas.lab.server.LabServer`.
    """

    def __init__(self, lab: Lab, latency_ms: float = 0.0, capture_logins: Path | None = None) -> None:
        self.lab = lab
        self.capture_logins = capture_logins
        self.server = LabServer(lab.served, port=lab.port, latency_ms=latency_ms,
                                host_key_seed=f"netatlas-lab:{lab.network.seed}".encode(),
                                capture_logins=capture_logins)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="netatlas-lab", daemon=True)

    @property
    def addresses(self) -> list[str]:
        return self.server.addresses

    def start(self) -> BackgroundLab:
        self._thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self.server.start(), self._loop).result(START_TIMEOUT_S)
        except BaseException:
            self._shutdown()
            raise
        return self

    def rotate_host_keys(self) -> list[str]:
        """New random keys for the ``hostkey`` devices (new connections see them); returns their names."""
        return self._on_loop(self.server.rotate_host_keys)

    def known_hosts(self) -> str:
        """OpenSSH ``known_hosts`` lines of every listening device but the rogues, with their keys now."""
        return self._on_loop(self.server.known_hosts)

    def _on_loop(self, call: Callable[[], T]) -> T:
        async def run() -> T:
            return call()

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(10)

    def stop(self) -> None:
        if self._thread.is_alive():
            asyncio.run_coroutine_threadsafe(self.server.stop(), self._loop).result(10)
            self._shutdown()

    def _shutdown(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def __enter__(self) -> BackgroundLab:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
