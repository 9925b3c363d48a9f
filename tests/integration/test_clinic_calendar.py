"""The clinic's calendar (issue 9 item 5): a patient's "today" is their clinic's local
date; stored times stay aware UTC. Edges at 23:30 local in Arizona and in Madrid."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from tandem.cli import main
from tandem.services import accounts, intake, patients
from tandem.services.actors import Actor
from tandem.services.calendar import clinic_today, local_date
from tandem.services.clock import FixedClock, use_clock
from tandem.services.errors import ValidationFailed
from tandem.storage.models import Organization
from tandem.web.config import ConfigError, load

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.mark.parametrize(
    ("moment", "zone", "local"),
    [
        # Arizona is UTC-7 all year (no daylight saving time)
        (dt.datetime(2026, 12, 4, 6, 30, tzinfo=UTC), "America/Phoenix", dt.date(2026, 12, 3)),
        (dt.datetime(2026, 12, 4, 7, 30, tzinfo=UTC), "America/Phoenix", dt.date(2026, 12, 4)),
        (dt.datetime(2026, 7, 4, 6, 30, tzinfo=UTC), "America/Phoenix", dt.date(2026, 7, 3)),
        # Madrid is UTC+1 in winter and UTC+2 in summer
        (dt.datetime(2026, 12, 4, 22, 30, tzinfo=UTC), "Europe/Madrid", dt.date(2026, 12, 4)),
        (dt.datetime(2026, 12, 4, 23, 30, tzinfo=UTC), "Europe/Madrid", dt.date(2026, 12, 5)),
        (dt.datetime(2026, 7, 4, 21, 30, tzinfo=UTC), "Europe/Madrid", dt.date(2026, 7, 4)),
        (dt.datetime(2026, 7, 4, 22, 30, tzinfo=UTC), "Europe/Madrid", dt.date(2026, 7, 5)),
    ],
)
def test_local_dates_at_the_edges(moment: dt.datetime, zone: str, local: dt.date) -> None:
    assert local_date(moment, zone) == local


def _clinic(slug: str, zone: str) -> tuple[Organization, Actor]:
    org = accounts.ensure_organization(
        slug=slug, name=slug.title(), levels_offered=["iop"], time_zone=zone
    )
    staff = accounts.ensure_staff(organization=org, username=f"{slug}-intake", role="intake",
                                  password=None)  # fmt: skip
    return org, Actor(user=staff.user, via="test")


def test_an_evening_in_arizona_stays_on_the_arizona_day() -> None:
    """23:30 in Phoenix on 3 December is 06:30 UTC on 4 December: the questionnaire is
    dated 3 December, and an assessment dated 4 December is still in the future there."""
    org, actor = _clinic("phoenix", "America/Phoenix")
    evening = dt.datetime(2026, 12, 4, 6, 30, tzinfo=UTC)
    with use_clock(FixedClock(evening)):
        assert clinic_today(org) == dt.date(2026, 12, 3)
        patient = patients.register_patient(
            actor, display_name="Evening Check", date_of_birth="1990-05-05", sex="female"
        )
        assert patient.episodes.get().started_on == dt.date(2026, 12, 3)
        record = intake.record_administration(actor, patient.pk, "phq9", [0] * 9)
        assert record.administered_on == dt.date(2026, 12, 3)
        assert record.recorded_at == evening  # stored times stay aware UTC
        with pytest.raises(ValidationFailed, match="2026-12-04 is after today"):
            intake.save_intake_step(actor, patient.pk, {"assessed_on": "2026-12-04"})


def test_just_after_midnight_in_madrid_is_the_next_day_there() -> None:
    """00:30 in Madrid on 5 December is 23:30 UTC on 4 December: today is the 5th."""
    org, actor = _clinic("madrid", "Europe/Madrid")
    with use_clock(FixedClock(dt.datetime(2026, 12, 4, 23, 30, tzinfo=UTC))):
        assert clinic_today(org) == dt.date(2026, 12, 5)
        patient = patients.register_patient(
            actor, display_name="Late Visit", date_of_birth="1990-05-05", sex="male"
        )
        intake.save_intake_step(actor, patient.pk, {"assessed_on": "2026-12-05"})
        assert intake.current_intake(patient).case["assessed_on"] == "2026-12-05"


def test_clinic_create_takes_a_time_zone_and_names_a_bad_one() -> None:
    runner = CliRunner()
    done = runner.invoke(main, ["clinic", "create", "tucson", "--name", "Tucson",
                                "--time-zone", "America/Phoenix"])  # fmt: skip
    assert done.exit_code == 0, done.stderr
    assert Organization.objects.get(slug="tucson").time_zone == "America/Phoenix"
    bad = runner.invoke(main, ["clinic", "create", "mars", "--name", "Mars",
                               "--time-zone", "Mars/Olympus"])  # fmt: skip
    assert bad.exit_code == 2
    assert "time_zone: 'Mars/Olympus' is not an IANA time zone" in bad.stderr
    assert not Organization.objects.filter(slug="mars").exists()


def test_a_new_clinic_takes_the_setting_and_a_bad_setting_stops_start_up() -> None:
    org = accounts.ensure_organization(slug="plain", name="Plain", levels_offered=["iop"])
    assert org.time_zone == "UTC"  # the test settings leave TANDEM_TIME_ZONE unset
    assert load({"TANDEM_TIME_ZONE": "Europe/Madrid"}).time_zone == "Europe/Madrid"
    with pytest.raises(ConfigError, match="TANDEM_TIME_ZONE='Europe/Atlantis'"):
        load({"TANDEM_TIME_ZONE": "Europe/Atlantis"})
