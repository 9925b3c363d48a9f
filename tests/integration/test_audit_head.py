"""An audit log that cannot vanish (issue 13, probe finding 1): the chain head is also
written to an append-only file outside the database, and ``tandem audit verify``
compares the database with it. Tampering is done by raw SQL, as an attacker with
database access would."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.db import connection
from django.test import override_settings

from tandem.cli import main
from tandem.services.actors import Actor
from tandem.services.audit import head_mac, record_event, verify_chain
from tandem.storage.models import AuditChainHead, AuditEvent
from tandem.web.config import ConfigError, load
from tests.integration.support import build_world

pytestmark = pytest.mark.django_db
TABLE = AuditEvent._meta.db_table
HEAD = AuditChainHead._meta.db_table
Capture = Callable[..., AbstractContextManager[Any]]


@pytest.fixture
def head_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "audit-head.log"
    with override_settings(TANDEM_AUDIT_HEAD_FILE=path):
        yield path


def _append(capture: Capture, count: int) -> None:
    """Append events and run their after-commit work (the head file lines), as a real
    commit would (the test itself runs inside one transaction)."""
    with capture(execute=True):
        for n in range(count):
            record_event(Actor(user=None, ip="127.0.0.1"), "test.event", record_id=n)


def _sql(statement: str, *params: object) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _verify(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["audit", *args])
    return result.exit_code, result.output


def _roll_back_to(seq: int) -> None:
    """What an older copy of the database looks like: the events after ``seq`` gone and
    a correctly sealed head at ``seq`` (a real backup carries a real seal)."""
    _sql(f"DELETE FROM {TABLE} WHERE seq > %s", seq)  # noqa: S608
    kept = AuditEvent.objects.get(seq=seq)
    mac = head_mac(seq, kept.hash)
    _sql(f"UPDATE {HEAD} SET seq = %s, hash = %s, mac = %s WHERE id = 1", seq, kept.hash, mac)  # noqa: S608


def test_a_wiped_log_in_a_database_with_patients_is_found_even_without_the_file() -> None:
    build_world()
    _sql(f"DELETE FROM {TABLE}")  # noqa: S608
    _sql(f"DELETE FROM {HEAD}")  # noqa: S608
    code, output = _verify("verify")
    assert code == 1
    assert "intact" not in output
    assert "audit log is empty but the database holds" in output


def test_each_sealed_head_is_appended_to_the_file_after_commit(
    head_file: Path, django_capture_on_commit_callbacks: Capture
) -> None:
    _append(django_capture_on_commit_callbacks, 3)
    lines = head_file.read_text().splitlines()
    assert [re.search(r"seq=(\d+)", line)[1] for line in lines] == ["1", "2", "3"]  # type: ignore[index]
    last = AuditEvent.objects.get(seq=3)
    assert f"hash={last.hash}" in lines[-1]
    code, output = _verify("verify")
    assert code == 0, output
    assert "matches head file" in output


def test_a_rolled_back_write_leaves_no_line(
    head_file: Path, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with connection.cursor(), _atomic():
                record_event(None, "test.event")
                raise RuntimeError("the write failed")
        except RuntimeError:
            pass
    assert not head_file.exists() or head_file.read_text() == ""


def _atomic() -> AbstractContextManager[Any]:
    from django.db import transaction

    return transaction.atomic()


def test_a_wiped_log_and_head_are_found_against_the_file(
    head_file: Path, django_capture_on_commit_callbacks: Capture
) -> None:
    _append(django_capture_on_commit_callbacks, 5)
    _sql(f"DELETE FROM {TABLE}")  # noqa: S608
    _sql(f"DELETE FROM {HEAD}")  # noqa: S608
    report = verify_chain()
    assert not report.ok
    assert "names event 5, but the log ends at event 0" in report.problem
    assert _verify("verify")[0] == 1


def test_a_restored_older_database_is_found_until_the_restore_is_accepted(
    head_file: Path, django_capture_on_commit_callbacks: Capture
) -> None:
    _append(django_capture_on_commit_callbacks, 6)
    _roll_back_to(4)
    report = verify_chain()
    assert not report.ok
    assert report.first_break_seq == 6
    assert "older copy of the database was restored" in report.problem
    with django_capture_on_commit_callbacks(execute=True):
        code, output = _verify("accept-restore")
    assert code == 0, output
    assert " restore seq=4 " in head_file.read_text()
    _append(django_capture_on_commit_callbacks, 2)  # new events 6 and 7 after the restore
    assert verify_chain().ok
    # Rolling back again, below the restore point, is found again.
    _roll_back_to(3)
    assert not verify_chain().ok


def test_a_replaced_database_with_the_same_length_is_found(
    head_file: Path, django_capture_on_commit_callbacks: Capture
) -> None:
    _append(django_capture_on_commit_callbacks, 4)
    _roll_back_to(2)
    with override_settings(TANDEM_AUDIT_HEAD_FILE=None):
        for n in range(2):  # two other events take seq 3 and 4 (not in the file)
            record_event(None, "test.other", record_id=n)
    report = verify_chain()
    assert not report.ok
    assert "event 4 differs from the head file" in report.problem


def test_a_forged_or_damaged_head_file_line_is_found(
    head_file: Path, django_capture_on_commit_callbacks: Capture
) -> None:
    _append(django_capture_on_commit_callbacks, 2)
    forged = "2026-12-04T05:00:00Z restore seq=1 hash=" + "a" * 64 + " mac=" + "b" * 64 + "\n"
    with head_file.open("a") as handle:
        handle.write(forged)
    report = verify_chain()
    assert not report.ok
    assert "line 3: its seal does not match" in report.problem


def test_events_without_any_head_file_entry_are_found(head_file: Path) -> None:
    record_event(None, "test.event")  # no commit callbacks run: the file stays empty
    report = verify_chain()
    assert not report.ok
    assert "missing or empty" in report.problem
    code, output = _verify("head", "--append")
    assert code == 0, output
    assert re.match(r"^\S+Z seal seq=1 hash=[0-9a-f]{64} mac=[0-9a-f]{64}$", output.strip())
    assert verify_chain().ok


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("relative/head.log", "TANDEM_AUDIT_HEAD_FILE='relative/head.log'"),
        ("/no/such/folder/head.log", "does not exist"),
        ("/usr", "not a regular file"),
    ],
)
def test_a_bad_head_file_setting_stops_start_up(value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load({"TANDEM_AUDIT_HEAD_FILE": value})


def test_production_requires_a_head_file(tmp_path: Path) -> None:
    keys = {"TANDEM_ENV": "production", "TANDEM_SECRET_KEY": "k" * 60, "TANDEM_AUDIT_KEY": "a" * 40}
    with pytest.raises(ConfigError, match="TANDEM_AUDIT_HEAD_FILE"):
        load(keys)
    config = load({**keys, "TANDEM_AUDIT_HEAD_FILE": str(tmp_path / "head.log")})
    assert config.audit_head_file == tmp_path / "head.log"
