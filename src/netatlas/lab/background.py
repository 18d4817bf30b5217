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
from types import TracebackType

from netatlas.lab.runtime import Lab
from netatlas.lab.server import LabServer

START_TIMEOUT_S = 120.0


class BackgroundLab:
    def __init__(self, lab: Lab, latency_ms: float = 0.0) -> None:
        self.lab = lab
        self.server = LabServer(lab.devices, port=lab.port, latency_ms=latency_ms,
                                host_key_seed=f"netatlas-lab:{lab.network.seed}".encode())
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
