"""Issue 10, the clinic side: inviting a patient to the portal from the chart (and the
command line), the alerts inbox, and the clinic's opening hours, on-call roster and
escalation time, through the Django test client."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from click.testing import CliRunner
from django.test import Client

from tandem.cli import main
from tandem.services import clinic_hours, portal_accounts
from tandem.services.actors import Actor
from tandem.services.errors import ValidationFailed
from tandem.storage.models import (
    Alert,
    AuditEvent,
    OnCall,
    OpeningHours,
    Organization,
    PatientAccount,
)
from tests.integration.support import CANARY, World, raise_alert, sign_in

pytestmark = pytest.mark.django_db

CODE = re.compile(r'class="enrolment-code">([A-Z0-9-]+)<')


def client_for(staff: object) -> Client:
    return sign_in(Client(), staff)  # type: ignore[arg-type]  # a StaffMember


def _events(action: str, outcome: str = "ok") -> int:
    return AuditEvent.objects.filter(action=action, outcome=outcome).count()


# ------------------------------------------------------------------ the portal invite


def test_a_clinician_invites_the_patient_and_the_printed_code_enrols(world: World) -> None:
    therapist = client_for(world.a.staff["therapist"])
    chart = f"/clinic/patients/{world.a.patient.pk}/"
    before = therapist.get(chart).content.decode()
    assert "Not invited" in before
    assert "Invite to the patient portal" in before
    url = f"/clinic/patients/{world.a.patient.pk}/portal-invite"
    assert therapist.get(url).status_code == 405  # a code is never issued by a GET
    response = therapist.post(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert "/me/enrol" in page
    assert "72 hours" in page
    match = CODE.search(page)
    assert match is not None
    assert match.group(1) not in response.get("Location", "")
    assert _events("patient.portal.invite") == 1
    invited = therapist.get(chart).content.decode()
    assert "Invited: sign-in code not used yet" in invited
    assert "Issue a new sign-in code" in invited
    user = portal_accounts.enrol(match.group(1), username="lake-9", password="a long pass 42!")
    enrolled = therapist.get(chart).content.decode()
    assert "Enrolled" in enrolled
    assert user.get_username() not in enrolled


def test_another_clinic_gets_404_and_a_role_without_permission_403(world: World) -> None:
    url = f"/clinic/patients/{world.a.patient.pk}/portal-invite"
    other = client_for(world.b.staff["director"]).post(url)
    assert other.status_code == 404
    assert CANARY not in other.content.decode()
    refused = client_for(world.a.staff["admin"]).post(url)
    assert refused.status_code == 403
    assert "may not invite patients to the portal" in refused.content.decode()
    assert not PatientAccount.objects.filter(patient=world.a.patient).exists()


def test_the_operator_invites_from_the_command_line(world: World) -> None:
    made = CliRunner().invoke(main, ["patient", "invite", str(world.a.patient.pk)])
    assert made.exit_code == 0, made.output
    code = made.stdout.splitlines()[0]
    assert "Expires: " in made.stdout
    assert "/me/enrol" in made.stdout
    portal_accounts.enrol(code, username="cli-1", password="a long pass phrase 42")
    missing = CliRunner().invoke(main, ["patient", "invite", "987654321"])
    assert missing.exit_code == 2
    assert "patient:" in missing.stderr


# ------------------------------------------------------------------ the inbox


def test_the_inbox_lists_only_my_alerts_and_the_nav_counts_them(world: World) -> None:
    alert = raise_alert(world.a, "lapse")  # to the care team's therapist
    raise_alert(world.b, "lapse")
    therapist = client_for(world.a.staff["therapist"])
    inbox = therapist.get("/clinic/alerts").content.decode()
    assert "Return to use" in inbox
    assert CANARY in inbox
    assert f"/clinic/patients/{world.a.patient.pk}/" in inbox
    assert "Daily check-in: said they used" in inbox
    assert "On the care team" in inbox
    assert "Southern Patient" not in inbox
    assert re.search(r"Alerts <span[^>]*>\(1<span class=\"visually-hidden\"> open", inbox)
    # Every clinic page carries the count.
    assert 'visually-hidden"> open' in therapist.get("/clinic/").content.decode()
    intake = client_for(world.a.staff["intake"]).get("/clinic/alerts").content.decode()
    assert CANARY not in intake  # not sent to the intake clinician
    assert "No open alerts sent to you" in intake
    detail = therapist.get(f"/clinic/alerts/{alert.pk}/").content.decode()
    assert "Raised" in detail
    assert "Recipients notified" in detail
    assert (
        client_for(world.b.staff["director"]).get(f"/clinic/alerts/{alert.pk}/").status_code == 404
    )
    chart = therapist.get(f"/clinic/patients/{world.a.patient.pk}/").content.decode()
    assert "Alerts: 1 open" in chart


def test_acknowledge_and_resolve_through_the_pages(world: World) -> None:
    alert = raise_alert(world.a, "suicide_risk", what="Daily check-in: said yes to safety")
    therapist = client_for(world.a.staff["therapist"])
    base = f"/clinic/alerts/{alert.pk}"
    ack = therapist.post(f"{base}/acknowledge", {"acknowledge-note": "calling now"})
    assert ack.status_code == 302
    assert "Acknowledged" in therapist.get("/clinic/alerts?state=acknowledged").content.decode()
    empty = therapist.post(f"{base}/resolve", {"resolve-note": "  "})
    assert empty.status_code == 400
    assert "What was done: say what was done" in empty.content.decode()
    assert _events("alert.resolved", "invalid") == 1
    done = therapist.post(f"{base}/resolve", {"resolve-note": "Seen today; safety plan reviewed"})
    assert done.status_code == 302
    alert.refresh_from_db()
    assert alert.state == "resolved"
    assert _events("alert.acknowledged") == 1
    assert _events("alert.resolved") == 1
    detail = therapist.get(f"{base}/").content.decode()
    assert "Seen today; safety plan reviewed" in detail
    assert "calling now" in detail
    again = therapist.post(f"{base}/resolve", {"resolve-note": "twice"})
    assert again.status_code == 409
    assert "This alert is already resolved." in again.content.decode()
    admin = client_for(world.a.staff["admin"]).post(f"{base}/acknowledge", {})
    assert admin.status_code == 403


def test_the_caseload_puts_urgent_alerts_first(world: World) -> None:
    director = client_for(world.a.staff["director"])
    calm = director.get("/clinic/").content.decode()
    assert calm.index("north second patient") < calm.index(CANARY)  # by name
    raise_alert(world.a, "suicide_risk")
    urgent = director.get("/clinic/").content.decode()
    assert urgent.index(CANARY) < urgent.index("north second patient")
    assert "1 urgent" in urgent


# ------------------------------------------------------------------ the clinic's alert settings


def _week(**changes: str) -> dict[str, str]:
    form = {"escalation_minutes": "60"}
    for d in range(7):
        form[f"opens_{d}"], form[f"closes_{d}"] = ("09:00", "17:00") if d < 5 else ("", "")
        form[f"closed_{d}"] = "" if d < 5 else "on"
        form[f"on_call_{d}"] = ""
    form.update(changes)
    return {k: v for k, v in form.items() if v}


@pytest.mark.parametrize("minutes", ["14", "241"])
def test_the_escalation_time_is_15_to_240_minutes(world: World, minutes: str) -> None:
    director = client_for(world.a.staff["director"])
    refused = director.post("/clinic/admin/alert-settings", _week(escalation_minutes=minutes))
    assert refused.status_code == 400
    assert "Escalation time for urgent alerts (minutes): the escalation time" in (
        refused.content.decode()
    )
    assert not OpeningHours.objects.exists()
    assert _events("clinic.alert_settings", "invalid") == 1


def test_opening_must_come_before_closing(world: World) -> None:
    director = client_for(world.a.staff["director"])
    refused = director.post("/clinic/admin/alert-settings", _week(opens_2="17:00"))
    assert refused.status_code == 400
    assert "Wednesday closes: on Wednesday the clinic must close after it opens" in (
        refused.content.decode()
    )


def test_on_call_must_be_a_clinician_of_the_same_clinic(world: World) -> None:
    director = Actor(world.a.staff["director"].user)
    stranger = world.b.staff["therapist"].pk
    with pytest.raises(ValidationFailed) as refused:
        clinic_hours.update_settings(
            director, hours={}, on_call={0: stranger}, escalation_minutes=60
        )
    assert refused.value.field == "on_call_0"
    with pytest.raises(ValidationFailed):  # an admin is not a clinician
        clinic_hours.update_settings(
            director, hours={}, on_call={0: world.a.staff["admin"].pk}, escalation_minutes=60
        )
    page = client_for(world.a.staff["director"]).post(
        "/clinic/admin/alert-settings", _week(on_call_0=str(stranger))
    )
    assert page.status_code == 400
    assert not OnCall.objects.exists()


def test_the_director_saves_hours_on_call_and_escalation(world: World) -> None:
    director = client_for(world.a.staff["director"])
    before = director.get("/clinic/admin/settings").content.decode()
    assert "No opening hours are entered" in before
    prescriber = world.a.staff["prescriber"].pk
    saved = director.post(
        "/clinic/admin/alert-settings", _week(escalation_minutes="30", on_call_5=str(prescriber))
    )
    assert saved.status_code == 302
    org = Organization.objects.get(pk=world.a.staff["director"].organization_id)
    assert org.escalation_minutes == 30
    assert OpeningHours.objects.filter(organization=org).count() == 5
    assert OpeningHours.objects.get(organization=org, weekday=0).opens == dt.time(9, 0)
    assert OnCall.objects.get(organization=org, weekday=5).staff_id == prescriber
    assert _events("clinic.alert_settings") == 1
    after = director.get("/clinic/admin/settings").content.decode()
    assert "No opening hours are entered" not in after
    assert "09:00 to 17:00" in after
    assert (
        client_for(world.a.staff["therapist"]).get("/clinic/admin/alert-settings").status_code
        == 403
    )
    # Another clinic's settings are untouched.
    assert not OpeningHours.objects.exclude(organization=org).exists()
    assert Alert.objects.count() == 0
