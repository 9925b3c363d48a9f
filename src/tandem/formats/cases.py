"""The case files of ``tandem assess`` (ruleset-v1.md s10): one intake case as JSON
(``CASE.json``), or JSONL files, one case a line in and one formulation a line out.

Input is UTF-8 (a byte-order mark is allowed), read through ``read_input`` (bounded,
text only); a file that cannot be read is an ``InvalidFile`` naming it. In a JSONL file a
line that is not JSON is that line's error, not the file's: the batch goes on.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tandem.domain.errors import InvalidFile
from tandem.formats.limits import read_input


def read_text(path: Path) -> str:
    """The file as text (UTF-8; a byte-order mark is not an error)."""
    try:
        return read_input(path).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidFile(path.name, None, None, "not UTF-8 text") from None


def read_case(path: Path) -> Any:
    """The JSON document of one case file (checked against the case schema later)."""
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise InvalidFile(str(path), None, None, f"not valid JSON ({where})") from None


def case_lines(path: Path) -> list[str]:
    """The lines of a JSONL file of cases."""
    return read_text(path).splitlines()


def parse_case_line(line: str) -> tuple[Any, str | None]:
    """A JSONL line's document, or ``None`` and the line's error when it is not JSON."""
    try:
        return json.loads(line), None
    except json.JSONDecodeError as error:
        return None, f"$: not valid JSON (column {error.colno})"


def formulation_line(result: dict[str, Any]) -> str:
    """One output line: a formulation or ``{"error": ...}``, compact JSON, UTF-8 as is."""
    return json.dumps(result, ensure_ascii=False, separators=(",", ":")) + "\n"
