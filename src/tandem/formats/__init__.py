"""Every file format Tandem reads or writes has its home here (issue 9 item 1).

This package imports only the domain (an import-linter contract keeps it so). Readers
take their bytes through ``read_input`` (bounded, text only); writers quote their cells
with ``tandem.domain.csv_text.quoted`` (RFC 4180 and formula-safe).

Built so far: the bounded reader every CLI reader uses and formula-safe cells. The
readers themselves still live in ``tandem.cli`` (``monitoring_io``, ``timeline_csv``,
``screens_csv``, ``patients_csv``) and ``tandem.domain.instruments.batch_file``; moving
them here, with one date decoder and one validator per record type, is the rest of
issue 9 item 1 (see the issue's notes).
"""

from __future__ import annotations

from tandem.formats.limits import INPUT_LIMIT_BYTES, read_input

__all__ = ["INPUT_LIMIT_BYTES", "read_input"]
