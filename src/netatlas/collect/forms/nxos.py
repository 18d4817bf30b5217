"""The nxos commands sent in structured form (text forms; ``{interface}``/``{vrf}`` templates allowed).

A command listed here must have a reader in ``collect.parsers.json_nxos`` and a JSON renderer in the
lab; one that is not listed is sent as text.

Chosen by ``bench/structured_nxos.py`` (client CPU of ``parse_command`` per form, and the bytes on the
wire, on the richest NX-OS devices of lab networks): every data command the row sends reads its
``| json`` document for a fraction of TextFSM's CPU (the route tables and ``show interface`` by far the
most), so every one is sent in structured form; the documents are larger (about twice the text for a
route table), which costs SSH and lab time, less than the parsing saved. The VRF list and the feature
probe stay text (the collector reads them itself). An image that refuses ``| json`` answers the
text form, then its plain form (``platforms.PlatformSpec.fallback``).
"""

JSON_COMMANDS: frozenset[str] = frozenset({
    "show version",
    "show interface",
    "show cdp neighbors detail",
    "show lldp neighbors detail",
    "show ip route vrf all",
    "show ip route static vrf all",
    "show ip route ospf vrf all",
    "show ip route bgp vrf all",
    "show ip ospf neighbors vrf all",
    "show ip bgp summary vrf all",
    "show mac address-table",
    "show ip arp vrf all",
})
