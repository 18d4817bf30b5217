"""The junos commands sent in structured form (text forms; ``{interface}``/``{vrf}`` templates allowed).

A command listed here must have a reader in ``collect.parsers.json_junos`` and a JSON renderer in the
lab; one that is not listed is sent as text.

The choice, measured by ``bench/structured_junos.py`` (200-device mixed lab, seed 2, 28 JunOS
devices; client ``parse_command`` CPU per device, text -> JSON, and bytes on the wire, load ~5):

* ``show route`` (and ``protocol static|ospf|bgp``): 6.5 -> 3.1 ms, 9 KB -> 150 KB (JunOS's JSON is
  ~16x its text; the client's SSH cost of the difference measured at ~0.3 ms): JSON;
* ``show interfaces``: 1.7 -> 0.7 ms, 5.8 KB -> 28 KB: JSON;
* ``show arp no-resolve``, ``show ethernet-switching table``: 0.24 -> 0.14 and 0.19 -> 0.09 ms: JSON
  (and their entry counts are checked against the entries listed);
* text, where JSON does not pay: ``show ospf neighbor`` (0.20 -> 0.18 ms for 7x the bytes), ``show bgp
  summary`` (0.04 -> 0.04 ms), ``show version`` and ``show chassis hardware`` (0.2 and 0.13 ms of small,
  fixed-size text); ``show lldp neighbors`` (0.23 -> 0.21 ms);
* ``show lldp neighbors interface {interface}`` would pay (1.0 -> 0.6 ms per device) and has its reader
  and renderer, but stays text until ``tests/support/expected.py`` reads a structured command's
  text form (it takes the last word, ``json``, for the interface).

Over SSH (every data type, the collector parsing inline, the same records): client CPU per device
32.0 -> 27.7 ms at load ~5, 35.3 -> 35.8 ms at load ~10 (rounds vary by +-6 ms: within noise), for
9x the characters (20.8 K -> 186 K) and +8 ms of the lab's CPU. The routes are the open question: the
surest parse saving (~4 ms) and ~140 K of the extra characters; a quiet-machine run with more
``--rounds`` decides them (one line here).
"""

JSON_COMMANDS: frozenset[str] = frozenset({
    "show interfaces",
    "show route",
    "show route protocol static",
    "show route protocol ospf",
    "show route protocol bgp",
    "show ethernet-switching table",
    "show arp no-resolve",
})
