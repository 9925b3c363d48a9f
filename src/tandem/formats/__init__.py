"""Every file format Tandem reads or writes has its home here (issue 9 item 1).

This package imports only the domain (an import-linter contract keeps it so), and no
module outside it imports ``csv`` (``tests/unit/formats/test_one_home.py``). Readers take
their bytes through ``read_input`` (bounded, text only); text cells are written
formula-safe (``tandem.formats.text``).

- ``table``: the bulk NumPy CSV reader of the monitoring files, and ``caseload``: the
  ``checkins.csv``, ``instruments.csv`` and ``screens.csv`` of ``tandem analyze`` (and
  ``tandem import``) into a ``Caseload``;
- ``timeline``: ``tlfb.csv``, ``visits.csv``, ``uds.csv`` and the outcomes CSV of
  ``tandem tlfb``;
- ``screens`` and ``patients``: ``screens.csv`` (``tandem cm``, ``tandem import``) and
  ``patients.csv`` (``tandem analyze``, ``tandem cm``), read row by row (``rows``);
- ``batch``: the answers file of ``tandem score`` and its scores CSV;
- ``cases``: the case JSON and the JSONL files of ``tandem assess``;
- ``outputs``: the flat CSV and JSON of ``tandem analyze``, the ledger CSV and JSON of
  ``tandem cm``, and ``written`` (an output file whole or not at all);
- ``text``: formula-safe, RFC 4180 cells; ``limits``: ``read_input``; ``dates``: the one
  ISO date decoder (a cell, or a column at once).

Every problem with a file is an ``InvalidFile`` (``tandem.domain.errors``) carrying
``file``, ``row`` and ``column`` as attributes.
"""

from __future__ import annotations

from tandem.formats.limits import INPUT_LIMIT_BYTES, read_input

__all__ = ["INPUT_LIMIT_BYTES", "read_input"]
