"""The case files of ``tandem assess`` (``tandem.formats.cases``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tandem.domain.errors import InvalidFile
from tandem.formats.cases import case_lines, formulation_line, parse_case_line, read_case


def test_a_case_file_that_is_not_json_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text('{\n  "schema": \n}', encoding="utf-8")
    with pytest.raises(InvalidFile, match=r"not valid JSON \(line 3, column 1\)$"):
        read_case(path)


def test_a_file_that_is_not_utf8_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_bytes(b'{"a": "\xff"}\n')
    with pytest.raises(InvalidFile) as error:
        case_lines(path)
    assert (error.value.file, error.value.row, str(error.value)) == (
        "cases.jsonl",
        None,
        "cases.jsonl: not UTF-8 text",
    )


def test_a_byte_order_mark_is_not_part_of_the_first_case(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"a": 1}\n{"b": 2}\n')
    assert [parse_case_line(line) for line in case_lines(path)] == [
        ({"a": 1}, None),
        ({"b": 2}, None),
    ]


def test_a_line_that_is_not_json_is_that_lines_error() -> None:
    assert parse_case_line("{oops") == (None, "$: not valid JSON (column 2)")


def test_an_output_line_is_compact_and_keeps_text_as_is() -> None:
    assert formulation_line({"error": "café", "n": [1, 2]}) == '{"error":"café","n":[1,2]}\n'
