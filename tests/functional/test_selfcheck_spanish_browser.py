"""The public self-check in Spanish, in a real browser at phone size (portal.md "Spanish").

The switcher is reached and used with the keyboard only; every page has 0 axe-core
violations (Visit.shot); the PHQ-9 stays in English (docs/clinical/spanish.md).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tandem.storage.models import Referral
from tests.functional.conftest import Visit
from tests.functional.test_selfcheck_browser import ANSWER, PHQ9_WITH_ITEM_9, choose

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def switch_by_keyboard(visit: Visit, language: str) -> None:
    """Tab to the switcher's button for ``language`` and press Enter (no mouse)."""
    for _ in range(12):
        visit.page.keyboard.press("Tab")
        focused = visit.page.evaluate(
            "() => { const e = document.activeElement;"
            " return e && e.tagName === 'BUTTON' ? e.getAttribute('value') : null; }"
        )
        if focused == language:
            break
    else:
        pytest.fail(f"the {language!r} button of the switcher is not reachable with Tab")
    visit.page.keyboard.press("Enter")
    expect(visit.page.locator("html")).to_have_attribute("lang", language)


def test_the_self_check_in_spanish_on_a_phone(phone: Visit) -> None:
    page = phone.page
    heading = page.get_by_role("heading", level=1)
    phone.go("/check")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    switch_by_keyboard(phone, "es")
    expect(heading).to_have_text("¿Están relacionados mi ánimo bajo y mi consumo de cocaína?")
    expect(page.get_by_role("button", name="Español")).to_have_attribute("aria-current", "true")
    phone.shot("selfcheck-es-start.png")

    page.get_by_role("link", name="Empezar la autoevaluación").click()
    expect(heading).to_have_text("Sobre su ánimo y su consumo")
    choose(phone, "Pensando en el pasado, ¿qué vino primero", "Primero vino el consumo")
    choose(phone, "En el día o los dos días después de consumir", "A menudo")
    choose(phone, "¿Consume para levantar el ánimo", "Casi siempre")
    choose(phone, "Piense en una vez que pasó un mes", "No he pasado un mes o más sin consumir")
    choose(phone, "En los últimos 30 días", "De 4 a 8 días")
    phone.shot("selfcheck-es-questions.png")
    page.get_by_role("button", name="Siguiente").click()

    expect(heading).to_have_text("Cómo se ha sentido")
    expect(page.locator("#phq9-language-note")).to_contain_text("se muestran en inglés")
    for number, value in enumerate(PHQ9_WITH_ITEM_9, start=1):
        group = page.get_by_role("group", name=f"{number}.", exact=False).first
        group.get_by_label(ANSWER[value], exact=True).check()
    phone.shot("selfcheck-es-phq9.png")
    page.get_by_role("button", name="Siguiente").click()

    expect(heading).to_have_text("Antes de su resultado: hay ayuda disponible ahora")
    expect(page.get_by_role("link", name="Llamar al 988")).to_have_attribute("href", "tel:988")
    expect(page.get_by_text("llame al 988 y marque el 2")).to_be_visible()
    expect(page.get_by_role("link", name="Llamar al 911")).to_have_attribute("href", "tel:911")
    phone.shot("selfcheck-es-safety.png")
    page.get_by_role("button", name="Continuar").click()

    expect(heading).to_have_text("Su seguridad")
    page.get_by_label("A menudo consumo a solas, sin nadie cerca").check()
    phone.shot("selfcheck-es-overdose.png")
    page.get_by_role("button", name="Ver mi resultado").click()

    expect(heading).to_have_text("Su resultado")
    expect(page.get_by_text("Probablemente relacionados")).to_be_visible()
    expect(page.get_by_text("No consuma a solas.")).to_be_visible()
    expect(page.locator(".crisis")).to_contain_text("AYUDA")
    phone.shot("selfcheck-es-result.png")

    # Back to English on the result itself: the same result, nothing asked again.
    switch_by_keyboard(phone, "en")
    expect(heading).to_have_text("Your result")
    expect(page.get_by_text("Likely linked")).to_be_visible()
    phone.shot("selfcheck-es-back-to-english.png")

    assert "?" not in page.url
    assert phone.storage_sizes() == [0, 0, 0]
    assert phone.offsite_requests() == []
    assert phone.csp_violations() == []
    # The forgery cookie and, because the person chose a language, the language cookie.
    assert {cookie["name"] for cookie in page.context.cookies()} <= {"csrftoken", "django_language"}
    assert Referral.objects.count() == 0
