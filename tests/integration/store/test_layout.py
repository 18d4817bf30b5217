"""The map layout repository (``netatlas.store.layout``) on SQLite and PostgreSQL: merge, forget,
replace, the size cap, and values it refuses whatever the caller checked before."""

from __future__ import annotations

import pytest

from netatlas.store import Database
from netatlas.store.layout import LayoutError, LayoutRepo

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


def _positions(db: Database) -> dict[str, tuple[float, float]]:
    with db.session(readonly=True) as session:
        return dict(LayoutRepo(session).read().positions)


def test_positions_merge_forget_and_replace(db: Database) -> None:
    with db.session(readonly=True) as session:
        empty = LayoutRepo(session).read()
    assert (dict(empty.positions), empty.updated_at, empty.updated_by) == ({}, None, "")
    with db.session() as session:
        assert LayoutRepo(session).change({"sw1": (1.5, -2.0), "grp:site1 · access": (100, 200)}, by="olga") == 2
    with db.session() as session:
        assert LayoutRepo(session).change({"sw1": (3.0, 4.0), "grp:site1 · access": None, "ep:aa:bb:cc:00:00:01":
                                           (0.0, 0.0)}, by="token:ci") == 2
    with db.session(readonly=True) as session:
        stored = LayoutRepo(session).read()
    assert dict(stored.positions) == {"sw1": (3.0, 4.0), "ep:aa:bb:cc:00:00:01": (0.0, 0.0)}
    assert stored.updated_by == "token:ci" and stored.updated_at is not None
    with db.session() as session:
        assert LayoutRepo(session).change({"sw9": (7, 8)}, replace=True, by="olga") == 1
    assert _positions(db) == {"sw9": (7.0, 8.0)}
    with db.session() as session:
        assert LayoutRepo(session).change({}, replace=True) == 0
    assert _positions(db) == {}


def test_many_positions_in_one_change(db: Database) -> None:
    many = {f"sw{i}": (float(i), float(-i)) for i in range(1_234)}
    with db.session() as session:
        assert LayoutRepo(session).change(many, by="olga") == len(many)
    assert _positions(db) == many


@pytest.mark.parametrize(("positions", "message"), [
    ({"sw1": (float("nan"), 0.0)}, "sw1: x is not a finite number"),
    ({"sw1": (0.0, float("inf"))}, "sw1: y is not a finite number"),
    ({"sw1": (0.0, 2e7)}, "sw1: y is not a finite number within"),
    ({"sw1": (True, 0.0)}, "sw1: x is not a finite number"),
    ({"": (0.0, 0.0)}, "'': an element id is 1 to 512 characters"),
    ({"x" * 513: (0.0, 0.0)}, "an element id is 1 to 512 characters"),
    ({"sw1\x1b[2J": (0.0, 0.0)}, "'sw1\\x1b[2J': control characters"),
])
def test_bad_values_are_refused_and_nothing_is_stored(db: Database, positions: dict[str, tuple[float, float]],
                                                      message: str) -> None:
    with pytest.raises(LayoutError) as refused, db.session() as session:
        LayoutRepo(session).change({"ok": (1.0, 1.0), **positions})
    assert message in str(refused.value)
    assert _positions(db) == {}


def test_the_layout_has_a_cap(db: Database) -> None:
    with db.session() as session:
        LayoutRepo(session).change({"a": (0, 0), "b": (1, 1)}, limit=3)
    with pytest.raises(LayoutError, match="would hold 4 positions; at most 3"), db.session() as session:
        LayoutRepo(session).change({"c": (2, 2), "d": (3, 3)}, limit=3)
    assert sorted(_positions(db)) == ["a", "b"]  # rolled back whole
    with db.session() as session:  # moving a stored one, or replacing, stays within the cap
        assert LayoutRepo(session).change({"a": (5, 5), "c": (2, 2)}, limit=3) == 3
