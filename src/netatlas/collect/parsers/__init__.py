"""Parsing and normalisation: raw CLI text -> domain records, through compiled ntc-templates.

Public API:

* :func:`parse_output` -- one command's output -> :class:`~netatlas.domain.records.DeviceRecords`
  for the data types it serves; strict: raises :class:`~netatlas.domain.errors.ParseError` unless
  the read is complete or the feature is off (a partial read is an error here);
* :func:`parse_output_async` -- the same, in a shared process pool for outputs over
  :data:`POOL_THRESHOLD` characters; :func:`shutdown_pool` stops the pool;
* :func:`parse_command` / :func:`parse_command_async` -- the same as a
  :class:`~netatlas.domain.records.ParseOutcome` (records, coverage, unparsed lines, note): what
  the collector uses; a partial read keeps its good rows and lists what it did not understand,
  by the reading rules on each :class:`~netatlas.collect.parsers.table.Normaliser` row;

Which records a command's data types keep (:func:`select`) and how the records of several
commands combine (``DeviceRecords.merge``) come from the domain (``netatlas.domain.datatypes``).
"""

from netatlas.collect.parsers.parse import NORMALISERS, normaliser, parse_command, parse_output
from netatlas.collect.parsers.pool import (
    POOL_THRESHOLD,
    parse_command_async,
    parse_output_async,
    parse_packed_async,
    shutdown_pool,
    start_pool,
    warm_pool,
)
from netatlas.domain.datatypes import select

__all__ = [
    "NORMALISERS",
    "POOL_THRESHOLD",
    "normaliser",
    "parse_command",
    "parse_command_async",
    "parse_output",
    "parse_output_async",
    "parse_packed_async",
    "select",
    "shutdown_pool",
    "start_pool",
    "warm_pool",
]
