"""The instrument catalogue, generated from the registry: ``docs/clinical/instruments.md``."""

from __future__ import annotations

from tandem.domain.instruments import REGISTRY, Instrument
from tandem.domain.instruments.model import (
    AtLeast,
    BandTable,
    CriteriaMet,
    Criterion,
    FlagRule,
    Item,
    ItemAtLeast,
    Tiers,
)

TARGET = "docs/clinical/instruments.md"

INTRO = """\
# Instrument catalogue

Generated from `tandem.domain.instruments` by `python -m tandem.docs_gen` (`make docs`);
do not edit by hand. The scoring contract (answer encodings, `tandem score`) is
`/work/shared/clinical/instruments.md`; sources, licences and LOINC codes come from
`facts.md` s1-s2, whose marks are kept: (V) verified against the primary source, (V2)
verified through a secondary source only, UNVERIFIED not confirmed. Screens are not
diagnoses; any sign of suicide risk goes to a clinician.
"""


def render() -> str:
    parts = [INTRO, summary_table(), *(section(i) for i in REGISTRY.values())]
    return "\n".join(parts)


def summary_table() -> str:
    lines = [
        "## Summary",
        "",
        "| id | instrument | items | total | bands | positive screen | item wording |",
        "|---|---|---|---|---|---|---|",
    ]
    for instrument in REGISTRY.values():
        cells = (
            f"`{instrument.id}`",
            instrument.name,
            items_count(instrument),
            f"0-{instrument.total.maximum}" if instrument.total else "none (risk tier)",
            ", ".join(f"`{key}`" for key in instrument.band_keys) or "none",
            positive_rule(instrument),
            "shipped" if any(item.text for item in instrument.items) else "not shipped",
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def items_count(instrument: Instrument) -> str:
    extra = instrument.item_count - instrument.required_count
    if extra:
        return f"{instrument.required_count} (+{extra} unscored difficulty item)"
    return str(instrument.item_count)


def positive_rule(instrument: Instrument) -> str:
    rule = instrument.positive
    if isinstance(rule, AtLeast):
        return "; ".join(
            f"total >= {c.threshold}" + (f" ({c.applies_to})" if c.applies_to else "")
            for c in rule.cutoffs
        )
    return f"band is not `{rule.band}`"


def section(instrument: Instrument) -> str:
    blocks = [
        f"## {instrument.name} (`{instrument.id}`)",
        "",
        f"- Version: {instrument.version}",
        f"- Source: {instrument.source}",
        f"- Licence: {instrument.licence.terms} ({instrument.licence.source})",
        f"- Item wording: {wording(instrument)}",
        f"- LOINC: {loinc(instrument)}",
        "",
        scoring(instrument),
        items_table(instrument),
    ]
    if instrument.notes:
        blocks.append("Notes:\n\n" + "\n".join(f"- {note}" for note in instrument.notes) + "\n")
    return "\n".join(blocks)


def wording(instrument: Instrument) -> str:
    if any(item.text for item in instrument.items):
        missing = [str(item.number) for item in instrument.items if item.text is None]
        return "shipped" + (f", except item {', '.join(missing)}" if missing else "")
    if instrument.licence.wording_reproducible:
        return "may be reproduced, not transcribed yet: the clinic supplies it"
    return "not shipped (licensed): the clinic supplies it; forms show 'Item N'"


def loinc(instrument: Instrument) -> str:
    codes = [
        f"panel {instrument.panel_loinc}" if instrument.panel_loinc else "",
        f"total {instrument.total_loinc}" if instrument.total_loinc else "",
    ]
    listed = "; ".join(code for code in codes if code)
    return "; ".join(part for part in (listed, instrument.loinc_note) if part)


def scoring(instrument: Instrument) -> str:
    lines = ["### Scoring", ""]
    if instrument.total:
        lines.append(f"- Total: {instrument.total.description}.")
    if instrument.option:
        option = instrument.option
        default = f"default {option.default}" if option.default else "required"
        lines.append(f"- `{option.name}`: {', '.join(option.values)} ({default}; {option.source}).")
    if isinstance(instrument.positive, AtLeast):
        for cutoff in instrument.positive.cutoffs:
            who = f" for {cutoff.applies_to}" if cutoff.applies_to else ""
            lines.append(f"- Positive{who}: total >= {cutoff.threshold} ({cutoff.source}).")
    else:
        lines.append(f"- Positive: {positive_rule(instrument)} ({instrument.positive.source}).")
    lines += [
        f"- Flag `{flag.name}`: {flag_rule(flag)} ({flag.source})." for flag in instrument.flags
    ]
    lines += [
        f"- Subscore `{sub.key}`: sum of items {span(sub.items)}." for sub in instrument.subscores
    ]
    return "\n".join(lines) + "\n\n" + bands(instrument)


def span(numbers: tuple[int, ...]) -> str:
    return f"{numbers[0]}-{numbers[-1]}" if len(numbers) > 1 else str(numbers[0])


def flag_rule(flag: FlagRule) -> str:
    if isinstance(flag, ItemAtLeast):
        return f"item {flag.item} >= {flag.at_least}"
    assert isinstance(flag, CriteriaMet)
    return "; and ".join(criterion_text(c) for c in flag.criteria)


def criterion_text(criterion: Criterion) -> str:
    groups: dict[int, list[int]] = {}
    for number, at_least in criterion.counts:
        groups.setdefault(at_least, []).append(number)
    parts = [
        f"item{'s' if len(numbers) > 1 else ''} {span(tuple(numbers))} at >= {at_least}"
        for at_least, numbers in groups.items()
    ]
    rule = f"at least {criterion.min_count} of: {', '.join(parts)}"
    if criterion.including_one_of:
        rule += f"; including item {' or '.join(map(str, criterion.including_one_of))}"
    return rule


def bands(instrument: Instrument) -> str:
    if isinstance(instrument.bands, Tiers):
        lines = ["| risk tier | when any of (item = answer) | source |", "|---|---|---|"]
        for tier in instrument.bands.tiers:
            when = ", ".join(f"item {n} = {answer}" for n, answer in tier.any_of)
            lines.append(f"| `{tier.key}` | {when} | {tier.source} |")
        lines.append(f"| `{instrument.bands.otherwise}` | none of the above | |")
        return "\n".join(lines) + "\n"
    if not instrument.bands:
        return "No severity bands.\n"
    return "\n".join(band_table(table) for table in instrument.bands)


def band_table(table: BandTable) -> str:
    title = f"Bands for `{table.applies_to}`" if table.applies_to else "Bands"
    lines = [f"{title} ({table.source}):", "", "| band | total | meaning |", "|---|---|---|"]
    lines += [f"| `{b.key}` | {b.low}-{b.high} | {b.label} |" for b in table.bands]
    return "\n".join(lines) + "\n"


def items_table(instrument: Instrument) -> str:
    lines = [
        "### Items",
        "",
        "| item | LOINC | text | options (value = label) |",
        "|---|---|---|---|",
    ]
    lines += [item_row(item) for item in instrument.items]
    return "\n".join(lines) + "\n"


def item_row(item: Item) -> str:
    options = "; ".join(f"{value} = {label}" for value, label in item.options)
    if item.points is not None:
        options += " (points " + ", ".join(map(str, item.points)) + ")"
    notes = []
    if item.optional:
        notes.append("optional, unscored")
    if item.skip:
        gate_values = " or ".join(map(str, item.skip.values))
        notes.append(f"skipped (`-` or 0) when item {item.skip.gate} is {gate_values}")
    number = f"{item.number}" + (f" ({'; '.join(notes)})" if notes else "")
    text = item.text or "—"
    return f"| {number} | {item.loinc or '—'} | {text} | {options} |"
