"""The lab: a simulated multi-vendor network served over real SSH.

It imports only ``netatlas.domain``; it never imports the collector, the store or the
job engine, so the renderers here and the collector's parsers meet only in CLI text.
"""
