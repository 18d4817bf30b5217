"""Which stored devices a discovery request means: its ``device_ids``, ``site`` and ``tags``.

A device's id is its name: the store's views expose no other stable identifier (``StoredDevice``
carries the inventory entry and its origin, not the row's number), so a JSON number in
``device_ids`` is read as the name it spells (``12`` selects the device named ``"12"``).

The selection is the union of the devices named in ``device_ids`` and, when ``site`` or ``tags``
is given, every device of that site carrying every one of those tags; each device comes once, in
the order first named (then by name). What cannot be honoured names the field: nothing asked for is a
:class:`SelectionError` (the API's 422); ids that name no stored device (all of them, in one
message) and a site or tag filter that matches nothing are :class:`UnknownDevices` (``NotFound``:
the API's 404, as for any reference to something that is not stored).

Examples:
    >>> stored = [InventoryDevice("sw1", "10.0.0.1", "cisco_ios", "lab", site="hq", tags=("core",)),
    ...           InventoryDevice("sw2", "10.0.0.2", "cisco_ios", "lab", site="hq"),
    ...           InventoryDevice("12", "10.0.0.3", "cisco_ios", "lab", site="dc")]
    >>> [d.name for d in select_devices(stored, Selection(("sw2", 12, "sw2")))]
    ['sw2', '12']
    >>> [d.name for d in select_devices(stored, Selection(site="hq", tags=("core",)))]
    ['sw1']
    >>> select_devices(stored, Selection(("sw9", "sw2", "bogus")))
    Traceback (most recent call last):
    netatlas.jobs.selection.UnknownDevices: device_ids: no stored device has the id 'sw9', 'bogus'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from netatlas.domain.errors import NotFound
from netatlas.domain.inventory import InventoryDevice
from netatlas.domain.text import clean
from netatlas.jobs.request import JobOptionsError
from netatlas.store import Database, DeviceRepo, JobRepo

SHOWN_IDS = 20  # unknown ids quoted in one message; the rest are counted


class SelectionError(JobOptionsError):
    """The request's selection cannot be honoured; ``field`` is the request field (``device_ids``...).

    A :class:`JobOptionsError` so that the API answers it as it answers bad options: 422 with the field.
    """

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(field, problem)
        self.args = (f"{field}: {problem}",)


class UnknownDevices(NotFound):
    """Stored devices the selection names or filters for do not exist; ``field`` is the request field."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field


@dataclass(frozen=True, slots=True)
class Selection:
    device_ids: tuple[str | int, ...] = ()
    site: str | None = None
    tags: tuple[str, ...] = ()

    @property
    def filtered(self) -> bool:
        """True when a site or tag filter is part of the selection."""
        return self.site is not None or bool(self.tags)


def select_devices(stored: Sequence[InventoryDevice], selection: Selection) -> list[InventoryDevice]:
    """The devices of ``stored`` that ``selection`` means (see the module docstring)."""
    if not selection.device_ids and not selection.filtered:
        raise SelectionError("device_ids", "select at least one device (device_ids, or a site or tags)")
    by_name = {device.name: device for device in stored}
    wanted = selection_ids(selection)
    unknown = [name for name in wanted if name not in by_name]
    if unknown:
        raise UnknownDevices("device_ids", f"no stored device has the id {_quoted(unknown)}")
    chosen = {name: by_name[name] for name in wanted}
    if selection.filtered:
        matching = [d for d in sorted(stored, key=lambda d: d.name) if _matches(d, selection)]
        if not matching:
            field = "site" if selection.site is not None else "tags"
            raise UnknownDevices(field, f"no stored device matches {_filter(selection)}")
        chosen.update((d.name, d) for d in matching if d.name not in chosen)
    return list(chosen.values())


def resolve(db: Database, selection: Selection) -> list[InventoryDevice]:
    """The stored devices ``selection`` means, reading only its :func:`candidates`."""
    with db.session(readonly=True) as session:
        return select_devices(candidates(DeviceRepo(session), selection), selection)


def create_job(db: Database, selection: Selection, options: Mapping[str, Any], *, requested_by: str,
               owner_host: str = "", owner_pid: int | None = None) -> tuple[str, int]:
    """Resolve ``selection`` (as :func:`resolve`) and create its pending job, in one transaction;
    returns the job's id and its number of devices (``JobRepo.create`` for the rest)."""
    with db.session() as session:
        devices = select_devices(candidates(DeviceRepo(session), selection), selection)
        job_id = JobRepo(session).create(devices, options, requested_by=requested_by, owner_host=owner_host,
                                         owner_pid=owner_pid)
    return job_id, len(devices)


def candidates(repo: DeviceRepo, selection: Selection) -> list[InventoryDevice]:
    """The stored devices ``selection`` may pick: those named (by the unique name index) and, with a
    filter, the site's (every device for tags alone)."""
    names = selection_ids(selection)
    found = {d.name: d for d in repo.named(names)} if names else {}
    if selection.filtered:
        found.update((d.name, d) for d in repo.in_site(selection.site))
    return list(found.values())


def selection_ids(selection: Selection) -> list[str]:
    """The names ``device_ids`` spells, once each, in order (a number is the name it spells).

    Examples:
        >>> selection_ids(Selection(("sw2", 12, "sw2")))
        ['sw2', '12']
    """
    return list(dict.fromkeys(str(i) for i in selection.device_ids))


def _matches(device: InventoryDevice, selection: Selection) -> bool:
    if selection.site is not None and device.site != selection.site:
        return False
    return set(selection.tags) <= set(device.tags)


def _filter(selection: Selection) -> str:
    parts = []
    if selection.site is not None:
        parts.append(f"site '{clean(selection.site)}'")
    if selection.tags:
        parts.append("tags " + ", ".join(f"'{clean(t)}'" for t in selection.tags))
    return " and ".join(parts)


def _quoted(names: Sequence[str]) -> str:
    """Names as a message quotes them: cleaned (they come from the caller), at most ``SHOWN_IDS``.

    Examples:
        >>> print(_quoted(["a", "b\\x1b"]))
        'a', 'b\\x1b'
        >>> _quoted([str(n) for n in range(25)]).endswith("'19' and 5 more")
        True
    """
    shown = ", ".join(f"'{clean(n)}'" for n in names[:SHOWN_IDS])
    return shown + (f" and {len(names) - SHOWN_IDS} more" if len(names) > SHOWN_IDS else "")
