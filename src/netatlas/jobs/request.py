"""What a discovery job was asked to do, as stored in its row: a job is rebuilt from its id alone.

:meth:`DiscoveryRequest.options` is the typed JSON document the ``job`` row keeps (never a secret:
a crawl names its credential sets only); :meth:`DiscoveryRequest.from_options` reads it back, so any
process (the CLI, the API, a worker) can run or resume a job knowing nothing but its id. The
round trip is exact (``from_options(r.options()) == r``); a stored document that does not hold a
request fails with :class:`JobOptionsError`, which names the field::

    {"version": 1, "data_types": ["cdp", "lldp"], "concurrency": 20, "requested_by": "alice",
     "crawl": {"depth": 3, "allow": ["10.0.0.0/8"], "credentials": "lab", "port": 22, "crawl_credentials": ""}}

``crawl`` is ``null`` without a crawl. ``version``, ``requested_by`` and, inside ``crawl``, ``port``
and ``crawl_credentials`` may be missing (jobs written before they were recorded): they take their
defaults. Anything else missing, of the wrong type, out of range or unknown is an error.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from ipaddress import IPv4Network
from typing import Any

from netatlas.domain.errors import NetatlasError
from netatlas.domain.records import DataType
from netatlas.jobs.crawl import CrawlOptions

OPTIONS_VERSION = 1
MAX_DEPTH = 32
_TOP = ("version", "data_types", "concurrency", "crawl", "requested_by")
_CRAWL = ("depth", "allow", "credentials", "port", "crawl_credentials")
_SHOWN_MAX = 60  # characters of a bad value quoted in an error
_MISSING: Any = object()


class JobOptionsError(NetatlasError):
    """A job's stored options do not describe a request; ``field`` is its path (``options.crawl.port``)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"job options: {field}: {problem}")
        self.field, self.problem = field, problem


@dataclass(frozen=True, slots=True)
class DiscoveryRequest:
    data_types: frozenset[DataType]
    concurrency: int
    crawl: CrawlOptions | None = None
    requested_by: str = ""

    def options(self) -> dict[str, Any]:
        """The JSON document the job row records (no credentials: the crawl names its credential sets only).

        Examples:
            >>> DiscoveryRequest(frozenset({DataType.LLDP, DataType.CDP}), 5).options()
            {'version': 1, 'data_types': ['cdp', 'lldp'], 'concurrency': 5, 'crawl': None, 'requested_by': ''}
        """
        return {"version": OPTIONS_VERSION, "data_types": sorted(t.value for t in self.data_types),
                "concurrency": self.concurrency, "crawl": None if self.crawl is None else _crawl_document(self.crawl),
                "requested_by": self.requested_by}

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> DiscoveryRequest:
        """The request a job row's options describe; :class:`JobOptionsError` names what is wrong.

        Examples:
            >>> crawl = CrawlOptions(2, (IPv4Network("10.0.0.0/8"),), "lab")
            >>> request = DiscoveryRequest(frozenset({DataType.MAC}), 10, crawl, "alice")
            >>> DiscoveryRequest.from_options(request.options()) == request
            True
            >>> DiscoveryRequest.from_options({"data_types": ["mac"], "concurrency": "10"})
            Traceback (most recent call last):
            netatlas.jobs.request.JobOptionsError: job options: options.concurrency: expected an integer, got str '10'
        """
        top = _object(options, "options", _TOP)
        version = _integer(top, "version", "options", low=1, default=OPTIONS_VERSION)
        if version != OPTIONS_VERSION:
            raise JobOptionsError("options.version", f"version {version} is not one this netatlas reads "
                                                     f"({OPTIONS_VERSION})")
        crawl = _get(top, "crawl", "options", default=None)
        return cls(data_types=_data_types(_get(top, "data_types", "options"), "options.data_types"),
                   concurrency=_integer(top, "concurrency", "options", low=1),
                   crawl=None if crawl is None else _crawl(crawl, "options.crawl"),
                   requested_by=_string(top, "requested_by", "options", default=""))


def _crawl_document(crawl: CrawlOptions) -> dict[str, Any]:
    return {"depth": crawl.depth, "allow": [str(n) for n in crawl.allow], "credentials": crawl.credentials,
            "port": crawl.port, "crawl_credentials": crawl.crawl_credentials}


def _crawl(value: Any, path: str) -> CrawlOptions:
    crawl = _object(value, path, _CRAWL)
    return CrawlOptions(depth=_integer(crawl, "depth", path, low=0, high=MAX_DEPTH),
                        allow=_networks(_get(crawl, "allow", path), f"{path}.allow"),
                        credentials=_string(crawl, "credentials", path),
                        port=_integer(crawl, "port", path, low=1, high=65535, default=22),
                        crawl_credentials=_string(crawl, "crawl_credentials", path, default=""))


def _object(value: Any, path: str, known: Collection[str]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise JobOptionsError(path, f"expected an object, got {_shown(value)}")
    unknown = sorted(str(k) for k in value if k not in known)
    if unknown:
        raise JobOptionsError(f"{path}.{unknown[0]}", f"unknown field (known: {', '.join(known)})")
    return value


def _get(obj: Mapping[str, Any], key: str, path: str, default: Any = _MISSING) -> Any:
    if key in obj:
        return obj[key]
    if default is _MISSING:
        raise JobOptionsError(f"{path}.{key}", "missing")
    return default


def _integer(obj: Mapping[str, Any], key: str, path: str, *, low: int, high: int | None = None,
             default: Any = _MISSING) -> int:
    value = _get(obj, key, path, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise JobOptionsError(f"{path}.{key}", f"expected an integer, got {_shown(value)}")
    if value < low or (high is not None and value > high):
        bounds = f"{low} to {high}" if high is not None else f"at least {low}"
        raise JobOptionsError(f"{path}.{key}", f"{value} is out of range ({bounds})")
    return value


def _string(obj: Mapping[str, Any], key: str, path: str, default: Any = _MISSING) -> str:
    value = _get(obj, key, path, default)
    if not isinstance(value, str):
        raise JobOptionsError(f"{path}.{key}", f"expected a string, got {_shown(value)}")
    return value


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise JobOptionsError(path, f"expected a list, got {_shown(value)}")
    return value


def _data_types(value: Any, path: str) -> frozenset[DataType]:
    found = set()
    for index, item in enumerate(_list(value, path)):
        try:
            found.add(DataType(item))
        except ValueError:
            raise JobOptionsError(f"{path}[{index}]", f"unknown data type {_shown(item)} "
                                                      f"(known: {', '.join(t.value for t in DataType)})") from None
    return frozenset(found)


def _networks(value: Any, path: str) -> tuple[IPv4Network, ...]:
    found = []
    for index, item in enumerate(_list(value, path)):
        if not isinstance(item, str):
            raise JobOptionsError(f"{path}[{index}]", f"expected an IPv4 network, got {_shown(item)}")
        try:
            found.append(IPv4Network(item))  # strict: a stored range never has host bits set
        except ValueError as exc:
            raise JobOptionsError(f"{path}[{index}]", f"not an IPv4 network: {exc}") from None
    return tuple(found)


def _shown(value: Any) -> str:
    """A bad value as an error quotes it: its JSON type and a short repr.

    Examples:
        >>> _shown(None), _shown(True), _shown("x" * 100)[-6:]
        ('null', 'bool True', 'xxx...')
    """
    if value is None:
        return "null"
    text = repr(value)
    if len(text) > _SHOWN_MAX:
        text = text[:_SHOWN_MAX - 3] + "..."
    return f"{type(value).__name__} {text}"
