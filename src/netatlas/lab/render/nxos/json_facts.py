"""``show version | json``: the facts document (keys of NX-OS 9.3/10.x).

Public samples read: NAPALM's ``test/nxos/mocked_data/test_get_facts/N9000/show_version.json``
(``host_name``, ``chassis_id``, ``proc_board_id``, ``kern_uptm_days``.. as numbers, ``memory`` a
number with ``mem_type``) and public NX-API clients reading ``nxos_ver_str`` on 9.x/10.x images
(``kickstart_ver_str``/``sys_ver_str`` on 7.x).
"""

from __future__ import annotations

from netatlas.lab.render.base import RenderContext

from .facts import _BANNER, _UNIT_SECONDS, _UPTIME_PART, chassis_name, image_file, nexus_family
from .json_common import document


def _uptime(uptime: str) -> dict[str, int]:
    total = sum(int(n) * _UNIT_SECONDS[unit] for n, unit in _UPTIME_PART.findall(uptime))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, seconds = divmod(rest, 60)
    return {"kern_uptm_days": days, "kern_uptm_hrs": hours, "kern_uptm_mins": minutes, "kern_uptm_secs": seconds}


def show_version_json(ctx: RenderContext) -> str:
    dev = ctx.dev
    image = image_file(dev.os_version)
    return document({
        "header_str": _BANNER + "\n", "bios_ver_str": "05.45", "kickstart_ver_str": dev.os_version,
        "nxos_ver_str": dev.os_version, "bios_cmpl_time": "07/05/2021", "kick_file_name": image,
        "nxos_file_name": image, "kick_cmpl_time": "5/16/2022 13:00:00", "nxos_cmpl_time": "5/16/2022 13:00:00",
        "kick_tmstmp": "05/17/2022 04:31:33", "nxos_tmstmp": "05/17/2022 04:31:33",
        "chassis_id": f"{nexus_family(dev.model)} {chassis_name(dev.model)} Chassis",
        "cpu_name": "Intel(R) Xeon(R) CPU  @ 1.80GHz", "memory": 24632252, "mem_type": "kB",
        "proc_board_id": dev.serial, "host_name": dev.hostname, "bootflash_size": 53298520,
        **_uptime(dev.uptime), "rr_usecs": 201325, "rr_ctime": "Sun Jun 26 11:52:50 2022",
        "rr_reason": "Reset Requested by CLI command reload", "rr_sys_ver": dev.os_version, "rr_service": "",
        "plugins": "Core Plugin, Ethernet Plugin", "manufacturer": "Cisco Systems, Inc.",
    })
