"""Contingency management in the clinic's pages (issue 11): a patient's incentives with
the redemption form, and the clinic's schedule settings (monitoring.md s7)."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from tandem.services import incentives, screens
from tandem.services.actors import Actor
from tandem.services.calendar import patient_today
from tandem.storage.models import CmSchedule, Redemption
from tests.integration.support import World, signed_in_client

pytestmark = pytest.mark.django_db

NEG = {"cocaine": "negative", "amphetamine": "negative"}


def _who(world: World, role: str) -> Actor:
    return Actor(user=world.a.staff[role].user, via="test")


def _earned(world: World, kind: str = "escalating") -> None:
    """The clinic's schedule and three negatives in week 1 (two earn: 10.00, 10.50)."""
    incentives.configure_schedule(_who(world, "director"), kind, {})
    first = patient_today(world.a.patient) - dt.timedelta(days=10)
    for offset in (0, 2, 4):
        raw = {"collected_on": (first + dt.timedelta(days=offset)).isoformat(),
               "specimen": "urine", "kind": "point_of_care", "status": "result",
               "analytes": NEG}  # fmt: skip
        screens.record_screen(_who(world, "therapist"), world.a.patient.pk, raw)


def _url(world: World) -> str:
    return f"/clinic/patients/{world.a.patient.pk}/incentives"


def test_the_page_shows_the_ledger_totals_and_schedule(world: World) -> None:
    _earned(world)
    page = signed_in_client(world.a.staff["therapist"]).get(_url(world))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Escalating vouchers" in text
    assert "$10.00" in text
    assert "$10.50" in text
    assert "$20.50" in text
    assert "Beyond the screens that can earn this week" in text  # the third negative
    assert '<th scope="col">Rule</th>' in text
    assert "Urine, point of care" in text
    assert "Give credit" in text
    assert "monitoring.md" not in text
    assert "_cents" not in text


def test_a_therapist_records_a_redemption(world: World) -> None:
    _earned(world)
    client = signed_in_client(world.a.staff["therapist"])
    response = client.post(_url(world), {"what": "grocery gift card", "amount": "12.50"})
    assert response.status_code == 302
    given = Redemption.objects.get(patient=world.a.patient)
    assert (given.cents, given.what) == (1250, "grocery gift card")
    text = client.get(response["Location"]).content.decode()
    assert "Credit recorded" in text
    assert "$8.00" in text


@pytest.mark.parametrize(
    ("amount", "words"),
    [("abc", "Enter a number"), ("0", "greater than or equal to 0.01"),
     ("1.005", "decimal places"), ("99.00", "More than the balance: $20.50 at most.")],
)  # fmt: skip
def test_a_bad_amount_names_the_field_and_saves_nothing(
    world: World, amount: str, words: str
) -> None:
    _earned(world)
    client = signed_in_client(world.a.staff["therapist"])
    response = client.post(_url(world), {"what": "gift card", "amount": amount})
    assert response.status_code == 400
    text = response.content.decode()
    assert "There is a problem" in text
    assert 'href="#id_amount">Amount ($):' in text
    assert words in text
    assert not Redemption.objects.exists()


def test_what_was_given_is_needed(world: World) -> None:
    _earned(world)
    client = signed_in_client(world.a.staff["therapist"])
    response = client.post(_url(world), {"what": " ", "amount": "5"})
    assert response.status_code == 400
    assert 'href="#id_what">What was given:' in response.content.decode()
    assert not Redemption.objects.exists()


@pytest.mark.parametrize("role", ["admin", "peer_specialist"])
def test_a_role_that_may_not_redeem_sees_no_form_and_is_refused(world: World, role: str) -> None:
    _earned(world)
    if role == "peer_specialist":  # on the care team, so the page itself is open to them
        from tandem.services.patients import set_care_team

        team = [world.a.staff[r].pk for r in ("intake", "therapist", "peer_specialist")]
        set_care_team(_who(world, "director"), world.a.patient.pk, team)
    client = signed_in_client(world.a.staff[role])
    page = client.get(_url(world))
    assert page.status_code == 200
    assert "Give credit" not in page.content.decode()
    refused = client.post(_url(world), {"what": "gift card", "amount": "5.00"})
    assert refused.status_code == 403
    assert "may not give incentive credit" in refused.content.decode()
    assert not Redemption.objects.exists()


def test_another_clinics_patient_is_missing(world: World) -> None:
    client = signed_in_client(world.b.staff["therapist"])
    assert client.get(_url(world)).status_code == 404
    assert client.post(_url(world), {"what": "x", "amount": "1"}).status_code == 404


def test_the_chart_and_timeline_link_to_it(world: World) -> None:
    client = signed_in_client(world.a.staff["therapist"])
    for page in (
        f"/clinic/patients/{world.a.patient.pk}/",
        f"/clinic/patients/{world.a.patient.pk}/timeline",
    ):
        assert f'href="{_url(world)}"' in client.get(page).content.decode()


def test_without_a_schedule_the_page_says_so(world: World) -> None:
    text = signed_in_client(world.a.staff["therapist"]).get(_url(world)).content.decode()
    assert "has not set an incentive schedule" in text


def test_prize_draws_show_their_seed_and_prizes(world: World) -> None:
    _earned(world, "prize")
    text = signed_in_client(world.a.staff["therapist"]).get(_url(world)).content.decode()
    assert "Prize draws" in text
    assert "Recorded draw seed" in text


# ---------------------------------------------------------------- the clinic's schedule

SETTINGS = "/clinic/admin/incentives"


def test_an_admin_saves_a_schedule(world: World) -> None:
    client = signed_in_client(world.a.staff["admin"])
    page = client.get(SETTINGS)
    assert page.status_code == 200
    text = html.unescape(page.content.decode())
    assert "California Recovery Incentives Program" in text
    assert "the program's choice" in text
    response = client.post(
        SETTINGS, {"kind": "escalating", "start_cents": "8.00", "eligible_per_week": "all"}
    )
    assert response.status_code == 302, response.content.decode()
    row = CmSchedule.objects.get(organization=world.a.staff["admin"].organization)
    assert (row.kind, row.options) == ("escalating", {"start_cents": 800,
                                                      "eligible_per_week": "all"})  # fmt: skip
    saved = client.get(response["Location"]).content.decode()
    assert "$8.00" in saved
    assert "Every negative (no weekly limit)" in saved


def test_a_prize_bowl_is_read_from_lines(world: World) -> None:
    client = signed_in_client(world.a.staff["director"])
    bowl = "good job, 0, 50\nsmall, 1.00, 45\nlarge, 20, 5"
    response = client.post(SETTINGS, {"kind": "prize", "bowl": bowl, "draw_max": "4"})
    assert response.status_code == 302
    row = CmSchedule.objects.get()
    assert row.options == {"draw_max": 4, "bowl": [["good job", 0, 50], ["small", 100, 45],
                                                   ["large", 2000, 5]]}  # fmt: skip
    assert row.seed is not None


@pytest.mark.parametrize(
    ("data", "field", "label"),
    [({"kind": "escalating", "eligible_per_week": "lots"}, "eligible_per_week",
      "Screens that can earn each week"),
     ({"kind": "prize", "draw_start": "0"}, "draw_start", "Draws for the first negative"),
     ({"kind": "prize", "bowl": "small; 1"}, "bowl", "Prize bowl"),
     ({"kind": "escalating", "start_cents": "-1"}, "start_cents", "First reward"),
     ({}, "kind", "Kind of schedule")],
)  # fmt: skip
def test_a_bad_option_is_named_and_nothing_is_saved(
    world: World, data: dict[str, str], field: str, label: str
) -> None:
    response = signed_in_client(world.a.staff["admin"]).post(SETTINGS, data)
    assert response.status_code == 400
    text = response.content.decode()
    assert f'href="#id_{field}">{label}' in text
    assert not CmSchedule.objects.exists()


@pytest.mark.parametrize("role", ["therapist", "intake", "prescriber", "peer_specialist"])
def test_other_roles_are_refused_the_settings(world: World, role: str) -> None:
    client = signed_in_client(world.a.staff[role])
    assert client.get(SETTINGS).status_code == 403
    assert client.post(SETTINGS, {"kind": "escalating"}).status_code == 403
    assert not CmSchedule.objects.exists()
