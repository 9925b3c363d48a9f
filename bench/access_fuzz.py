"""Cross-clinic and cross-patient access fuzz: >= 10,000 attempts, all refused.

Builds the two-clinic test world (tests/integration/support.py) in a fresh SQLite
database, then makes random attempts by every role of clinic "south" on clinic
"north"'s patients, formulations, plans and administrations, plus random ids, through
the services and the API (Django test client). Every attempt must end in NotFound / 404.
Exit status 1 on any leak.

    .venv/bin/python bench/access_fuzz.py --attempts 10000 [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Any

from throwaway_app import start_django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attempts", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    start_django("tandem-bench-access-", TANDEM_LOG_LEVEL="ERROR")
    from django.test.utils import setup_test_environment
    from tests.integration.support import build_world

    setup_test_environment()
    started = time.perf_counter()
    made, leaks = attempt(build_world(), args.attempts, args.seed)
    elapsed = time.perf_counter() - started
    print(f"{made} attempts, {leaks} leaks, {elapsed:.1f} s")
    sys.exit(1 if leaks else 0)


def attempt(world: Any, attempts: int, seed: int) -> tuple[int, int]:
    """``attempts`` random tries by clinic "south" on clinic "north" (and, one in five,
    by south's clinicians off a south patient's care team); returns (made, leaks).

    Also the CI variant's engine (tests/integration/test_access_fuzz_ci.py). Only tries
    whose target is not south's own record count as made."""
    from django.test import Client

    from tandem.services import access, intake, plans
    from tandem.services.actors import Actor
    from tandem.services.errors import NotFound
    from tandem.storage.models import ROLES, FormulationRecord

    north, south = world.a, world.b
    own = {south.patient.pk, south.outsider_patient.pk, south.formulation.pk, south.plan.pk}
    rng = random.Random(seed)
    kinds = ("patient", "formulation", "plan", "administrations", "api")
    off_team = ("intake", "therapist", "peer_specialist")  # not on outsider_patient's team
    made = leaks = 0
    while made < attempts:
        if rng.random() < 0.2:  # cross-patient: south's own patient of another care team
            made += 1
            staff = south.staff[rng.choice(off_team)]
            if rng.random() < 0.5:
                client = Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens[staff.pk]}")
                url = f"/api/v1/patients/{south.outsider_patient.pk}"
                leaks += client.get(url).status_code != 404
                continue
            try:
                access.access_patient(Actor(user=staff.user), south.outsider_patient.pk)
                leaks += 1
            except NotFound:
                pass
            continue
        role = rng.choice(ROLES)
        kind = rng.choice(kinds)
        staff = south.staff[role]
        actor = Actor(user=staff.user)
        wanted = rng.choice(
            [
                north.patient.pk,
                north.outsider_patient.pk,
                north.formulation.pk,
                north.plan.pk,
                rng.randint(-10, 10**12),
            ]
        )
        if wanted in own:
            continue
        made += 1
        if kind == "api":
            client = Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens[staff.pk]}")
            leaks += client.get(f"/api/v1/patients/{wanted}").status_code != 404
            continue
        try:
            if kind == "patient":
                access.access_patient(actor, wanted)
            elif kind == "formulation":
                access.access_record(actor, FormulationRecord, wanted, action="formulation.view")
            elif kind == "plan":
                plans.get_plan(actor, wanted)
            else:
                intake.list_administrations(actor, wanted)
            leaks += 1
        except NotFound:
            pass
    return made, leaks


if __name__ == "__main__":
    main()
