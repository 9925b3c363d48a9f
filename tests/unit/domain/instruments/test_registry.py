"""The registry holds the eleven instruments of instruments.md, consistent and sourced."""

from __future__ import annotations

import pytest

from tandem.domain.instruments import REGISTRY, Instrument, get
from tandem.domain.instruments.model import (
    AtLeast,
    BandTable,
    CriteriaMet,
    ItemAtLeast,
    Tiers,
)

IDS = ["phq9", "phq2", "gad7", "cssrs", "pcl5", "auditc", "dast10", "sds", "assist",
       "qids_sr16", "isi"]  # fmt: skip
ITEMS = {"phq9": 10, "phq2": 2, "gad7": 8, "cssrs": 6, "pcl5": 20, "auditc": 3, "dast10": 10,
         "sds": 5, "assist": 6, "qids_sr16": 16, "isi": 7}  # fmt: skip

INSTRUMENTS = [REGISTRY[i] for i in IDS]


def test_the_registry_holds_the_instruments_of_the_contract_in_order() -> None:
    assert list(REGISTRY) == IDS
    assert {i: REGISTRY[i].item_count for i in IDS} == ITEMS
    assert get("phq9").required_count == 9
    assert get("gad7").required_count == 7


@pytest.mark.parametrize("instrument", INSTRUMENTS, ids=lambda i: i.id)
def test_items_are_numbered_and_have_labelled_options(instrument: Instrument) -> None:
    assert [item.number for item in instrument.items] == list(range(1, instrument.item_count + 1))
    for item in instrument.items:
        assert item.options, f"{instrument.id} item {item.number} has no options"
        assert all(isinstance(v, int) and label for v, label in item.options)
        assert item.points is None or len(item.points) == len(item.options)
    assert all(item.optional for item in instrument.items[instrument.required_count :])


@pytest.mark.parametrize("instrument", INSTRUMENTS, ids=lambda i: i.id)
def test_wording_ships_only_where_the_licence_allows(instrument: Instrument) -> None:
    if not instrument.licence.wording_reproducible:
        assert all(item.text is None for item in instrument.items)
    assert instrument.licence.terms
    assert instrument.licence.source


def test_wording_shipped_for_the_pfizer_instruments_only() -> None:
    shipped = {i.id for i in INSTRUMENTS if any(item.text for item in i.items)}
    assert shipped == {"phq9", "phq2", "gad7"}
    assert get("isi").licence.wording_reproducible is False
    assert get("phq9").item(9).text == (
        "Thoughts that you would be better off dead or of hurting yourself in some way"
    )


def test_loinc_codes_are_those_of_facts_md() -> None:
    phq9 = get("phq9")
    assert (phq9.panel_loinc, phq9.total_loinc) == ("44249-1", "44261-6")
    assert [item.loinc for item in phq9.items] == [
        "44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5",
        "44253-3", "44260-8", "69722-7",
    ]  # fmt: skip
    assert (get("phq2").panel_loinc, get("phq2").total_loinc) == ("55757-9", "55758-7")
    assert [i.loinc for i in get("gad7").items] == [
        "69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7", None,
    ]  # fmt: skip
    assert (get("gad7").panel_loinc, get("gad7").total_loinc) == ("69737-5", "70274-6")
    assert [i.loinc for i in get("cssrs").items] == [
        "93246-7", "93247-5", "93248-3", "93249-1", "93250-9", "93267-3",
    ]  # fmt: skip
    assert [i.loinc for i in get("auditc").items] == ["68518-0", "68519-8", "68520-6"]
    assert (get("auditc").panel_loinc, get("auditc").total_loinc) == ("72109-2", "75626-2")
    assert (get("dast10").panel_loinc, get("dast10").total_loinc) == ("82666-9", "82667-7")
    for unverified in ("pcl5", "sds", "assist", "qids_sr16", "isi"):
        assert all(item.loinc is None for item in get(unverified).items)
        assert "UNVERIFIED" in get(unverified).loinc_note


@pytest.mark.parametrize("instrument", INSTRUMENTS, ids=lambda i: i.id)
def test_bands_cover_the_range_without_gaps(instrument: Instrument) -> None:
    if not isinstance(instrument.bands, tuple):
        return
    assert instrument.total is not None
    values = instrument.option.values if instrument.option else (None,)
    for value in values:
        table = instrument.band_table(value)
        assert isinstance(table, BandTable)
        assert table.source
        covered = [n for band in table.bands for n in range(band.low, band.high + 1)]
        assert covered == list(range(instrument.total.maximum + 1))


@pytest.mark.parametrize("instrument", INSTRUMENTS, ids=lambda i: i.id)
def test_every_option_value_has_a_sourced_cutoff(instrument: Instrument) -> None:
    values = instrument.option.values if instrument.option else (None,)
    if isinstance(instrument.positive, AtLeast):
        for value in values:
            cutoff = instrument.cutoff(value)
            assert cutoff is not None
            assert cutoff.source
    else:
        assert instrument.positive.band in instrument.band_keys


@pytest.mark.parametrize("instrument", INSTRUMENTS, ids=lambda i: i.id)
def test_rules_refer_to_required_items_only(instrument: Instrument) -> None:
    referred: set[int] = set()
    if instrument.total:
        referred |= set(instrument.total.items)
    for flag in instrument.flags:
        if isinstance(flag, ItemAtLeast):
            referred.add(flag.item)
        else:
            assert isinstance(flag, CriteriaMet)
            referred |= {n for c in flag.criteria for n, _ in c.counts}
    if isinstance(instrument.bands, Tiers):
        referred |= {n for tier in instrument.bands.tiers for n, _ in tier.any_of}
    assert referred <= set(range(1, instrument.required_count + 1))


def test_program_choices_say_so() -> None:
    for instrument_id in ("qids_sr16", "isi"):
        cutoff = get(instrument_id).cutoff(None)
        assert cutoff is not None
        assert "program's choice" in cutoff.source
    pcl5 = get("pcl5").cutoff(None)
    assert pcl5 is not None
    assert pcl5.threshold == 33
    assert "program setting" in pcl5.source


def test_the_unverified_phq9_item9_detail_is_marked() -> None:
    syndrome = next(f for f in get("phq9").flags if f.name == "major_depressive_syndrome")
    assert "UNVERIFIED" in syndrome.source


def test_only_reproducible_instruments_with_shipped_wording_are_self_administrable() -> None:
    # portal.md: PHQ-9, PHQ-2 and GAD-7 are self-administered; the rest at the clinic.
    from tandem.domain.instruments import REGISTRY as CATALOGUE

    assert {i.id for i in CATALOGUE.values() if i.self_administrable} == {"phq9", "phq2", "gad7"}
