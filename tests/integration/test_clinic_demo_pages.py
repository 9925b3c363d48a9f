"""Every clinician page renders for every demo patient (varied cases: emergency,
provisional depression, no depression, overrides), so real variety cannot break a page."""

from __future__ import annotations

import pytest
from django.test import Client

from tandem.services.demo import load_demo
from tandem.storage.models import Patient, StaffMember
from tests.integration.support import sign_in

pytestmark = pytest.mark.django_db


def test_all_pages_render_for_every_demo_patient() -> None:
    load_demo()
    director = StaffMember.objects.get(user__username="demo-director")
    client = sign_in(Client(), director)
    assert client.get("/clinic/").status_code == 200
    assert client.get("/clinic/admin/incentives").status_code == 200
    patients = Patient.objects.filter(organization=director.organization)
    assert patients.count() >= 10
    for patient in patients:
        base = f"/clinic/patients/{patient.pk}"
        urls = [f"{base}/", *(f"{base}/intake/{step}" for step in ("stimulant", "timeline",
                "instruments", "clinical", "review"))]  # fmt: skip
        urls += [f"/clinic/formulations/{f.pk}/" for f in patient.formulations.all()]
        urls += [f"/clinic/plans/{p.pk}/" for p in patient.plans.all()]
        urls.append(f"{base}/incentives")
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            assert ">None<" not in response.content.decode(), url
