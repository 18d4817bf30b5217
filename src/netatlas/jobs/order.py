"""The order a job starts its devices in: platforms spread evenly over the run.

Which device starts first changes nothing in what is stored, but it changes what the machine is
busy with. Platforms load it differently: a text platform's device costs the session process
(SSH, prompts) more than the parse worker, a platform answering large structured tables costs the
parse worker (reading, storing) more. An inventory is usually grouped (by site, role, platform),
so started in its order a run is a series of phases, each leaving one part idle: on the
1,000-device mixed lab, the session process at 0.9 core with the worker at 0.3 for the first half,
then the worker saturated for the second. Spread, every moment of the run has its share of each.

:func:`spread` gives each platform's devices evenly spaced places in the run (stride scheduling: a
device's place is where its rank falls in its platform's share), keeping each platform's own order
and the inventory's order between ties.

Examples:
    >>> spread(["a1", "a2", "a3", "a4", "b1", "b2"], key=lambda d: d[0])
    ['a1', 'b1', 'a2', 'a3', 'b2', 'a4']
    >>> spread([], key=str)
    []
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

T = TypeVar("T")


def spread(items: Sequence[T], key: Callable[[T], Hashable]) -> list[T]:
    """``items`` with each ``key`` group's members evenly spaced (a stable reordering, nothing lost)."""
    sizes = Counter(key(item) for item in items)
    seen: Counter[Hashable] = Counter()
    places: list[tuple[float, int, T]] = []
    for index, item in enumerate(items):
        group = key(item)
        places.append(((seen[group] + 0.5) / sizes[group], index, item))
        seen[group] += 1
    places.sort(key=lambda place: place[:2])
    return [item for _, _, item in places]
