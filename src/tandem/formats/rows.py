"""Small CSV files read row by row (``patients.csv``, ``screens.csv``): one reader.

The header must hold every required column, optional ones only, each once; blank lines
are skipped; every row has as many cells as the header and a non-empty ``patient_id``.
Errors name the file, row and column, and quote only the offending cell.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tandem.domain.errors import InvalidFile
from tandem.formats.limits import read_input


@dataclass(frozen=True)
class Place:
    """A row of a file, for the errors about its cells."""

    file: str
    row: int

    def error(self, column: str, problem: str) -> InvalidFile:
        return InvalidFile(self.file, self.row, column, problem)


def csv_rows(
    path: Path, required: tuple[str, ...], optional: tuple[str, ...]
) -> Iterator[tuple[int, dict[str, str], Place]]:
    """Each data row as (row number, cells by column name, its ``Place`` for errors)."""
    try:
        text = read_input(path).decode("utf-8-sig")
    except UnicodeDecodeError:
        problem = "not UTF-8 text; save it as UTF-8 CSV"
        raise InvalidFile(path.name, None, None, problem) from None
    reader = csv.reader(text.splitlines())
    header = next(reader, [])
    missing = [name for name in required if name not in header]
    unknown = [name for name in header if name not in required + optional]
    if missing or unknown or len(set(header)) != len(header):
        raise InvalidFile(
            path.name,
            1,
            None,
            f"the header must be {','.join(required)} (optionally "
            f"{', '.join(optional)}), each once; found {','.join(header)!r}",
        )
    for number, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) != len(header):
            problem = f"expected {len(header)} columns, got {len(row)}"
            raise InvalidFile(path.name, number, None, problem)
        cells = dict(zip(header, row, strict=True))
        where = Place(path.name, number)
        if not cells["patient_id"]:
            raise where.error("patient_id", "is empty")
        yield number, cells, where
