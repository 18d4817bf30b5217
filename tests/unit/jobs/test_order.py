"""``jobs.order.spread``: each group's members evenly spaced, in their own order, none lost."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from netatlas.jobs.order import spread


def test_groups_are_spread_in_proportion() -> None:
    items = [("ios", i) for i in range(60)] + [("eos", i) for i in range(20)] + [("junos", i) for i in range(20)]
    out = spread(items, key=lambda item: item[0])
    for window in range(0, 100, 20):  # every fifth of the run holds a fifth of each group (give or take one)
        part = [group for group, _ in out[window:window + 20]]
        for group, share in (("ios", 12), ("eos", 4), ("junos", 4)):
            assert abs(part.count(group) - share) <= 1


@given(st.lists(st.sampled_from("abcd"), max_size=60))
def test_nothing_is_lost_and_each_group_keeps_its_order(groups: list[str]) -> None:
    items = list(enumerate(groups))
    out = spread(items, key=lambda item: item[1])
    assert sorted(out) == items
    for group in set(groups):
        assert [i for i, g in out if g == group] == [i for i, g in items if g == group]


def test_one_group_is_left_as_it_is() -> None:
    items = list(range(50))
    random.Random(3).shuffle(items)
    assert spread(items, key=lambda _: "same") == items
