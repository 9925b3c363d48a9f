"""Part 2 consent terms and the matching of a disclosure against them (issue 13)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from tandem.domain.consent import (
    KINDS,
    NOTICE,
    PURPOSES,
    ConsentTerms,
    DisclosureAsked,
    scope_statement,
    term_problems,
    what_is_lacking,
)

SIGNED = dt.date(2026, 3, 1)
NAMED = ConsentTerms(
    recipient_kind="organization",
    recipient_name="Harbor Health Plan",
    purposes=("payment",),
    purpose_other="",
    all_records=False,
    kinds=("diagnoses_formulation", "attendance"),
    period="until_date",
    ends_on=dt.date(2026, 12, 31),
    signed_on=SIGNED,
)
TPO = dataclasses.replace(
    NAMED,
    recipient_kind="tpo",
    recipient_name="",
    purposes=("treatment", "payment", "health_care_operations"),
    all_records=True,
    kinds=(),
    period="none",
    ends_on=None,
)
ASKED = DisclosureAsked(
    recipient_kind="organization",
    recipient_name="harbor  health plan",
    purpose="payment",
    kinds=("attendance",),
    on=dt.date(2026, 6, 1),
    treatment_ended=False,
)


def test_a_matching_disclosure_is_covered() -> None:
    assert what_is_lacking(NAMED, ASKED) == []


def test_each_mismatch_is_named() -> None:
    asked = dataclasses.replace(
        ASKED,
        recipient_name="Another Plan",
        purpose="research",
        kinds=("attendance", "drug_screens"),
        on=dt.date(2027, 1, 2),
    )
    lacking = what_is_lacking(NAMED, asked)
    assert "expired on 2026-12-31" in lacking
    assert "purpose research is not consented to" in lacking
    assert "does not cover drug_screens" in lacking
    assert any("not 'Another Plan'" in item for item in lacking)


def test_revocation_ends_a_consent_from_that_day() -> None:
    revoked = dataclasses.replace(NAMED, revoked_on=dt.date(2026, 6, 1))
    assert what_is_lacking(revoked, dataclasses.replace(ASKED, on=dt.date(2026, 5, 31))) == []
    assert what_is_lacking(revoked, ASKED) == ["revoked on 2026-06-01"]


def test_end_of_treatment_and_the_tpo_class() -> None:
    until_end = dataclasses.replace(NAMED, period="end_of_treatment", ends_on=None)
    ended = dataclasses.replace(ASKED, treatment_ended=True)
    assert what_is_lacking(until_end, ended) == ["expired at the end of treatment"]
    to_plan = dataclasses.replace(ASKED, recipient_kind="tpo")
    assert what_is_lacking(TPO, to_plan) == []
    assert what_is_lacking(TPO, ASKED)[0].startswith("covers treating providers")


def test_missing_elements_are_named_by_field() -> None:
    today = dt.date(2026, 6, 1)
    assert term_problems(NAMED, today) == []
    assert term_problems(TPO, today) == []
    cases = {
        "recipient_name": dataclasses.replace(NAMED, recipient_name=" "),
        "purposes": dataclasses.replace(TPO, purposes=("research",)),
        "purpose_other": dataclasses.replace(NAMED, purposes=("other",)),
        "kinds": dataclasses.replace(NAMED, kinds=()),
        "ends_on": dataclasses.replace(NAMED, ends_on=None),
        "period": dataclasses.replace(NAMED, period="none", ends_on=None),
        "signed_on": dataclasses.replace(NAMED, signed_on=dt.date(2026, 6, 2)),
    }
    for field, terms in cases.items():
        assert [f for f, _ in term_problems(terms, today)] == [field], field


def test_the_notice_is_part_2_statement_2_and_the_scope_is_stated() -> None:
    assert NOTICE == "42 CFR part 2 prohibits unauthorized use or disclosure of these records."
    assert "Harbor Health Plan" in scope_statement(NAMED)
    assert "until revoked" in scope_statement(TPO)


@given(
    purpose=st.sampled_from(PURPOSES[:3]),
    kinds=st.lists(st.sampled_from(KINDS), min_size=1, unique=True),
    days=st.integers(0, 3000),
)
def test_an_unrevoked_all_records_tpo_consent_covers_every_tpo_disclosure(
    purpose: str, kinds: list[str], days: int
) -> None:
    asked = DisclosureAsked(
        "tpo", "Dr Lee", purpose, tuple(kinds), SIGNED + dt.timedelta(days), True
    )
    assert what_is_lacking(TPO, asked) == []
