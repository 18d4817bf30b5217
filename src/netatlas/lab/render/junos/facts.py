"""``show version``, ``show chassis hardware``, ``show system uptime``."""

from __future__ import annotations

from datetime import timedelta

from netatlas.lab.model import DeviceState, IfKind
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.junos._common import NOW, booted, stamp

_PACKAGES = (
    "OS Kernel 64-bit ",
    "OS libs ",
    "OS runtime ",
    "OS time zone information ",
    "network stack and utilities ",
    "libs ",
    "runtime ",
    "Packet Forwarding Engine Support (MX/EX92XX Common) ",
    "Services AACL Container package ",
    "Services Stateful Firewall ",
    "Online Documentation ",
    "Kernel Software Suite ",
    "Routing Software Suite ",
)


def _build(dev: DeviceState) -> str:
    return f"{dev.os_version}_builder_stable"


def _version_lines(dev: DeviceState, model: str) -> list[str]:
    lines = [f"Hostname: {dev.hostname}", f"Model: {model.lower()}", f"Junos: {dev.os_version}"]
    for package in _PACKAGES:
        version = dev.os_version if "Suite" in package or "Services" in package else _build(dev)
        lines.append(f"JUNOS {package}[{version}]")
    return lines


def show_version(ctx: RenderContext) -> str:
    """One block, or on a virtual chassis one ``fpc<n>:`` block per member (the master first)."""
    dev = ctx.dev
    if not dev.vc_members:
        return "\n".join(_version_lines(dev, dev.model)) + "\n"
    lines: list[str] = []
    for member in dev.vc_members:
        lines += [f"fpc{member.fpc}:", "-" * 74, *_version_lines(dev, member.model), ""]
    return "\n".join(lines[:-1]) + "\n"


def _vc_hardware(dev: DeviceState) -> list[str]:
    """A virtual chassis: the chassis line carries the master's serial, one FPC per member."""
    lines = [
        "Hardware inventory:",
        "Item             Version  Part number  Serial number     Description",
        f"Chassis                                {dev.serial:<17} Virtual Chassis",
        "Pseudo CB 0",
    ]
    for member in dev.vc_members:
        lines.append(f"Routing Engine {member.fpc} BUILTIN  BUILTIN      {member.serial:<17} {member.model.upper()}")
    for member in dev.vc_members:
        lines += [
            f"FPC {member.fpc}            REV 14   650-044936   {member.serial:<17} {member.model.upper()}",
            "  CPU            BUILTIN  BUILTIN                        FPC CPU",
            f"  PIC 0          REV 14   BUILTIN      {member.serial:<17} 48x10/100/1000 Base-T",
        ]
    return lines


def show_chassis_hardware(ctx: RenderContext) -> str:
    dev = ctx.dev
    if dev.vc_members:
        return "\n".join(_vc_hardware(dev)) + "\n"
    ports = sum(1 for i in dev.interfaces if i.kind is IfKind.PHYSICAL)
    lines = [
        "Hardware inventory:",
        "Item             Version  Part number  Serial number     Description",
        f"Chassis                                {dev.serial:<17} {dev.model.upper()}",
        "Routing Engine 0          BUILTIN      BUILTIN           RE-S-1600x8",
        "FPC 0                     BUILTIN      BUILTIN           MPC",
        f"  PIC 0                   BUILTIN      BUILTIN           {ports}x 1GE/10GE PIC",
        f"PEM 0            REV 04   740-069383   1F{dev.serial[-8:]:<14} AC AFO 650W PSU",
        "Fan Tray 0                                               Fan Tray, Front to Back Airflow - AFO",
    ]
    return "\n".join(lines) + "\n"


def _ago(delta: timedelta) -> str:
    weeks, days = divmod(delta.days, 7)
    hours, rest = divmod(delta.seconds, 3600)
    return f"{weeks}w{days}d {hours:02d}:{rest // 60:02d} ago"


def _up(delta: timedelta) -> str:
    hours, rest = divmod(delta.seconds, 3600)
    clock = f"{hours:2d}:{rest // 60:02d}"
    if not delta.days:
        return f"up {clock}"
    return f"up {delta.days} day{'s' if delta.days != 1 else ''}, {clock}"


def show_system_uptime(ctx: RenderContext) -> str:
    boot = booted(ctx.dev)
    started = boot + timedelta(seconds=92)
    configured = NOW - timedelta(days=11, hours=17, minutes=45)
    lines = [
        f"Current time: {stamp(NOW)}",
        "Time Source:  NTP CLOCK ",
        f"System booted: {stamp(boot)} ({_ago(NOW - boot)})",
        f"Protocols started: {stamp(started)} ({_ago(NOW - started)})",
        f"Last configured: {stamp(configured)} ({_ago(NOW - configured)}) by admin",
        f"{NOW:%I:%M%p}  {_up(NOW - boot)}, 1 user, load averages: 0.21, 0.18, 0.12".lstrip("0"),
    ]
    return "\n".join(lines) + "\n"
