"""Device facts: ``show version``, ``show inventory``, ``show clock``, ``show hosts``."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from netatlas.lab.model import DeviceState
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.ios._common import dotted_mac, fake_serial, is_switch, lines

_TRAINS = {
    "16.9": "Fuji",
    "16.12": "Gibraltar",
    "17.3": "Amsterdam",
    "17.6": "Bengaluru",
    "17.9": "Cupertino",
    "17.12": "Dublin",
    "17.15": "IOSXE",
}
_XE = re.compile(r"^(\d+)\.(\d+)\.(\d+)(\w*)$")
_GPL = """\
Cisco IOS-XE software, Copyright (c) 2005-2023 by cisco Systems, Inc.
All rights reserved.  Certain components of Cisco IOS-XE software are
licensed under the GNU General Public License ("GPL") Version 2.0.  The
software code licensed under GPL Version 2.0 is free software that comes
with ABSOLUTELY NO WARRANTY.  You can redistribute and/or modify such
GPL code under the terms of GPL Version 2.0.  For more details, see the
documentation or "License Notice" file accompanying the IOS-XE software,
or the applicable URL provided on the flyer accompanying the IOS-XE
software."""
_CRYPTO = """\
This product contains cryptographic features and is subject to United
States and local country laws governing import, export, transfer and
use. Delivery of Cisco cryptographic products does not imply
third-party authority to import, export, distribute or use encryption.
Importers, exporters, distributors and users are responsible for
compliance with U.S. and local country laws. By using this product you
agree to comply with applicable laws and regulations. If you are unable
to comply with U.S. and local laws, return this product immediately.

A summary of U.S. laws governing Cisco cryptographic products may be found at:
http://www.cisco.com/wwl/export/crypto/tool/stqrg.html

If you require further assistance please contact us by sending email to
export@cisco.com."""


def software_line(dev: DeviceState) -> str:
    """The ``Cisco IOS Software ...`` line (also CDP's ``Version :`` text)."""
    match = _XE.match(dev.os_version)
    if not match:
        image = "C3750E-UNIVERSALK9-M" if is_switch(dev) else "C2900-UNIVERSALK9-M"
        family = "C3750E" if is_switch(dev) else "C2900"
        return f"Cisco IOS Software, {family} Software ({image}), Version {dev.os_version}, RELEASE SOFTWARE (fc2)"
    train = _TRAINS.get(f"{int(match.group(1))}.{int(match.group(2))}", "IOSXE")
    if is_switch(dev):
        return (
            f"Cisco IOS Software [{train}], Catalyst L3 Switch Software (CAT9K_IOSXE), "
            f"Version {dev.os_version}, RELEASE SOFTWARE (fc3)"
        )
    return (
        f"Cisco IOS Software [{train}], ISR Software (X86_64_LINUX_IOSD-UNIVERSALK9-M), "
        f"Version {dev.os_version}, RELEASE SOFTWARE (fc3)"
    )


def _xe_padded(version: str) -> str:
    match = _XE.match(version)
    if not match:
        return version
    return f"{int(match.group(1)):02d}.{int(match.group(2)):02d}.{int(match.group(3)):02d}{match.group(4)}"


def _banner(dev: DeviceState) -> list[str]:
    head = [] if not _XE.match(dev.os_version) else [f"Cisco IOS XE Software, Version {_xe_padded(dev.os_version)}"]
    return [
        *head,
        software_line(dev),
        "Technical Support: http://www.cisco.com/techsupport",
        "Copyright (c) 1986-2023 by Cisco Systems, Inc.",
        "Compiled Thu 20-Jul-23 04:48 by mcpre",
        "",
        "",
    ]


def _uptime_block(dev: DeviceState) -> list[str]:
    image = (
        "flash:packages.conf"
        if is_switch(dev)
        else f"bootflash:isr4300-universalk9.{_xe_padded(dev.os_version)}.SPA.bin"
    )
    rom = ["ROM: IOS-XE ROMMON", "BOOTLDR: System Bootstrap, Version 17.6.1r[FC2], RELEASE SOFTWARE (P)"]
    return [
        *(rom if is_switch(dev) else ["ROM: 16.9(4r)"]),
        "",
        f"{dev.hostname} uptime is {dev.uptime}",
        f"Uptime for this control processor is {dev.uptime}",
        "System returned to ROM by Reload Command at 10:21:31 UTC Mon Jan 3 2022",
        "System restarted at 10:24:15 UTC Mon Jan 3 2022",
        f'System image file is "{image}"',
        "Last reload reason: Reload Command",
        "",
        "",
    ]


def _hardware_block(dev: DeviceState) -> list[str]:
    if is_switch(dev):
        proc = f"cisco {dev.model} (X86) processor with 1392780K/6147K bytes of memory."
        ports = ["2 Virtual Ethernet interfaces", "52 Gigabit Ethernet interfaces", "8 Ten Gigabit Ethernet interfaces"]
    else:
        proc = f"cisco {dev.model} (1RU) processor with 1795979K/6147K bytes of memory."
        ports = ["Router operating mode: Autonomous", "3 Gigabit Ethernet interfaces"]
    return [
        proc,
        f"Processor board ID {dev.serial}",
        *ports,
        "2048K bytes of non-volatile configuration memory.",
        "8388608K bytes of physical memory.",
        "11264000K bytes of Flash at flash:.",
        "",
    ]


def _switch_table(dev: DeviceState) -> list[str]:
    mac = ":".join(dotted_mac(dev.base_mac).replace(".", "")[i : i + 2] for i in range(0, 12, 2))
    version = _xe_padded(dev.os_version)
    return [
        f"Base Ethernet MAC Address          : {mac}",
        "Motherboard Assembly Number        : 73-18271-03",
        f"Motherboard Serial Number          : {fake_serial(dev.serial + 'mb')}",
        "Model Revision Number              : C0",
        "Motherboard Revision Number        : A0",
        f"Model Number                       : {dev.model}",
        f"System Serial Number               : {dev.serial}",
        "",
        "",
        "Switch Ports Model              SW Version        SW Image              Mode   ",
        "------ ----- -----              ----------        ----------            ----   ",
        f"*    1 {65:<5} {dev.model:<18} {version:<17} {'CAT9K_IOSXE':<21} INSTALL",
        "",
        "",
    ]


def show_version(ctx: RenderContext) -> str:
    dev = ctx.dev
    rows = [*_banner(dev), _GPL, "", "", *_uptime_block(dev), _CRYPTO, "", "", *_hardware_block(dev)]
    if is_switch(dev):
        rows += _switch_table(dev)
    rows.append("Configuration register is 0x102" if is_switch(dev) else "Configuration register is 0x2102")
    return lines(rows)


def _inventory_item(name: str, descr: str, pid: str, serial: str) -> list[str]:
    return [f'NAME: "{name}", DESCR: "{descr}"', f"PID: {pid:<18}, VID: V02  , SN: {serial}", ""]


def show_inventory(ctx: RenderContext) -> str:
    dev = ctx.dev
    if not is_switch(dev):
        rows = _inventory_item("Chassis", f"Cisco {dev.model.split('/')[0]} Chassis", dev.model, dev.serial)
        rows += _inventory_item(
            "Power Supply Module 0",
            "250W AC Power Supply for Cisco ISR 4330",
            "PWR-4330-AC",
            fake_serial(dev.serial + "ps0", "PST"),
        )
        return lines(rows)
    rows = _inventory_item("c93xx Stack", "c93xx Stack", dev.model, dev.serial)
    rows += _inventory_item("Switch 1", dev.model, dev.model, dev.serial)
    rows += _inventory_item(
        "Switch 1 - Power Supply A",
        "Switch 1 - Power Supply A",
        "PWR-C1-715WAC",
        fake_serial(dev.serial + "psa", "DCB"),
    )
    rows += _inventory_item(
        "Switch 1 FRU Uplink Module 1", "8x10G Uplink Module", "C9300-NM-8X", fake_serial(dev.serial + "nm", "FOC")
    )
    return lines(rows)


def show_clock(ctx: RenderContext) -> str:
    now = datetime.now(UTC)
    return f"*{now:%H:%M:%S}.{now.microsecond // 1000:03d} UTC {now:%a %b} {now.day} {now.year}\n"


def show_hosts(ctx: RenderContext) -> str:
    dev = ctx.dev
    rows = [
        f"Default domain is {dev.domain}" if dev.domain else "Default domain is not set",
        "Name/address lookup uses domain service",
        "Name servers are 255.255.255.255",
        "",
        "Codes: UN - unknown, EX - expired, OK - OK, ?? - revalidate",
        "       temp - temporary, perm - permanent",
        "       NA - Not Applicable None - Not defined",
        "",
        "Host                      Port  Flags      Age Type   Address(es)",
    ]
    return lines(rows)
