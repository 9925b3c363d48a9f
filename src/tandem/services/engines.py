"""The clinical engines the services call, in one place (tandem.domain, tandem.rulesets).

Services never score or formulate themselves: they hand the domain its input and store
its whole output. Domain errors (``tandem.domain.errors``) come back as
``ValidationFailed`` naming the field or JSON path.
"""

from __future__ import annotations

from typing import Any

from tandem.domain.errors import InvalidAnswer, InvalidCase, InvalidInput
from tandem.services.errors import AnswerRefused, ValidationFailed


def instrument_version(instrument_id: str) -> str:
    from tandem.domain import instruments

    try:
        return str(instruments.get(instrument_id).version)
    except InvalidInput as exc:
        raise ValidationFailed(str(exc), "instrument_id") from None


def instrument_ids() -> tuple[str, ...]:
    from tandem.domain import instruments

    return tuple(sorted(instruments.REGISTRY))


def score_answers(
    instrument_id: str, answers: list[Any], options: dict[str, str]
) -> dict[str, Any]:
    """Score with the domain engine; the result is ``Score.as_dict()`` (instruments.md)."""
    from tandem.domain import instruments

    if instrument_id not in instruments.REGISTRY:
        allowed = ", ".join(instrument_ids())
        raise ValidationFailed(f"instrument_id: expected one of {allowed}", "instrument_id")
    try:
        result = instruments.score(
            instrument_id, answers, sex=options.get("sex"), substance=options.get("substance")
        )
    except InvalidAnswer as exc:
        # the item is an attribute (issue 9 item 7): the field names the answer's index
        raise AnswerRefused(f"answers: {exc}", f"answers[{exc.item - 1}]", exc.item) from None
    except InvalidInput as exc:
        raise ValidationFailed(f"answers: {exc}", "answers") from None
    return dict(result.as_dict())


def check_case(case: dict[str, Any]) -> None:
    """Parse a tandem.case/1 document (ruleset-v1.md s1); InvalidCase names the JSON path."""
    from tandem.domain.formulation import parse_case

    try:
        parse_case(case)
    except InvalidCase as exc:
        raise ValidationFailed(str(exc), exc.path) from None


def formulate_case(case: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The formulation output (ruleset-v1.md s10) and the rule-set version that made it."""
    from tandem.domain.formulation import formulate, parse_case
    from tandem.rulesets import load_default

    try:
        parsed = parse_case(case)
    except InvalidCase as exc:
        raise ValidationFailed(str(exc), exc.path) from None
    output = dict(formulate(parsed, load_default()).as_dict())
    return output, str(output.get("ruleset", ""))


def check_timeline(items: list[Any], first: str, base: str, assessed_on: Any) -> None:
    """One timeline list checked alone (domain ``check_timeline``); ValidationFailed names
    the row's JSON path."""
    from tandem.domain.formulation.parsing import check_timeline as check

    try:
        check(items, first, base, assessed_on)
    except InvalidCase as exc:
        raise ValidationFailed(str(exc), exc.path) from None
    except (KeyError, TypeError):
        raise ValidationFailed(f"{base}: each item needs {first} and end", base) from None
