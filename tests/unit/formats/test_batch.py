"""The batch file: every output row is what ``score`` gives for that input row."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.domain.errors import InvalidInput, InvalidOption, NotScorable
from tandem.domain.instruments import Instrument, score
from tandem.formats.batch import OUTPUT_HEADER, read_answers_file, score_file
from tests.unit.domain.instruments.strategies import ANY_CELL, instruments, valid_answers

HEADER = "id,total,band,positive,flags,error"


def expected_row(
    instrument: Instrument, row_id: str, cells: list[str], option: str | None
) -> list[str]:
    """The output row worked out with the scalar engine, as instruments.md formats it."""
    answers: list[int | str | None] = list(cells)
    if len(cells) == instrument.item_count > instrument.required_count and not cells[-1].strip():
        answers = answers[:-1]
    name = instrument.option.name if instrument.option else "sex"
    try:
        result = score(instrument.id, answers, **{name: option})
    except (NotScorable, InvalidOption) as error:
        return [row_id, "", "", "", "", str(error)]
    return [
        row_id,
        "" if result.total is None else str(result.total),
        result.band or "",
        "true" if result.positive else "false",
        ";".join(result.flags),
        "",
    ]


def cell_text(answer: object) -> str:
    return "" if answer is None else str(answer)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_file_rows_agree_with_score(data: st.DataObject) -> None:
    instrument = data.draw(instruments)
    rows = data.draw(st.lists(valid_answers(instrument), min_size=1, max_size=8))
    columns = instrument.item_count if data.draw(st.booleans()) else instrument.required_count
    option = instrument.option
    lines = [["id", *(f"i{n}" for n in range(1, columns + 1)), *([option.name] if option else [])]]
    expected = []
    for number, answers in enumerate(rows):
        cells = [cell_text(a) for a in answers][:columns]
        cells += [""] * (columns - len(cells))
        if data.draw(st.integers(0, 3)) == 0:
            cells[data.draw(st.integers(0, columns - 1))] = cell_text(data.draw(ANY_CELL))
        own = data.draw(st.sampled_from(["", "bogus", *option.values])) if option else ""
        row_id = data.draw(st.sampled_from([f"p{number}", f"p,{number}", f'p"{number}']))
        lines.append([row_id, *cells, *([own] if option else [])])
        command_value = "male" if option and option.name == "sex" else None
        expected.append(expected_row(instrument, row_id, cells, own or command_value))
    text = io.StringIO()
    csv.writer(text, lineterminator=data.draw(st.sampled_from(["\n", "\r\n"]))).writerows(lines)
    sex = "male" if option and option.name == "sex" else None
    output, count, invalid = score_file(text.getvalue().encode(), instrument.id, sex=sex)
    parsed = list(csv.reader(io.StringIO(output.decode())))
    assert parsed[0] == HEADER.split(",")
    assert parsed[1:] == expected
    assert (count, invalid) == (len(rows), sum(1 for row in expected if row[5]))


def test_a_large_file_is_scored_in_chunks_like_a_small_one() -> None:
    rows = [f"p{n},{n % 4},{(n // 4) % 4},1,0,2,{n % 3},0,0,{n % 2}\n" for n in range(3000)]
    rows[1234] = "p1234,1,2,9,0,0,0,0,0,0\n"
    data = ("id,i1,i2,i3,i4,i5,i6,i7,i8,i9\n" + "".join(rows)).encode()
    small = b"".join(c.text for c in read_answers_file(data, "phq9").chunks(size=1000))
    whole, count, invalid = score_file(data, "phq9")
    assert OUTPUT_HEADER + small == whole
    assert (count, invalid) == (3000, 1)
    assert whole.splitlines()[1235] == b'p1234,,,,,"phq9: item 3: 9 is not one of 0, 1, 2, 3"'


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("i1,i2", "phq2: input: no id column"),
        ("id,i1", "phq2: input: missing answer columns i2"),
        ("id,i1,i2,i3", "phq2: input: unexpected column i3 (phq2 has 2 items)"),
        ("id,i1,i2,i2", "phq2: input: column i2 appears more than once"),
    ],
)
def test_a_bad_header_refuses_the_file(header: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        score_file(f"{header}\np1,0,0\n".encode(), "phq2")
    assert str(caught.value) == message


def test_auditc_without_any_sex_refuses_the_file() -> None:
    with pytest.raises(InvalidOption, match=r"^auditc: sex is required: one of male, female"):
        score_file(b"id,i1,i2,i3\np1,1,1,1\n", "auditc")


def test_not_utf8_refuses_the_file() -> None:
    with pytest.raises(InvalidInput, match=r"^phq2: input: not UTF-8 text"):
        score_file(b"id,i1,i2\n\xff,0,0\n", "phq2")


def test_blank_lines_and_extra_empty_cells_are_ignored_but_extra_values_are_not() -> None:
    data = b"id,i1,i2\np1,1,2,\n\np2,3,3,x\n"
    output, count, invalid = score_file(data, "phq2")
    assert output.decode().splitlines() == [
        HEADER,
        "p1,3,,true,,",
        'p2,,,,,"phq2: row has 4 cells, the header has 3"',
    ]
    assert (count, invalid) == (2, 1)


def test_a_header_only_file_gives_a_header_only_output() -> None:
    assert score_file(b"id,i1,i2\n", "phq2") == (HEADER.encode() + b"\n", 0, 0)
