"""The demo's portal monitoring (issue 10, Demo item): 90 days of synthetic daily
check-ins and weekly self-administered PHQ-9s for the demo patients with portal accounts.

Each course is drawn from a seeded generator (``synthetic_course``: pure, the same seed
gives the same days) so that it shows the seed idea of monitoring.md s2: early on, use
days are followed by 1-3 day crash dips in mood and short, erratic nights, and a low
day pulls back to use; from about week 4-6 use days grow rare, the dips shallower and
sleep steadier; the weekly PHQ-9 stays moderate until about week 8-10 and only then
falls. About one day in ten has no check-in (never 3 in a row). Nobody here is real.

Drug screens (issue 11) are seeded by ``seed_screens`` through the real screens service.

Writing: ordinary days are written in bulk (a few milliseconds per patient) after each
answer passed the check-in service's own validator (``checkins.clean_answers``); every
row keeps its submission as sent, like the portal's. A day whose answer to the safety
question is yes goes through the real path (``checkins.record_checkin`` as the patient,
at that evening's time), so it raises and routes its alert as a real one does. The
PHQ-9s are stored as portal self-administrations (``source="portal"``, no staff
recorder), scored by the real engine; item 9 is always 0, so none raises an alert.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from django.db import transaction

from tandem.services import checkins, engines
from tandem.services.actors import Actor
from tandem.services.audit import record_event
from tandem.services.calendar import patient_today, zone
from tandem.services.clock import FixedClock, use_clock
from tandem.services.intake import current_intake
from tandem.services.progress import use_days_of
from tandem.storage.models import CheckIn, CheckInSubmission, InstrumentAdministration, Patient

DAYS: Final = 90
MISSED: Final = 0.10  # share of days without a check-in (never a use day, never 3 in a row)
PHQ9_ITEMS: Final = 9
# Which PHQ-9 items (1-8; item 9 stays 0) carry the points: low mood, anhedonia,
# sleep and tiredness first, as in a depression tangled with a stimulant crash.
PHQ9_WEIGHTS: Final = (3, 3, 2, 3, 2, 2, 2, 1)


@dataclass(frozen=True)
class Course:
    """How one synthetic patient's 90 days go (every figure invented for the demo)."""

    seed: int
    uses_per_week: float  # in the first weeks
    phq9_start: int  # the weekly PHQ-9 until ``turn_week`` (moderate: 10-14)
    phq9_end: int  # by the last week (mild)
    turn_week: int  # the week the deeper low starts to lift (8-10)
    lapse_days_ago: int | None = None  # a late use day, followed by a hard crash
    safety_days_ago: int | None = None  # that crash day: "yes" to the safety question


@dataclass(frozen=True)
class Day:
    """One day's check-in answers, as the portal's form sends them."""

    on: dt.date
    mood: int
    sleep_hours: Decimal
    craving: int
    energy: int | None
    used: bool
    safety: bool

    def answers(self) -> dict[str, Any]:
        return {
            "mood": self.mood,
            "sleep_hours": str(self.sleep_hours),
            "craving": self.craving,
            "energy": self.energy,
            "used": self.used,
            "use_days": [self.on.isoformat()] if self.used else [],
            "safety": self.safety,
        }


@dataclass(frozen=True)
class Phq9:
    on: dt.date
    answers: tuple[int, ...]


def _ramp(t: float, start: float, end: float) -> float:
    """0 before ``start``, 1 after ``end``, a smooth step between."""
    x = min(max((t - start) / (end - start), 0.0), 1.0)
    return x * x * (3 - 2 * x)


def _clip(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def _half_hours(hours: float) -> Decimal:
    return Decimal(round(_clip(hours, 0, checkins.SLEEP_MAX) * 2)) / 2


def _use_days(course: Course, rng: random.Random, moods: list[float]) -> list[bool]:
    """Use days: the early rate, more likely after a low day (the chase) or a use day
    (a run), falling as the cycle loosens from week 3 to week 6."""
    used: list[bool] = []
    for t in range(DAYS):
        loosen = _ramp(t, 21, 42)
        p = course.uses_per_week / 7 * (1 - 0.9 * loosen)
        if t and used[-1]:
            p *= 1.2
        elif t and moods[t - 1] <= _base_mood(course, t - 1) - 2:
            p *= 1.8
        used.append(rng.random() < p)
    if course.lapse_days_ago is not None:
        used[DAYS - 1 - course.lapse_days_ago] = True
    return used


def _base_mood(course: Course, t: int) -> float:
    """The deeper low: flat until a week before the PHQ-9 turns, then lifting."""
    return 4.5 + 2.3 * _ramp(t, (course.turn_week - 1) * 7, DAYS - 1)


def _since_use(used: list[bool], t: int) -> int:
    """Days since the last use day before ``t`` (0 on a use day; large when none)."""
    for k in range(4):
        if t - k >= 0 and used[t - k]:
            return k
    return 99


def synthetic_course(course: Course, today: dt.date) -> tuple[list[Day], list[Phq9]]:
    """The 90 days ending ``today``: the check-ins (missed days left out) and the weekly
    PHQ-9s. Pure: the same course gives the same values, whatever ``today`` is."""
    rng = random.Random(course.seed)  # noqa: S311  (synthetic data, not a secret)
    start = today - dt.timedelta(days=DAYS - 1)
    # A first pass of plain moods lets the chase (a low day pulls back to use) be drawn.
    plain = [_base_mood(course, t) + rng.gauss(0, 1.0) for t in range(DAYS)]
    used = _use_days(course, rng, plain)
    days: list[Day] = []
    missed_run = 0
    for t in range(DAYS):
        day = _day(course, rng, t, used, start + dt.timedelta(days=t))
        skip = not day.used and not day.safety and t < DAYS - 1 and missed_run < 2
        if skip and rng.random() < MISSED:
            missed_run += 1
            continue
        missed_run = 0
        days.append(day)
    return days, _phq9s(course, rng, start)


def _day(course: Course, rng: random.Random, t: int, used: list[bool], on: dt.date) -> Day:
    loosen = _ramp(t, 21, 42)
    base = _base_mood(course, t)
    since = _since_use(used, t)
    safety = course.safety_days_ago is not None and t == DAYS - 1 - course.safety_days_ago
    if since == 0:  # the surge
        mood = base + 1.5
    elif since <= 3:  # the crash: deep and long early, shallower once the cycle loosens
        mood = base - (4.0, 2.8, 1.5)[since - 1] * (1 - 0.55 * loosen)
    else:
        mood = base
    if safety:
        mood = base - 3.5
    mood += rng.gauss(0, 0.6)
    # Sleep is the night before: short after a use day, long in the crash, and
    # otherwise short and erratic early, steadier later.
    if since == 1:
        sleep = rng.gauss(3.2, 0.9)
    elif since in (2, 3) and t >= 2 and used[t - 2] and rng.random() < 0.8:
        sleep = rng.gauss(8.8 + 1.5 * (1 - loosen), 1.0)
    else:
        sleep = rng.gauss(5.6 + 1.5 * loosen, 1.5 - 1.0 * loosen)
    craving = 6.5 - 3.5 * loosen + (2.0 if since == 0 else 0.0) + (1.2 if since == 1 else 0.0)
    craving += rng.gauss(0, 0.9)
    energy = None if rng.random() < 0.2 else round(_clip(0.8 * mood + 1 + rng.gauss(0, 1), 0, 10))
    return Day(
        on=on,
        mood=round(_clip(mood, 0, 10)),
        sleep_hours=_half_hours(sleep),
        craving=round(_clip(craving, 0, 10)),
        energy=energy,
        used=since == 0,
        safety=safety,
    )


def _phq9s(course: Course, rng: random.Random, start: dt.date) -> list[Phq9]:
    """Weekly from the first day: flat (moderate) until ``turn_week``, then falling."""
    out = []
    weeks = (DAYS - 1) // 7 + 1
    for week in range(weeks):
        fall = _clip((week - course.turn_week + 1) / (weeks - course.turn_week), 0, 1)
        total = course.phq9_start - (course.phq9_start - course.phq9_end) * fall
        total = round(total + (rng.choice((-1, 0, 0, 1)) if fall == 0 else 0))
        out.append(Phq9(start + dt.timedelta(days=7 * week), _phq9_items(rng, total)))
    return out


def _phq9_items(rng: random.Random, total: int) -> tuple[int, ...]:
    """Items 1-8 (0-3 each) summing to ``total``; item 9 is 0."""
    items = [0] * PHQ9_ITEMS
    for _ in range(min(total, 3 * len(PHQ9_WEIGHTS))):
        open_items = [i for i in range(len(PHQ9_WEIGHTS)) if items[i] < 3]
        weights = [PHQ9_WEIGHTS[i] for i in open_items]
        items[rng.choices(open_items, weights)[0]] += 1
    return tuple(items)


# -- Writing ------------------------------------------------------------------------


def _evening(on: dt.date, time_zone: str, rng: random.Random) -> dt.datetime:
    """A plausible check-in time: that evening in the clinic's zone, as aware UTC."""
    local = dt.datetime.combine(on, dt.time(19, 0), zone(time_zone))
    return (local + dt.timedelta(minutes=rng.randrange(0, 180))).astimezone(dt.UTC)


def seed_monitoring(patient: Patient, user: Any, course: Course) -> int:
    """Write the course for ``patient`` (portal user ``user``) unless the patient already
    has check-ins; returns the number of check-ins written. All or nothing."""
    if CheckIn.objects.filter(patient=patient).exists():
        return 0
    today = patient_today(patient)
    days, phq9s = synthetic_course(course, today)
    tz = patient.organization.time_zone
    times = random.Random(course.seed + 1)  # noqa: S311  (synthetic times, not a secret)
    patient_actor = Actor.patient(user, patient.pk, via="web")
    with transaction.atomic():
        plain = [d for d in days if not d.safety]
        rows = _bulk_checkins(patient, user, plain, tz, times)
        for day in days:
            if day.safety:  # the real path: the alert is raised and routed as a real one
                with use_clock(FixedClock(_evening(day.on, tz, times))):
                    checkins.record_checkin(patient_actor, patient.pk, day.answers())
        _store_phq9s(patient, phq9s, tz, times)
        record_event(
            Actor(None, via="cli"),
            "demo.monitoring.seed",
            patient_id=patient.pk,
            record_type="checkin",
            record_ids=[row.pk for row in rows],
        )
    return len(days)


def _bulk_checkins(
    patient: Patient, user: Any, days: list[Day], tz: str, times: random.Random
) -> list[CheckIn]:
    rows, sent = [], []
    for day in days:
        answers = checkins.clean_answers(day.answers(), day.on)  # the service's own checks
        at = _evening(day.on, tz, times)
        rows.append(
            CheckIn(
                patient=patient, on=day.on, mood=answers.mood, sleep_hours=answers.sleep_hours,
                craving=answers.craving, energy=answers.energy, used=answers.used,
                use_days=[d.isoformat() for d in answers.use_days], safety=answers.safety,
                late=False, source="portal", created_at=at, updated_at=at,
            )
        )  # fmt: skip
        sent.append(answers.as_json())
    created = CheckIn.objects.bulk_create(rows)
    actor = user.get_username()
    CheckInSubmission.objects.bulk_create(
        CheckInSubmission(checkin=row, submitted_at=row.created_at, submitted_by=actor, answers=a)
        for row, a in zip(created, sent, strict=True)
    )
    return created


def _store_phq9s(patient: Patient, phq9s: list[Phq9], tz: str, times: random.Random) -> None:
    episode = current_intake(patient).episode
    version = engines.instrument_version("phq9")
    records = []
    for phq9 in phq9s:
        answers = list(phq9.answers)
        result = engines.score_answers("phq9", answers, {})
        records.append(
            InstrumentAdministration(
                patient=patient, episode=episode, instrument_id="phq9",
                instrument_version=version, answers=answers, result=result,
                total=result.get("total"), band=result.get("band") or "",
                positive=bool(result.get("positive")), administered_on=phq9.on,
                recorded_by=None, recorded_at=_evening(phq9.on, tz, times), source="portal",
            )
        )  # fmt: skip
    InstrumentAdministration.objects.bulk_create(records)


# Drug screens (issue 11): twice a week over the last 5 weeks, the days counted back from
# today (synthetic; nobody here is real). A screen reads stimulant-positive when the
# patient reported use that day or the 2 days before (the demo's own rule of thumb).
SCREEN_DAYS_AGO: Final = (1, 4, 8, 11, 15, 18, 22, 25, 29, 32)


def screen_answers(on: dt.date, positive: bool, own: str = "cocaine") -> dict[str, Any]:
    """A point-of-care urine cup read for cocaine, amphetamine and fentanyl, as the chart
    form sends it; ``positive`` for the patient's own stimulant (``own``)."""
    analytes = {"cocaine": "negative", "amphetamine": "negative", "fentanyl": "negative"}
    analytes[own] = "positive" if positive else "negative"
    return {
        "specimen": "urine",
        "kind": "point_of_care",
        "status": "result",
        "collected_on": on.isoformat(),
        "analytes": analytes,
    }


def seed_screens(
    patient: Patient, actor: Actor, positive_days_ago: frozenset[int] | None = None
) -> int:
    """Record the demo's screens for ``patient`` through the real service (reward and
    alert evaluation included) unless the patient already has screens. Positive days come
    from the check-ins' use days, or are given (``positive_days_ago``) for a patient
    without check-ins. Returns the number recorded."""
    from tandem.services import screens

    if patient.drug_screens.exists():
        return 0
    today = patient_today(patient)
    substance = (current_intake(patient).case.get("stimulant") or {}).get("substance")
    own = "amphetamine" if substance == "amphetamine_type" else "cocaine"
    used = use_days_of(CheckIn.objects.filter(patient=patient).values_list("use_days", flat=True))
    for days_ago in sorted(SCREEN_DAYS_AGO, reverse=True):
        on = today - dt.timedelta(days=days_ago)
        if positive_days_ago is not None:
            positive = days_ago in positive_days_ago
        else:
            positive = any(on - dt.timedelta(days=n) in used for n in range(3))
        screens.record_screen(actor, patient.pk, screen_answers(on, positive, own))
    return len(SCREEN_DAYS_AGO)
