"""Cross-clinic and cross-patient attempts in CI: 1,000 by clinic "south" on clinic
"north"'s records and on a south patient whose care team they are not on, 0 leaks.
The engine is bench/access_fuzz.py (10,000 as a benchmark)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.integration.support import World

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import access_fuzz

pytestmark = pytest.mark.django_db


def test_a_thousand_cross_clinic_attempts_leak_nothing(world: World) -> None:
    # The probe can see a leak: south's own patient is readable through the same path.
    own = world.b.staff["therapist"]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens[own.pk]}")
    assert client.get(f"/api/v1/patients/{world.b.patient.pk}").status_code == 200
    made, leaks = access_fuzz.attempt(world, 1000, seed=13)
    assert made == 1000
    assert leaks == 0
