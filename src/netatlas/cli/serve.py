"""``netatlas serve``: the API (and, with no broker configured, the in-process executor). Being written."""

from __future__ import annotations


def serve() -> None:
    """Serve the REST API (being written)."""
    raise NotImplementedError
