"""The clock port: services take "now" from here so tests can freeze it (STYLE.md s7)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime: ...

    def today(self) -> dt.date: ...


class SystemClock:
    """The real clock: aware UTC datetimes."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def today(self) -> dt.date:
        return self.now().date()


class FixedClock:
    """A clock that stands still until moved (tests, the demo's fixed dates)."""

    def __init__(self, at: dt.datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self.at = at

    def now(self) -> dt.datetime:
        return self.at

    def today(self) -> dt.date:
        return self.at.date()

    def advance(self, **delta: float) -> None:
        self.at = self.at + dt.timedelta(**delta)


_current: list[Clock] = [SystemClock()]


def get_clock() -> Clock:
    return _current[-1]


@contextmanager
def use_clock(clock: Clock) -> Iterator[Clock]:
    """Make ``clock`` the clock every service and the session middleware read."""
    _current.append(clock)
    try:
        yield clock
    finally:
        _current.remove(clock)
