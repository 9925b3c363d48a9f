"""The batch file of instruments.md: answers CSV in, scores CSV out (bytes, no file I/O).

Input: a header with ``id`` and ``i1 .. iN`` (the difficulty item's column is optional),
plus an optional ``sex`` or ``substance`` column that overrides the command's value row
by row (an empty cell keeps the command's value). Output: ``id,total,band,positive,
flags,error``, one row per input row in the same order; a null is an empty cell,
``positive`` is ``true``/``false``, flags are sorted and joined with ``;``; a row with
invalid answers keeps its message in ``error`` and empty scores.

Speed: a file without quotes is cut into chunks at line ends and each chunk is parsed
with NumPy (separator positions, one-character cells read as codes). A chunk with an
irregular shape (blank lines, ragged rows), or a file with quoted cells, is read with
the ``csv`` module instead. Either way the codes go through ``batch.score_codes``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tandem.domain.errors import InvalidInput, InvalidOption
from tandem.domain.instruments.answers import Answer, allowed_text
from tandem.domain.instruments.batch import (
    OTHER,
    SKIP,
    BatchScores,
    RowSource,
    answer_codes,
    default_option_index,
    option_indexes,
    score_codes,
)
from tandem.domain.instruments.model import Instrument
from tandem.domain.instruments.registry import instrument_for
from tandem.formats.text import formula_safe_cells, quoted

OUTPUT_HEADER = b"id,total,band,positive,flags,error\n"
CHUNK_BYTES = 4 << 20
_COMMA, _NEWLINE = ord(","), ord("\n")
# The code of a one-byte cell, by its byte: digits their value, "-" a skip.
_BYTE_CODE = np.full(256, OTHER, dtype=np.int8)
_BYTE_CODE[ord("0") : ord("9") + 1] = np.arange(10)
_BYTE_CODE[ord("-")] = SKIP


@dataclass(frozen=True)
class Layout:
    """Where the id, answer and option columns are in the input header."""

    width: int
    id_column: int
    answer_columns: tuple[int, ...]
    option_column: int | None


def read_layout(instrument: Instrument, header: Sequence[str]) -> Layout:
    """The header's columns, or ``InvalidInput`` naming what is missing or unexpected."""
    names = [name.strip() for name in header]
    where = f"{instrument.id}: input"
    for name in names:
        if name and names.count(name) > 1:
            raise InvalidInput(f"{where}: column {name} appears more than once")
    if "id" not in names:
        raise InvalidInput(f"{where}: no id column")
    wanted = [f"i{n}" for n in range(1, instrument.item_count + 1)]
    missing = [name for name in wanted[: instrument.required_count] if name not in names]
    if missing:
        raise InvalidInput(f"{where}: missing answer columns {', '.join(missing)}")
    unexpected = [n for n in names if n[:1] == "i" and n[1:].isdigit() and n not in wanted]
    if unexpected:
        raise InvalidInput(
            f"{where}: unexpected column {unexpected[0]} "
            f"({instrument.id} has {instrument.item_count} items)"
        )
    present = [name for name in wanted if name in names]
    option_name = instrument.option.name if instrument.option else None
    return Layout(
        width=len(names),
        id_column=names.index("id"),
        answer_columns=tuple(names.index(name) for name in present),
        option_column=names.index(option_name) if option_name in names else None,
    )


@dataclass(frozen=True)
class ScoredChunk:
    """Output rows for a run of input rows, and how many input bytes they cover."""

    text: bytes
    rows: int
    invalid: int
    consumed: int


@dataclass(frozen=True)
class AnswersFile:
    """A checked answers file, ready to be scored chunk by chunk (``chunks()``)."""

    instrument: Instrument
    layout: Layout
    body: bytes
    default_index: int
    sex: str | None
    substance: str | None

    def chunks(self, size: int = CHUNK_BYTES) -> Iterator[ScoredChunk]:
        if b'"' in self.body or b"\r" in self.body:
            yield self._score_text(self.body)  # quoted cells may hold line breaks
            return
        start = 0
        while start < len(self.body):
            end = self.body.rfind(b"\n", start, start + size) + 1
            if end <= start:
                end = self.body.find(b"\n", start + size) + 1 or len(self.body)
            piece = self.body[start:end]
            yield self._score_fast(piece) or self._score_text(piece)
            start = end

    def _score_fast(self, piece: bytes) -> ScoredChunk | None:
        cells = _Cells.parse(piece, self.layout.width)
        if cells is None:
            return None
        layout, optional = self.layout, self.instrument.item_count > self.instrument.required_count
        all_items = len(layout.answer_columns) == self.instrument.item_count
        codes = cells.codes(layout.answer_columns, empty_is_skip=optional and all_items)
        texts = cells.raw(layout.option_column) if layout.option_column is not None else None
        row_option = self._option_indexes(texts, cells.rows)
        source = RowSource(
            answers=lambda r: self._answers([cells.text(r, c) for c in layout.answer_columns]),
            option=lambda r: self._own_option(texts[r] if texts else b""),
        )
        scores = score_codes(self.instrument, codes, row_option, self.default_index, source)
        text = render(formula_safe_cells(cells.raw(layout.id_column)), scores)
        return ScoredChunk(text, cells.rows, scores.invalid_count, len(piece))

    def _score_text(self, piece: bytes) -> ScoredChunk:
        rows = [row for row in csv.reader(io.StringIO(piece.decode("utf-8"))) if row]
        layout = self.layout
        padded = [row + [""] * (layout.width - len(row)) for row in rows]
        answers = [self._answers([row[c] for c in layout.answer_columns]) for row in padded]
        column = layout.option_column
        texts = [row[column].encode() for row in padded] if column is not None else None
        width = len(layout.answer_columns)
        # A dropped empty difficulty cell is padded back as a skip.
        codes = np.array([answer_codes(a, width) for a in answers], dtype=np.int8)
        codes = codes.reshape(len(rows), width)
        source = RowSource(
            answers=lambda r: answers[r],
            option=lambda r: self._own_option(texts[r] if texts else b""),
        )
        row_option = self._option_indexes(texts, len(rows))
        scores = score_codes(self.instrument, codes, row_option, self.default_index, source)
        for index, row in enumerate(rows):
            if any(cell.strip() for cell in row[layout.width :]):
                scores.reject(index, f"{self.instrument.id}: row has {len(row)} cells, the "
                                     f"header has {layout.width}")  # fmt: skip
        ids = [quoted(row[layout.id_column]).encode() for row in padded]
        return ScoredChunk(render(ids, scores), len(rows), scores.invalid_count, len(piece))

    def _answers(self, cells: list[str]) -> list[Answer]:
        """A row's answers; an empty difficulty cell means the item was not given."""
        optional = self.instrument.item_count > self.instrument.required_count
        if optional and len(cells) == self.instrument.item_count and not cells[-1].strip():
            return list(cells[:-1])
        return list(cells)

    def _own_option(self, text: bytes) -> str | None:
        """A row's own sex/substance, or the command's value when its cell is empty."""
        if text:
            return text.decode("utf-8")
        option = self.instrument.option
        return self.sex if option and option.name == "sex" else self.substance

    def _option_indexes(self, texts: Sequence[bytes] | None, rows: int) -> npt.NDArray[np.int8]:
        """Each row's option index from its option cells (UTF-8: checked on reading)."""
        overrides = [text.decode("utf-8") for text in texts] if texts is not None else None
        return option_indexes(self.instrument, overrides, rows)


def read_answers_file(
    data: bytes,
    instrument_id: str,
    sex: str | None = None,
    substance: str | None = None,
    pcl5_cutoff: int | None = None,
) -> AnswersFile:
    """Check an answers file's encoding, header and options before anything is scored."""
    instrument = instrument_for(instrument_id, pcl5_cutoff)
    default_index = default_option_index(instrument, sex, substance)
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInput(
            f"{instrument.id}: input: not UTF-8 text (byte {error.start + 1})"
        ) from None
    header_end = data.find(b"\n") + 1 or len(data)
    header = next(csv.reader([data[:header_end].decode("utf-8")]), [])
    layout = read_layout(instrument, header)
    body = data[header_end:].replace(b"\r\n", b"\n")
    if body and not body.endswith(b"\n"):
        body += b"\n"
    if default_index < 0 and layout.option_column is None and instrument.option:
        raise InvalidOption(
            f"{instrument.id}: {instrument.option.name} is required: one of "
            f"{allowed_text(instrument.option.values)} (for every row, or in a "
            f"{instrument.option.name} column)"
        )
    return AnswersFile(instrument, layout, body, default_index, sex, substance)


@dataclass(frozen=True)
class _Cells:
    """The cells of a quote-free chunk, as start/end offsets into its bytes."""

    data: bytes
    buffer: npt.NDArray[np.uint8]
    starts: npt.NDArray[np.int32]  # a chunk is a few MB, so int32 offsets suffice
    ends: npt.NDArray[np.int32]

    @property
    def rows(self) -> int:
        return int(self.starts.shape[0])

    @classmethod
    def parse(cls, data: bytes, width: int) -> _Cells | None:
        """Offsets of every cell, or ``None`` unless every line has ``width`` cells."""
        buffer = np.frombuffer(data, dtype=np.uint8)
        ends = np.flatnonzero((buffer == _COMMA) | (buffer == _NEWLINE)).astype(np.int32)
        if ends.size == 0 or ends.size % width:
            return None
        line_ends = (buffer[ends] == _NEWLINE).reshape(-1, width)
        if line_ends[:, :-1].any() or not line_ends[:, -1].all():
            return None
        starts = np.empty_like(ends)
        starts[0], starts[1:] = 0, ends[:-1] + 1
        return cls(data, buffer, starts.reshape(-1, width), ends.reshape(-1, width))

    def codes(self, columns: Sequence[int], empty_is_skip: bool) -> npt.NDArray[np.int8]:
        """Answer codes of ``columns``: a one-digit cell its digit, ``-`` a skip, anything
        else OTHER; with ``empty_is_skip`` an empty last cell (the difficulty item) too."""
        lo, hi = columns[0], columns[-1] + 1
        contiguous = tuple(columns) == tuple(range(lo, hi))  # a view, not a copy
        index = slice(lo, hi) if contiguous else list(columns)
        starts, ends = self.starts[:, index], self.ends[:, index]
        codes = _BYTE_CODE[self.buffer[starts]]  # a cell's first byte (or its separator)
        codes[ends - starts != 1] = OTHER
        if empty_is_skip:
            codes[:, -1][ends[:, -1] == starts[:, -1]] = SKIP
        return codes

    def raw(self, column: int) -> list[bytes]:
        data = self.data
        return [data[s:e] for s, e in zip(self.starts[:, column].tolist(),
                                          self.ends[:, column].tolist(), strict=True)]  # fmt: skip

    def text(self, row: int, column: int) -> str:
        start, end = int(self.starts[row, column]), int(self.ends[row, column])
        return self.data[start:end].decode("utf-8")


def suffixes(scores: BatchScores) -> tuple[npt.NDArray[np.intp], list[bytes]]:
    """Each row's output after its id, as an index into a table of distinct suffixes."""
    key = (scores.total.astype(np.int64) + 1) * 64 + (scores.band.astype(np.int64) + 1)
    key = (key * 2 + scores.positive) * 65536 + scores.flags
    _, first_row, index = np.unique(key, return_index=True, return_inverse=True)
    table = [_suffix(scores.instrument, scores, int(row)) for row in first_row.tolist()]
    index = index.reshape(-1)
    errors: dict[bytes, int] = {}
    for row, message in scores.errors.items():
        text = b",,,,," + quoted(message).encode() + b"\n"
        index[row] = errors.setdefault(text, len(table) + len(errors))
    return index, table + list(errors)


def render(ids: list[bytes], scores: BatchScores) -> bytes:
    """Output rows: the id, then the scores."""
    index, table = suffixes(scores)
    parts: list[bytes] = [b""] * (2 * len(ids))
    parts[0::2] = ids
    parts[1::2] = [table[k] for k in index.tolist()]
    return b"".join(parts)


def _suffix(instrument: Instrument, scores: BatchScores, row: int) -> bytes:
    total, band = int(scores.total[row]), int(scores.band[row])
    names = instrument.flag_names
    flags = ";".join(n for i, n in enumerate(names) if int(scores.flags[row]) >> i & 1)
    cells = (
        "" if total < 0 else str(total),
        "" if band < 0 else instrument.band_keys[band],
        "true" if scores.positive[row] else "false",
        flags,
        "",
    )
    return ("," + ",".join(cells) + "\n").encode()


def score_file(
    data: bytes,
    instrument_id: str,
    sex: str | None = None,
    substance: str | None = None,
    progress: Callable[[int], None] | None = None,
    pcl5_cutoff: int | None = None,
) -> tuple[bytes, int, int]:
    """The whole output file, the row count and the invalid-row count (for tests)."""
    answers = read_answers_file(data, instrument_id, sex, substance, pcl5_cutoff)
    parts, rows, invalid = [OUTPUT_HEADER], 0, 0
    for chunk in answers.chunks():
        parts.append(chunk.text)
        rows, invalid = rows + chunk.rows, invalid + chunk.invalid
        if progress:
            progress(chunk.consumed)
    return b"".join(parts), rows, invalid
