"""Hypothesis strategies for instrument answers, shared by the property tests."""

from __future__ import annotations

from hypothesis import strategies as st

from tandem.domain.instruments import REGISTRY, Instrument

Answer = int | str | None

instruments = st.sampled_from(list(REGISTRY.values()))


@st.composite
def valid_answers(draw: st.DrawFn, instrument: Instrument) -> list[Answer]:
    """Answers the form could produce: branching skips only where the rules allow."""
    answers: list[Answer] = []
    for item in instrument.items:
        if item.optional:
            if draw(st.booleans()):
                answers.append(draw(st.sampled_from([*item.values, "-", None])))
            continue
        gate = item.skip
        if gate is not None and answers[gate.gate - 1] in gate.values:
            answers.append(draw(st.sampled_from(["-", None, 0])))
        else:
            answers.append(draw(st.sampled_from(item.values)))
    return answers


def option_for(instrument: Instrument) -> st.SearchStrategy[dict[str, str]]:
    """Keyword arguments with an allowed sex or substance (or none where none is needed)."""
    if instrument.option is None:
        return st.just({})
    values = st.sampled_from(instrument.option.values)
    return values.map(lambda value: {instrument.option.name: value} if instrument.option else {})


# Anything a CSV cell or a caller might send, valid or not.
ANY_CELL: st.SearchStrategy[Answer] = st.one_of(
    st.integers(min_value=-2, max_value=11),
    st.sampled_from(["-", "", " 3", "03", "x", "1.0", "١"]),
    st.none(),
    st.just(True),  # a bool is not an answer code, though it is an int
)
