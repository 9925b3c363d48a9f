"""CSV text as Tandem's output files write it (RFC 4180 quoting, done by hand).

The batch writers build CSV rows as text themselves, for speed and to keep their exact
layout: ``instruments.batch_file`` (``tandem score``), ``tandem cm`` and ``tandem tlfb``.
They quote a cell with ``quoted`` here, the one definition of it.
"""

from __future__ import annotations


def quoted(cell: str) -> str:
    """A cell as CSV writes it: quoted when it holds a comma, quote or line break."""
    if any(c in cell for c in ',"\r\n'):
        return '"' + cell.replace('"', '""') + '"'
    return cell
