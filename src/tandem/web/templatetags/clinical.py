"""Template filters for clinical words: every id on a page goes through
``tandem.domain.labels`` (``{{ i.id|label:"intervention" }}``)."""

from __future__ import annotations

from django import template

from tandem.domain import labels

register = template.Library()


@register.filter
def label(value: object, kind: str) -> str:
    """The human label of an id (``tandem.domain.labels.label``)."""
    return labels.label(kind, value)


@register.filter
def labels_of(values: object, kind: str) -> str:
    """A list of ids as a comma-separated list of labels."""
    items = values if isinstance(values, list | tuple) else []
    return ", ".join(labels.label(kind, v) for v in items)


@register.filter
def clinical(text: object) -> str:
    """A rule set's sentence without citations or developer notes."""
    return labels.clinical_text(text)


@register.filter
def yes_no(value: object) -> str:
    return labels.yes_no(value)


@register.filter
def band(value: object, instrument_id: str) -> str:
    """A score band in its instrument's words (``{{ s.band|band:"phq9" }}``)."""
    return labels.band_label(instrument_id, value)


@register.filter
def words(value: object) -> str:
    """A stored key as words ("fewer_than_28_checkins" -> "fewer than 28 checkins")."""
    return str(value or "").replace("_", " ")
