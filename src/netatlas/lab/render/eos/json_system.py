"""``show version | json`` and ``show hostname | json`` (shapes: NAPALM's EOS ``show_version.json``)."""

from __future__ import annotations

from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.eos.json_common import ago, colon_mac, document, duration_seconds
from netatlas.lab.render.eos.system import _build


def show_version(ctx: RenderContext) -> str:
    dev = ctx.dev
    build, build_id = _build(dev)
    uptime = float(duration_seconds(dev.uptime))
    mac = colon_mac(dev.base_mac)
    return document({
        "mfgName": "Arista",
        "modelName": dev.model,
        "hardwareRevision": "11.02",
        "serialNumber": dev.serial,
        "systemMacAddress": mac,
        "hwMacAddress": mac,
        "configMacAddress": "00:00:00:00:00:00",
        "version": dev.os_version,
        "architecture": "x86_64",
        "internalVersion": build,
        "internalBuildId": build_id,
        "imageFormatVersion": "3.0",
        "imageOptimization": "Strata-4GB",
        "bootupTimestamp": ago(uptime),
        "uptime": uptime,
        "memTotal": 8099732,
        "memFree": 6320052,
        "isIntlVersion": False,
    })


def show_hostname(ctx: RenderContext) -> str:
    return document({"hostname": ctx.dev.hostname, "fqdn": ctx.dev.fqdn})
