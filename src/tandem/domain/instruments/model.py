"""What an instrument is: items, answer options, scoring rules and provenance, as data.

Every instrument in ``catalogue`` is an ``Instrument`` built from the types below; the
scoring engine (``engine.py``) and its vectorised twin (``batch.py``) interpret them, so
no instrument has scoring code of its own. The contract these types encode is
``/work/shared/clinical/instruments.md`` ("instruments.md" below); sources, licences and
LOINC codes are ``facts.md`` s1-s2.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


class Option(NamedTuple):
    """One answer option: the value given in ``answers`` and its label."""

    value: int
    label: str


@dataclass(frozen=True)
class SkipWhen:
    """The form skips this item when item ``gate`` was answered with one of ``values``.

    A skipped item is given as ``-`` (or ``None``) or 0 and scores 0; any other answer
    is an error. When the gate is open the item must be answered (instruments.md).
    """

    gate: int
    values: tuple[int, ...]


@dataclass(frozen=True)
class Item:
    """One question. ``text`` is ``None`` where the licence does not let us ship wording.

    ``points`` gives the points of each option, aligned with ``options``; ``None`` means
    an option scores its value. An ``optional`` item (the PHQ-9/GAD-7 difficulty item)
    may be left out or given as ``-``, and is never scored.
    """

    number: int
    text: str | None
    options: tuple[Option, ...]
    loinc: str | None = None
    points: tuple[int, ...] | None = None
    optional: bool = False
    skip: SkipWhen | None = None

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(option.value for option in self.options)

    def points_for(self, value: int) -> int:
        """Points of an allowed answer value (DAST-10 item 3 and ASSIST map codes)."""
        if self.points is None:
            return value
        return self.points[self.values.index(value)]


@dataclass(frozen=True)
class Licence:
    """Whether item wording may be reproduced, and on what terms (facts.md s1-s2).

    Tandem ships an item's text only where ``wording_reproducible`` is true and the
    wording was transcribed from a cited source; elsewhere the clinic supplies it.
    """

    wording_reproducible: bool
    terms: str
    source: str


@dataclass(frozen=True)
class ScoringOption:
    """A per-patient scoring option: ``sex`` (AUDIT-C) or ``substance`` (SDS, ASSIST).

    ``default`` is ``None`` when the option is required.
    """

    name: str
    values: tuple[str, ...]
    default: str | None
    source: str


@dataclass(frozen=True)
class Total:
    """Total = sum over ``domains`` of the highest points within each domain.

    A plain sum has one item per domain; QIDS-SR16 groups items (facts.md s2.12).
    """

    domains: tuple[tuple[int, ...], ...]
    maximum: int
    description: str

    @property
    def items(self) -> tuple[int, ...]:
        return tuple(number for domain in self.domains for number in domain)


def plain_sum(first: int, last: int, maximum: int) -> Total:
    """The total of items ``first``..``last`` added up."""
    return Total(
        domains=tuple((n,) for n in range(first, last + 1)),
        maximum=maximum,
        description=f"sum of items {first}-{last}, 0-{maximum}",
    )


@dataclass(frozen=True)
class Band:
    """A severity band ``low``..``high`` (inclusive) of the total."""

    key: str
    low: int
    high: int
    label: str


@dataclass(frozen=True)
class BandTable:
    """Bands covering the whole range of the total; ``applies_to`` an option value or all."""

    bands: tuple[Band, ...]
    source: str
    applies_to: str | None = None


@dataclass(frozen=True)
class Tier:
    """A risk tier reached when any ``(item, value)`` pair in ``any_of`` is answered."""

    key: str
    any_of: tuple[tuple[int, int], ...]
    source: str


@dataclass(frozen=True)
class Tiers:
    """The first tier (highest first) whose condition holds, else ``otherwise``."""

    tiers: tuple[Tier, ...]
    otherwise: str


@dataclass(frozen=True)
class Cutoff:
    """Positive when the total is at least ``threshold``; ``applies_to`` an option value."""

    threshold: int
    source: str
    applies_to: str | None = None


@dataclass(frozen=True)
class AtLeast:
    """Positive screen: the total reaches the cut-off that applies."""

    cutoffs: tuple[Cutoff, ...]


@dataclass(frozen=True)
class BandIsNot:
    """Positive screen: the band (or tier) is anything but ``band``."""

    band: str
    source: str


@dataclass(frozen=True)
class ItemAtLeast:
    """Flag ``name`` when item ``item`` is answered ``at_least`` or more."""

    name: str
    item: int
    at_least: int
    source: str


@dataclass(frozen=True)
class Criterion:
    """At least ``min_count`` of ``counts`` hold (item answered at its threshold or more),
    and, when ``including_one_of`` is given, one of those items is among them."""

    counts: tuple[tuple[int, int], ...]
    min_count: int
    including_one_of: tuple[int, ...] = ()


@dataclass(frozen=True)
class CriteriaMet:
    """Flag ``name`` when every criterion holds (PHQ-9 syndrome, PCL-5 provisional PTSD)."""

    name: str
    criteria: tuple[Criterion, ...]
    source: str


@dataclass(frozen=True)
class Subscore:
    """Sum of the points of ``items`` (PCL-5 symptom clusters)."""

    key: str
    items: tuple[int, ...]


PositiveRule = AtLeast | BandIsNot
FlagRule = ItemAtLeast | CriteriaMet


@dataclass(frozen=True)
class Instrument:
    """A validated questionnaire as data: items, scoring, bands, cut-offs, provenance."""

    id: str
    name: str
    version: str
    source: str
    licence: Licence
    items: tuple[Item, ...]
    total: Total | None
    bands: tuple[BandTable, ...] | Tiers | None
    positive: PositiveRule
    flags: tuple[FlagRule, ...] = ()
    subscores: tuple[Subscore, ...] = ()
    option: ScoringOption | None = None
    panel_loinc: str | None = None
    total_loinc: str | None = None
    loinc_note: str = ""
    notes: tuple[str, ...] = field(default=())
    # The form's own instruction above the items, where the licence lets us ship it.
    instruction: str | None = None

    @property
    def item_count(self) -> int:
        """Every item, the unscored optional one included (the form's questions)."""
        return len(self.items)

    @property
    def self_administrable(self) -> bool:
        """Whether a person may answer it on their own in the portal: the licence lets the
        wording be reproduced and the catalogue ships the wording of every scored item
        (portal.md: PHQ-9, PHQ-2 and GAD-7; instruments.md, facts.md s2)."""
        return self.licence.wording_reproducible and all(
            item.text for item in self.items if not item.optional
        )

    @property
    def required_count(self) -> int:
        """Answers that must be given: every item but the trailing optional ones."""
        return sum(1 for item in self.items if not item.optional)

    def item(self, number: int) -> Item:
        return self.items[number - 1]

    def band_table(self, option_value: str | None) -> BandTable | None:
        """The band table for this option value (``None`` when bands are tiers or absent)."""
        if not isinstance(self.bands, tuple):
            return None
        for table in self.bands:
            if table.applies_to in (None, option_value):
                return table
        return None

    def cutoff(self, option_value: str | None) -> Cutoff | None:
        """The cut-off of an ``AtLeast`` rule for this option value."""
        if not isinstance(self.positive, AtLeast):
            return None
        for cutoff in self.positive.cutoffs:
            if cutoff.applies_to in (None, option_value):
                return cutoff
        return None

    @property
    def band_keys(self) -> tuple[str, ...]:
        """Every band (or tier) key this instrument can give, in order, without repeats."""
        if isinstance(self.bands, Tiers):
            return (*(tier.key for tier in self.bands.tiers), self.bands.otherwise)
        keys: dict[str, None] = {}
        for table in self.bands or ():
            keys.update((band.key, None) for band in table.bands)
        return tuple(keys)

    @property
    def flag_names(self) -> tuple[str, ...]:
        return tuple(sorted(flag.name for flag in self.flags))


@dataclass(frozen=True)
class Score:
    """The result of scoring one set of answers (the ``--json`` object of instruments.md)."""

    instrument: str
    total: int | None
    band: str | None
    positive: bool
    flags: tuple[str, ...] = ()
    subscores: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "instrument": self.instrument,
            "total": self.total,
            "band": self.band,
            "positive": self.positive,
            "flags": list(self.flags),
            "subscores": dict(self.subscores),
        }
