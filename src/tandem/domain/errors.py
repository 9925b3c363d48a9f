"""The exceptions the clinical core raises.

Every error Tandem's domain raises derives from ``TandemError``. Callers (CLI, web,
API) catch these and show their message, which always names the field (an item, a
JSON path, a file row and column) and what is allowed. Nothing here ever guesses a
value in place of a missing or invalid one.

    TandemError
    └── InvalidInput              input that breaks a documented contract
        ├── NotScorable           an instrument's answers cannot be scored
        │   ├── WrongAnswerCount  too many or too few answers
        │   └── InvalidAnswer     one answer is missing, out of range, or a bad skip
        ├── InvalidOption         a scoring option (sex, substance) is missing or unknown
        ├── UnknownInstrument     no instrument has that id
        ├── InvalidCase           an intake case breaks the case schema (JSON path given)
        ├── InvalidRuleSet        a rule-set file breaks its schema
        └── InvalidTimeline       monitoring data breaks its contract (file, row, column)
"""

from __future__ import annotations


class TandemError(Exception):
    """Base of every error raised by ``tandem.domain``."""


class InvalidInput(TandemError):
    """Input that breaks a documented contract; the message names the field."""


class NotScorable(InvalidInput):
    """An instrument's answers cannot be scored; no total is ever guessed."""


class WrongAnswerCount(NotScorable):
    """The number of answers does not match the instrument (``instrument`` names it)."""

    def __init__(self, instrument: str, problem: str) -> None:
        super().__init__(f"{instrument}: {problem}")
        self.instrument = instrument
        self.problem = problem

    def __reduce__(self) -> tuple[type[WrongAnswerCount], tuple[str, str]]:
        return (type(self), (self.instrument, self.problem))


class InvalidAnswer(NotScorable):
    """One answer is missing, outside the allowed values, or an illegal skip; ``item``
    (1-based) says which, so a form puts the message on that item without reading it."""

    def __init__(self, instrument: str, item: int, problem: str) -> None:
        super().__init__(f"{instrument}: item {item}: {problem}")
        self.instrument = instrument
        self.item = item
        self.problem = problem

    def __reduce__(self) -> tuple[type[InvalidAnswer], tuple[str, int, str]]:
        return (type(self), (self.instrument, self.item, self.problem))


class InvalidOption(InvalidInput):
    """A scoring option (such as sex for AUDIT-C) is missing or not allowed."""


class UnknownInstrument(InvalidInput):
    """No instrument in the registry has the requested id."""


class InvalidCase(InvalidInput):
    """An intake case breaks the case contract at ``path`` (a JSON path such as
    ``$.stimulant.last_use``); the message is ``"<path>: <problem>"``. Callers read
    ``path`` and ``problem``, never the message, to find the field."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem

    def __reduce__(self) -> tuple[type[InvalidCase], tuple[str, str]]:
        return (type(self), (self.path, self.problem))


class InvalidRuleSet(InvalidInput):
    """A rule-set document breaks the rule-set contract."""


class InvalidTimeline(InvalidInput):
    """Monitoring data (check-ins, screens, TLFB) breaks its contract."""
