"""The patient portal in Spanish, in Debian's Chromium at phone size (390 x 844).

portal.md "Spanish": a patient enrols choosing Español and every portal page is in
Spanish (``<html lang="es">``); a "Sí" to the safety question shows the help screen
first, in Spanish, with 988's Spanish options (press 2 on a call, text AYUDA:
facts.md s12.4), while an urgent alert reaches the care team. Every page has 0 axe-core
violations (Visit.shot); the canary patient's name never appears in a URL or in the
browser's storage. The English flow is tests/functional/test_portal_browser.py.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tandem.services import portal_accounts
from tandem.services.actors import Actor
from tandem.storage.models import Alert, AlertRecipient, CheckIn
from tests.functional.conftest import Visit
from tests.integration.support import CANARY, build_clinic

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "una frase larga 42"

# Each portal page and its Spanish heading.
PAGES = {
    "/me/": "Hoy",
    "/me/progress": "Mi progreso",
    "/me/plan": "Mi plan",
    "/me/questionnaires": "Cuestionarios",
    "/me/settings": "Configuración",
}


def _enrol_in_spanish(phone: Visit, code: str) -> None:
    phone.go("/me/enrol")
    phone.shot("portal-es-enrol-phone.png")
    page = phone.page
    page.get_by_label("Your code from the clinic").fill(code)
    page.get_by_label("Choose a user name").fill("rio-7")
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_role("radio", name="Español").check()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/me/")
    expect(page.locator("html")).to_have_attribute("lang", "es")


def test_spanish_enrol_check_in_and_safety_yes_shows_help_first(phone: Visit) -> None:
    clinic = build_clinic("north", CANARY)
    _, code, _ = portal_accounts.invite(Actor(clinic.staff["intake"].user), clinic.patient.pk)
    _enrol_in_spanish(phone, code)
    page = phone.page
    heading = page.get_by_role("heading", level=1)
    for path, title in PAGES.items():
        phone.go(path)
        expect(page.locator("html")).to_have_attribute("lang", "es")
        expect(heading).to_have_text(title)
        expect(page.get_by_role("link", name="Ayuda ahora")).to_be_visible()
        phone.shot(f"portal-es-{path.strip('/').replace('/', '-')}-phone.png")

    phone.go("/me/")
    page.get_by_role("link", name="Hacer el registro ahora").click()
    page.wait_for_url("**/me/check-in")
    expect(heading).to_have_text("El registro de hoy")
    phone.shot("portal-es-check-in-phone.png")
    page.locator("#id_mood").get_by_label("6", exact=True).check()
    page.get_by_label("¿Cuántas horas durmió anoche?").select_option("7.5")
    page.locator("#id_craving").get_by_label("2", exact=True).check()
    page.locator("#id_used").get_by_label("No", exact=True).check()
    page.locator("#id_safety").get_by_label("Sí", exact=True).check()
    page.get_by_role("button", name="Guardar mi registro").click()
    page.wait_for_url("**/me/help")

    # Help first, in Spanish: 988 (call, press 2; text AYUDA), Veterans 1, 911, team told.
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(heading).to_contain_text("Aquí hay ayuda")
    expect(page.get_by_text("su equipo de atención ya está avisado")).to_be_visible()
    expect(page.get_by_role("link", name="Llamar al 988")).to_have_attribute("href", "tel:988")
    expect(page.get_by_role("link", name="Enviar un mensaje de texto al 988")).to_have_attribute(
        "href", "sms:988"
    )
    lines = page.locator(".crisis-actions")
    expect(lines).to_contain_text("llame al 988 y marque el 2")
    expect(lines).to_contain_text("envíe la palabra AYUDA por mensaje de texto al 988")
    expect(lines).to_contain_text("llame al 988 y marque el 1")
    expect(page.get_by_role("link", name="Llamar al 911")).to_have_attribute("href", "tel:911")
    phone.shot("portal-es-help-phone.png")

    checkin = CheckIn.objects.get(patient=clinic.patient)
    assert (checkin.mood, checkin.safety, checkin.used) == (6, True, False)
    alert = Alert.objects.get(patient=clinic.patient, kind="suicide_risk")
    assert (alert.severity, alert.state) == ("urgent", "open")
    assert AlertRecipient.objects.filter(alert=alert, staff=clinic.staff["therapist"]).exists()

    assert all(CANARY not in url for url in phone.requested)
    phone.assert_no_patient_data_stored(CANARY)
    assert phone.offsite_requests() == []
    assert phone.csp_violations() == []
