"""The topology builder: stored records in, an exact L2/L3 map out. Pure code (no I/O).

``build(TopologyInput) -> Topology`` (``netatlas.topology.build``); queries over the result live in
their own modules: ``paths`` (hop-by-hop L3 paths), ``diff`` (two runs), ``analysis`` (single
points of failure, mismatches), ``export`` (JSON, GraphML, GEXF, DOT, Mermaid, CSV) and ``graph``
(networkx views).
"""
