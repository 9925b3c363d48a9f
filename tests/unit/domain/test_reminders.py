"""The check-in reminder's rule and wording (domain.reminders): pure, no database."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tandem.domain.reminders import (
    DEFAULT_SENDER,
    DEFAULT_TEXT,
    check_sender,
    check_text,
    reminder_due,
    reminder_message,
    treatment_word,
)

PHOENIX = ZoneInfo("America/Phoenix")
NINE = dt.time(9, 0)


def local(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=PHOENIX)


@pytest.mark.parametrize(
    ("now", "opted_in", "last_sent", "checked_in", "due"),
    [
        (local(10, 8, 59), local(1, 12), None, False, False),  # not yet time
        (local(10, 9), local(1, 12), None, False, True),
        (local(10, 22), local(1, 12), None, False, True),  # late, same day
        (local(10, 9), local(1, 12), dt.date(2026, 3, 10), False, False),  # sent today
        (local(10, 9), local(1, 12), dt.date(2026, 3, 9), False, True),
        (local(10, 9), local(1, 12), None, True, False),  # checked in today
        (local(10, 10), local(10, 9, 30), None, False, False),  # opted in after 9:00
        (local(11, 9), local(10, 9, 30), None, False, True),
    ],
)
def test_reminder_due(
    now: dt.datetime, opted_in: dt.datetime, last_sent: dt.date | None, checked_in: bool, due: bool
) -> None:
    assert reminder_due(now, NINE, opted_in, last_sent, checked_in) is due


def test_default_message_is_neutral_and_links_the_portal() -> None:
    message = reminder_message(DEFAULT_SENDER, DEFAULT_TEXT, "https://t.example/me/")
    assert message.body.startswith("A reminder from your care team: your daily check-in is open.")
    assert "https://t.example/me/" in message.body
    assert treatment_word(message.subject + message.body) is None


@pytest.mark.parametrize(
    "sender", ["Sunrise Recovery", "Addiction Services", "Dr. Psych", "meth clinic", "", " x"]
)
def test_sender_names_that_reveal_care_or_are_malformed_are_refused(sender: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011  # each reason has its own message
        check_sender(sender)


@pytest.mark.parametrize("sender", ["Methodist Health", "Hillside Health", "Dr. Ada Moreno"])
def test_neutral_sender_names_pass(sender: str) -> None:
    assert check_sender(sender) == sender


@pytest.mark.parametrize(
    "text", ["{name} check in", "{sender", "Time for your therapy check-in", "two\nlines"]
)
def test_texts_with_other_fields_or_treatment_words_are_refused(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011  # each reason has its own message
        check_text(text)
