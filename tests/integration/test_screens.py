"""Drug screens (issue 11): recording, the stimulant-negative rule (ruleset-v2.md s7),
overdose_risk once per episode, access, the group form and the API."""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any

import pytest
from django.db import close_old_connections, connection

from tandem.services import intake, screens
from tandem.services.actors import Actor
from tandem.services.calendar import patient_today
from tandem.services.errors import Forbidden, NotFound, ValidationFailed
from tandem.storage.models import Alert, AuditEvent, DrugScreen
from tests.integration.support import World, build_world, signed_in_client

pytestmark = pytest.mark.django_db

NEGATIVE = {"cocaine": "negative", "amphetamine": "negative", "fentanyl": "negative"}


def _who(world: World, role: str = "therapist") -> Actor:
    return Actor(user=world.a.staff[role].user, via="test")


def _raw(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {"specimen": "urine", "kind": "point_of_care", "status": "result",
                           "analytes": dict(NEGATIVE)}  # fmt: skip
    raw.update(changes)
    return raw


def _record(world: World, **changes: Any) -> screens.Recorded:
    return screens.record_screen(_who(world), world.a.patient.pk, _raw(**changes))


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"collected_on": "2026-13-01"}, "collected_on"),
        ({"collected_on": "tomorrow"}, "collected_on"),
        ({"specimen": "blood"}, "specimen"),
        ({"specimen": None}, "specimen"),
        ({"kind": "home"}, "kind"),
        ({"status": "negative"}, "status"),
        ({"analytes": {"heroin": "positive"}}, "analytes.heroin"),
        ({"analytes": {"cocaine": "maybe"}}, "analytes.cocaine"),
        ({"analytes": {}}, "analytes"),
        ({"analytes": ["cocaine"]}, "analytes"),
        ({"status": "missed"}, "analytes"),
        ({"benzoylecgonine_ng_ml": "12.5"}, "benzoylecgonine_ng_ml"),
        ({"benzoylecgonine_ng_ml": -3}, "benzoylecgonine_ng_ml"),
        ({"analytes": {"fentanyl": "negative"}, "benzoylecgonine_ng_ml": 300},
         "benzoylecgonine_ng_ml"),
        ({"colour": "amber"}, "colour"),
    ],
)  # fmt: skip
def test_each_field_is_checked_and_nothing_is_saved(
    world: World, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _record(world, **changes)
    assert caught.value.field == field
    assert caught.value.message.startswith(field.split(".")[0])
    assert not DrugScreen.objects.exists()
    assert AuditEvent.objects.filter(action="screen.record", outcome="invalid").exists()


def test_a_future_day_is_refused(world: World) -> None:
    tomorrow = patient_today(world.a.patient) + dt.timedelta(days=1)
    with pytest.raises(ValidationFailed) as caught:
        _record(world, collected_on=tomorrow.isoformat())
    assert caught.value.field == "collected_on"


def test_a_screen_is_stored_with_its_reading_and_audited(world: World) -> None:
    done = _record(world, analytes={"cocaine": "positive"}, benzoylecgonine_ng_ml=450)
    screen = done.screen
    assert screen.analytes == {"cocaine": "positive"}
    assert screen.benzoylecgonine_ng_ml == 450
    assert screen.cm_result == "positive"
    assert screen.own_stimulant == "cocaine"
    assert screen.collected_on == patient_today(world.a.patient)
    assert screen.recorded_by == world.a.staff["therapist"]
    assert done.alert is None
    event = AuditEvent.objects.get(action="screen.record", outcome="ok")
    assert event.record_id == str(screen.pk)
    assert event.patient_id == world.a.patient.pk


def test_missed_and_invalid_screens_carry_no_panel(world: World) -> None:
    assert _record(world, status="missed", analytes={}).screen.cm_result == "missed"
    invalid = _record(world, status="invalid", analytes={"cocaine": "not_tested"}).screen
    assert invalid.cm_result == "invalid"
    assert invalid.analytes == {}


# ---------------------------------------------------------------- stimulant-negative (s7)


def _with_substance(world: World, substance: str) -> None:
    patient = world.a.patient
    case = intake.current_intake(patient).case
    stimulant = dict(case["stimulant"], substance=substance)
    intake.update_intake(
        Actor(user=world.a.staff["intake"].user), patient.pk, "stimulant", stimulant
    )


@pytest.mark.parametrize(
    ("substance", "analytes", "expected"),
    [
        # every stimulant tested negative and the own stimulant among them
        ("cocaine", {"cocaine": "negative", "amphetamine": "negative"}, "negative"),
        # the own stimulant not tested: a negative for another drug only is invalid for CM
        ("cocaine", {"amphetamine": "negative", "fentanyl": "negative"}, "invalid"),
        ("cocaine", {"fentanyl": "negative", "benzodiazepines": "negative"}, "invalid"),
        # any stimulant tested positive
        ("cocaine", {"cocaine": "negative", "methamphetamine": "positive"}, "positive"),
        # other drugs never block a reward
        ("cocaine", {"cocaine": "negative", "benzodiazepines": "positive"}, "negative"),
        # amphetamine-type: either amphetamine analyte counts as the own stimulant
        ("amphetamine_type", {"methamphetamine": "negative"}, "negative"),
        ("amphetamine_type", {"cocaine": "negative"}, "invalid"),
        # other stimulants: any stimulant analyte counts
        ("other_stimulant", {"amphetamine": "negative"}, "negative"),
    ],
)
def test_stimulant_negative_needs_the_own_stimulant_tested(
    world: World, substance: str, analytes: dict[str, str], expected: str
) -> None:
    _with_substance(world, substance)
    screen = _record(world, analytes=analytes).screen
    assert screen.own_stimulant == substance
    assert screen.cm_result == expected


# ---------------------------------------------------------------- overdose_risk (s7)


def _day(world: World, days_ago: int) -> str:
    return (patient_today(world.a.patient) - dt.timedelta(days=days_ago)).isoformat()


def test_fentanyl_raises_overdose_risk_in_clinic_words(world: World) -> None:
    done = _record(world, analytes={"cocaine": "positive", "fentanyl": "positive"})
    alert = done.alert
    assert alert is not None
    assert alert.kind == "overdose_risk"
    assert alert.severity == "high"
    evidence = alert.evidence[0]
    assert evidence["record_type"] == "drug screen"
    assert evidence["record_id"] == done.screen.pk
    assert "positive for Fentanyl" in evidence["what"]
    assert "naloxone" in evidence["what"]
    assert "fentanyl" not in evidence["what"].replace("Fentanyl", "")  # no analyte ids
    assert done.screen.overdose_opioids == ["fentanyl"]


def test_an_opioid_not_prescribed_raises_it_too(world: World) -> None:
    # No opioid is recorded as prescribed to this patient: every opioid positive counts.
    done = _record(world, analytes={"cocaine": "negative", "oxycodone": "positive"})
    assert done.alert is not None
    assert done.alert.kind == "overdose_risk"
    assert (
        _record(world, analytes={"benzodiazepines": "positive", "cocaine": "negative"}).alert
        is None
    )


def test_overdose_risk_again_only_after_14_days_without_such_a_screen(world: World) -> None:
    fentanyl = {"cocaine": "negative", "fentanyl": "positive"}
    first = _record(world, collected_on=_day(world, 40), analytes=fentanyl)
    assert first.alert is not None
    # 10 days later: the same episode, no new alert
    assert _record(world, collected_on=_day(world, 30), analytes=fentanyl).alert is None
    # 14 days after that one: still within 14 days, no alert
    assert _record(world, collected_on=_day(world, 16), analytes=fentanyl).alert is None
    # 15 days after the last such screen: a new episode
    again = _record(world, collected_on=_day(world, 1), analytes=fentanyl)
    assert again.alert is not None
    assert again.alert.pk != first.alert.pk
    # a second such screen the same day goes to that day's alert
    same_day = _record(world, collected_on=_day(world, 1), analytes=fentanyl)
    assert same_day.alert is not None
    assert same_day.alert.pk == again.alert.pk
    alerts = Alert.objects.filter(patient=world.a.patient, kind="overdose_risk")
    assert alerts.count() == 2
    assert len(alerts.get(pk=again.alert.pk).evidence) == 2


def _fentanyl_in_thread(
    world: World, barrier: threading.Barrier, errors: list[BaseException]
) -> None:
    try:
        barrier.wait(timeout=10)
        _record(world, analytes={"cocaine": "positive", "fentanyl": "positive"})
    except BaseException as exc:  # reported to the main thread
        errors.append(exc)
    finally:
        close_old_connections()


@pytest.mark.django_db(transaction=True)
def test_two_fentanyl_screens_at_once_raise_one_alert() -> None:
    world = build_world()
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        "file:memorydb"
    ):
        pytest.skip("threads need a file database")
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=_fentanyl_in_thread, args=(world, barrier, errors))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert DrugScreen.objects.filter(patient=world.a.patient).count() == 2
    alert = Alert.objects.get(patient=world.a.patient, kind="overdose_risk")
    assert len(alert.evidence) == 2


# ---------------------------------------------------------------- access and roles


def test_another_clinics_patient_is_missing_and_audited(world: World) -> None:
    for call in (
        lambda: screens.record_screen(_who(world), world.b.patient.pk, _raw()),
        lambda: screens.list_screens(_who(world), world.b.patient.pk),
    ):
        with pytest.raises(NotFound):
            call()
    refused = AuditEvent.objects.filter(patient_id=world.b.patient.pk, outcome="denied")
    assert {e.action for e in refused} == {"screen.record", "screen.list"}
    assert not DrugScreen.objects.exists()


def test_admins_may_not_record_screens(world: World) -> None:
    with pytest.raises(Forbidden):
        screens.record_screen(_who(world, "admin"), world.a.patient.pk, _raw())
    peer = Actor(user=world.a.staff["peer_specialist"].user)
    with pytest.raises(NotFound):
        screens.record_screen(peer, world.a.patient.pk, _raw())


# ---------------------------------------------------------------- the group form


def test_a_group_is_all_or_nothing_with_each_problem_named(world: World) -> None:
    director = _who(world, "director")
    rows = [
        (world.a.patient.pk, _raw(status="missed", analytes={"fentanyl": "positive"})),
        (world.a.outsider_patient.pk, _raw(specimen="sweat")),
    ]
    with pytest.raises(screens.ScreensRefused) as caught:
        screens.record_screens(director, rows)
    problems = {(p.patient_id, p.field) for p in caught.value.problems}
    assert problems == {(world.a.patient.pk, "analytes"), (world.a.outsider_patient.pk, "specimen")}
    assert not DrugScreen.objects.exists()
    good = [
        (world.a.patient.pk, _raw()),
        (world.a.outsider_patient.pk, _raw(status="missed", analytes={})),
    ]
    done = screens.record_screens(director, good)
    assert [d.screen.patient_id for d in done] == [world.a.patient.pk, world.a.outsider_patient.pk]


def test_todays_sheet_lists_the_care_teams_active_patients(world: World) -> None:
    _record(world)
    rows = screens.todays_sheet(_who(world))
    assert [r.patient.pk for r in rows] == [world.a.patient.pk]
    assert len(rows[0].recorded) == 1
    director_rows = screens.todays_sheet(_who(world, "director"))
    assert {r.patient.pk for r in director_rows} == {
        world.a.patient.pk,
        world.a.outsider_patient.pk,
    }


# ---------------------------------------------------------------- pages and API


def test_the_chart_form_records_and_the_chart_lists_it(world: World) -> None:
    client = signed_in_client(world.a.staff["therapist"])
    url = f"/clinic/patients/{world.a.patient.pk}/screens/new"
    page = client.get(url)
    assert page.status_code == 200
    assert b"Record a drug screen" in page.content
    form: dict[str, Any] = {"collected_on": _day(world, 0), "specimen": "urine",
                            "kind": "lab", "status": "result"}  # fmt: skip
    form.update({f"analyte_{a}": "not_tested" for a in screens.ANALYTES})
    bad = client.post(url, {**form, "benzoylecgonine_ng_ml": "200"})
    assert bad.status_code == 400
    assert b"error-summary" in bad.content
    form["analyte_cocaine"] = "positive"
    done = client.post(url, {**form, "benzoylecgonine_ng_ml": "200"})
    assert done.status_code == 302
    chart = client.get(f"/clinic/patients/{world.a.patient.pk}/")
    assert b"Drug screens" in chart.content
    assert b"benzoylecgonine 200 ng/mL" in chart.content


def test_todays_screens_page_records_the_rows_entered(world: World) -> None:
    client = signed_in_client(world.a.staff["director"])
    page = client.get("/clinic/screens/today")
    assert page.status_code == 200
    assert b"Screens collected today" in page.content
    a, b = world.a.patient.pk, world.a.outsider_patient.pk
    shared = {"specimen": "urine", "kind": "point_of_care", "panel": ["cocaine", "fentanyl"]}
    refused = client.post("/clinic/screens/today", {**shared, f"s{a}-status": "missed",
                                                    f"s{a}-positive": "fentanyl"})  # fmt: skip
    assert refused.status_code == 400
    assert b"Nothing was saved" in refused.content
    assert not DrugScreen.objects.exists()
    done = client.post("/clinic/screens/today", {**shared, f"s{a}-status": "result",
                                                 f"s{a}-positive": "fentanyl",
                                                 f"s{b}-status": "missed"})  # fmt: skip
    assert done.status_code == 302
    assert done["Location"].endswith("?recorded=2")
    screen = DrugScreen.objects.get(patient_id=a)
    assert screen.analytes == {"cocaine": "negative", "fentanyl": "positive"}
    assert Alert.objects.filter(patient_id=a, kind="overdose_risk").exists()
    assert client.get("/clinic/screens/today").status_code == 200
    admin = signed_in_client(world.a.staff["admin"])
    assert admin.get("/clinic/screens/today").status_code == 403


def test_the_api_records_and_lists_screens(world: World) -> None:
    staff = world.a.staff["therapist"]
    client = signed_in_client(staff, world)
    url = f"/api/v1/patients/{world.a.patient.pk}/screens"
    bad = client.post(url, json.dumps(_raw(analytes={})), content_type="application/json")
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "analytes"
    body = _raw(analytes={"cocaine": "negative", "fentanyl": "positive"})
    done = client.post(url, json.dumps(body), content_type="application/json")
    assert done.status_code == 201, done.content
    assert done.json()["screen"]["cm_result"] == "negative"
    assert done.json()["alert"]["kind"] == "overdose_risk"
    listed = client.get(url)
    assert listed.status_code == 200
    assert len(listed.json()) == 1
    other = client.get(f"/api/v1/patients/{world.b.patient.pk}/screens")
    assert other.status_code == 404
    assert other.json()["error"]["code"] == "not_found"


def test_a_positive_screen_after_two_negatives_raises_a_lapse(world: World) -> None:
    """monitoring.md s5 (ruleset-v2.md s7): the screen reaches the monitoring core in the
    same transaction (services.monitoring.after_record), which raises ``lapse``."""
    today = patient_today(world.a.patient)
    for back in (6, 3):
        _record(world, collected_on=(today - dt.timedelta(days=back)).isoformat())
    positive = {**NEGATIVE, "cocaine": "positive"}
    _record(world, collected_on=today.isoformat(), analytes=positive)
    lapse = Alert.objects.get(patient=world.a.patient, kind="lapse")
    assert lapse.raised_on == today
    assert "Positive drug screen after 2 negatives in a row" in lapse.evidence[0]["what"]


def test_a_prescribed_opioid_raises_no_overdose_risk_but_fentanyl_still_does(
    world: World,
) -> None:
    client = signed_in_client(world.a.staff["therapist"], world)
    chart = f"/clinic/patients/{world.a.patient.pk}/"
    assert "Save prescribed opioids" in client.get(chart).content.decode()
    saved = client.post(
        f"/clinic/patients/{world.a.patient.pk}/prescribed-opioids",
        {"prescribed_opioids": ["methadone", "buprenorphine"]},
    )
    assert saved.status_code == 302
    world.a.patient.refresh_from_db()
    assert world.a.patient.prescribed_opioids == ["methadone", "buprenorphine"]
    assert AuditEvent.objects.filter(action="patient.prescribed_opioids", outcome="ok").exists()
    on_methadone = _record(world, analytes={"cocaine": "negative", "methadone": "positive"})
    assert on_methadone.alert is None
    assert on_methadone.screen.overdose_opioids == []
    # The daily evaluation reads the same list: no overdose_risk from the methadone screen.
    from tandem.services import monitoring

    today = patient_today(world.a.patient)
    loaded = monitoring.load([world.a.patient.pk], today)
    raised = monitoring.raised_between(loaded, today, today, ("overdose_risk",))
    assert raised == []
    fentanyl = _record(world, analytes={"cocaine": "negative", "fentanyl": "positive"})
    assert fentanyl.alert is not None
    assert fentanyl.alert.kind == "overdose_risk"


def test_prescribed_opioids_are_checked_and_limited_to_clinicians(world: World) -> None:
    from tandem.services import patients

    with pytest.raises(ValidationFailed) as refused:
        patients.set_prescribed_opioids(_who(world), world.a.patient.pk, ["fentanyl"])
    assert refused.value.field == "prescribed_opioids"
    with pytest.raises(ValidationFailed):
        patients.set_prescribed_opioids(_who(world), world.a.patient.pk, "methadone")
    world.a.patient.refresh_from_db()
    assert world.a.patient.prescribed_opioids == []
    bad = signed_in_client(world.a.staff["therapist"], world).post(
        f"/clinic/patients/{world.a.patient.pk}/prescribed-opioids",
        {"prescribed_opioids": ["heroin"]},
    )
    assert bad.status_code == 400
    assert "prescribed_opioids" in bad.content.decode() or "methadone" in bad.content.decode()
    with pytest.raises(Forbidden):
        patients.set_prescribed_opioids(_who(world, "admin"), world.a.patient.pk, [])
    other = signed_in_client(world.b.staff["director"], world)
    assert (
        other.post(
            f"/clinic/patients/{world.a.patient.pk}/prescribed-opioids",
            {"prescribed_opioids": ["methadone"]},
        ).status_code
        == 404
    )
