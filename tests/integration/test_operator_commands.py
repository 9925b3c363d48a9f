"""Setting up a real clinic without the demo: `tandem clinic create`, `tandem staff create`."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tandem.cli import main
from tandem.storage.models import Organization, StaffMember

pytestmark = pytest.mark.django_db

STRONG = "a-long-unguessable-passphrase-2026"


def run(*args: str, password: str | None = None) -> tuple[int, str, str]:
    extra = ["--password", password] if password is not None else []
    result = CliRunner().invoke(main, [*args, *extra])
    return result.exit_code, result.stdout, result.stderr


def test_a_clinic_and_its_staff_are_created_and_told_the_next_step() -> None:
    code, out, _ = run("clinic", "create", "northside", "--name", "Northside", "--levels", "iop")
    assert code == 0, out
    assert Organization.objects.get(slug="northside").levels_offered == ["iop"]
    code, out, err = run(
        "staff", "create", "kim", "--clinic", "northside", "--role", "therapist", password=STRONG
    )
    assert code == 0, err
    staff = StaffMember.objects.get(user__username="kim")
    assert (staff.organization.slug, staff.role) == ("northside", "therapist")
    assert staff.user.check_password(STRONG)
    assert "tandem staff invite kim" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("clinic", "create", "North Side", "--name", "x"), "slug: expected lower-case"),
        (("clinic", "create", "north", "--name", "x", "--levels", "icu"), "levels_offered"),
    ],
)
def test_bad_clinic_input_names_the_field(args: tuple[str, ...], message: str) -> None:
    code, _, err = run(*args)
    assert code == 2
    assert message in err
    assert not Organization.objects.exists()


def test_bad_staff_input_names_the_field_and_saves_nothing() -> None:
    run("clinic", "create", "northside", "--name", "Northside")
    code, _, err = run("staff", "create", "kim", "--clinic", "nowhere", "--role", "therapist",
                       password=STRONG)  # fmt: skip
    assert (code, "clinic: no clinic 'nowhere'" in err) == (2, True)
    code, _, err = run("staff", "create", "kim", "--clinic", "northside", "--role", "therapist",
                       password="password")  # fmt: skip
    assert code == 2
    assert err.startswith("tandem: password:")
    assert not StaffMember.objects.exists()
    run("staff", "create", "kim", "--clinic", "northside", "--role", "therapist", password=STRONG)
    code, _, err = run("staff", "create", "kim", "--clinic", "northside", "--role", "director",
                       password=STRONG)  # fmt: skip
    assert code == 2
    assert "already taken" in err
    assert StaffMember.objects.get(user__username="kim").role == "therapist"
