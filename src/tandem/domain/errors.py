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
        └── InvalidTimeline       monitoring data breaks its contract
            ├── InvalidFile       ... in a file: ``file``, ``row``, ``column``
            └── InvalidRecord     ... in a stored record: ``record``, ``number``, ``field``

Errors that know their place carry it as attributes (``InvalidCase.path``,
``InvalidAnswer.item``, ``InvalidFile.row`` and ``column``); callers read them, never
the message.
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


class InvalidFile(InvalidTimeline):
    """A file breaks its format (issue 9): in ``file`` (its name), at ``row`` (the line of
    the file, the header is row 1; ``None``: the file as a whole) and ``column`` (``None``:
    the row as a whole), ``problem`` says what is wrong and what is allowed, quoting only
    the offending cell. The message is ``"<file>, row <row>, column <column>: <problem>"``
    (the parts known); callers read the attributes, never the message."""

    def __init__(self, file: str, row: int | None, column: str | None, problem: str) -> None:
        where = file + ("" if row is None else f", row {row}")
        where += "" if column is None else f", column {column}"
        super().__init__(f"{where}: {problem}")
        self.file = file
        self.row = row
        self.column = column
        self.problem = problem

    def __reduce__(
        self,
    ) -> tuple[type[InvalidFile], tuple[str, int | None, str | None, str]]:
        return (type(self), (self.file, self.row, self.column, self.problem))


class InvalidRecord(InvalidTimeline):
    """A stored monitoring record breaks the contract: the ``record`` kind (``check-in``)
    with id ``number``, at ``field``; the message is ``"check-in 4711, field mood: ..."``."""

    def __init__(self, record: str, number: int, field: str, problem: str) -> None:
        super().__init__(f"{record} {number}, field {field}: {problem}")
        self.record = record
        self.number = number
        self.field = field
        self.problem = problem

    def __reduce__(self) -> tuple[type[InvalidRecord], tuple[str, int, str, str]]:
        return (type(self), (self.record, self.number, self.field, self.problem))
