"""Device facts: ``show version``, ``show hostname``, ``show inventory``, ``show clock``."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from netatlas.lab.model import DeviceState, IfKind
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.eos._common import dotted_mac, lines, sorted_interfaces

_DESCRIPTIONS = {
    "DCS-7050SX3-48YC8": "48x25GbE (SFP) & 8x100GbE (QSFP100) switch",
    "DCS-7050SX3-48YC12": "48x25GbE (SFP) & 12x100GbE (QSFP100) switch",
    "DCS-7050CX3-32S": "32x100GbE (QSFP100) & 2xSFP+ switch",
    "DCS-7280SR-48C6": "48x10GbE (SFP+) & 6x100GbE (QSFP100) switch",
    "DCS-7280CR3-32P4": "32x100GbE (QSFP100) & 4x400GbE (OSFP) switch",
}
_OPTICS = {
    1_000_000: "SFP-1G-SX",
    10_000_000: "SFP-10G-SR",
    25_000_000: "SFP-25G-SR",
    40_000_000: "QSFP-40G-SR4",
}


def eos_uptime(uptime: str) -> str:
    """``5 weeks, 3 days, 2 hours, 11 minutes`` -> ``5 weeks, 3 days, 2 hours and 11 minutes``.

    Examples:
        >>> eos_uptime("1 hour, 5 minutes")
        '1 hour and 5 minutes'
    """
    head, sep, tail = uptime.rpartition(", ")
    return f"{head} and {tail}" if sep else uptime


def _build(dev: DeviceState) -> tuple[str, str]:
    ident = uuid.uuid5(uuid.NAMESPACE_DNS, f"{dev.serial}.{dev.os_version}")
    return f"{dev.os_version}-{ident.int % 40_000_000:08d}.{dev.os_version.replace('.', '')}", str(ident)


def show_version(ctx: RenderContext) -> str:
    dev = ctx.dev
    build, build_id = _build(dev)
    mac = dotted_mac(dev.base_mac)
    return lines(
        [
            f"Arista {dev.model}",
            "Hardware version: 11.02",
            f"Serial number: {dev.serial}",
            f"Hardware MAC address: {mac}",
            f"System MAC address: {mac}",
            "",
            f"Software image version: {dev.os_version}",
            "Architecture: x86_64",
            f"Internal build version: {build}",
            f"Internal build ID: {build_id}",
            "Image format version: 3.0",
            "Image optimization: Strata-4GB",
            "",
            f"Uptime: {eos_uptime(dev.uptime)}",
            "Total memory: 8099732 kB",
            "Free memory: 6320052 kB",
        ]
    )


def show_hostname(ctx: RenderContext) -> str:
    return lines([f"Hostname: {ctx.dev.hostname}", f"FQDN:     {ctx.dev.fqdn}"])


def _chassis(dev: DeviceState) -> list[str]:
    descr = _DESCRIPTIONS.get(dev.model, "Arista Networks switch")
    return [
        "System information",
        "  Model                    Description",
        "  ------------------------ ----------------------------------------------------",
        f"  {dev.model:<24} {descr}",
        "",
        "  HW Version  Serial Number  Mfg Date   Epoch",
        "  ----------- -------------- ---------- -----",
        f"  11.02       {dev.serial:<14} 2021-03-15 01.00",
        "",
    ]


def _power_and_fans(dev: DeviceState) -> list[str]:
    rows = [
        "System has 2 power supply slots",
        "  Slot Model            Serial Number",
        "  ---- ---------------- ----------------",
    ]
    rows += [f"  {n}    PWR-511-AC-RED   {dev.serial[:3]}{n}PS{dev.serial[-6:]}" for n in (1, 2)]
    rows += [
        "",
        "System has 4 fan modules",
        "  Module  Number of Fans  Model            Serial Number",
        "  ------- --------------- ---------------- ----------------",
    ]
    rows += [f"  {n}       1               FAN-7000H-F      N/A" for n in range(1, 5)]
    return [*rows, ""]


def _ports(dev: DeviceState) -> list[str]:
    switched = sum(1 for i in dev.interfaces if i.kind is IfKind.PHYSICAL)
    mgmt = sum(1 for i in dev.interfaces if i.kind is IfKind.MGMT)
    return [
        f"System has {switched + mgmt} ports",
        "  Type             Count",
        "  ---------------- ----",
        f"  Management       {mgmt}",
        f"  Switched         {switched}",
        "",
    ]


def _transceivers(dev: DeviceState) -> list[str]:
    physical = [i for i in sorted_interfaces(dev.interfaces) if i.kind is IfKind.PHYSICAL]
    rows = [
        f"System has {len({i.name.split('/')[0] for i in physical})} transceiver slots",
        "  Port Manufacturer     Model            Serial Number    Rev",
        "  ---- ---------------- ---------------- ---------------- ----",
    ]
    seen: set[str] = set()
    for n, intf in enumerate(physical, start=1):
        port = intf.name.removeprefix("Ethernet").split("/")[0]
        if port in seen:
            continue
        seen.add(port)
        if not intf.oper_up:
            rows.append(f"  {port:<4} Not Present")
            continue
        model = _OPTICS.get(intf.bandwidth_kbps, "QSFP-100G-SR4")
        rows.append(f"  {port:<4} Arista Networks  {model:<16} {f'XCW{n:04d}{dev.serial[-5:]}':<16} 0002")
    return rows


def show_inventory(ctx: RenderContext) -> str:
    dev = ctx.dev
    return lines([*_chassis(dev), *_power_and_fans(dev), *_ports(dev), *_transceivers(dev)])


def show_clock(ctx: RenderContext) -> str:
    now = datetime.now(UTC)
    return lines([now.strftime("%a %b %d %H:%M:%S %Y"), "Timezone: UTC", "Clock source: local"])
