"""IP interface views: show ip interface brief [vrf ...], show ip interface vrf all."""

from __future__ import annotations

from netatlas.lab.model import DeviceState, Interface
from netatlas.lab.render.base import RenderContext

from ._fmt import check_vrf, cols, is_up, join, short_if, vrf_id, vrf_list
from .interfaces import interface_order


def l3_interfaces(dev: DeviceState, vrf: str) -> list[Interface]:
    return [i for i in interface_order(dev) if i.ipv4 is not None and i.vrf == vrf]


def status_triplet(intf: Interface) -> str:
    """``protocol-up/link-up/admin-up`` as NX-OS spells the interface status."""
    proto = "up" if is_up(intf) else "down"
    link = "up" if intf.oper_up and intf.admin_up else "down"
    admin = "up" if intf.admin_up else "down"
    return f"protocol-{proto}/link-{link}/admin-{admin}"


def _brief_vrf(dev: DeviceState, vrf: str) -> list[str]:
    lines = [
        f'IP Interface Status for VRF "{vrf}"({vrf_id(dev, vrf)})',
        "Interface            IP Address      Interface Status",
    ]
    for intf in l3_interfaces(dev, vrf):
        ip = str(intf.ipv4.ip) if intf.ipv4 else ""
        lines.append(cols([short_if(intf.name), ip, status_triplet(intf)], [21, 16]))
    return lines


def show_ip_interface_brief(ctx: RenderContext) -> str:
    return join(_brief_vrf(ctx.dev, "default"))


def show_ip_interface_brief_vrf(ctx: RenderContext) -> str:
    vrf = ctx.args.get("vrf", "all")
    if vrf == "all":
        return show_ip_interface_brief_vrf_all(ctx)
    return join(_brief_vrf(ctx.dev, check_vrf(ctx.dev, vrf)))


def show_ip_interface_brief_vrf_all(ctx: RenderContext) -> str:
    blocks = ["\n".join(_brief_vrf(ctx.dev, vrf)) for vrf in vrf_list(ctx.dev)]
    return join(["\n\n".join(blocks)])


def _detail(intf: Interface, iod: int) -> list[str]:
    ip = intf.ipv4
    if ip is None:
        return []
    return [
        f"{intf.name}, Interface status: {status_triplet(intf)}, iod: {iod},",
        f"  IP address: {ip.ip}, IP subnet: {ip.network} route-preference: 0, tag: 0 ",
        "  IP broadcast address: 255.255.255.255",
        "  IP multicast groups locally joined: none",
        f"  IP MTU: {intf.mtu} bytes (using link MTU)",
        "  IP primary address route-preference: 0, tag: 0",
        "  IP proxy ARP : disabled",
        "  IP Local Proxy ARP : disabled",
        "  IP multicast routing: disabled",
        "  IP icmp redirects: enabled",
        "  IP directed-broadcast: disabled ",
        "  IP Forwarding: disabled ",
        "  IP icmp unreachables (except port): disabled",
        "  IP icmp port-unreachable: enabled",
        "  IP unicast reverse path forwarding: none",
        "  IP load sharing: none ",
        "  IP interface statistics last reset: never",
        "  IP interface software stats: (sent/received/forwarded/originated/consumed)",
        "    Unicast packets    : 0/102931/0/101722/102931",
        "    Unicast bytes      : 0/8766112/0/7121440/8766112",
        "    Multicast packets  : 0/0/0/0/0",
        "    Multicast bytes    : 0/0/0/0/0",
        "    Broadcast packets  : 0/0/0/0/0",
        "    Broadcast bytes    : 0/0/0/0/0",
        "    Labeled packets    : 0/0/0/0/0",
        "    Labeled bytes      : 0/0/0/0/0",
        "  WCCP Redirect outbound: disabled",
        "  WCCP Redirect inbound: disabled",
        "  WCCP Redirect exclude: disabled",
    ]


def _detail_vrf(dev: DeviceState, vrf: str) -> list[str]:
    lines = [f'IP Interface Status for VRF "{vrf}"']
    for intf in l3_interfaces(dev, vrf):
        lines += _detail(intf, dev.interfaces.index(intf) + 5)
    return lines


def show_ip_interface_vrf_all(ctx: RenderContext) -> str:
    blocks = ["\n".join(_detail_vrf(ctx.dev, vrf)) for vrf in vrf_list(ctx.dev)]
    return join(["\n\n".join(blocks)])
