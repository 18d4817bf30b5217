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


def show_version(ctx: RenderContext) -> str:
    dev = ctx.dev
    lines = [f"Hostname: {dev.hostname}", f"Model: {dev.model.lower()}", f"Junos: {dev.os_version}"]
    for package in _PACKAGES:
        version = dev.os_version if "Suite" in package or "Services" in package else _build(dev)
        lines.append(f"JUNOS {package}[{version}]")
    return "\n".join(lines) + "\n"


def show_chassis_hardware(ctx: RenderContext) -> str:
    dev = ctx.dev
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
