"""42 CFR Part 2 consent, as structured terms a disclosure is matched against (issue 13).

Sources: docs/clinical facts s13 ([ECFR] 42 CFR 2.31(a), 2.32, 2.33, 2.25, 2.51; the
2024 final rule, 89 FR 12472, compliance from 16 February 2026). Part 2 lists what a
written consent must contain (2.31(a)): who may disclose; how much and what kind of
information; the recipients (a single consent for all future treatment, payment and
health care operations, "TPO", may name that class, 2.33(a)(2)); the purpose (TPO is
sufficient); the right to revoke in writing and how; when it expires (an end date or an
event such as "end of treatment"; "none" is allowed for a TPO consent); the signature
and the date. Every one is a field here, never free text to be read by a person, so a
disclosure can be checked against it and the refusal can say what the consent lacks.

Pure: the caller passes the day of the disclosure and whether treatment has ended.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

PURPOSES = ("treatment", "payment", "health_care_operations", "research", "other")
TPO_PURPOSES = frozenset({"treatment", "payment", "health_care_operations"})
RECIPIENT_KINDS = ("person", "organization", "tpo")
# What a consent may cover, when it does not cover all Part 2 records. Tandem keeps no
# SUD counselling notes; adding any would need their own consent (facts s13).
KINDS = (
    "diagnoses_formulation",
    "plan",
    "questionnaire_scores",
    "drug_screens",
    "check_ins",
    "attendance",
)
PERIODS = ("until_date", "end_of_treatment", "none")
SIGNATURES = ("typed", "scanned")

# 42 CFR 2.32(a)(2), statement 2, verbatim (facts s13). Statement 1, the long form, is to
# be copied verbatim from eCFR before release (facts s13: "Store exact text from eCFR");
# until then every disclosure carries statement 2 and an explanation of the consent's
# scope, which 2.32 also allows.
NOTICE = "42 CFR part 2 prohibits unauthorized use or disclosure of these records."


@dataclass(frozen=True)
class ConsentTerms:
    """A signed consent's terms. ``recipient_name`` is empty for a TPO consent."""

    recipient_kind: str
    recipient_name: str
    purposes: tuple[str, ...]
    purpose_other: str
    all_records: bool
    kinds: tuple[str, ...]
    period: str
    ends_on: dt.date | None
    signed_on: dt.date
    revoked_on: dt.date | None = None


@dataclass(frozen=True)
class DisclosureAsked:
    """What someone wants to disclose: to whom, why, which kinds, on which day."""

    recipient_kind: str
    recipient_name: str
    purpose: str
    kinds: tuple[str, ...]
    on: dt.date
    treatment_ended: bool


def term_problems(terms: ConsentTerms, today: dt.date) -> list[tuple[str, str]]:
    """(field, what is wrong) for each required element missing or out of range."""
    problems: list[tuple[str, str]] = []
    if terms.recipient_kind not in RECIPIENT_KINDS:
        problems.append(("recipient_kind", f"expected one of {', '.join(RECIPIENT_KINDS)}"))
    elif terms.recipient_kind != "tpo" and not terms.recipient_name.strip():
        problems.append(("recipient_name", "name the person or organization"))
    if not terms.purposes or any(p not in PURPOSES for p in terms.purposes):
        problems.append(("purposes", f"one or more of {', '.join(PURPOSES)}"))
    elif terms.recipient_kind == "tpo" and not set(terms.purposes) <= TPO_PURPOSES:
        problems.append(("purposes", "a TPO consent covers treatment, payment and operations only"))
    if "other" in terms.purposes and not terms.purpose_other.strip():
        problems.append(("purpose_other", "describe the other purpose"))
    if not terms.all_records and (not terms.kinds or any(k not in KINDS for k in terms.kinds)):
        problems.append(("kinds", f"all records, or one or more of {', '.join(KINDS)}"))
    problems.extend(_period_problems(terms))
    if terms.signed_on > today:
        problems.append(("signed_on", "the date it was signed, today or earlier"))
    return problems


def _period_problems(terms: ConsentTerms) -> list[tuple[str, str]]:
    if terms.period not in PERIODS:
        return [("period", f"expected one of {', '.join(PERIODS)}")]
    if terms.period == "until_date" and (terms.ends_on is None or terms.ends_on < terms.signed_on):
        return [("ends_on", "a date on or after the day it was signed")]
    if terms.period == "none" and terms.recipient_kind != "tpo":
        return [("period", "only a TPO consent may run without an end")]
    return []


def what_is_lacking(terms: ConsentTerms, asked: DisclosureAsked) -> list[str]:
    """Everything that keeps this consent from covering this disclosure (empty: covered)."""
    lacking: list[str] = []
    if terms.revoked_on is not None and asked.on >= terms.revoked_on:
        lacking.append(f"revoked on {terms.revoked_on.isoformat()}")
    if asked.on < terms.signed_on:
        lacking.append(f"not signed until {terms.signed_on.isoformat()}")
    if terms.period == "until_date" and terms.ends_on is not None and asked.on > terms.ends_on:
        lacking.append(f"expired on {terms.ends_on.isoformat()}")
    if terms.period == "end_of_treatment" and asked.treatment_ended:
        lacking.append("expired at the end of treatment")
    lacking.extend(_recipient_lacking(terms, asked))
    if asked.purpose not in terms.purposes:
        lacking.append(f"purpose {asked.purpose} is not consented to")
    if not terms.all_records:
        missing = [kind for kind in asked.kinds if kind not in terms.kinds]
        if missing:
            lacking.append(f"does not cover {', '.join(missing)}")
    return lacking


def _recipient_lacking(terms: ConsentTerms, asked: DisclosureAsked) -> list[str]:
    if terms.recipient_kind == "tpo":
        if asked.recipient_kind != "tpo":
            return ["covers treating providers, plans and payers (TPO) only, not this recipient"]
        return []
    if asked.recipient_kind != terms.recipient_kind or _name(asked.recipient_name) != _name(
        terms.recipient_name
    ):
        return [f"names {terms.recipient_name!r} as the recipient, not {asked.recipient_name!r}"]
    return []


def _name(text: str) -> str:
    return " ".join(text.casefold().split())


def scope_statement(terms: ConsentTerms) -> str:
    """The consent's scope in words, to accompany a disclosure made under it (2.32)."""
    recipient = (
        "treating providers, health plans, third-party payers and people helping to operate "
        "this program (TPO)"
        if terms.recipient_kind == "tpo"
        else terms.recipient_name
    )
    kinds = "all Part 2 records" if terms.all_records else ", ".join(terms.kinds)
    until = {
        "until_date": f"until {terms.ends_on.isoformat() if terms.ends_on else ''}",
        "end_of_treatment": "until the end of treatment",
        "none": "until revoked",
    }[terms.period]
    purposes = ", ".join(terms.purposes)
    return (
        f"Disclosed under the patient's written consent of {terms.signed_on.isoformat()} "
        f"to {recipient}, for {purposes}, covering {kinds}, {until}."
    )
