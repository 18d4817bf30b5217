"""The records discovery produces, and the enums every layer shares.

Plain frozen dataclasses, no I/O. Addresses are stored as validated strings (``"10.0.0.1"``,
``"10.0.0.0/24"``) so that records serialise to JSON and database rows without conversion;
the normalisers in ``netatlas.collect`` validate them with :mod:`ipaddress` on the way in.
Interface names are canonical (``netatlas.domain.names.canonical_interface``), MACs are
``aa:bb:cc:dd:ee:ff``, neighbor names are normalised (no domain, no ``(SERIAL)``, lower case).
"""

from __future__ import annotations

import zlib
from dataclasses import asdict, dataclass, field, fields, replace
from enum import StrEnum
from typing import Any


class DataType(StrEnum):
    """What a discovery job can collect; its row in ``netatlas.domain.datatypes`` says everything else
    (record attributes, request flag, CLI names, protocol filter)."""

    FACTS = "facts"  # always collected
    INTERFACES = "interfaces"
    CDP = "cdp"
    LLDP = "lldp"
    STATIC_ROUTES = "static_routes"
    OSPF_ROUTES = "ospf_routes"
    BGP_ROUTES = "bgp_routes"
    ROUTING_NEIGHBORS = "routing_neighbors"
    MAC = "mac"
    ARP = "arp"


ROUTE_TYPES = frozenset({DataType.STATIC_ROUTES, DataType.OSPF_ROUTES, DataType.BGP_ROUTES})


class ErrorKind(StrEnum):
    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    AUTH_FAILED = "auth_failed"
    COMMAND_REJECTED = "command_rejected"
    PARSE_ERROR = "parse_error"
    DISCONNECTED = "disconnected"
    UNSUPPORTED_PLATFORM = "unsupported_platform"
    CANCELLED = "cancelled"
    HOST_KEY_CHANGED = "host_key_changed"  # the device's SSH key differs from the trusted one: no password sent
    HOST_KEY_UNKNOWN = "host_key_unknown"  # no trusted key and the policy refuses unknown keys: no password sent
    OUTPUT_TOO_LARGE = "output_too_large"  # a command or the device exceeded its output cap
    INTERNAL = "internal"  # an unexpected exception in netatlas while handling this device
    INTERRUPTED = "interrupted"  # the process running the job died or was stopped before this device ended

    @property
    def transient(self) -> bool:
        """Worth retrying with backoff; permanent kinds are never retried (lock-outs)."""
        return self in _TRANSIENT


_TRANSIENT = frozenset({ErrorKind.UNREACHABLE, ErrorKind.TIMEOUT, ErrorKind.DISCONNECTED})


class JobStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    CANCELLING = "cancelling"
    COMPLETED = "completed"  # every device reached a final state (some may have failed)
    CANCELLED = "cancelled"
    FAILED = "failed"  # the job itself could not run (not a device failure)
    INTERRUPTED = "interrupted"  # its owner process died or was stopped; unfinished devices are interrupted

    @property
    def final(self) -> bool:
        return self in (JobStatus.COMPLETED, JobStatus.CANCELLED, JobStatus.FAILED, JobStatus.INTERRUPTED)


class DeviceStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"

    @property
    def final(self) -> bool:
        return self in (DeviceStatus.COMPLETED, DeviceStatus.FAILED, DeviceStatus.CANCELLED, DeviceStatus.INTERRUPTED)


class Coverage(StrEnum):
    """How completely one command's output (and so a data type) was read."""

    COMPLETE = "complete"  # every line understood
    PARTIAL = "partial"  # rows that parsed are kept; ``unparsed`` lines were not understood
    FEATURE_OFF = "feature_off"  # the feature is not running on the device: empty, with the device's message


@dataclass(frozen=True, slots=True)
class Facts:
    hostname: str
    model: str = ""
    serial: str = ""
    os_version: str = ""
    vendor: str = ""
    uptime: str = ""
    members: tuple[str, ...] = ()  # virtual chassis / cluster members as named (``fpc0``, ``node1``)


@dataclass(frozen=True, slots=True)
class Interface:
    name: str
    admin_up: bool
    oper_up: bool
    description: str = ""
    ipv4: tuple[str, ...] = ()  # "10.0.0.1/24", primary first
    mac: str = ""
    mtu: int | None = None
    vrf: str = ""  # "" when the platform's interface command does not say
    ipv6: tuple[str, ...] = ()  # "2001:db8::1/64" (link-local included where the platform prints it)
    channel: str = ""  # a port-channel member: its aggregate's canonical name (``Port-channel1``, ``ae0``)
    speed_mbps: int | None = None  # the operating speed where the platform prints one (10000 for 10 Gb/s)
    duplex: str = ""  # "full" | "half" | "" (not shown, or not applicable: logical interfaces)


@dataclass(frozen=True, slots=True)
class Neighbor:
    protocol: str  # "cdp" | "lldp"
    local_interface: str
    remote_name: str  # normalised
    remote_interface: str
    remote_name_raw: str = ""  # as advertised (FQDN, name(SERIAL), ...)
    mgmt_ip: str = ""
    remote_platform: str = ""
    capabilities: str = ""


@dataclass(frozen=True, slots=True)
class NextHop:
    address: str = ""  # "" for attached routes
    interface: str = ""


@dataclass(frozen=True, slots=True)
class Route:
    vrf: str
    prefix: str  # "10.0.0.0/24"
    protocol: str  # connected | local | static | ospf | bgp (others kept as the platform names them)
    next_hops: tuple[NextHop, ...] = ()
    distance: int | None = None
    metric: int | None = None
    route_type: str = ""  # OSPF: intra | inter | ext1 | ext2; BGP: internal | external
    as_path: str = ""


@dataclass(frozen=True, slots=True)
class OspfNeighbor:
    router_id: str
    address: str
    interface: str
    state: str = ""
    vrf: str = "default"


@dataclass(frozen=True, slots=True)
class BgpSession:
    peer: str
    remote_as: int
    state: str = ""  # "Established" or the state word the platform shows
    prefixes_received: int | None = None
    vrf: str = "default"


@dataclass(frozen=True, slots=True)
class MacEntry:
    mac: str
    vlan: int
    interface: str
    dynamic: bool = True


@dataclass(frozen=True, slots=True)
class ArpEntry:
    ip: str
    mac: str
    interface: str
    vrf: str = "default"


@dataclass(frozen=True, slots=True)
class Unmanaged:
    """A neighbor a crawl saw but did not visit, and why."""

    name: str
    mgmt_ip: str
    reason: str  # "outside --allow", "unsupported platform", "no management address", "beyond --depth"
    seen_from: str


@dataclass(slots=True)
class DeviceRecords:
    """Everything collected from one device in one run (empty lists for types not requested)."""

    facts: Facts | None = None
    interfaces: list[Interface] = field(default_factory=list)
    neighbors: list[Neighbor] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    ospf_neighbors: list[OspfNeighbor] = field(default_factory=list)
    bgp_sessions: list[BgpSession] = field(default_factory=list)
    mac_table: list[MacEntry] = field(default_factory=list)
    arp: list[ArpEntry] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def merge(self, other: DeviceRecords) -> None:
        """Add ``other`` (a later command's records, or another data type's) to these, in place.

        * facts: what is already known wins; a field still empty is filled from ``other`` (a
          platform's plan sends its authoritative facts command first; EOS adds the hostname
          from ``show hostname`` to what ``show version`` said);
        * lists are appended in order, except that a neighbor in ``other`` replaces one here with
          the same protocol, local interface and remote name (a per-interface detail command
          refining the summary's entry).

        Examples:
            >>> a = DeviceRecords(facts=Facts("r1", model="C9300"),
            ...                   neighbors=[Neighbor("lldp", "ge-0/0/1", "sw1", "Gi1")])
            >>> a.merge(DeviceRecords(facts=Facts("r1.lab.net", serial="X1"),
            ...                       neighbors=[Neighbor("lldp", "ge-0/0/1", "sw1", "Gi1", mgmt_ip="10.0.0.1")]))
            >>> a.facts.hostname, a.facts.serial, [n.mgmt_ip for n in a.neighbors]
            ('r1', 'X1', ['10.0.0.1'])
        """
        self.facts = _fill(self.facts, other.facts)
        refined = {_neighbor_key(n) for n in other.neighbors}
        if refined:
            self.neighbors = [n for n in self.neighbors if _neighbor_key(n) not in refined]
        for one in fields(self):
            if one.name != "facts":
                getattr(self, one.name).extend(getattr(other, one.name))


def _fill(known: Facts | None, new: Facts | None) -> Facts | None:
    """``known`` with its empty fields taken from ``new``."""
    if known is None or new is None:
        return known or new
    return replace(known, **{f.name: getattr(new, f.name) for f in fields(Facts) if not getattr(known, f.name)})


def _neighbor_key(neighbor: Neighbor) -> tuple[str, str, str]:
    return neighbor.protocol, neighbor.local_interface, neighbor.remote_name


@dataclass(frozen=True, slots=True)
class ParseOutcome:
    """What parsing one command's output gave: records, how complete, and what was not understood."""

    records: DeviceRecords
    coverage: Coverage = Coverage.COMPLETE
    unparsed: tuple[str, ...] = ()  # lines (or a description of missing rows) not turned into records
    note: str = ""  # e.g. the device's "feature not enabled" message


PACK_FROM = 2_000  # characters: a longer raw output is held compressed (``CommandOutput.raw``)
PACK_LEVEL = 1  # zlib: fastest; the text is read back rarely (storing it, auditing, re-parsing)


def pack_text(text: str) -> bytes:
    """``text`` as UTF-8, zlib-compressed (:data:`PACK_LEVEL`): how a long raw output is held.

    Examples:
        >>> unpack_text(pack_text("r1# show x\\n")) == "r1# show x\\n"
        True
    """
    return zlib.compress(text.encode(), PACK_LEVEL)


def unpack_text(packed: bytes) -> str:
    return zlib.decompress(packed).decode()


@dataclass(frozen=True, slots=True)
class CommandOutput:
    """One command as sent, with its raw text and what became of it.

    The raw text is held compressed when it is longer than :data:`PACK_FROM` characters (a device's
    outputs wait in memory until its snapshot is stored: with a hundred devices in flight, their text
    would be most of the process's memory): ``raw`` is then :func:`pack_text`'s bytes, else the text
    itself; ``output`` is always the text. Pass the text, or the bytes :func:`pack_text` gave for a
    text longer than :data:`PACK_FROM` (so that equal texts give equal records).

    Examples:
        >>> long = CommandOutput("show x", DataType.FACTS, "row\\n" * 1000)
        >>> isinstance(long.raw, bytes), long.output == "row\\n" * 1000, long.size
        (True, True, 4000)
        >>> long == CommandOutput("show x", DataType.FACTS, pack_text("row\\n" * 1000))
        True
        >>> CommandOutput("show x", DataType.FACTS, "row\\n").raw
        'row\\n'
    """

    command: str
    data_type: DataType  # the first of ``data_types`` (kept for display and old rows)
    raw: str | bytes  # the text, or when longer than PACK_FROM characters pack_text(text)
    duration_s: float = 0.0
    error_kind: ErrorKind | None = None  # PARSE_ERROR / COMMAND_REJECTED / OUTPUT_TOO_LARGE for this command only
    error: str = ""
    data_types: frozenset[DataType] = frozenset()  # every data type this command served (empty: data_type only)
    coverage: Coverage = Coverage.COMPLETE
    unparsed: tuple[str, ...] = ()
    note: str = ""  # feature-off message, or "fallback for 'show ip route vrf *'" and the like
    aside: bool = False  # read by the collector itself (a VRF list, a feature probe): no records of its own

    def __post_init__(self) -> None:
        if isinstance(self.raw, str) and len(self.raw) > PACK_FROM:
            object.__setattr__(self, "raw", pack_text(self.raw))

    @property
    def output(self) -> str:
        """The raw text, as the device printed it (echo and prompt removed)."""
        return self.raw if isinstance(self.raw, str) else unpack_text(self.raw)

    @property
    def packed(self) -> bytes:
        """The raw text as :func:`pack_text` packs it (zlib: what a store keeps)."""
        return self.raw if isinstance(self.raw, bytes) else pack_text(self.raw)

    @property
    def size(self) -> int:
        """The raw text's length in UTF-8 bytes."""
        return len(self.raw.encode() if isinstance(self.raw, str) else zlib.decompress(self.raw))

    @property
    def served(self) -> frozenset[DataType]:
        return self.data_types or frozenset({self.data_type})


@dataclass(slots=True)
class DeviceResult:
    """The outcome for one device: ok with records, or failed with a precise reason. Never raised."""

    name: str
    ok: bool
    records: DeviceRecords = field(default_factory=DeviceRecords)
    outputs: list[CommandOutput] = field(default_factory=list)
    error_kind: ErrorKind | None = None
    error: str = ""
    duration_s: float = 0.0
    warnings: tuple[str, ...] = ()  # e.g. legacy SSH algorithms negotiated (stored on the job's device row)
    # The data types the collector was asked for. An ok result holds every one of them: those no
    # command served (the platform has none, e.g. CDP on EOS) are held empty.
    asked: frozenset[DataType] = frozenset()
