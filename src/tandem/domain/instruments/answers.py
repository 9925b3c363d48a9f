"""Reading one set of answers: count, allowed values, branching skips, scoring options.

The rules are those of instruments.md: answers come in item order; ``-`` (or ``None``)
marks a question the form's own branching skipped and is allowed only where an item's
``SkipWhen`` (or the optional difficulty item) says so. Anything else raises a named
error whose message names the instrument, the item (1-based) and what is allowed;
nothing is ever guessed (facts.md s2.1: no prorating rule is published).
"""

from __future__ import annotations

from collections.abc import Sequence

from tandem.domain.errors import InvalidAnswer, InvalidOption, WrongAnswerCount
from tandem.domain.instruments.model import Instrument, Item

Answer = int | str | None
SKIP_MARK = "-"


class _Skip:
    """A branching skip (``-`` or ``None``)."""


class _Unreadable:
    """An answer that is neither an integer nor a skip; keeps its text for the message."""

    def __init__(self, shown: str) -> None:
        self.shown = shown


SKIP = _Skip()
Parsed = int | _Skip | _Unreadable


def parse_answer(raw: Answer) -> Parsed:
    """An answer as an int, a skip, or unreadable (whitespace around text is ignored)."""
    if raw is None:
        return SKIP
    if isinstance(raw, bool):  # bool is an int subclass; True is not an answer code
        return _Unreadable(str(raw))
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str):
        text = raw.strip()
        if text == SKIP_MARK:
            return SKIP
        if text.isascii() and text.isdigit():
            return int(text)
        return _Unreadable(text or "(empty)")
    return _Unreadable(repr(raw))


def shown(parsed: Parsed) -> str:
    if isinstance(parsed, _Skip):
        return SKIP_MARK
    if isinstance(parsed, _Unreadable):
        return parsed.shown
    return str(parsed)


def allowed_text(values: Sequence[int | str]) -> str:
    return ", ".join(str(value) for value in values)


def check_count(instrument: Instrument, given: int) -> None:
    """``WrongAnswerCount`` unless ``given`` is the required count (or all items)."""
    required, everything = instrument.required_count, instrument.item_count
    if given in (required, everything):
        return
    expected = f"expected {required} answers"
    if everything != required:
        expected += f" ({everything} with the difficulty item)"
    raise WrongAnswerCount(instrument.id, f"{expected}, got {given}")


def read_answers(instrument: Instrument, answers: Sequence[Answer]) -> tuple[int, ...]:
    """The answer values of the required items, a branching skip read as 0.

    The optional difficulty item is checked but not returned: it is never scored.
    """
    check_count(instrument, len(answers))
    values: list[int] = []
    for item, raw in zip(instrument.items, answers, strict=False):
        value = read_item(instrument, item, parse_answer(raw), values)
        if not item.optional:
            values.append(value)
    return tuple(values)


def read_item(instrument: Instrument, item: Item, parsed: Parsed, earlier: list[int]) -> int:
    """One item's value; ``earlier`` holds the values of the items before it."""
    if item.skip is not None and earlier[item.skip.gate - 1] in item.skip.values:
        if isinstance(parsed, _Skip) or parsed == 0:
            return 0
        gate_value = earlier[item.skip.gate - 1]
        raise InvalidAnswer(
            instrument.id,
            item.number,
            f"{shown(parsed)} is not one of {SKIP_MARK}, 0 "
            f"(item {item.skip.gate} is {gate_value}, so item {item.number} is skipped)",
        )
    if isinstance(parsed, _Skip) and item.optional:
        return 0
    if isinstance(parsed, int) and parsed in item.values:
        return parsed
    problem = f"{shown(parsed)} is not one of {allowed_text(item.values)}"
    if isinstance(parsed, _Skip) and item.skip is not None:
        gate_values = " or ".join(str(v) for v in item.skip.values)
        problem += f" (a skip is allowed only when item {item.skip.gate} is {gate_values})"
    raise InvalidAnswer(instrument.id, item.number, problem)


def read_option(instrument: Instrument, sex: str | None, substance: str | None) -> str | None:
    """The scoring option that applies (``sex`` or ``substance``), or ``None`` if none does.

    An option the instrument does not use is ignored, so callers may always pass the
    patient's sex. A required option that is missing, or an unknown value, raises
    ``InvalidOption`` naming the allowed values (instruments.md).
    """
    option = instrument.option
    if option is None:
        return None
    given = sex if option.name == "sex" else substance
    if given is None or given == "":
        if option.default is None:
            raise InvalidOption(
                f"{instrument.id}: {option.name} is required: one of {allowed_text(option.values)}"
            )
        return option.default
    if given not in option.values:
        raise InvalidOption(
            f"{instrument.id}: {option.name}: {given} is not one of {allowed_text(option.values)}"
        )
    return given
