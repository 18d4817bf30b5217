"""Device facts: show version, show inventory, show hostname, show clock."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from netatlas.lab.model import DeviceState, Feature
from netatlas.lab.render.base import RenderContext

from ._fmt import join

_UNIT_SECONDS = {"week": 604_800, "day": 86_400, "hour": 3_600, "minute": 60, "second": 1}
_UPTIME_PART = re.compile(r"(\d+)\s+(week|day|hour|minute|second)")

_BANNER = """\
Cisco Nexus Operating System (NX-OS) Software
TAC support: http://www.cisco.com/tac
Copyright (C) 2002-2022, Cisco and/or its affiliates.
All rights reserved.
The copyrights to certain works contained in this software are
owned by other third parties and used and distributed under their own
licenses, such as open source.  This software is provided "as is," and unless
otherwise stated, there is no warranty, express or implied, including but not
limited to warranties of merchantability and fitness for a particular purpose.
Certain components of this software are licensed under
the GNU General Public License (GPL) version 2.0 or
GNU General Public License (GPL) version 3.0  or the GNU
Lesser General Public License (LGPL) Version 2.1 or
Lesser General Public License (LGPL) Version 2.0.
A copy of each such license is available at
http://www.opensource.org/licenses/gpl-2.0.php and
http://opensource.org/licenses/gpl-3.0.html and
http://www.opensource.org/licenses/lgpl-2.1.php and
http://www.gnu.org/licenses/old-licenses/library.txt."""


def kernel_uptime(uptime: str) -> str:
    """IOS-style uptime text -> NX-OS ``N day(s), N hour(s), N minute(s), N second(s)``.

    Examples:
        >>> kernel_uptime("5 weeks, 3 days, 2 hours, 11 minutes")
        '38 day(s), 2 hour(s), 11 minute(s), 0 second(s)'
    """
    total = sum(int(n) * _UNIT_SECONDS[unit] for n, unit in _UPTIME_PART.findall(uptime))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, seconds = divmod(rest, 60)
    return f"{days} day(s), {hours} hour(s), {minutes} minute(s), {seconds} second(s)"


def chassis_name(model: str) -> str:
    """``N9K-C93180YC-EX`` -> ``C93180YC-EX`` (the name `show version` prints after NexusN000)."""
    return model.split("-", 1)[1] if model.startswith(("N9K-", "N7K-", "N3K-", "N5K-")) else model


def nexus_family(model: str) -> str:
    digit = model[1] if model.startswith("N") and len(model) > 1 and model[1].isdigit() else "9"
    return f"Nexus{digit}000"


def image_file(version: str) -> str:
    """``9.3(8)`` -> ``bootflash:///nxos.9.3.8.bin``; 10.x images are ``nxos64-cs.10.2.5.M.bin``."""
    dotted = re.sub(r"[()]", ".", version).strip(".")
    if version.startswith("10."):
        return f"bootflash:///nxos64-cs.{dotted}.M.bin"
    return f"bootflash:///nxos.{dotted}.bin"


def show_version(ctx: RenderContext) -> str:
    dev = ctx.dev
    family = nexus_family(dev.model)
    lines = [
        _BANNER,
        "",
        "Software",
        "  BIOS: version 05.45",
        f"  NXOS: version {dev.os_version}",
        "  BIOS compile time:  07/05/2021",
        f"  NXOS image file is: {image_file(dev.os_version)}",
        "  NXOS compile time:  5/16/2022 13:00:00 [05/17/2022 04:31:33]",
        "",
        "",
        "Hardware",
        f"  cisco {family} {chassis_name(dev.model)} Chassis",
        "  Intel(R) Xeon(R) CPU  @ 1.80GHz with 24632252 kB of memory.",
        f"  Processor Board ID {dev.serial}",
        "",
        f"  Device name: {dev.hostname}",
        "  bootflash:   53298520 kB",
        f"Kernel uptime is {kernel_uptime(dev.uptime)}",
        "",
        "Last reset",
        "  Reason: Reset Requested by CLI command reload",
        f"  System version: {dev.os_version}",
        "  Service: ",
        "",
        "plugin",
        "  Core Plugin, Ethernet Plugin",
        "",
        "Active Package(s):",
        "",
    ]
    return join(lines)


def _inventory_item(name: str, descr: str, pid: str, vid: str, serial: str) -> list[str]:
    return [f'NAME: "{name}",  DESCR: "{descr}"', f"PID: {pid:<20},  VID: {vid} ,  SN: {serial}", ""]


def inventory_items(dev: DeviceState) -> list[tuple[str, str, str, str, str]]:
    chassis = f"{nexus_family(dev.model)} {chassis_name(dev.model)} chassis"
    return [
        ("Chassis", chassis, dev.model, "V02", dev.serial),
        ("Slot 1", "48x10/25G + 6x40/100G Ethernet Module", dev.model, "V02", dev.serial),
        ("Power Supply 1", f"{chassis} Power Supply", "NXA-PAC-650W-PE", "V01", f"ART{dev.serial[-8:]}"),
        ("Fan 1", f"{chassis} Fan Module", "NXA-FAN-30CFM-F", "V01", "N/A"),
    ]


def show_inventory(ctx: RenderContext) -> str:
    lines: list[str] = []
    for item in inventory_items(ctx.dev):
        lines += _inventory_item(*item)
    return join(lines)


def show_hostname(ctx: RenderContext) -> str:
    return join([ctx.dev.fqdn])


def show_clock(ctx: RenderContext) -> str:
    now = datetime.now(UTC)
    stamp = f"{now:%H:%M:%S}.{now.microsecond // 1000:03d} UTC {now:%a %b %d %Y}"
    return join(["Time source is NTP", stamp])


# `show feature`: the features NX-OS lists, with the state each has on a lab device (those of
# ``Feature`` follow ``DeviceState.features_off``; the others as a lab switch has them).
_FEATURES: tuple[tuple[str, Feature | bool], ...] = (
    ("bash-shell", False), ("bfd", False), ("bgp", Feature.BGP), ("dhcp", False), ("hsrp_engine", False),
    ("interface-vlan", True), ("lacp", True), ("lldp", Feature.LLDP), ("nxapi", False), ("ospf", Feature.OSPF),
    ("pim", False), ("sshServer", True), ("telnetServer", False), ("vpc", False),
)


def show_feature(ctx: RenderContext) -> str:
    """``show feature``: name, instance and state (``ntc-templates`` cisco_nxos_show_feature)."""
    rows = ["Feature Name          Instance  State   ", "--------------------  --------  --------"]
    for name, state in _FEATURES:
        enabled = state not in ctx.dev.features_off if isinstance(state, Feature) else state
        rows.append(f"{name:<22} {1:<9} {'enabled' if enabled else 'disabled'}")
    return join(rows)
