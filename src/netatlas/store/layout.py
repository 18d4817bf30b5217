"""The web map's layout: where operators dragged nodes, one layout shared by every user.

A position is a map element id (a topology node such as ``sw1``, or one of the map's own elements:
``grp:<group>``, ``site:<group>``, ``ep:<mac>``) and two finite coordinates. The map computes a
layout itself; a stored position wins over the computed one for that element. Changes merge
(``None`` removes one position) or replace the whole layout; the layout holds at most
:data:`MAX_POSITIONS` positions.

The repository checks what it stores even though the API validates first: ids are 1 to
:data:`~netatlas.store.tables.LAYOUT_NODE` characters without control characters, coordinates finite
and within :data:`BOUND`. A bad value raises :class:`LayoutError` naming the element.

    with db.session() as session:
        LayoutRepo(session).change({"sw1": (120.0, -40.5), "sw2": None}, by="alice")
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from netatlas.domain.errors import NetatlasError
from netatlas.store.tables import LAYOUT_NODE, NAME, MapPositionRow, utcnow

MAX_POSITIONS = 50_000
"""Positions a layout may hold (a 1,000-device map with every endpoint drawn has ~21,000 nodes)."""
BOUND = 1e7
"""Largest coordinate (model units; the map's own layout spans a few tens of thousands)."""
CHUNK = 150  # ids or rows per statement: within SQLite's oldest bound-parameter limit (999) at 5 a row
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class LayoutError(NetatlasError, ValueError):
    """A position that cannot be stored; ``node`` names the element ('' for the layout as a whole)."""

    def __init__(self, node: str, reason: str) -> None:
        self.node, self.reason = node, reason
        super().__init__(f"{node}: {reason}" if node else reason)


@dataclass(frozen=True, slots=True)
class StoredLayout:
    """The layout: element id -> (x, y); when and by whom it was last changed (None/'' when empty)."""

    positions: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    updated_at: datetime | None = None
    updated_by: str = ""


class LayoutRepo:
    def __init__(self, session: Session) -> None:
        self._session = session

    def read(self) -> StoredLayout:
        rows = self._session.execute(select(MapPositionRow.node, MapPositionRow.x, MapPositionRow.y,
                                            MapPositionRow.updated_at, MapPositionRow.updated_by)
                                     .order_by(MapPositionRow.node)).all()
        if not rows:
            return StoredLayout()
        newest = max(rows, key=lambda row: (row.updated_at, row.node))
        return StoredLayout({row.node: (row.x, row.y) for row in rows}, newest.updated_at, newest.updated_by)

    def count(self) -> int:
        return int(self._session.scalar(select(func.count()).select_from(MapPositionRow)) or 0)

    def change(self, positions: Mapping[str, tuple[float, float] | None], *, replace: bool = False, by: str = "",
               limit: int = MAX_POSITIONS) -> int:
        """Store ``positions`` (``None``: forget that element's position); ``replace``: forget every
        other position first. Returns how many positions the layout holds; :class:`LayoutError` (and
        nothing stored, once the session rolls back) when a value is bad or the layout would hold
        more than ``limit``."""
        checked = {checked_node(node): None if p is None else checked_point(node, p) for node, p in positions.items()}
        if replace:
            self._session.execute(delete(MapPositionRow))
        gone = sorted(node for node, p in checked.items() if p is None)
        for part in _chunks(gone):
            self._session.execute(delete(MapPositionRow).where(MapPositionRow.node.in_(part)))
        now, who = utcnow(), by[:NAME]
        rows = [{"node": node, "x": p[0], "y": p[1], "updated_by": who, "updated_at": now}
                for node, p in sorted(checked.items()) if p is not None]
        for part in _chunks(rows):
            statement = self._insert().values(part)
            self._session.execute(statement.on_conflict_do_update(
                index_elements=[MapPositionRow.node],
                set_={"x": statement.excluded.x, "y": statement.excluded.y,
                      "updated_by": statement.excluded.updated_by, "updated_at": statement.excluded.updated_at}))
        held = self.count()
        if held > limit:
            raise LayoutError("", f"the layout would hold {held:,} positions; at most {limit:,}")
        return held

    def _insert(self) -> Any:
        dialect = self._session.get_bind().dialect.name
        return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(MapPositionRow)


def checked_node(node: str) -> str:
    """
    Examples:
        >>> checked_node("grp:site1 · access")
        'grp:site1 · access'
        >>> checked_node("sw1\\x1b[2J")
        Traceback (most recent call last):
        ...
        netatlas.store.layout.LayoutError: 'sw1\\x1b[2J': control characters in an element id
    """
    if not isinstance(node, str) or not 1 <= len(node) <= LAYOUT_NODE:
        raise LayoutError(repr(str(node)[:80]), f"an element id is 1 to {LAYOUT_NODE} characters")
    if _CONTROL.search(node):
        raise LayoutError(repr(node[:80]), "control characters in an element id")
    return node


def checked_point(node: str, point: Sequence[float]) -> tuple[float, float]:
    """
    Examples:
        >>> checked_point("sw1", (1, -2.5))
        (1.0, -2.5)
        >>> checked_point("sw1", (float("nan"), 0))
        Traceback (most recent call last):
        ...
        netatlas.store.layout.LayoutError: sw1: x is not a finite number within ±10,000,000
    """
    if len(point) != 2:
        raise LayoutError(node, "a position is two numbers (x, y)")
    for name, value in zip(("x", "y"), point, strict=True):
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
                or abs(value) > BOUND:
            raise LayoutError(node, f"{name} is not a finite number within ±{BOUND:,.0f}")
    return float(point[0]), float(point[1])


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]
