"""The instrument library: definitions as data, one registry, one scoring engine.

Public interface (the contract is /work/shared/clinical/instruments.md)::

    from tandem.domain.instruments import score, score_batch, REGISTRY, get, Score, Instrument

    score("phq9", [1, 2, 0, 3, 1, 0, 2, 0, 1])          # -> Score(total=10, band="moderate", ...)
    score("auditc", [2, 1, 0], sex="female")
    score("pcl5", answers, pcl5_cutoff=31)             # the program's cut-off, 31-33
    score_batch("phq9", rows)                           # -> BatchScores (NumPy arrays)

Errors come from ``tandem.domain.errors``: ``UnknownInstrument``, ``WrongAnswerCount``
and ``InvalidAnswer`` (both ``NotScorable``), ``InvalidOption``. ``score_batch`` imports
NumPy on first use only, so scoring one set of answers starts fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tandem.domain.instruments.answers import Answer
from tandem.domain.instruments.definitions.anxiety_trauma import (
    PCL5_CUTOFF_RANGE,
    PCL5_DEFAULT_CUTOFF,
)
from tandem.domain.instruments.engine import score
from tandem.domain.instruments.model import Instrument, Item, Option, Score
from tandem.domain.instruments.registry import REGISTRY, get

if TYPE_CHECKING:
    from tandem.domain.instruments.batch import BatchScores

__all__ = [
    "PCL5_CUTOFF_RANGE",
    "PCL5_DEFAULT_CUTOFF",
    "REGISTRY",
    "Answer",
    "Instrument",
    "Item",
    "Option",
    "Score",
    "get",
    "score",
    "score_batch",
]


def score_batch(
    instrument_id: str,
    rows: Sequence[Sequence[Answer]],
    sex: str | None = None,
    substance: str | None = None,
    sexes: Sequence[str | None] | None = None,
    substances: Sequence[str | None] | None = None,
    pcl5_cutoff: int | None = None,
) -> BatchScores:
    """Score many rows at once with NumPy; a bad row gets its message, the rest a score.

    ``sex``/``substance`` hold for every row; ``sexes``/``substances`` (one per row,
    ``None`` or ``""`` for no override) override them row by row. Each row is scored
    exactly as ``score`` would score it (see ``batch.BatchScores``). ``pcl5_cutoff`` as
    for ``score``.
    """
    from tandem.domain.instruments.batch import score_rows

    return score_rows(instrument_id, rows, sex, substance, sexes, substances, pcl5_cutoff)
