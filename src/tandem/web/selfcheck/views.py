"""The public self-check at /check (self-check.md): anonymous, nothing stored.

Each step posts its answers with the earlier ones carried in a signed hidden field
(``carry``); the next page is rendered straight from the POST, so no answer is kept in
the session, the database, a URL or the browser. Only the optional contact hand-off
writes anything, through ``services.referrals.submit_selfcheck_referral``: the form
carries a signed one-use nonce (only its hash is kept, once spent) and each client
address may send 5 an hour (counted under a keyed hash of the address).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from tandem.domain import instruments, selfcheck
from tandem.domain.errors import InvalidInput
from tandem.services import referrals
from tandem.services.actors import client_ip
from tandem.services.clock import get_clock
from tandem.services.errors import Conflict, TooMany, ValidationFailed
from tandem.storage.models import Organization
from tandem.web.language import chosen_language, remember
from tandem.web.selfcheck import carry, wording
from tandem.web.selfcheck.forms import AboutYouForm, ContactForm, OverdoseForm, Phq9Form

ABOUT_KEYS = frozenset(AboutYouForm.base_fields)
PHQ9_KEYS = ABOUT_KEYS | {"phq9"}
ALL_KEYS = PHQ9_KEYS | {"ever_overdosed", "uses_alone", "opioids_or_pills"}

CarriedView = Callable[[HttpRequest, dict[str, Any]], HttpResponse]


def carried(
    needs: frozenset[str],
) -> Callable[[CarriedView], Callable[[HttpRequest], HttpResponse]]:
    """A POST step that receives the earlier answers from the signed hidden field.

    Missing, altered or expired answers send the person back to the start (nothing else
    is ever read from the request for earlier steps).
    """

    def wrap(view: CarriedView) -> Callable[[HttpRequest], HttpResponse]:
        @require_POST
        @wraps(view)
        def step(request: HttpRequest) -> HttpResponse:
            try:
                answers = carry.unseal(request.POST.get(carry.FIELD), needs=needs)
            except carry.StaleAnswers:
                return _start_again(request)
            return view(request, answers)

        return step

    return wrap


def _page(request: HttpRequest, template: str, status: int = 200, **context: Any) -> HttpResponse:
    """Render a self-check page; answers must never be cached by a shared device's browser."""
    response = render(request, f"selfcheck/{template}", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _step(
    request: HttpRequest, step: int, form: Any, answers: dict[str, Any] | None
) -> HttpResponse:
    templates = {1: "about.html", 2: "phq9.html", 3: "overdose.html"}
    sealed = carry.seal(answers) if answers is not None else ""
    return _page(
        request,
        templates[step],
        step=step,
        steps=3,
        form=form,
        sealed=sealed,
        language_page={2: "phq9", 3: "overdose"}.get(step) if answers is not None else None,
        status=400 if form.is_bound and form.errors else 200,
    )


def _start_again(request: HttpRequest) -> HttpResponse:
    return _page(request, "start_again.html", status=400)


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """The welcome page: what this is, what is (not) stored, how long it takes."""
    return _page(request, "start.html")


@never_cache
def about_you(request: HttpRequest) -> HttpResponse:
    """Step 1 (constructs 1-5). GET shows it empty; a valid POST moves on to the PHQ-9."""
    if request.method != "POST":
        return _step(request, 1, AboutYouForm(), None)
    form = AboutYouForm(request.POST)
    if not form.is_valid():
        return _step(request, 1, form, None)
    return _step(request, 2, Phq9Form(instrument=instruments.get("phq9")), dict(form.cleaned_data))


@carried(needs=ABOUT_KEYS)
def phq9(request: HttpRequest, answers: dict[str, Any]) -> HttpResponse:
    """Step 2: the PHQ-9, exact wording from the registry (facts.md s2.1)."""
    form = Phq9Form(request.POST, instrument=instruments.get("phq9"))
    if not form.is_valid():
        return _step(request, 2, form, answers)
    answers = {**answers, "phq9": form.answers()}
    if selfcheck.needs_safety_screen(answers["phq9"]):
        # Help first, at once: before the overdose questions (self-check.md "Safety comes
        # before the result").
        return _safety(request, answers)
    return _step(request, 3, OverdoseForm(), answers)


def _safety(request: HttpRequest, answers: dict[str, Any]) -> HttpResponse:
    return _page(request, "safety.html", sealed=carry.seal(answers), show_crisis=False,
                 next_step="selfcheck:overdose_questions", language_page="safety")  # fmt: skip


@carried(needs=PHQ9_KEYS)
def overdose_questions(request: HttpRequest, answers: dict[str, Any]) -> HttpResponse:
    """Step 3 shown after the safety screen (the person chose to go on)."""
    return _step(request, 3, OverdoseForm(), answers)


@carried(needs=PHQ9_KEYS)
def overdose(request: HttpRequest, answers: dict[str, Any]) -> HttpResponse:
    """Step 3 (construct 7); then the safety screen first when PHQ-9 item 9 > 0."""
    form = OverdoseForm(request.POST)
    if not form.is_valid():
        return _step(request, 3, form, answers)
    # The safety screen, when item 9 was above 0, came before this step; the result
    # repeats the crisis resources.
    return _result(request, {**answers, **form.flags()})


@carried(needs=ALL_KEYS)
def result(request: HttpRequest, answers: dict[str, Any]) -> HttpResponse:
    """The result page, reached from the safety screen (or again from the contact form)."""
    return _result(request, answers)


def _result(request: HttpRequest, answers: dict[str, Any]) -> HttpResponse:
    try:
        outcome = selfcheck.assess(selfcheck.answers_from_mapping(answers))
    except InvalidInput:
        return _start_again(request)
    return _page(
        request,
        "result.html",
        result=outcome,
        text=wording.result_text(outcome),
        sealed=carry.seal(answers),
        show_crisis=outcome.suicide_item_positive,
        language_page="result",
    )


# The consent the person gives, shown next to the box they tick and stored verbatim with
# the referral (self-check.md "Privacy": the consent they gave, time and text shown), in
# the language it was shown in.
CONSENT_TEXT = gettext_noop(
    "I ask {clinic} to contact me about care for mood and stimulant use. I agree that "
    "{clinic} receives my contact details and what I ticked to share, and keeps them in "
    "its intake records. I can ask the clinic to delete them at any time."
)
# Added when PHQ-9 item 9 was above 0: the clinic sees the request marked urgent even if
# nothing else is shared, and the person is told so before they send it.
URGENT_TEXT = gettext_noop(
    "Because I said I have had thoughts of being better off dead or of hurting myself, "
    "{clinic} will see my request marked urgent and will try to contact me first."
)


def consent_text(clinics: list[Organization], urgent: bool = False) -> str:
    """The consent shown, and stored verbatim, in the request's language: names the clinic
    when there is only one."""
    clinic = clinics[0].name if len(clinics) == 1 else gettext("the clinic I chose")
    text = gettext(CONSENT_TEXT) + (" " + gettext(URGENT_TEXT) if urgent else "")
    return text.format(clinic=clinic)


def _urgent(answers: dict[str, Any]) -> bool:
    try:
        return bool(selfcheck.assess(selfcheck.answers_from_mapping(answers)).suicide_item_positive)
    except InvalidInput:
        return False


def _clinics() -> list[Organization]:
    """The clinics a person can ask to be contacted by (names only; public)."""
    return list(Organization.objects.order_by("name", "pk"))


def _contact_page(
    request: HttpRequest,
    form: ContactForm,
    answers: dict[str, Any],
    clinics: list[Organization],
    nonce: str,
) -> HttpResponse:
    status = 400 if form.is_bound and form.errors else 200
    return _page(
        request,
        "contact.html",
        status=status,
        form=form,
        sealed=carry.seal(answers),
        nonce=nonce,
        consent_text=consent_text(clinics, _urgent(answers)),
        language_page="contact",
    )


@carried(needs=ALL_KEYS)
def contact(request: HttpRequest, answers: dict[str, Any]) -> HttpResponse:
    """The optional hand-off: the contact form (reached from the result page)."""
    return _contact_start(request, answers)


def _contact_start(request: HttpRequest, answers: dict[str, Any]) -> HttpResponse:
    clinics = _clinics()
    if not clinics:
        return _page(request, "no_clinic.html", status=404)
    # A one-use nonce for this form (signed, not stored: only spending it writes a hash).
    nonce = referrals.new_contact_nonce()
    return _contact_page(request, ContactForm(clinics=clinics), answers, clinics, nonce)


@carried(needs=ALL_KEYS)
def contact_send(request: HttpRequest, answers: dict[str, Any]) -> HttpResponse:
    """Validate the contact form and hand it to the clinic's intake list."""
    try:
        outcome = selfcheck.assess(selfcheck.answers_from_mapping(answers))
    except InvalidInput:
        return _start_again(request)
    clinics = _clinics()
    form = ContactForm(request.POST, clinics=clinics)
    nonce = str(request.POST.get("nonce", ""))[:200]
    if not form.is_valid():
        return _contact_page(request, form, answers, clinics, nonce)
    clinic = form.clinic()
    try:
        shared = _shared(form.cleaned_data["shared"], answers, outcome)
        _submit(request, form, clinic, shared, clinics, urgent=outcome.suicide_item_positive)
    except TooMany:
        return _page(request, "contact_too_many.html", status=429, show_crisis=True)
    except Conflict:
        return _page(request, "contact_already_sent.html", status=409, show_crisis=True)
    except ValidationFailed as error:
        if error.field == "nonce":
            return _start_again(request)
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return _contact_page(request, form, answers, clinics, nonce)
    return _page(
        request,
        "contact_sent.html",
        clinic=clinic,
        show_crisis=outcome.needs_safety_screen,
        urgent=outcome.suicide_item_positive,
    )


def _submit(
    request: HttpRequest,
    form: ContactForm,
    clinic: Organization,
    shared: dict[str, Any],
    clinics: list[Organization],
    *,
    urgent: bool,
) -> None:
    referrals.submit_selfcheck_referral(
        nonce=str(request.POST.get("nonce", ""))[:200],
        ip=client_ip(request),
        organization_id=clinic.pk,
        contact_name=form.cleaned_data["contact_name"],
        phone=form.cleaned_data["phone"],
        email=form.cleaned_data["email"],
        preferred_contact=form.cleaned_data["preferred_contact"],
        shared=shared,
        consent_text=consent_text(clinics, urgent),
        consented_at=get_clock().now(),
        urgent=urgent,
    )


def _shared(chosen: list[str], answers: dict[str, Any], outcome: Any) -> dict[str, Any]:
    """Only what the person ticked (self-check.md "Privacy")."""
    shared: dict[str, Any] = {}
    if "answers" in chosen:
        shared["answers"] = answers
    if "result" in chosen:
        shared["result"] = {
            "pattern": outcome.pattern,
            "link": outcome.link,
            "link_signs": list(outcome.link_signs),
            "persistent_low_mood": outcome.persistent_low_mood,
            "phq9_total": outcome.phq9_total,
            "phq9_band": outcome.phq9_band,
            "suicide_item_positive": outcome.suicide_item_positive,
            "overdose_guidance": outcome.overdose_guidance,
        }
    return shared


# The pages built from carried answers, each with the answers it needs and how to show it
# again: switching language there re-renders the same page in the new language, so the
# answers given so far are not lost (a GET page uses django's set_language instead).
_SHOWN_AGAIN: dict[str, tuple[frozenset[str], CarriedView]] = {
    "phq9": (ABOUT_KEYS, lambda r, a: _step(r, 2, Phq9Form(instrument=instruments.get("phq9")), a)),
    "overdose": (PHQ9_KEYS, lambda r, a: _step(r, 3, OverdoseForm(), a)),
    "safety": (PHQ9_KEYS, _safety),
    "result": (ALL_KEYS, _result),
    "contact": (ALL_KEYS, _contact_start),
}


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """The language switcher on a self-check step: remember the choice in the language
    cookie (as set_language does) and show the same page again in that language."""
    language = chosen_language(request.POST.get("language"))
    page = _SHOWN_AGAIN.get(str(request.POST.get("page", "")))
    if language is None or page is None:
        return _start_again(request)
    translation.activate(language)
    request.LANGUAGE_CODE = language
    needs, show = page
    try:
        answers = carry.unseal(request.POST.get(carry.FIELD), needs=needs)
    except carry.StaleAnswers:
        return remember(_start_again(request), language)
    return remember(show(request, answers), language)
