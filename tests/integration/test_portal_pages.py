"""Issue 10 portal pages through Django's test client: enrol, sign in, check in, help
first after a "yes" to safety, staff and patients kept apart."""

from __future__ import annotations

from django.test import Client

from tandem.services import portal_accounts, relapse_prevention
from tandem.services.actors import Actor
from tandem.services.calendar import patient_today
from tandem.storage.models import Alert, CheckIn
from tests.integration.support import CANARY, World, sign_in

PASSWORD = "a long pass phrase 42"
ANSWERS = {"mood": "6", "sleep_hours": "7.5", "craving": "2", "used": "no", "safety": "no"}


def _enrolled(world: World, client: Client | None = None) -> Client:
    _, code, _ = portal_accounts.invite(Actor(world.a.staff["intake"].user), world.a.patient.pk)
    client = client or Client()
    response = client.post(
        "/me/enrol",
        {"code": code, "username": "river-7", "password": PASSWORD, "language": "en"},
    )
    assert response.status_code == 302, response.content[:500]
    assert response["Location"] == "/me/"
    return client


def test_enrol_then_today_page(world: World) -> None:
    client = _enrolled(world)
    page = client.get("/me/")
    assert page.status_code == 200
    assert b"Check in now" in page.content
    assert page["Cache-Control"] == "no-store"


def test_enrol_with_a_bad_code_names_the_field(world: World) -> None:
    response = Client().post(
        "/me/enrol",
        {"code": "AAAA-BBBB-CCCC", "username": "river-7", "password": PASSWORD, "language": "en"},
    )
    assert response.status_code == 400
    assert b"this code is not valid" in response.content


def test_enrol_refusal_is_in_spanish_on_the_spanish_page(world: World) -> None:
    client = Client()
    client.cookies["django_language"] = "es"
    response = client.post(
        "/me/enrol",
        {"code": "AAAA-BBBB-CCCC", "username": "river-7", "password": PASSWORD, "language": "es"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "este código no es válido" in text
    assert "code: " not in text


def test_sign_in_admits_patients_only(world: World) -> None:
    _enrolled(world)
    client = Client()
    ok = client.post("/me/sign-in", {"username": "river-7", "password": PASSWORD})
    assert ok.status_code == 302
    staff = world.a.staff["therapist"].user
    staff.set_password(PASSWORD)
    staff.save()
    refused = Client().post("/me/sign-in", {"username": staff.username, "password": PASSWORD})
    assert refused.status_code == 400
    # And the patient never reaches a staff page.
    assert client.get("/clinic/").status_code in (302, 404)
    assert client.get(f"/clinic/patients/{world.a.patient.pk}/").status_code in (302, 404)


def test_staff_session_does_not_open_the_portal(world: World) -> None:
    client = sign_in(Client(), world.a.staff["therapist"])
    response = client.get("/me/")
    assert response.status_code == 302
    assert response["Location"].startswith("/me/sign-in")


def test_checkin_saves_and_thanks(world: World) -> None:
    client = _enrolled(world)
    response = client.post("/me/check-in", ANSWERS)
    assert response.status_code == 302
    assert response["Location"] == "/me/?thanks=1"
    row = CheckIn.objects.get(patient=world.a.patient)
    assert (row.mood, row.on, row.source) == (6, patient_today(world.a.patient), "portal")


def test_checkin_error_names_the_field_and_saves_nothing(world: World) -> None:
    client = _enrolled(world)
    response = client.post("/me/check-in", {**ANSWERS, "used": "yes"})
    assert response.status_code == 400
    assert b'href="#id_use_days"' in response.content
    assert not CheckIn.objects.exists()


def test_safety_yes_shows_help_first_and_alerts_the_team(world: World) -> None:
    client = _enrolled(world)
    response = client.post("/me/check-in", {**ANSWERS, "safety": "yes"}, follow=True)
    assert response.redirect_chain == [("/me/help", 302)]
    body = response.content.decode()
    assert "care team has been told" in body
    assert 'href="tel:988"' in body
    assert "AYUDA" in body
    assert Alert.objects.filter(patient=world.a.patient, kind="suicide_risk").exists()


def test_spanish_help_screen_is_in_spanish_with_988_options(world: World) -> None:
    client = _enrolled(world)
    assert client.post("/me/settings", {"language": "es"}).status_code == 302
    response = client.post("/me/check-in", {**ANSWERS, "safety": "yes"}, follow=True)
    assert response.redirect_chain == [("/me/help", 302)]
    body = response.content.decode()
    assert '<html lang="es">' in body
    assert "su equipo de atención ya está avisado" in body
    # facts.md s12.4: press 2 for Spanish, AYUDA by text, 1 for Veterans; 911.
    assert "llame al 988 y marque el 2" in body
    assert "envíe la palabra AYUDA por mensaje de texto al 988" in body
    assert "llame al 988 y marque el 1" in body
    assert 'href="tel:911">Llamar al 911' in body
    # The English page's Spanish-only line is not repeated on the Spanish page.
    assert 'lang="es">En español' not in body
    assert Alert.objects.filter(patient=world.a.patient, kind="suicide_risk").exists()


def test_high_craving_shows_own_coping_steps(world: World) -> None:
    relapse_prevention.save_version(
        Actor(world.a.staff["therapist"].user),
        world.a.patient.pk,
        {"coping_steps": "Walk round the block\nCall my sponsor", "people_to_call": "Ana"},
    )
    client = _enrolled(world)
    response = client.post("/me/check-in", {**ANSWERS, "craving": "8"}, follow=True)
    assert response.redirect_chain == [("/me/coping", 302)]
    assert b"Walk round the block" in response.content


def test_portal_pages_never_show_the_name_in_urls(world: World) -> None:
    client = _enrolled(world)
    for path in ("/me/", "/me/check-in", "/me/help", "/me/settings"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert CANARY not in response.get("Location", "")


def test_language_setting_switches_the_portal(world: World) -> None:
    client = _enrolled(world)
    assert client.post("/me/settings", {"language": "es"}).status_code == 302
    world.a.patient.portal.refresh_from_db()
    assert world.a.patient.portal.language == "es"
    assert client.post("/me/settings", {"language": "fr"}).status_code == 400


def test_progress_page_draws_charts_with_summaries_and_tables(world: World) -> None:
    client = _enrolled(world)
    client.post(
        "/me/check-in",
        {**ANSWERS, "used": "yes", "use_days": [patient_today(world.a.patient).isoformat()]},
    )
    response = client.get("/me/progress")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<svg") == 3
    assert "Over 1 check-ins" in body or "mood averaged" in body
    assert "<table>" in body
    assert "The deeper low often takes longer to lift" in body
    # Nothing is claimed from one check-in; the page says why.
    assert "check-ins" in body


def test_settings_creates_an_app_key_for_the_me_api(world: World) -> None:
    client = _enrolled(world)
    page = client.post("/me/settings", {"action": "token"})
    assert page.status_code == 200
    token = page.context["token"]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get("/api/v1/me/progress").status_code == 200
    assert api.get(f"/api/v1/patients/{world.a.patient.pk}").status_code == 404


def test_reminder_opt_in_and_out_on_the_settings_page(world: World) -> None:
    client = _enrolled(world)
    bad = client.post(
        "/me/settings",
        {"action": "reminder_on", "reminder_email": "nope", "reminder_time": "20:00"},
    )
    assert bad.status_code == 400
    assert b"an e-mail address" in bad.content
    on = client.post(
        "/me/settings",
        {"action": "reminder_on", "reminder_email": "me@example.org", "reminder_time": "20:00"},
    )
    assert on.status_code == 302
    account = world.a.patient.portal
    account.refresh_from_db()
    assert account.reminders_on
    assert b"Turn the reminder off" in client.get("/me/settings").content
    client.post("/me/settings", {"action": "reminder_off"})
    account.refresh_from_db()
    assert not account.reminders_on


def test_progress_charts_are_redrawn_when_a_record_changes(world: World) -> None:
    client = _enrolled(world)
    client.post("/me/check-in", ANSWERS)
    first = client.get("/me/progress").content.decode()
    assert "mood averaged 6.0" in first
    client.post("/me/check-in", {**ANSWERS, "mood": "2"})  # replaces today's mood
    second = client.get("/me/progress").content.decode()
    assert "mood averaged 2.0" in second


def test_an_optional_authenticator_adds_a_code_step_to_sign_in(world: World) -> None:
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def code(device: TOTPDevice) -> str:
        return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"

    client = _enrolled(world)
    assert b"Add an authenticator" in client.get("/me/settings").content
    assert client.get("/me/authenticator").status_code == 200
    device = TOTPDevice.objects.get(user=world.a.patient.portal.user, confirmed=False)
    assert client.post("/me/authenticator", {"code": "000000"}).status_code == 400
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows retries after a wrong code
    assert client.post("/me/authenticator", {"code": code(device)}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/me/").status_code == 200  # this session passed the code
    # A new sign-in now asks for the code after the password.
    fresh = Client()
    step = fresh.post("/me/sign-in", {"username": "river-7", "password": PASSWORD})
    assert step["Location"] == "/me/sign-in/code"
    assert fresh.get("/me/")["Location"].startswith("/me/sign-in")  # not signed in yet
    device.refresh_from_db()
    device.last_t = -1  # the code above was used in this time step; allow it once more
    device.save()
    done = fresh.post("/me/sign-in/code", {"code": code(device)})
    assert done["Location"] == "/me/"
    assert fresh.get("/me/").status_code == 200


def test_a_new_code_from_the_clinic_clears_a_lost_authenticator(world: World) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _enrolled(world)
    user = world.a.patient.portal.user
    TOTPDevice.objects.create(user=user, name="lost phone", confirmed=True)
    _, code, _ = portal_accounts.invite(Actor(world.a.staff["intake"].user), world.a.patient.pk)
    portal_accounts.enrol(code, password="a new long pass phrase 7")
    assert not TOTPDevice.objects.filter(user=user).exists()
    signed = Client().post(
        "/me/sign-in", {"username": "river-7", "password": "a new long pass phrase 7"}
    )
    assert signed["Location"] == "/me/"
