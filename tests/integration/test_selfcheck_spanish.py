"""The public self-check in Spanish (portal.md "Spanish"; docs/clinical/spanish.md).

The person chooses the language with the switcher (Django's set_language, or the
self-check's own switch that keeps the answers carried so far); the choice lives in the
language cookie, never in a URL. Staff pages and the API stay English.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from tandem.storage.models import Organization, Referral
from tests.integration.test_selfcheck import ABOUT, LOW_PHQ9, RISK_PHQ9, nonce, sealed

pytestmark = pytest.mark.django_db


def html_lang(response: object) -> str:
    match = re.search(rb'<html lang="([^"]+)"', response.content)  # type: ignore[attr-defined]
    assert match, "the page has no <html lang>"
    return match.group(1).decode()


def choose(client: Client, language: str, next_url: str = "/check") -> None:
    response = client.post("/i18n/setlang/", {"language": language, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == next_url
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == language


def items(phq9: list[int]) -> dict[str, str]:
    return {f"item_{n}": str(v) for n, v in enumerate(phq9, start=1)}


def test_english_is_the_default_and_the_switcher_names_each_language_in_itself(
    client: Client,
) -> None:
    response = client.get("/check")
    assert html_lang(response) == "en"
    text = response.content.decode()
    assert '<form method="post" class="language-switch" action="/i18n/setlang/">' in text
    assert 'lang="en" class="link current" aria-current="true">English</button>' in text
    assert 'value="es" lang="es" class="link">Español</button>' in text


def test_after_choosing_spanish_the_self_check_is_in_spanish(client: Client) -> None:
    choose(client, "es")
    response = client.get("/check")
    assert html_lang(response) == "es"
    text = response.content.decode()
    assert "¿Están relacionados mi ánimo bajo y mi consumo de cocaína?" in text
    assert "Empezar la autoevaluación" in text
    assert "not stored" not in text
    response = client.get("/check/about")
    assert "Sobre su ánimo y su consumo" in response.content.decode()
    assert "Primero vino el consumo" in response.content.decode()


def test_the_home_page_offers_the_switcher_and_follows_the_choice(client: Client) -> None:
    response = client.get("/")
    assert 'class="language-switch"' in response.content.decode()
    choose(client, "es", "/")
    response = client.get("/")
    assert html_lang(response) == "es"
    assert "Empezar la autoevaluación" in response.content.decode()


def test_spanish_errors_are_in_spanish(client: Client) -> None:
    choose(client, "es")
    response = client.post("/check/about", {})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Hay problemas" in text
    assert "Por favor, elija una respuesta." in text


def test_the_phq9_stays_in_english_marked_lang_en_with_a_spanish_note(client: Client) -> None:
    choose(client, "es")
    response = client.post("/check/about", ABOUT)
    text = response.content.decode()
    assert html_lang(response) == "es"
    assert 'id="phq9-language-note"' in text
    assert "Estas preguntas se muestran en inglés" in text
    # The registry's exact English wording, marked as English for screen readers.
    assert '<p class="stem" lang="en">' in text
    assert "Thoughts that you would be better off dead or of hurting yourself in some way" in text
    assert '<legend lang="en">1. Little interest or pleasure in doing things</legend>' in text
    assert 'class="choice-list" lang="en"' in text


def test_the_english_phq9_page_has_no_language_note(client: Client) -> None:
    response = client.post("/check/about", ABOUT)
    assert 'id="phq9-language-note"' not in response.content.decode()


def test_the_safety_screen_and_result_give_the_spanish_988_options(client: Client) -> None:
    choose(client, "es")
    response = client.post("/check/about", ABOUT)
    response = client.post("/check/feelings", {"answers": sealed(response), **items(RISK_PHQ9)})
    text = response.content.decode()
    assert "Antes de su resultado: hay ayuda disponible ahora" in text
    # facts.md s12.4: press 2 for Spanish (1 for Veterans); text AYUDA; 911.
    assert "llame al 988 y marque el 2" in text
    assert "AYUDA" in text
    assert "marque el 988 y luego el 1" in text
    assert 'href="tel:911"' in text
    response = client.post("/check/staying-safe", {"answers": sealed(response)})
    response = client.post("/check/safety", {"answers": sealed(response)})
    text = response.content.decode()
    assert "Su resultado" in text
    assert 'class="crisis"' in text
    assert "llame al 988 y marque el 2, o envíe la palabra AYUDA" in text
    assert "Su patrón: Primero vino el consumo" in text
    assert "Probablemente relacionados" in text
    assert "depresión moderada" in text
    assert "Esto es una primera mirada, no un diagnóstico" in text


def test_switching_language_mid_check_keeps_the_answers(client: Client) -> None:
    response = client.post("/check/about", ABOUT)  # the PHQ-9 step, in English
    token = sealed(response)
    response = client.post("/check/language", {"language": "es", "page": "phq9", "answers": token})
    assert response.status_code == 200
    assert html_lang(response) == "es"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert "Cómo se ha sentido" in response.content.decode()
    # The same answers go on: the next step accepts them.
    response = client.post("/check/feelings", {"answers": sealed(response), **items(LOW_PHQ9)})
    assert response.status_code == 200
    assert "Su seguridad" in response.content.decode()
    response = client.post(
        "/check/language", {"language": "en", "page": "overdose", "answers": sealed(response)}
    )
    assert html_lang(response) == "en"
    assert "Staying safe" in response.content.decode()


def test_the_language_switch_refuses_unknown_languages_pages_and_stale_answers(
    client: Client,
) -> None:
    response = client.post("/check/about", ABOUT)
    token = sealed(response)
    for form in (
        {"language": "fr", "page": "phq9", "answers": token},
        {"language": "es", "page": "clinic", "answers": token},
        {"language": "es", "page": "result", "answers": token},  # not far enough yet
        {"language": "es", "page": "phq9", "answers": token + "x"},
    ):
        assert client.post("/check/language", form).status_code == 400
    assert client.get("/check/language").status_code == 405


def test_the_consent_is_shown_and_stored_in_the_language_it_was_given_in(
    client: Client,
) -> None:
    Organization.objects.create(name="Harbor Clinic", slug="harbor", levels_offered=[])
    choose(client, "es")
    response = client.post("/check/about", ABOUT)
    response = client.post("/check/feelings", {"answers": sealed(response), **items(LOW_PHQ9)})
    response = client.post("/check/safety", {"answers": sealed(response)})
    response = client.post("/check/contact", {"answers": sealed(response)})
    assert "Pido a Harbor Clinic que me contacte" in response.content.decode()
    form = {
        "answers": sealed(response),
        "nonce": nonce(response),
        "contact_name": "Sam",
        "phone": "555-0100",
        "preferred_contact": "text",
        "consent": "on",
    }
    response = client.post("/check/contact/send", form)
    assert response.status_code == 200
    assert "Gracias. Harbor Clinic le contactará." in response.content.decode()
    assert Referral.objects.get().consent_text.startswith("Pido a Harbor Clinic que me contacte")


def test_staff_pages_and_the_api_stay_english_whatever_the_language(client: Client) -> None:
    choose(client, "es")
    response = client.get("/accounts/login", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert html_lang(response) == "en"
    assert response["Content-Language"] == "en"
    response = client.get("/clinic/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 302  # to sign in, as before
    response = client.get("/api/v1/patients", HTTP_ACCEPT_LANGUAGE="es")
    assert response["Content-Language"] == "en"
    body = response.json()
    assert set(body) == {"error"}


def test_the_browser_language_is_the_default_until_the_person_chooses(client: Client) -> None:
    response = client.get("/check", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert html_lang(response) == "es"
    choose(client, "en")
    response = client.get("/check", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert html_lang(response) == "en"
