"""Per-platform facts for generated devices, as data: models, versions, interface naming.

Adding a platform adds a row to ``PROFILES``; scenario code never branches on platform.
"""

from __future__ import annotations

from dataclasses import dataclass

from netatlas.lab.model import CommandForm, Platform


@dataclass(frozen=True, slots=True)
class OldImage:
    """An older image of the platform that refuses some command forms (``rejected_forms``)."""

    models: dict[str, str]  # role -> model; key "" is the fallback
    os_version: str
    rejects: tuple[CommandForm, ...]
    vrfs: bool  # False: no VRF support at all (management in the global table)

    def model(self, role: str) -> str:
        return self.models.get(role, self.models[""])


@dataclass(frozen=True, slots=True)
class Profile:
    platform: Platform
    vendor: str
    models: dict[str, str]  # role -> model; key "" is the fallback
    os_version: str
    software: str  # CDP "Version:" / LLDP system description text
    serial_prefix: str
    oui: str  # first three MAC octets
    speaks_cdp: bool
    port: str  # physical port template: {n} from 1, or {slot}/{p} (48 a slot), or JunOS {fpc}/{p0}
    port_channel: str  # {n} from 1
    loopback: str
    svi: str
    mgmt_interface: str
    mgmt_vrf: str
    cdp_capabilities: tuple[str, ...]
    lldp_capabilities: tuple[str, ...]
    cdp_id_with_serial: bool = False  # NX-OS advertises its CDP device id as ``name(SERIAL)``
    old_image: OldImage | None = None
    vc_model: str = ""  # the model of a virtual-chassis member (JunOS EX), "" when the platform has none

    def model(self, role: str) -> str:
        return self.models.get(role, self.models[""])

    def port_name(self, n: int) -> str:
        """Name of the n-th physical port (n from 1), 48 ports a slot/FPC.

        Examples:
            >>> PROFILES[Platform.CISCO_IOS].port_name(49)
            'GigabitEthernet2/0/1'
            >>> PROFILES[Platform.JUNIPER_JUNOS].port_name(1)
            'ge-0/0/0'
            >>> PROFILES[Platform.ARISTA_EOS].port_name(50)
            'Ethernet50'
        """
        slot, p = divmod(n - 1, 48)
        return self.port.format(n=n, slot=slot + 1, p=p + 1, fpc=slot, p0=p)


PROFILES: dict[Platform, Profile] = {
    Platform.CISCO_IOS: Profile(
        platform=Platform.CISCO_IOS,
        vendor="cisco",
        models={"access": "C9300-48P", "distribution": "C9500-24Y4C", "": "ISR4451-X/K9"},
        os_version="17.9.4a",
        software=(
            "Cisco IOS Software [Cupertino], Catalyst L3 Switch Software (CAT9K_IOSXE), "
            "Version 17.9.4a, RELEASE SOFTWARE (fc3)"
        ),
        serial_prefix="FOC",
        oui="00:1b:54",
        speaks_cdp=True,
        port="GigabitEthernet{slot}/0/{p}",
        port_channel="Port-channel{n}",
        loopback="Loopback0",
        svi="Vlan{n}",
        mgmt_interface="GigabitEthernet0/0",
        mgmt_vrf="Mgmt-vrf",
        cdp_capabilities=("Router", "Switch", "IGMP"),
        lldp_capabilities=("B", "R"),
        old_image=OldImage(
            models={"access": "WS-C2960X-48FPD-L", "": "CISCO2911/K9"}, os_version="15.2(7)E8",
            rejects=(CommandForm("vrf"),), vrfs=False,
        ),
    ),
    Platform.CISCO_NXOS: Profile(
        platform=Platform.CISCO_NXOS,
        vendor="cisco",
        models={"spine": "N9K-C9336C-FX2", "": "N9K-C93180YC-FX"},
        os_version="10.3(4a)",
        software=(
            "Cisco Nexus Operating System (NX-OS) Software, Version 10.3(4a)"
        ),
        serial_prefix="FDO",
        oui="00:2a:6a",
        speaks_cdp=True,
        port="Ethernet{slot}/{p}",
        port_channel="port-channel{n}",
        loopback="loopback0",
        svi="Vlan{n}",
        mgmt_interface="mgmt0",
        mgmt_vrf="management",
        cdp_capabilities=("Router", "Switch", "IGMP Filtering", "Supports-STP-Dispute"),
        lldp_capabilities=("B", "R"),
        cdp_id_with_serial=True,
        old_image=OldImage(models={"": "N9K-C93180YC-EX"}, os_version="6.1(2)I3(4)",
                           rejects=(CommandForm("vrf", "all"), CommandForm("json")), vrfs=True),
    ),
    Platform.ARISTA_EOS: Profile(
        platform=Platform.ARISTA_EOS,
        vendor="arista",
        models={"": "DCS-7050SX3-48YC8"},
        os_version="4.30.2F",
        software="Arista Networks EOS version 4.30.2F running on an Arista Networks DCS-7050SX3-48YC8",
        serial_prefix="JPE",
        oui="44:4c:a8",
        speaks_cdp=False,
        port="Ethernet{n}",
        port_channel="Port-Channel{n}",
        loopback="Loopback0",
        svi="Vlan{n}",
        mgmt_interface="Management1",
        mgmt_vrf="MGMT",
        cdp_capabilities=(),
        lldp_capabilities=("B", "R"),
    ),
    Platform.JUNIPER_JUNOS: Profile(
        platform=Platform.JUNIPER_JUNOS,
        vendor="juniper",
        models={"": "mx204"},
        os_version="22.4R3-S2.11",
        software=(
            "Juniper Networks, Inc. mx204 internet router, kernel JUNOS 22.4R3-S2.11, "
            "Build date: 2024-01-18 03:12:45 UTC Copyright (c) 1996-2024 Juniper Networks, Inc."
        ),
        serial_prefix="JN1",
        oui="2c:6b:f5",
        speaks_cdp=False,
        port="ge-{fpc}/0/{p0}",
        port_channel="ae{n}",
        loopback="lo0",
        svi="irb.{n}",
        mgmt_interface="fxp0",
        mgmt_vrf="mgmt_junos",
        cdp_capabilities=(),
        lldp_capabilities=("B", "R"),
        vc_model="ex4300-48p",
    ),
}
