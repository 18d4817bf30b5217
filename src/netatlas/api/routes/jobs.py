"""API routes: jobs (see docs/api.md)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["jobs"])
