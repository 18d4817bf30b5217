"""The eos commands sent in structured form (text forms; ``{interface}``/``{vrf}`` templates allowed).

A command listed here must have a reader in ``collect.parsers.json_eos`` and a JSON renderer in the
lab; one that is not listed is sent as text.
"""

JSON_COMMANDS: frozenset[str] = frozenset({
    "show version",
    "show hostname",
    "show interfaces",
    "show lldp neighbors detail",
    "show ip route vrf all",
    "show ip ospf neighbor vrf all",
    "show ip bgp summary vrf all",
    "show mac address-table",
    "show ip arp vrf all",
})
