"""What a build works out from one device's columns alone, kept for the next build of the same network.

A diff builds two runs of one network. The store hands both views the same columns object for a
device whose packs are byte-identical in the two runs (``netatlas.store.topology``), and most
devices do not change between runs: their ports, addresses, placed subnets and ARP entries are
the same, so the second build takes them from the first instead of working them out again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from netatlas.topology.model import DeviceInput

T = TypeVar("T")


class Derived:
    """Per-device values, each a pure function of the device's name, platform, management address and
    columns, worked out once per columns object.

    Examples:
        >>> from netatlas.domain.records import DeviceRecords
        >>> from netatlas.topology.columns import DeviceColumns
        >>> memo, calls = Derived(), []
        >>> sw1 = DeviceInput("sw1", "cisco_ios", "10.0.0.1", DeviceRecords(), columns=DeviceColumns())
        >>> same = DeviceInput("sw1", "cisco_ios", "10.0.0.1", DeviceRecords(), columns=sw1.columns)
        >>> moved = DeviceInput("sw1", "cisco_ios", "10.0.0.9", DeviceRecords(), columns=sw1.columns)
        >>> [memo.derived("ip", d, lambda d: calls.append(d) or d.mgmt_ip) for d in (sw1, same, moved)]
        ['10.0.0.1', '10.0.0.1', '10.0.0.9']
        >>> len(calls)
        2
    """

    __slots__ = ("_derived", "_made")

    def __init__(self) -> None:
        self._derived: dict[tuple[str, int, str, str, str], tuple[object, Any]] = {}
        self._made: dict[str, dict[Any, Any]] = {}

    def made(self, what: str) -> dict[Any, Any]:
        """A table of immutable values made so far, by the fields they were made from (``what`` names
        the kind): an endpoint the previous build made, a build takes as it is."""
        return self._made.setdefault(what, {})

    def derived(self, what: str, device: DeviceInput, make: Callable[[DeviceInput], T]) -> T:
        """``make(device)`` (``what`` names the function), worked out once per columns object: the
        columns stay referenced here, so their id is never another object's. A device without stored
        columns (records given directly) is worked out every time."""
        columns = device.columns
        if columns is None:
            return make(device)
        key = (what, id(columns), device.name, device.platform, device.mgmt_ip)
        found = self._derived.get(key)
        if found is None:
            found = self._derived[key] = (columns, make(device))
        value: T = found[1]
        return value
