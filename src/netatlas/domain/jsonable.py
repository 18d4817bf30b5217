"""Domain values as JSON data, one rule for the CLI's ``--json`` and the API.

Examples:
    >>> from datetime import UTC, datetime
    >>> from netatlas.domain.records import MacEntry
    >>> to_jsonable(MacEntry("aa:bb:cc:00:00:01", 10, "Gi1/0/1"))["vlan"]
    10
    >>> to_jsonable({"at": datetime(2026, 1, 1, tzinfo=UTC), "tags": frozenset({"b", "a"})})
    {'at': '2026-01-01T00:00:00+00:00', 'tags': ['a', 'b']}
"""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from datetime import datetime
from enum import Enum
from typing import Any


def to_jsonable(value: Any) -> Any:
    """Dataclasses as dicts, enums as their values, datetimes in ISO form, sets sorted."""
    if is_dataclass(value) and not isinstance(value, type):
        return to_jsonable(asdict(value))
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [to_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    return value
