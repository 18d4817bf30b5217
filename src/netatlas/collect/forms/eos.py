"""The eos commands sent in structured form (text forms; ``{interface}``/``{vrf}`` templates allowed).

A command listed here must have a reader in ``collect.parsers.json_eos`` and a JSON renderer in the
lab; one that is not listed is sent as text. A device that refuses `` | json`` for a command is
asked its text form (the platform row's fallback).

Every data command pays in JSON (``bench/structured_eos.py``, 48 EOS devices of a 100-device
datacenter lab, seed 2, load 11-13; client CPU of ``parse_command`` per device, text -> JSON, and
characters on the wire):

=============================== =================== ================== ==================================
command                         parse ms            characters         why
=============================== =================== ================== ==================================
show ip route vrf all           83.5 -> 6.6         88,665 -> 333,647  TextFSM on ECMP tables is most of
                                                                       the device's cost; 3.8x the bytes
                                                                       cost the client far less over SSH
show interfaces                 3.30 -> 1.07        14,198 -> 33,013   IPv6 and membership as fields
show lldp neighbors detail      1.08 -> 0.46        7,994 -> 18,002    no free-form record to cut
show ip bgp summary vrf all     0.56 -> 0.21        1,152 -> 4,547     state and counts in their own keys
show ip arp vrf all             0.32 -> 0.18        829 -> 3,118
show mac address-table          0.26 -> 0.10        817 -> 1,292
show version                    0.13 -> 0.04        460 -> 644         uptime in seconds, not words
show hostname                   0.05 -> 0.03        39 -> 56
show ip ospf neighbor vrf all   0.05 -> 0.04        0 -> 19            no column layout across images
=============================== =================== ================== ==================================

Over SSH (every data type, one device at a time, inline parsing) the client spends 138 -> 36 ms
of CPU per EOS device for 3.5x the characters, with the same records; a later run at load 3-9
(``bench/results/structured_eos.json``) also took the lab's CPU: client 125 -> 34 ms, lab 20 -> 48 ms
(``json.dumps`` indents in pure Python), together 145 -> 82 ms per device. The small commands save
little each, but never cost the client more, and a document read by key does not depend on the
column layouts that change between images (the EOS text rows carry several such variants: older
images print no OSPF Instance column, no BGP VRF heading or Description column).
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
