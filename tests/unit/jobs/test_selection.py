"""Which stored devices a discovery request selects: ids (names, numbers), site, tags; what is refused."""

from __future__ import annotations

import pytest

from netatlas.domain.errors import NotFound
from netatlas.domain.inventory import InventoryDevice
from netatlas.jobs.request import JobOptionsError
from netatlas.jobs.selection import Selection, SelectionError, UnknownDevices, select_devices


def device(name: str, site: str = "", tags: tuple[str, ...] = ()) -> InventoryDevice:
    return InventoryDevice(name, "127.101.0.1", "cisco_ios", "lab", site=site, tags=tags)


STORED = [device("core1", "hq", ("core", "lab")), device("dist1", "hq", ("lab",)), device("leaf1", "dc1", ("lab",)),
          device("leaf2", "dc1", ("lab", "core")), device("42", "dc1")]


def names(selection: Selection) -> list[str]:
    return [d.name for d in select_devices(STORED, selection)]


def test_ids_select_in_the_order_given_once_each() -> None:
    assert names(Selection(("leaf1", "core1", "leaf1", "core1"))) == ["leaf1", "core1"]


def test_a_number_is_the_name_it_spells() -> None:
    assert names(Selection((42, "42"))) == ["42"]


def test_site_and_tags_select_devices_having_both() -> None:
    assert names(Selection(site="dc1")) == ["42", "leaf1", "leaf2"]
    assert names(Selection(tags=("core",))) == ["core1", "leaf2"]
    assert names(Selection(site="dc1", tags=("core", "lab"))) == ["leaf2"]


def test_ids_and_a_filter_select_their_union() -> None:
    assert names(Selection(("dist1", "leaf2"), site="dc1")) == ["dist1", "leaf2", "42", "leaf1"]


def test_every_unknown_id_is_named_in_one_error() -> None:
    with pytest.raises(UnknownDevices) as caught:
        select_devices(STORED, Selection(("core1", "nope1", 7, "nope1")))
    assert caught.value.field == "device_ids"
    assert str(caught.value) == "device_ids: no stored device has the id 'nope1', '7'"


def test_nothing_asked_for_is_refused_naming_device_ids() -> None:
    with pytest.raises(SelectionError, match=r"^device_ids: select at least one device"):
        select_devices(STORED, Selection())


@pytest.mark.parametrize(("selection", "field"), [(Selection(site="nowhere"), "site"),
                                                  (Selection(tags=("core", "dc9")), "tags"),
                                                  (Selection(("core1",), site="nowhere"), "site")])
def test_a_filter_matching_nothing_is_refused_naming_it(selection: Selection, field: str) -> None:
    with pytest.raises(UnknownDevices) as caught:
        select_devices(STORED, selection)
    assert caught.value.field == field and "no stored device matches" in str(caught.value)


def test_the_api_answers_an_empty_selection_422_and_unknown_devices_404() -> None:
    """The API maps ``JobOptionsError`` to 422 (with its field) and ``NotFound`` to 404."""
    assert issubclass(SelectionError, JobOptionsError) and issubclass(UnknownDevices, NotFound)


def test_ids_in_a_message_are_cleaned_and_capped() -> None:
    with pytest.raises(UnknownDevices) as caught:
        select_devices(STORED, Selection(("x\x1b[31m", *(f"n{i}" for i in range(30)))))
    message = str(caught.value)
    assert "\x1b" not in message and "'x\\x1b[31m'" in message and message.endswith("and 11 more")
