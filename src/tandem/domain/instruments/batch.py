"""Scoring many rows at once: the engine's rules over NumPy arrays.

Answers arrive as a code matrix (``int8``, one column per item): 0-9 for a one-digit
answer, ``SKIP`` for ``-``, ``OTHER`` for anything else. Rows whose codes all pass the
array masks are scored with array operations. Every other row (an invalid answer, an
unknown option, an unusual spelling such as ``" 3"``) goes through the scalar engine,
which scores it or raises the exact message ``score`` would raise. So a batch row and
``score`` on the same answers always agree (tests/unit/domain/instruments/test_batch.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from tandem.domain.errors import InvalidAnswer, InvalidOption, NotScorable
from tandem.domain.instruments.answers import Answer, allowed_text, read_option
from tandem.domain.instruments.engine import score
from tandem.domain.instruments.model import (
    AtLeast,
    CriteriaMet,
    FlagRule,
    Instrument,
    ItemAtLeast,
    Score,
    Tiers,
)
from tandem.domain.instruments.registry import instrument_for

SKIP = -1
OTHER = -3
NO_OVERRIDE = -1  # option index of a row without its own sex/substance
UNKNOWN_OPTION = -2  # a row's own option value is not allowed: the scalar engine says why
_OFFSET = 3  # codes run from OTHER (-3) to 9; lookup tables are indexed by code + 3

Codes = npt.NDArray[np.int8]
Mask = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int16]


@dataclass(frozen=True)
class BatchScores:
    """One result per row, as arrays. ``total``/``band`` are -1 where null or on error.

    ``band`` indexes ``instrument.band_keys``; bit ``i`` of ``flags`` is
    ``instrument.flag_names[i]``; ``errors`` maps a row index to its message, and
    ``located`` a row whose error is about one item to that item's number and the
    problem (the message without "<instrument>: item <n>: "), so that no caller parses
    a message to find the item (issue 9).
    """

    instrument: Instrument
    total: Ints
    band: npt.NDArray[np.int8]
    positive: Mask
    flags: npt.NDArray[np.uint16]
    subscores: dict[str, Ints]
    errors: dict[int, str]
    located: dict[int, tuple[int, str]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.positive)

    @property
    def invalid_count(self) -> int:
        return len(self.errors)

    def error(self, row: int) -> str | None:
        return self.errors.get(row)

    def reject(self, row: int, message: str) -> None:
        """Record a problem with a row found outside its answers (a malformed file row)."""
        self.errors[row] = message
        _blank(self, np.arange(len(self)) == row)

    def result(self, row: int) -> Score | None:
        """The row's ``Score`` (``None`` for a row with an error)."""
        if row in self.errors:
            return None
        total, band = int(self.total[row]), int(self.band[row])
        names = self.instrument.flag_names
        return Score(
            instrument=self.instrument.id,
            total=None if total < 0 else total,
            band=None if band < 0 else self.instrument.band_keys[band],
            positive=bool(self.positive[row]),
            flags=tuple(n for i, n in enumerate(names) if int(self.flags[row]) >> i & 1),
            subscores={key: int(values[row]) for key, values in self.subscores.items()},
        )


@dataclass(frozen=True)
class RowSource:
    """What the scalar engine needs for one row: its answers and its own option value."""

    answers: Callable[[int], Sequence[Answer]]
    option: Callable[[int], str | None]


def option_values(instrument: Instrument) -> tuple[str | None, ...]:
    return instrument.option.values if instrument.option else (None,)


def default_option_index(instrument: Instrument, sex: str | None, substance: str | None) -> int:
    """Index of the command's option value; -1 when a required option is not given.

    An unknown value raises ``InvalidOption`` for the whole batch.
    """
    try:
        value = read_option(instrument, sex, substance)
    except InvalidOption:
        if (sex if _option_name(instrument) == "sex" else substance) not in (None, ""):
            raise
        return -1
    return option_values(instrument).index(value)


def _option_name(instrument: Instrument) -> str:
    return instrument.option.name if instrument.option else ""


def score_codes(
    instrument: Instrument,
    codes: Codes,
    row_option: npt.NDArray[np.int8],
    default_index: int,
    source: RowSource,
) -> BatchScores:
    """Score a code matrix (``required_count`` or ``item_count`` columns).

    ``row_option`` holds each row's option index, or ``NO_OVERRIDE``/``UNKNOWN_OPTION``.
    """
    option = np.where(row_option == NO_OVERRIDE, default_index, row_option).astype(np.int8)
    values, passed = _checked_values(instrument, codes)
    option_ok = option >= 0
    ok = passed.all(axis=1) & option_ok
    values[~ok] = 0
    option = np.where(ok, option, 0).astype(np.int8)
    scores = _evaluate(instrument, values, option)
    _blank(scores, ~ok)
    bad = np.flatnonzero(~ok)
    plain = _plain_value_errors(instrument, codes, passed, bad[option_ok[bad]])
    scores.located.update(plain)
    scores.errors.update(
        {row: f"{instrument.id}: item {item}: {problem}" for row, (item, problem) in plain.items()}
    )
    for row in bad.tolist():
        if row not in scores.errors:
            _score_one(scores, row, source)
    return scores


def _checked_values(instrument: Instrument, codes: Codes) -> tuple[Codes, Mask]:
    """The values of the required items (skips as 0), and which cells passed the masks."""
    rows, required = codes.shape[0], instrument.required_count
    values = np.zeros((rows, required), dtype=np.int8)
    passed = np.ones(codes.shape, dtype=np.bool_)
    for item in instrument.items[: codes.shape[1]]:
        column = item.number - 1
        code = codes[:, column]
        allowed = _allowed_lut(item.values)[code + _OFFSET]
        if item.optional:
            passed[:, column] = allowed | (code == SKIP)
        elif item.skip is None:
            passed[:, column] = allowed
            values[:, column] = code
        else:
            closed = np.isin(values[:, item.skip.gate - 1], item.skip.values)
            passed[:, column] = np.where(closed, (code == SKIP) | (code == 0), allowed)
            values[:, column] = np.where(closed, 0, code)
    return values, passed


def _plain_value_errors(
    instrument: Instrument, codes: Codes, passed: Mask, rows: npt.NDArray[np.intp]
) -> dict[int, tuple[int, str]]:
    """The item and problem of rows whose first bad cell is a digit outside a plain
    item's values.

    That is the common error, and its message is fixed by the item and the digit (the
    one ``answers.read_item`` raises); every other bad row goes to the scalar engine.
    """
    first = np.argmax(~passed[rows], axis=1)
    code = codes[rows, first]
    items = instrument.items[: codes.shape[1]]
    plain = np.array([not item.optional and item.skip is None for item in items])
    simple = plain[first] & (code >= 0)
    messages = [
        [(item.number, f"{digit} is not one of {allowed_text(item.values)}") for digit in range(10)]
        for item in items
    ]
    return {
        row: messages[column][digit]
        for row, column, digit in zip(
            rows[simple].tolist(), first[simple].tolist(), code[simple].tolist(), strict=True
        )
    }


def _allowed_lut(allowed: Sequence[int]) -> Mask:
    lut = np.zeros(10 + _OFFSET, dtype=np.bool_)
    lut[[value + _OFFSET for value in allowed]] = True
    return lut


def _evaluate(instrument: Instrument, values: Codes, option: npt.NDArray[np.int8]) -> BatchScores:
    points = _points(instrument, values)
    total = _total(instrument, points)
    band = _band(instrument, values, total, option)
    return BatchScores(
        instrument=instrument,
        total=total,
        band=band,
        positive=_positive(instrument, total, band, option),
        flags=_flags(instrument, values),
        subscores={
            sub.key: points[:, [n - 1 for n in sub.items]].sum(axis=1, dtype=np.int16)
            for sub in instrument.subscores
        },
        errors={},
    )


def _points(instrument: Instrument, values: Codes) -> Ints:
    points = np.empty(values.shape, dtype=np.int16)
    for item in instrument.items[: values.shape[1]]:
        lut = np.zeros(10, dtype=np.int16)
        for value in item.values:
            lut[value] = item.points_for(value)
        points[:, item.number - 1] = lut[values[:, item.number - 1]]
    return points


def _total(instrument: Instrument, points: Ints) -> Ints:
    rule = instrument.total
    if rule is None:
        return np.full(points.shape[0], -1, dtype=np.int16)
    if all(len(domain) == 1 for domain in rule.domains):
        summed: Ints = points[:, [n - 1 for n in rule.items]].sum(axis=1, dtype=np.int16)
        return summed
    total = np.zeros(points.shape[0], dtype=np.int16)
    for domain in rule.domains:
        total += points[:, [n - 1 for n in domain]].max(axis=1)
    return total


def _band(
    instrument: Instrument, values: Codes, total: Ints, option: npt.NDArray[np.int8]
) -> npt.NDArray[np.int8]:
    keys = instrument.band_keys
    if isinstance(instrument.bands, Tiers):
        conditions = [
            np.logical_or.reduce([values[:, n - 1] == answer for n, answer in tier.any_of])
            for tier in instrument.bands.tiers
        ]
        choices = [keys.index(tier.key) for tier in instrument.bands.tiers]
        return np.select(conditions, choices, keys.index(instrument.bands.otherwise)).astype(
            np.int8
        )
    if instrument.bands is None or instrument.total is None:
        return np.full(total.shape[0], -1, dtype=np.int8)
    lut = np.full((len(option_values(instrument)), instrument.total.maximum + 1), -1, np.int8)
    for index, value in enumerate(option_values(instrument)):
        table = instrument.band_table(value)
        for band in table.bands if table else ():
            lut[index, band.low : band.high + 1] = keys.index(band.key)
    result: npt.NDArray[np.int8] = lut[option, total]
    return result


def _positive(
    instrument: Instrument,
    total: Ints,
    band: npt.NDArray[np.int8],
    option: npt.NDArray[np.int8],
) -> Mask:
    rule = instrument.positive
    if isinstance(rule, AtLeast):
        cutoffs = [instrument.cutoff(value) for value in option_values(instrument)]
        # No cut-off for an option value means never positive (none exists today).
        threshold = np.array([c.threshold if c else 10_000 for c in cutoffs], dtype=np.int16)
        result: Mask = total >= threshold[option]
        return result
    other_band: Mask = band != instrument.band_keys.index(rule.band)
    return other_band


def _flags(instrument: Instrument, values: Codes) -> npt.NDArray[np.uint16]:
    by_name = {flag.name: flag for flag in instrument.flags}
    flags = np.zeros(values.shape[0], dtype=np.uint16)
    for bit, name in enumerate(instrument.flag_names):
        flags |= _flag_holds(by_name[name], values).astype(np.uint16) << np.uint16(bit)
    return flags


def _flag_holds(flag: FlagRule, values: Codes) -> Mask:
    if isinstance(flag, ItemAtLeast):
        holds: Mask = values[:, flag.item - 1] >= flag.at_least
        return holds
    assert isinstance(flag, CriteriaMet)
    holds = np.ones(values.shape[0], dtype=np.bool_)
    for criterion in flag.criteria:
        counting = {n: values[:, n - 1] >= at_least for n, at_least in criterion.counts}
        count = np.sum(list(counting.values()), axis=0)
        holds &= count >= criterion.min_count
        if criterion.including_one_of:
            holds &= np.logical_or.reduce([counting[n] for n in criterion.including_one_of])
    return holds


def _blank(scores: BatchScores, rows: Mask) -> None:
    """Null results on rows the arrays could not score (the scalar engine fills them)."""
    scores.total[rows] = -1
    scores.band[rows] = -1
    scores.positive[rows] = False
    scores.flags[rows] = 0
    for values in scores.subscores.values():
        values[rows] = 0


def _score_one(scores: BatchScores, row: int, source: RowSource) -> None:
    """Score one row with the scalar engine, or keep its message."""
    instrument = scores.instrument
    option = source.option(row)
    sex = option if _option_name(instrument) == "sex" else None
    substance = option if _option_name(instrument) == "substance" else None
    try:
        result = score(instrument.id, source.answers(row), sex=sex, substance=substance)
    except (NotScorable, InvalidOption) as error:
        scores.errors[row] = str(error)
        if isinstance(error, InvalidAnswer):
            scores.located[row] = (error.item, error.problem)
        return
    scores.total[row] = -1 if result.total is None else result.total
    scores.band[row] = -1 if result.band is None else instrument.band_keys.index(result.band)
    scores.positive[row] = result.positive
    scores.flags[row] = sum(1 << instrument.flag_names.index(name) for name in result.flags)
    for key, value in result.subscores.items():
        scores.subscores[key][row] = value


# --- rows given as Python sequences (the library's score_batch) ----------------------

_CODE_OF: dict[object, int] = {
    **{value: value for value in range(10)},
    **{str(value): value for value in range(10)},
    "-": SKIP,
    None: SKIP,
}


def score_rows(
    instrument_id: str,
    rows: Sequence[Sequence[Answer]],
    sex: str | None = None,
    substance: str | None = None,
    sexes: Sequence[str | None] | None = None,
    substances: Sequence[str | None] | None = None,
    pcl5_cutoff: int | None = None,
) -> BatchScores:
    """``score_batch`` for rows given as sequences (see ``tandem.domain.instruments``)."""
    instrument = instrument_for(instrument_id, pcl5_cutoff)
    default_index = default_option_index(instrument, sex, substance)
    overrides = sexes if _option_name(instrument) == "sex" else substances
    if instrument.option is None:
        overrides = None
    codes = np.array([_row_codes(instrument, row) for row in rows], dtype=np.int8)
    codes = codes.reshape(len(rows), instrument.item_count)
    row_option = option_indexes(instrument, overrides, len(rows))

    def own_option(row: int) -> str | None:
        given = overrides[row] if overrides is not None else None
        if given in (None, ""):
            return sex if _option_name(instrument) == "sex" else substance
        return given

    return score_codes(
        instrument, codes, row_option, default_index, RowSource(lambda r: rows[r], own_option)
    )


def _row_codes(instrument: Instrument, row: Sequence[Answer]) -> list[int]:
    if len(row) in (instrument.item_count, instrument.required_count):
        return answer_codes(row, instrument.item_count)
    return [OTHER] * instrument.item_count  # the scalar engine names the count


def answer_codes(row: Sequence[Answer], width: int) -> list[int]:
    """Codes of one row's answers, padded with skips to ``width`` (an optional item not
    given). The one mapping of answer to code, for ``score_rows`` and the batch file."""
    codes = [_CODE_OF.get(a, OTHER) if type(a) is not bool else OTHER for a in row]
    return codes + [SKIP] * (width - len(codes))


def option_indexes(
    instrument: Instrument, overrides: Sequence[str | None] | None, rows: int
) -> npt.NDArray[np.int8]:
    """Each row's own option index: ``NO_OVERRIDE`` when blank, ``UNKNOWN_OPTION`` if bad.

    The one mapping of a row's sex/substance to its index, for ``score_rows`` and the
    batch file's option column.
    """
    if overrides is None:
        return np.full(rows, NO_OVERRIDE, dtype=np.int8)
    index_of: dict[str | None, int] = {None: NO_OVERRIDE, "": NO_OVERRIDE}
    index_of.update((value, i) for i, value in enumerate(option_values(instrument)))
    return np.array([index_of.get(v, UNKNOWN_OPTION) for v in overrides], dtype=np.int8)
