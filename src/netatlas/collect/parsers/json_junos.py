"""JunOS (`` | display json``) readers: the platform's documents -> the rows its text templates give."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from netatlas.collect.parsers.structured import ReaderRow

READERS: tuple[ReaderRow, ...] = ()
