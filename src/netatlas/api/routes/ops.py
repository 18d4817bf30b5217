"""API routes: operations (see docs/api.md)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["operations"])
