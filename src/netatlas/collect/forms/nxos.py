"""The nxos commands sent in structured form (text forms; ``{interface}``/``{vrf}`` templates allowed).

A command listed here must have a reader in ``collect.parsers.json_nxos`` and a JSON renderer in the
lab; one that is not listed is sent as text.
"""

JSON_COMMANDS: frozenset[str] = frozenset()
