"""The REST API (FastAPI): thin routers over the same services the CLI uses; no SQL in handlers.

``create_app`` (``netatlas.api.app``) builds the application from an :class:`ApiContext`;
``netatlas serve`` runs it with uvicorn. See docs/api.md.
"""
