"""``show interfaces | display json``: the ``interface-information`` reply (style ``normal``).

One ``physical-interface`` per port (``name``, ``admin-status`` ``up``/``down`` with its
``junos:format``, ``oper-status``, indexes, ``description``, ``link-level-type``, ``mtu``, ``speed``,
addresses, ``interface-flapped`` with ``junos:seconds``), its units as ``logical-interface``
(``if-config-flags`` with ``iff-up``, ``encapsulation``, one ``address-family`` per family:
``address-family-name``, ``mtu``, ``interface-address`` with ``ifa-destination``/``ifa-local``/
``ifa-broadcast``; an aggregate member's ``aenet`` family names its ``ae-bundle-name``). The SVIs are
units of the ``irb`` port, as in the text. Samples read: Juniper's ``show interfaces`` XML
(``get-interface-information``) documentation, Ansible junos_facts / PyEZ ``PhyPortTable``
test data (element names), genieparser's JunOS ``show interfaces`` expected outputs.
"""

from __future__ import annotations

from netatlas.lab.model import DeviceState, IfKind, Interface, PortMode
from netatlas.lab.render import text
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.junos import interfaces as plain
from netatlas.lab.render.junos._common import logical
from netatlas.lab.render.junos._json import Element, flag, leaf, reply

_FLAPPED = ("2024-03-27 14:02:11 UTC (6w6d 20:18 ago)", "4220280")


def _admin(intf: Interface) -> list[Element]:
    return leaf("up", format="Enabled") if intf.admin_up else leaf("down", format="Administratively down")


def _oper(intf: Interface) -> list[Element]:
    return leaf("up" if intf.admin_up and intf.oper_up else "down")


def _address(local: str, destination: str | None, broadcast: str | None) -> Element:
    out: Element = {"ifa-flags": [{"ifaf-current-preferred": flag(), "ifaf-current-primary": flag()}]}
    if destination is not None:
        out["ifa-destination"] = leaf(destination)
    out["ifa-local"] = leaf(local)
    if broadcast is not None:
        out["ifa-broadcast"] = leaf(broadcast)
    return out


def _inet(intf: Interface, mtu: str) -> list[Element]:
    if intf.ipv4 is None:
        return []
    net = intf.ipv4.network
    if net.prefixlen == 32:
        address = _address(str(intf.ipv4.ip), None, None)
    else:
        address = _address(str(intf.ipv4.ip), str(net), str(net.broadcast_address))
    families = [{"address-family-name": leaf("inet"), "mtu": leaf(mtu),
                 "address-family-flags": [{"ifff-sendbcast-pkt-to-re": flag()}], "interface-address": [address]}]
    if intf.ipv6:
        addresses = list(intf.ipv6)
        if intf.kind is not IfKind.LOOPBACK:
            addresses.append(text.link_local(intf.mac))
        v6 = [_address(str(a.ip), None if a.network.prefixlen == 128 else str(a.network), None) for a in addresses]
        families.append({"address-family-name": leaf("inet6"), "mtu": leaf(mtu),
                         "address-family-flags": [{"ifff-is-primary": flag()}], "interface-address": v6})
    return families


def _families(intf: Interface) -> list[Element]:
    if intf.channel_group:
        return [{"address-family-name": leaf("aenet"), "ae-bundle-name": leaf(logical(intf.channel_group))}]
    if intf.mode in (PortMode.ACCESS, PortMode.TRUNK) and intf.ipv4 is None:
        flags = {"ifff-trunk-mode": flag()} if intf.mode is PortMode.TRUNK else {"ifff-none": flag()}
        return [{"address-family-name": leaf("eth-switch"), "mtu": leaf(intf.mtu + 14),
                 "address-family-flags": [flags]}]
    return _inet(intf, "Unlimited" if intf.kind is IfKind.LOOPBACK else str(intf.mtu))


def _logical(dev: DeviceState, intf: Interface) -> list[Element]:
    families = _families(intf)
    if not families:
        return []
    index = plain._index(dev, intf) + 200
    up = intf.admin_up and intf.oper_up
    unit: Element = {"name": leaf(logical(intf.name)), "local-index": leaf(index), "snmp-index": leaf(index + 300)}
    if intf.kind is IfKind.SVI and intf.description:
        unit["description"] = leaf(intf.description)
    unit |= {
        "if-config-flags": [{"iff-up": flag()} if up else {"iff-device-down": flag()}
                            | {"iff-snmp-traps": flag(), "internal-flags": leaf("0x4004000")}],
        "encapsulation": leaf("Unspecified" if intf.kind is IfKind.LOOPBACK else "ENET2"),
        "traffic-statistics": [{"attributes": {"junos:style": "brief"}, "input-packets": leaf(184632),
                                "output-packets": leaf(171205)}],
        "address-family": families,
    }
    return [unit]


def _physical(dev: DeviceState, intf: Interface) -> Element:
    index = plain._index(dev, intf)
    port: Element = {"name": leaf(intf.name), "admin-status": _admin(intf), "oper-status": _oper(intf),
                     "local-index": leaf(index), "snmp-index": leaf(index + 373)}
    if intf.description:
        port["description"] = leaf(intf.description)
    if intf.kind is IfKind.LOOPBACK:
        port |= {"if-type": leaf("Loopback"), "link-level-type": leaf("Unspecified"), "mtu": leaf("Unlimited"),
                 "interface-flapped": leaf("Never", seconds="0")}
    else:
        port |= {**({"if-type": leaf("Ethernet")} if intf.kind is IfKind.MGMT else {}),
                 "link-level-type": leaf("Ethernet"), "mtu": leaf(intf.mtu + 14), "speed": leaf(plain._speed(intf)),
                 "current-physical-address": leaf(intf.mac), "hardware-physical-address": leaf(intf.mac),
                 "interface-flapped": leaf(_FLAPPED[0], seconds=_FLAPPED[1]),
                 "traffic-statistics": [{"attributes": {"junos:style": "brief"}, "input-bps": leaf(2368),
                                         "input-pps": leaf(3), "output-bps": leaf(1864), "output-pps": leaf(2)}]}
    units = _logical(dev, intf)
    return port | ({"logical-interface": units} if units else {})


def _irb(dev: DeviceState, svis: list[Interface]) -> Element:
    return {"name": leaf("irb"), "admin-status": leaf("up", format="Enabled"), "oper-status": leaf("up"),
            "local-index": leaf(127 + len(dev.interfaces) + 1), "snmp-index": leaf(504),
            "if-type": leaf("Ethernet"), "link-level-type": leaf("Ethernet"), "mtu": leaf(1514),
            "current-physical-address": leaf(dev.base_mac), "hardware-physical-address": leaf(dev.base_mac),
            "interface-flapped": leaf("Never", seconds="0"),
            "logical-interface": [unit for svi in svis for unit in _logical(dev, svi)]}


def show_interfaces(ctx: RenderContext) -> str:
    dev = ctx.dev
    ports = [_physical(dev, i) for i in dev.interfaces if i.kind is not IfKind.SVI]
    svis = [i for i in dev.interfaces if i.kind is IfKind.SVI]
    if svis:
        ports.append(_irb(dev, svis))
    element: Element = {"attributes": {"junos:style": "normal"}, "physical-interface": ports}
    return reply("interface-information", element, dev.os_version, "junos-interface")
