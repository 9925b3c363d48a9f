"""CSV text as Tandem's output files write it (RFC 4180 quoting, done by hand).

The batch writers build CSV rows as text themselves, for speed and to keep their exact
layout: ``instruments.batch_file`` (``tandem score``), ``tandem cm`` and ``tandem tlfb``.
They quote a cell with ``quoted`` here, the one definition of it.

Formula-safe (issue 9 item 1; OWASP "CSV injection"): a text cell starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return is written with a leading apostrophe, so
a spreadsheet opening the file shows it as text instead of running it as a formula.
Writers pass only text cells (ids, names, messages) through ``quoted``; numbers they
format themselves are never escaped (a change of -3 stays -3).
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(cell: str) -> str:
    """A text cell with a leading apostrophe when a spreadsheet would read it as a formula
    (for writers that leave quoting to the ``csv`` module)."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def quoted(cell: str) -> str:
    """A text cell as CSV writes it: formula-safe, then quoted when it holds a comma,
    quote or line break."""
    if cell.startswith(FORMULA_START):
        cell = "'" + cell
    if any(c in cell for c in ',"\r\n'):
        return '"' + cell.replace('"', '""') + '"'
    return cell


_FORMULA_BYTES = frozenset(start.encode() for start in FORMULA_START)


def formula_safe_cells(cells: list[bytes]) -> list[bytes]:
    """Raw (already CSV-safe) byte cells with a leading apostrophe where ``quoted`` would
    add one: for writers that copy cells verbatim on their fast path."""
    return [b"'" + cell if cell[:1] in _FORMULA_BYTES else cell for cell in cells]
