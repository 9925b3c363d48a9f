"""``makemessages`` that also extracts the domain's ``N_``-marked text.

Django's command has no ``--keyword`` option; its documented way to add one is to
override ``xgettext_options``. ``tandem.domain`` cannot import Django, so it marks its
patient-facing English with ``tandem.domain.i18n.N_`` (docs/clinical/spanish.md).
"""

from __future__ import annotations

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    # Django reads this class attribute as a list and never mutates it.
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=N_"]  # noqa: RUF012
