"""Contingency management in the record (issue 11; monitoring.md s7, ruleset-v2.md s7):
the clinic's schedule, the ledger recomputed with each screen, replayable prize draws,
redemptions under the balance, and the app's ledger equal to ``tandem cm``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tandem.cli import main
from tandem.domain.monitoring.panel import ANALYTES
from tandem.services import incentives, screens
from tandem.services.actors import Actor
from tandem.services.calendar import patient_today
from tandem.services.errors import Forbidden, NotFound, ValidationFailed
from tandem.storage.models import AuditEvent, CmSchedule, DrugScreen, LedgerEntry, PlanIntervention
from tests.integration.support import World

pytestmark = pytest.mark.django_db

NEG = {"cocaine": "negative", "amphetamine": "negative", "fentanyl": "negative"}
POS = {"cocaine": "positive", "amphetamine": "negative"}
FENTANYL_ONLY = {"fentanyl": "negative"}  # own stimulant not tested: invalid for CM


def _who(world: World, role: str = "therapist") -> Actor:
    return Actor(user=world.a.staff[role].user, via="test")


def _configure(world: World, kind: str = "escalating", **options: Any) -> CmSchedule:
    return incentives.configure_schedule(_who(world, "director"), kind, options)


def _screen(
    world: World, day: dt.date, analytes: dict[str, str] | None, status: str = "result"
) -> screens.Recorded:
    raw = {"collected_on": day.isoformat(), "specimen": "urine", "kind": "point_of_care",
           "status": status, "analytes": analytes or {}}  # fmt: skip
    return screens.record_screen(_who(world), world.a.patient.pk, raw)


# A history with every case: pacing (three negatives in week 1), a positive, missed and
# invalid days, two screens on one day, a negative for fentanyl only (invalid for CM).
HISTORY: list[tuple[int, dict[str, str] | None, str]] = [
    (0, NEG, "result"), (2, NEG, "result"), (4, NEG, "result"), (7, POS, "result"),
    (9, NEG, "result"), (11, None, "missed"), (14, NEG, "result"), (14, POS, "result"),
    (16, NEG, "result"), (18, FENTANYL_ONLY, "result"), (21, None, "invalid"),
    (23, NEG, "result"), (25, NEG, "result"), (28, NEG, "result"), (30, NEG, "result"),
]  # fmt: skip


def _record_history(world: World) -> dt.date:
    first = patient_today(world.a.patient) - dt.timedelta(days=40)
    for offset, analytes, status in HISTORY:
        _screen(world, first + dt.timedelta(days=offset), analytes, status)
    return first


def _screens_csv(world: World, folder: Path) -> Path:
    """The same screens as ``tandem cm`` reads them (tests/unit/cli/test_cm.py's shape)."""
    lines = ["patient_id,date,result,benzoylecgonine_ng_ml," + ",".join(ANALYTES)]
    for s in DrugScreen.objects.order_by("collected_on", "recorded_at", "pk"):
        if s.status != "result":
            result = s.status
        else:
            result = "positive" if "positive" in s.analytes.values() else "negative"
        panel = [s.analytes.get(a, "") for a in ANALYTES]
        lines.append(",".join([str(s.patient_id), s.collected_on.isoformat(), result, "", *panel]))
    path = folder / "screens.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _cm(path: Path, *options: str) -> list[tuple[dt.date, int]]:
    result = CliRunner().invoke(main, ["cm", "--screens", str(path), "--json", *options])
    assert result.exit_code == 0, result.stderr
    (ledger,) = json.loads(result.stdout).values()
    return [
        (dt.date.fromisoformat(e["date"]), int(e["earned"].replace(".", "")))
        for e in ledger["ledger"]
    ]


def _app(world: World) -> list[tuple[dt.date, int]]:
    rows = LedgerEntry.objects.filter(patient=world.a.patient).order_by("position")
    return [(r.day, r.earned_cents) for r in rows]


# ---------------------------------------------------------------- the app equals tandem cm


def test_the_escalating_ledger_equals_tandem_cm_on_the_same_screens(
    world: World, tmp_path: Path
) -> None:
    _configure(world)  # the defaults of ruleset-v2.md s7
    _record_history(world)
    app = _app(world)
    assert len(app) == len(HISTORY)  # one row per screen
    assert app == _cm(_screens_csv(world, tmp_path), "--schedule", "escalating")
    assert sum(cents for _, cents in app) > 0


def test_a_configured_escalating_schedule_equals_tandem_cm_with_its_options(
    world: World, tmp_path: Path
) -> None:
    _configure(world, step_cents=150, max_per_screen_cents=2650, eligible_per_week="all")
    _record_history(world)
    assert _app(world) == _cm(
        _screens_csv(world, tmp_path), "--schedule", "escalating", "--step", "1.50",
        "--max-per-screen", "26.50", "--eligible-per-week", "all",
    )  # fmt: skip


def test_the_prize_ledger_equals_tandem_cm_with_the_recorded_seed(
    world: World, tmp_path: Path
) -> None:
    schedule = _configure(world, "prize", eligible_per_week="all")
    assert schedule.seed is not None  # drawn on the server, recorded
    _record_history(world)
    expected = _cm(
        _screens_csv(world, tmp_path), "--schedule", "prize", "--seed", str(schedule.seed),
        "--eligible-per-week", "all",
    )  # fmt: skip
    assert _app(world) == expected
    drawn = LedgerEntry.objects.filter(patient=world.a.patient, draws__gt=0)
    assert drawn.exists()
    assert {r.draw_seed for r in drawn} == {f"{schedule.seed}:{world.a.patient.pk}"}
    assert incentives.replay_draws(world.a.patient)


# ---------------------------------------------------------------- the ledger


def test_no_schedule_no_ledger(world: World) -> None:
    _screen(world, patient_today(world.a.patient), NEG)
    assert not LedgerEntry.objects.exists()


def test_each_row_keeps_its_screen_and_rule(world: World) -> None:
    _configure(world)
    recorded = _screen(world, patient_today(world.a.patient), NEG)
    (row,) = LedgerEntry.objects.all()
    assert row.screen_id == recorded.screen.pk
    assert row.earned_cents == 1000
    assert "start 10.00, step 0.50, max 19.00" in row.rule
    assert "cap 599.00" in row.rule
    assert "eligible per week 2@1-12,1@13-24" in row.rule


def test_configuring_recomputes_and_recording_again_is_idempotent(world: World) -> None:
    _record_history(world)
    assert not LedgerEntry.objects.exists()
    _configure(world)  # the existing screens are priced at once
    before = _app(world)
    assert len(before) == len(HISTORY)
    incentives.update_ledger(_who(world), world.a.patient)
    assert _app(world) == before


def test_a_screen_recorded_out_of_order_rewrites_the_ledger_from_its_day(world: World) -> None:
    """Rows before the first changed one are kept, the rest replaced: the stored ledger
    is the one recomputed from every screen, positions 1..n, whatever the order."""
    _configure(world)
    first = patient_today(world.a.patient) - dt.timedelta(days=40)
    for offset in (0, 2, 4, 9, 14):
        _screen(world, first + dt.timedelta(days=offset), NEG)
    kept = set(LedgerEntry.objects.filter(position__lte=2).values_list("pk", flat=True))
    _screen(world, first + dt.timedelta(days=7), POS)  # a reset between day 4 and day 9
    rows = list(LedgerEntry.objects.filter(patient=world.a.patient).order_by("position"))
    assert [r.position for r in rows] == [1, 2, 3, 4, 5, 6]
    assert {r.pk for r in rows[:3]} >= kept  # days 0, 2 stand (4 too: its line is the same)
    screens_now = list(DrugScreen.objects.order_by("collected_on", "recorded_at", "pk"))
    schedule = incentives.clinic_schedule(world.a.patient.organization_id)
    assert schedule is not None
    ledger = incentives.compute(world.a.patient, schedule[1], screens_now)
    assert [(r.day, r.earned_cents) for r in rows] == [
        (e.date, e.earned_cents) for e in ledger.entries
    ]
    assert [r.screen_id for r in rows] == [s.pk for s in screens_now]


@pytest.mark.parametrize(
    ("kind", "options", "field"),
    [
        ("weekly", {}, "kind"),
        ("escalating", {"step_cents": -50}, "options.step_cents"),
        ("escalating", {"step_cents": 0.5}, "options.step_cents"),
        ("escalating", {"draw_max": 3}, "options.draw_max"),
        ("escalating", {"eligible_per_week": "2@1-12,x"}, "options.eligible_per_week"),
        ("escalating", {"window_days": 0}, "options.window_days"),
        ("prize", {"bowl": []}, "options.bowl"),
        ("prize", {"seed": 4}, "options.seed"),
    ],
)
def test_a_schedule_is_checked_by_field(
    world: World, kind: str, options: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _configure(world, kind, **options)
    assert caught.value.field == field
    assert not CmSchedule.objects.exists()


def test_only_directors_and_admins_set_the_schedule(world: World) -> None:
    with pytest.raises(Forbidden):
        incentives.configure_schedule(_who(world, "therapist"), "escalating", {})
    incentives.configure_schedule(_who(world, "admin"), "escalating", {})


# ---------------------------------------------------------------- redemptions


def test_redeem_up_to_the_balance(world: World) -> None:
    _configure(world)
    _screen(world, patient_today(world.a.patient), NEG)
    with pytest.raises(ValidationFailed) as caught:
        incentives.redeem(_who(world), world.a.patient.pk, 1001, "gift card")
    assert caught.value.field == "cents"
    with pytest.raises(ValidationFailed) as caught:
        incentives.redeem(_who(world), world.a.patient.pk, 500, "  ")
    assert caught.value.field == "what"
    given = incentives.redeem(_who(world), world.a.patient.pk, 600, "grocery gift card")
    assert given.by == world.a.staff["therapist"]
    account = incentives.account(_who(world), world.a.patient.pk)
    assert (account.earned_cents, account.redeemed_cents, account.balance_cents) == (1000, 600, 400)
    assert AuditEvent.objects.filter(action="cm.redeem", outcome="ok").count() == 1
    assert AuditEvent.objects.filter(action="cm.redeem", outcome="invalid").count() == 2


def test_a_peer_specialist_does_not_give_credit(world: World) -> None:
    _configure(world)
    with pytest.raises((Forbidden, NotFound)):  # not on the care team, nor a clinician
        incentives.redeem(_who(world, "peer_specialist"), world.a.patient.pk, 1, "card")


def test_a_change_before_a_redemption_is_audited_not_silent(world: World) -> None:
    _configure(world, eligible_per_week="all")
    today = patient_today(world.a.patient)
    _screen(world, today - dt.timedelta(days=4), NEG)
    _screen(world, today - dt.timedelta(days=2), NEG)
    incentives.redeem(_who(world), world.a.patient.pk, 2050, "gift card")
    _screen(world, today - dt.timedelta(days=3), POS)  # late, for an earlier day
    assert AuditEvent.objects.filter(action="cm.ledger.revised").count() == 1
    account = incentives.account(_who(world), world.a.patient.pk)
    # 10.00, 0.00 (positive), 10.00 (reset): the redemption stands; the balance says so
    assert account.balance_cents == 2000 - 2050


# ---------------------------------------------------------------- the portal


def test_the_portal_shows_the_credit_chart_and_the_balance(world: World) -> None:
    from tests.integration.test_portal_pages import _enrolled

    # Setup only: the test world's plan does not prescribe CM; the page asks the signed plan.
    world.a.plan.status = "signed"
    world.a.plan.save()
    PlanIntervention.objects.create(
        plan=world.a.plan, intervention_id="contingency_management", category="clinical"
    )
    client = _enrolled(world)
    assert "once your clinic records your screens" in client.get("/me/progress").content.decode()
    _configure(world)
    _screen(world, patient_today(world.a.patient), NEG)
    incentives.redeem(_who(world), world.a.patient.pk, 250, "bus pass")
    body = client.get("/me/progress").content.decode()
    assert "once your clinic records your screens" not in body
    assert "Credit you can use now: $7.50" in body
    assert body.count("<svg") == 4  # mood and craving, sleep, PHQ-9, credit
