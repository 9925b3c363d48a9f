"""Test settings shared by every layer: no network, a throwaway data folder."""

from __future__ import annotations

import logging
import os
import tempfile

import pytest

os.environ.setdefault("TANDEM_ENV", "test")
os.environ.setdefault("TANDEM_DATA_DIR", tempfile.mkdtemp(prefix="tandem-test-"))


# --- No patient data in logs, across the whole run (SECURITY.md "canary") -----------
# Every log record emitted anywhere in the test process (Django's request loggers, the
# live server thread of the browser tests, our own code) is checked for the synthetic
# canary patients' names. A hit fails the run at the end, naming the logger.
CANARY_NAMES = ("Zanzibar Quillfeather-Canary", "Quinn Brightwater-Canary")


class CanaryWatch(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.hits: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a record whose arguments do not format still gets checked
            text = str(record.msg)
        if any(name in text for name in CANARY_NAMES):
            self.hits.append(f"{record.name}: {text[:200]}")


WATCH = CanaryWatch()


def pytest_configure(config: pytest.Config) -> None:
    logging.getLogger().addHandler(WATCH)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if WATCH.hits:
        print("\nA canary patient's name reached the logs:\n  " + "\n  ".join(WATCH.hits[:5]))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
