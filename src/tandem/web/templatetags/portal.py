"""Template filters for the patient portal."""

from __future__ import annotations

from django import template

from tandem.services.relapse_prevention import lines as plan_lines

register = template.Library()


@register.filter
def lines(text: str) -> list[str]:
    """A plan field as its non-empty lines (one step or person per line)."""
    return plan_lines(text)


@register.filter
def questionnaire_name(instrument_id: str) -> str:
    """A questionnaire's name as the portal says it (the catalogue's full name is long)."""
    from tandem.web.portal.wording import QUESTIONNAIRE_NAMES

    return str(QUESTIONNAIRE_NAMES.get(instrument_id, instrument_id))
