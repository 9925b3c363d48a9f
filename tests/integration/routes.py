"""Walk the URL resolver: every route (pages and API), with its path parameters filled.

New routes are covered automatically. An id parameter (an int converter, or an untyped
one named ``*_id``, as ninja writes them) is filled by its name: anything naming a
formulation, plan, referral, administration, placement, intake, alert, screen, group
session or staff member gets that record's id (a staff id: the clinic's therapist; an
alert is raised on the clinic's patient, a drug screen recorded for it and a group
session scheduled, the first time one is needed);
any other (``patient_id``, ``pk``, ``id``...) a patient id. Referral ids need a world
built with ``build_world(referrals=True)``: a patient id there would test nothing. Word
parameters (slug, str) get a value from ``WORDS`` so the view reaches its access check.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

from tests.integration.support import Clinic, add_group, raise_alert

_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
MISSING_ID = 987_654_321
# Values for word parameters that the views accept, so the walk reaches their access check
# (add a line when a route gains a new word parameter).
WORDS = {"step": "stimulant", "instrument_id": "phq9"}


@dataclass(frozen=True)
class Route:
    template: str  # e.g. "api/v1/patients/<int:patient_id>"
    params: tuple[str, ...]  # the record-id parameters (int converters)
    words: tuple[str, ...] = ()  # the other parameters (slug, str)

    @property
    def touches_records(self) -> bool:
        return bool(self.params)

    def url(self, ids: dict[str, int | str]) -> str:
        return "/" + _PARAM.sub(lambda m: str(ids[m.group("name")]), self.template)


def _walk(patterns: list[object], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def _is_id(converter: str, name: str) -> bool:
    """Integer parameters, and untyped ones named like ids (ninja writes ``<patient_id>``)."""
    named_like_id = name in ("pk", "id") or name.endswith("_id")
    return converter == "int" or (converter == "str" and named_like_id)


def all_routes() -> list[Route]:
    seen: dict[str, Route] = {}
    for template in _walk(get_resolver().url_patterns):
        template = template.lstrip("^").rstrip("$")
        found = [(m.group("conv") or "str", m.group("name")) for m in _PARAM.finditer(template)]
        ids = tuple(name for conv, name in found if _is_id(conv, name))
        words = tuple(name for conv, name in found if not _is_id(conv, name))
        seen.setdefault(template, Route(template, ids, words))
    return sorted(seen.values(), key=lambda r: r.template)


def record_kind(name: str) -> str:
    kinds = ("formulation", "plan", "referral", "administration", "placement", "intake", "staff",
             "alert", "group", "session", "screen", "reassessment")  # fmt: skip
    for kind in kinds:
        if kind in name:
            return kind
    return "patient"


def ids_for(route: Route, clinic: Clinic | None) -> dict[str, int | str]:
    """Fill every parameter with ``clinic``'s records, or a missing id when ``clinic`` is None."""
    ids: dict[str, int | str] = {name: WORDS.get(name, "x") for name in route.words}
    for name in route.params:
        if clinic is None:
            ids[name] = MISSING_ID
            continue
        kind = record_kind(name)
        if kind == "referral" and clinic.referral is None:
            raise AssertionError(f"{route.template}: build the world with referrals=True")
        if kind == "alert" and clinic.alert is None:
            raise_alert(clinic)
        if kind in ("group", "session") and clinic.group is None:
            add_group(clinic)
        record = {
            "formulation": clinic.formulation,
            "plan": clinic.plan,
            "placement": clinic.formulation.placements.first(),
            "intake": clinic.formulation.intake,
            "administration": clinic.patient.administrations.first(),
            "referral": clinic.referral,
            "staff": clinic.staff["therapist"],
            "alert": clinic.alert,
            "group": clinic.group,
            "session": clinic.group,
            "screen": _screen(clinic) if kind == "screen" else None,
            "reassessment": _reassessment(clinic) if kind == "reassessment" else None,
        }.get(kind, clinic.patient)
        assert record is not None, (route.template, name)
        ids[name] = record.pk
    return ids


def _reassessment(clinic: Clinic) -> object:
    """An open reassessment of the clinic's patient. Made directly: starting one through
    the service needs a monitoring suggestion (tests/integration/test_reassessment.py)."""
    from django.utils import timezone

    from tandem.storage.models import Reassessment

    found = clinic.patient.reassessments.first()
    if found is None:
        found = Reassessment.objects.create(
            patient=clinic.patient,
            intake=clinic.formulation.intake,
            reason="step_up",
            prior_formulation=clinic.formulation,
            started_by=clinic.staff["therapist"],
            started_at=timezone.now(),
        )
    return found


def _screen(clinic: Clinic) -> object:
    """A drug screen of the clinic's patient (recorded through the service once)."""
    from tandem.services import screens
    from tandem.services.actors import Actor

    found = clinic.patient.drug_screens.first()
    if found is None:
        raw = {"specimen": "urine", "kind": "point_of_care", "status": "missed"}
        found = screens.record_screen(
            Actor(user=clinic.staff["therapist"].user, via="test"), clinic.patient.pk, raw
        ).screen
    return found
