"""The junos commands sent in structured form (text forms; ``{interface}``/``{vrf}`` templates allowed).

A command listed here must have a reader in ``collect.parsers.json_junos`` and a JSON renderer in the
lab; one that is not listed is sent as text.
"""

JSON_COMMANDS: frozenset[str] = frozenset({
    "show interfaces",
    "show route",
    "show route protocol static",
    "show route protocol ospf",
    "show route protocol bgp",
    "show ospf neighbor",
    "show bgp summary",
    "show ethernet-switching table",
    "show arp no-resolve",
})
