"""Marking patient-facing text for translation without importing Django.

The domain stays pure (no Django), so it cannot call ``gettext``. It writes its
patient-facing English through ``N_`` instead: ``N_`` returns the text unchanged, and
``makemessages --keyword=N_`` extracts it, so the web layer can translate the very same
string with ``gettext(text)`` when it shows it.
"""

from __future__ import annotations


def N_(text: str) -> str:
    """Return ``text`` unchanged; marks it for extraction into the message catalogues."""
    return text
