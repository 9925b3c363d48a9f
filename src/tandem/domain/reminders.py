"""The daily check-in reminder (issue 10): when one is due, and what it may say.

A reminder goes to an address the patient chose, where others may read it (a shared
inbox, a lock screen). It must reveal nothing about treatment or the kind of program
(42 CFR Part 2 protects even the fact that someone is a patient of a substance-use
program): no patient name, no clinic program name, no word about drugs, use or mood.
The clinic may choose the sender name and the sentence; both are checked here.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from dataclasses import dataclass
from typing import Final

DEFAULT_SENDER: Final = "your care team"
DEFAULT_TEXT: Final = "A reminder from {sender}: your daily check-in is open."
SUBJECT: Final = "Your daily check-in is open"
SENDER_MAX: Final = 60
TEXT_MAX: Final = 300

# Words that would tell a reader what kind of care this is: each a regular expression
# matched from the start of a word ("addict" also finds "addiction"; "meth\b" finds the
# word "meth" but not "Methodist"). The program's choice, short and strict: a clinic that
# needs one of them in its sender name can't have it.
TREATMENT_WORDS: Final = (
    r"addict",
    r"alcohol",
    r"abstinen",
    r"cocaine",
    r"crack\b",
    r"craving",
    r"depress",
    r"detox",
    r"drug",
    r"meth\b",
    r"methamphetamine",
    r"mental",
    r"mood",
    r"opioid",
    r"overdose",
    r"psych",
    r"recovery",
    r"rehab",
    r"relapse",
    r"sober",
    r"stimulant",
    r"substance",
    r"suicid",
    r"therap",
    r"treatment",
    r"urine",
)
_WORD_START: Final = re.compile(r"\b(" + "|".join(TREATMENT_WORDS) + r")\w*", re.IGNORECASE)
_UNSAFE_SENDER: Final = re.compile(r'[\r\n<>"@\\{}]')


def treatment_word(text: str) -> str | None:
    """The first word in ``text`` that reveals the kind of care, or None."""
    found = _WORD_START.search(text)
    return found.group(0).lower() if found else None


def check_sender(sender: str) -> str:
    """A sender name a clinic may use (``ValueError`` saying why not)."""
    if not sender or sender != sender.strip() or len(sender) > SENDER_MAX:
        raise ValueError(f"1 to {SENDER_MAX} characters, no spaces at either end")
    if _UNSAFE_SENDER.search(sender) or not sender.isprintable():
        raise ValueError('letters, digits, spaces and punctuation other than < > " @ \\ { }')
    _refuse_treatment_words(sender)
    return sender


def check_text(text: str) -> str:
    """A reminder sentence a clinic may use: one line, ``{sender}`` its only field."""
    if not text or len(text) > TEXT_MAX or not text.isprintable():
        raise ValueError(f"one line of 1 to {TEXT_MAX} characters")
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        raise ValueError("unbalanced { or }; write {sender} for the sender name") from None
    if fields - {"sender"}:
        raise ValueError("{sender} is the only field the text may hold")
    _refuse_treatment_words(text)
    return text


def _refuse_treatment_words(text: str) -> None:
    word = treatment_word(text)
    if word is not None:
        raise ValueError(f"must not reveal the kind of care (it holds {word!r})")


@dataclass(frozen=True)
class ReminderMessage:
    subject: str
    body: str


def reminder_message(sender: str, text: str, link: str) -> ReminderMessage:
    """The e-mail: the clinic's sentence with its sender name, and the portal link."""
    sentence = text.format(sender=sender)
    body = f"{sentence}\n\n{link}\n\nYou can turn these reminders off after signing in.\n"
    return ReminderMessage(SUBJECT, body)


def reminder_due(
    local_now: dt.datetime,
    reminder_time: dt.time,
    opted_in_local: dt.datetime,
    last_sent_on: dt.date | None,
    checked_in_today: bool,
) -> bool:
    """Whether today's reminder is due: its time has come (clinic-local), that moment
    came after the patient opted in, none went today and they have not checked in.

    ``local_now`` and ``opted_in_local`` are aware datetimes in the clinic's zone. A
    reminder missed while nothing ran goes out late the same day, never the next."""
    today = local_now.date()
    at = dt.datetime.combine(today, reminder_time, tzinfo=local_now.tzinfo)
    return (
        local_now >= at and at >= opted_in_local and last_sent_on != today and not checked_in_today
    )
