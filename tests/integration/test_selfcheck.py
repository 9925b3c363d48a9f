"""The public self-check through the Django test client (self-check.md).

Anonymous, nothing stored unless the person asks to be contacted; the safety screen
comes before the result whenever PHQ-9 item 9 is above 0.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.apps import apps
from django.core import signing
from django.test import Client
from django.utils.html import escape

from tandem.domain.formulation.explanations import explain
from tandem.services.clock import FixedClock, use_clock
from tandem.storage.models import ContactAttempt, Organization, Referral, SelfCheckNonce
from tandem.web.selfcheck import carry

pytestmark = pytest.mark.django_db

ABOUT = {
    "started_first": "stimulant_use",
    "crash_after_use": "often",
    "use_to_lift_mood": "almost_always",
    "low_mood_without_use": "yes",
    "days_used_past_30": "4-8",
}
LOW_PHQ9 = [1, 1, 1, 1, 1, 1, 1, 1, 0]  # total 8, mild, item 9 = 0
RISK_PHQ9 = [2, 2, 2, 2, 1, 1, 1, 1, 2]  # total 14, moderate, item 9 = 2


def sealed(response: Any) -> str:
    match = re.search(rb'name="answers" value="([^"]+)"', response.content)
    assert match, "the page carries no answers"
    return match.group(1).decode()


def nonce(response: Any) -> str:
    match = re.search(rb'name="nonce" value="([^"]+)"', response.content)
    assert match, "the contact form carries no nonce"
    return match.group(1).decode()


def row_counts() -> dict[str, int]:
    return {model._meta.db_table: model.objects.count() for model in apps.get_models()}


def walk_to_overdose(client: Client, phq9: list[int]) -> str:
    response = client.post("/check/about", ABOUT)
    assert response.status_code == 200
    items = {f"item_{n}": str(v) for n, v in enumerate(phq9, start=1)}
    response = client.post("/check/feelings", {"answers": sealed(response), **items})
    assert response.status_code == 200
    if b"help is available now" in response.content:  # item 9 > 0: help comes first
        response = client.post("/check/staying-safe", {"answers": sealed(response)})
    assert b"Staying safe" in response.content
    return sealed(response)


def test_the_start_page_needs_no_login_and_promises_nothing_is_stored(client: Client) -> None:
    response = client.get("/check")
    assert response.status_code == 200
    assert b"not stored" in response.content
    assert b'href="/check/about"' in response.content


def test_the_phq9_page_shows_the_exact_registry_wording(client: Client) -> None:
    response = client.post("/check/about", ABOUT)
    text = response.content.decode()
    assert "Over the last 2 weeks, how often have you been bothered" in text
    assert "Thoughts that you would be better off dead or of hurting yourself in some way" in text
    assert "More than half the days" in text


def test_a_missing_answer_is_named_in_the_error_summary(client: Client) -> None:
    response = client.post(
        "/check/about", {k: v for k, v in ABOUT.items() if k != "crash_after_use"}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert 'class="error-summary"' in text
    assert 'href="#id_crash_after_use"' in text
    assert "In the day or two after using, does your mood drop lower than usual?: Please" in text


def test_a_missing_phq9_item_names_the_item(client: Client) -> None:
    response = client.post("/check/about", ABOUT)
    items = {f"item_{n}": "1" for n in range(1, 10) if n != 6}
    response = client.post("/check/feelings", {"answers": sealed(response), **items})
    assert response.status_code == 400
    assert 'href="#id_item_6"' in response.content.decode()
    assert "6. Feeling bad about yourself" in response.content.decode()


def test_no_risk_goes_straight_to_the_result_and_stores_nothing(client: Client) -> None:
    Organization.objects.create(name="Harbor Clinic", slug="harbor", levels_offered=["iop"])
    before = row_counts()
    token = walk_to_overdose(client, LOW_PHQ9)
    response = client.post("/check/safety", {"answers": token})
    text = response.content.decode()
    assert response.status_code == 200
    assert "Your result" in text
    assert "Using came first" in text
    assert escape(explain("use_first", "patient")) in text  # the formulation's own words
    assert "Which came first matters less than whether the two are linked" in text
    assert "Likely linked" in text
    assert "may also need care of its own" in text  # low mood stayed without use
    assert "mild depression" in text
    assert "Try not to use alone" in text  # standard overdose wording (use in past 30)
    assert "You do not need to stop using first" in text
    assert 'role="alert"' not in text  # no crisis banner without item 9
    assert row_counts() == before
    assert client.cookies.get("sessionid") is None
    assert response["Cache-Control"] == "no-store"


def test_item_9_shows_the_safety_screen_before_any_result(client: Client) -> None:
    """Help comes at once after the PHQ-9, before the overdose questions (issue 12 item 11)."""
    response = client.post("/check/about", ABOUT)
    items = {f"item_{n}": str(v) for n, v in enumerate(RISK_PHQ9, start=1)}
    response = client.post("/check/feelings", {"answers": sealed(response), **items})
    text = response.content.decode()
    assert "Before your result: help is available now" in text
    for number in ('href="tel:988"', 'href="sms:988"', 'href="tel:911"'):
        assert number in text
    assert "Your result" not in text
    assert "Staying safe" not in text  # the overdose step comes after the help
    response = client.post("/check/staying-safe", {"answers": sealed(response)})
    assert "Staying safe" in response.content.decode()
    response = client.post("/check/safety", {"answers": sealed(response), "risks": ["uses_alone"]})
    text = response.content.decode()
    assert "Your result" in text
    assert 'class="crisis"' in text  # the result repeats the crisis resources
    assert "Do not use alone." in text  # stronger wording: a risk was marked
    assert "Your overdose risk is higher" in text
    assert "moderate depression" in text
    assert "From the dates you gave" not in text  # the self-check asks no dates


def test_altered_answers_are_refused(client: Client) -> None:
    token = walk_to_overdose(client, LOW_PHQ9)
    forged = signing.dumps({**ABOUT, "phq9": [3] * 9}, salt="another-salt")
    for bad in (token[:-3] + "abc", forged, ""):
        response = client.post("/check/safety", {"answers": bad})
        assert response.status_code == 400
        assert b"Please start again" in response.content


def test_an_incomplete_but_signed_state_is_refused_at_the_result(client: Client) -> None:
    response = client.post("/check/result", {"answers": carry.seal(dict(ABOUT))})
    assert response.status_code == 400


def test_asking_to_be_contacted_creates_one_referral_with_only_what_was_shared(
    client: Client,
) -> None:
    clinic = Organization.objects.create(name="Harbor Clinic", slug="harbor", levels_offered=[])
    token = walk_to_overdose(client, RISK_PHQ9)
    response = client.post("/check/safety", {"answers": token})
    response = client.post("/check/result", {"answers": sealed(response)})
    response = client.post("/check/contact", {"answers": sealed(response)})
    assert response.status_code == 200
    text = response.content.decode()
    assert "I ask Harbor Clinic to contact me" in text
    before = row_counts()
    form = {
        "answers": sealed(response),
        "nonce": nonce(response),
        "contact_name": "Sam",
        "phone": "555-0100",
        "email": "",
        "preferred_contact": "text",
        "shared": ["result"],
        "consent": "on",
    }
    response = client.post("/check/contact/send", form)
    assert response.status_code == 200
    assert b"Harbor Clinic will contact you" in response.content
    referral = Referral.objects.get()
    assert referral.organization == clinic
    assert referral.preferred_contact == "text"
    assert "answers" not in referral.shared
    assert referral.shared["result"]["suicide_item_positive"] is True
    assert referral.consent_text.startswith("I ask Harbor Clinic to contact me")
    assert referral.consented_at is not None
    after = row_counts()
    assert after[Referral._meta.db_table] == before[Referral._meta.db_table] + 1


def test_the_contact_form_names_the_missing_field_and_saves_nothing(client: Client) -> None:
    Organization.objects.create(name="Harbor Clinic", slug="harbor", levels_offered=[])
    token = walk_to_overdose(client, LOW_PHQ9)
    response = client.post("/check/safety", {"answers": token})
    response = client.post("/check/contact", {"answers": sealed(response)})
    form = {"answers": sealed(response), "contact_name": "Sam", "preferred_contact": "email"}
    response = client.post("/check/contact/send", form)
    assert response.status_code == 400
    text = response.content.decode()
    assert 'href="#id_email"' in text
    assert 'href="#id_consent"' in text
    assert Referral.objects.count() == 0


def test_with_two_clinics_the_person_chooses_which_one_contacts_them(client: Client) -> None:
    Organization.objects.create(name="Harbor Clinic", slug="harbor", levels_offered=[])
    ridge = Organization.objects.create(name="Ridge Clinic", slug="ridge", levels_offered=[])
    token = walk_to_overdose(client, LOW_PHQ9)
    response = client.post("/check/safety", {"answers": token})
    response = client.post("/check/contact", {"answers": sealed(response)})
    form = {
        "answers": sealed(response), "nonce": nonce(response), "contact_name": "Sam",
        "email": "sam@example.org",
        "preferred_contact": "email", "consent": "on",
    }  # fmt: skip
    missing = client.post("/check/contact/send", form)
    assert missing.status_code == 400
    assert 'href="#id_clinic"' in missing.content.decode()
    response = client.post("/check/contact/send", {**form, "clinic": str(ridge.pk)})
    assert response.status_code == 200
    referral = Referral.objects.get()
    assert referral.organization == ridge
    assert referral.shared == {}  # nothing ticked: contact details only
    assert "the clinic I chose" in referral.consent_text


def _contact_form(client: Client, name: str = "Sam") -> dict[str, str]:
    token = walk_to_overdose(client, LOW_PHQ9)
    response = client.post("/check/safety", {"answers": token})
    response = client.post("/check/contact", {"answers": sealed(response)})
    assert response.status_code == 200
    return {
        "answers": sealed(response), "nonce": nonce(response), "contact_name": name,
        "phone": "555-0100", "preferred_contact": "phone", "consent": "on",
    }  # fmt: skip


def test_a_sent_contact_form_cannot_be_replayed(client: Client) -> None:
    """Review defect 13: one signed answers value was good for an hour of referrals."""
    Organization.objects.create(name="Harbor Clinic", slug="harbor", levels_offered=[])
    form = _contact_form(client)
    assert SelfCheckNonce.objects.count() == 0  # nothing stored before the person sends
    assert client.post("/check/contact/send", form).status_code == 200
    replay = client.post("/check/contact/send", form)
    assert replay.status_code == 409
    assert b"already sent" in replay.content
    assert Referral.objects.count() == 1
    stored = list(SelfCheckNonce.objects.values_list("digest", flat=True))
    assert len(stored) == 1
    assert form["nonce"] not in stored[0]
    forged = client.post("/check/contact/send", {**form, "nonce": "made-up"})
    assert forged.status_code == 400
    assert Referral.objects.count() == 1


def test_one_address_may_ask_five_times_an_hour(client: Client) -> None:
    Organization.objects.create(name="Harbor Clinic", slug="harbor", levels_offered=[])
    clock = FixedClock(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC))
    with use_clock(clock):
        for n in range(5):
            sent = client.post("/check/contact/send", _contact_form(client, f"Caller {n}"))
            assert sent.status_code == 200
        refused = client.post("/check/contact/send", _contact_form(client, "Caller 6"))
        assert refused.status_code == 429
        assert b"try again in an hour" in refused.content
        assert b"988" in refused.content
        other = Client(REMOTE_ADDR="192.0.2.44")
        assert other.post("/check/contact/send", _contact_form(other)).status_code == 200
        clock.advance(hours=1, seconds=1)
        later = client.post("/check/contact/send", _contact_form(client, "Caller 7"))
        assert later.status_code == 200
    assert Referral.objects.count() == 7
    keys = set(ContactAttempt.objects.values_list("client_key", flat=True))
    assert all("127.0.0.1" not in key and "192.0.2.44" not in key for key in keys)


def test_a_refused_contact_form_spends_nothing(client: Client) -> None:
    Organization.objects.create(name="Harbor Clinic", slug="harbor", levels_offered=[])
    form = _contact_form(client)
    bad = client.post("/check/contact/send", {**form, "phone": "call me maybe"})
    assert bad.status_code == 400
    assert SelfCheckNonce.objects.count() == ContactAttempt.objects.count() == 0
    assert client.post("/check/contact/send", form).status_code == 200
