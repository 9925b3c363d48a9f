"""Small CSV files read row by row (``patients.csv``, ``screens.csv``): one reader.

The header must hold every required column, optional ones only, each once; blank lines
are skipped; every row has as many cells as the header and a non-empty ``patient_id``.
Errors name the file, row and column, and quote only the offending cell.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from tandem.domain.errors import InvalidInput, InvalidTimeline
from tandem.formats.limits import read_input


def csv_rows(
    path: Path, required: tuple[str, ...], optional: tuple[str, ...]
) -> Iterator[tuple[int, dict[str, str], str]]:
    """Each data row as (row number, cells by column name, ``"<file>, row N, column"``)."""
    try:
        text = read_input(path).decode("utf-8-sig")
    except InvalidInput as exc:
        raise InvalidTimeline(str(exc)) from None
    except UnicodeDecodeError:
        raise InvalidTimeline(f"{path.name}: not UTF-8 text; save it as UTF-8 CSV") from None
    reader = csv.reader(text.splitlines())
    header = next(reader, [])
    missing = [name for name in required if name not in header]
    unknown = [name for name in header if name not in required + optional]
    if missing or unknown or len(set(header)) != len(header):
        raise InvalidTimeline(
            f"{path.name}, row 1: the header must be {','.join(required)} (optionally "
            f"{', '.join(optional)}), each once; found {','.join(header)!r}"
        )
    for number, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) != len(header):
            raise InvalidTimeline(
                f"{path.name}, row {number}: expected {len(header)} columns, got {len(row)}"
            )
        cells = dict(zip(header, row, strict=True))
        where = f"{path.name}, row {number}, column"
        if not cells["patient_id"]:
            raise InvalidTimeline(f"{where} patient_id: is empty")
        yield number, cells, where
