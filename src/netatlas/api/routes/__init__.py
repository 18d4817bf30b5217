"""One router per resource; each owns its full paths. ``ROUTERS`` is what the app includes."""

from __future__ import annotations

from fastapi import APIRouter

from netatlas.api.routes import auth, credentials, devices, discovery, jobs, ops, topology

ROUTERS: tuple[APIRouter, ...] = (ops.router, auth.router, discovery.router, jobs.router, devices.router,
                                  credentials.router, topology.router)
