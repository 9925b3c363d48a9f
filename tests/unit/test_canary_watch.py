"""The whole-run canary watch (tests/conftest.py) notices a canary name in a record."""

from __future__ import annotations

import logging

from tests.conftest import CANARY_NAMES, CanaryWatch


def record(message: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("tandem.test", logging.INFO, __file__, 1, message, args, None)


def test_a_canary_name_in_a_record_is_caught_with_its_logger() -> None:
    watch = CanaryWatch()  # a private instance: the run's own watch must stay clean
    watch.emit(record("opened chart of %s", CANARY_NAMES[0]))
    watch.emit(record("opened chart 42"))
    assert watch.hits == [f"tandem.test: opened chart of {CANARY_NAMES[0]}"]
