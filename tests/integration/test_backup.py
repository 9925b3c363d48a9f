"""``tandem backup`` / ``tandem restore`` (issue 13; SECURITY.md "Durability"): an
encrypted, consistent copy made while the app runs, audited; a restore gives identical
table checksums and an audit chain that verifies. Runs on the database the suite runs
on (SQLite by default, PostgreSQL when DATABASE_URL says so, as CI does)."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.db import connection, connections
from django.test import override_settings

from tandem.cli import main
from tandem.services import patients
from tandem.services.actors import Actor
from tandem.services.audit import record_event, verify_chain
from tandem.services.backup import read_backup
from tandem.storage import snapshot
from tandem.storage.models import AuditChainHead, AuditEvent, Patient
from tests.integration.support import World, build_world

pytestmark = pytest.mark.django_db(transaction=True)
KEY = secrets.token_bytes(32)


@pytest.fixture
def keyed(tmp_path: Path) -> Iterator[Path]:
    head = tmp_path / "audit-head.log"
    with override_settings(TANDEM_BACKUP_KEY=KEY, TANDEM_AUDIT_HEAD_FILE=head):
        yield tmp_path


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def _new_patient(world: World, name: str) -> Patient:
    intake = Actor(user=world.a.staff["intake"].user, ip="127.0.0.1")
    return patients.register_patient(
        intake, display_name=name, date_of_birth="1980-02-03", sex="female"
    )


def test_a_backup_restores_with_identical_checksums_and_a_verified_chain(keyed: Path) -> None:
    world = build_world(referrals=True)
    file = keyed / "clinic.tandem-backup"
    code, output = _run("backup", str(file))
    assert code == 0, output
    assert AuditEvent.objects.filter(action="backup.create", outcome="ok").exists()
    manifest, _ = read_backup(file)
    later = _new_patient(world, "Added After-Backup")
    code, output = _run("restore", str(file), "--replace")
    assert code == 0, output
    assert "table checksums match; audit chain intact" in output
    assert not Patient.objects.filter(pk=later.pk).exists()
    assert Patient.objects.filter(pk=world.a.patient.pk).exists()
    # Every table as in the backup, but for the restore's own two audit events.
    restored = snapshot.live_checksums()
    audit_tables = {AuditEvent._meta.db_table, AuditChainHead._meta.db_table}
    assert {t: v for t, v in restored.items() if t not in audit_tables} == {
        t: v for t, v in manifest.checksums.items() if t not in audit_tables
    }
    events = AuditEvent._meta.db_table
    assert restored[events]["rows"] == manifest.checksums[events]["rows"] + 2
    report = verify_chain()
    assert report.ok, report
    assert " restore seq=" in (keyed / "audit-head.log").read_text()
    assert AuditEvent.objects.filter(action="backup.restore").exists()


def test_the_backup_file_holds_no_readable_patient_data(keyed: Path) -> None:
    world = build_world()
    file = keyed / "clinic.tandem-backup"
    assert _run("backup", str(file))[0] == 0
    blob = file.read_bytes()
    assert world.a.patient.display_name.encode() not in blob
    assert b"storage_patient" not in blob
    assert b"SQLite format" not in blob
    assert file.stat().st_mode & 0o077 == 0  # readable by its owner only


def test_a_backup_taken_during_writes_is_one_consistent_state(keyed: Path) -> None:
    build_world()
    file = keyed / "busy.tandem-backup"
    stop = threading.Event()

    def write() -> None:
        try:
            while not stop.is_set():
                record_event(Actor(None, "127.0.0.9"), "test.busy")
        finally:
            connections.close_all()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        code, output = _run("backup", str(file))
    finally:
        stop.set()
        writer.join()
    assert code == 0, output
    code, output = _run("restore", str(file), "--replace")
    assert code == 0, output  # checksums match and the chain verifies
    assert verify_chain().ok


@pytest.mark.parametrize("damage", ["flip", "truncate", "wrong-key"])
def test_a_damaged_altered_or_foreign_backup_is_refused_and_nothing_changes(
    keyed: Path, damage: str
) -> None:
    build_world()
    file = keyed / "clinic.tandem-backup"
    assert _run("backup", str(file))[0] == 0
    blob = bytearray(file.read_bytes())
    if damage == "flip":
        blob[len(blob) // 2] ^= 0x01
    elif damage == "truncate":
        del blob[-100:]
    file.write_bytes(bytes(blob))
    before = snapshot.live_checksums()
    other_key = secrets.token_bytes(32) if damage == "wrong-key" else KEY
    with override_settings(TANDEM_BACKUP_KEY=other_key):
        code, output = _run("restore", str(file), "--replace")
    assert code == 2
    assert "restore refused" in output
    expected = {"flip": "damaged or altered", "truncate": "truncated", "wrong-key": "another"}
    assert expected[damage] in output
    assert snapshot.live_checksums() == before


def test_backup_and_restore_refuse_clearly(keyed: Path) -> None:
    build_world()
    file = keyed / "clinic.tandem-backup"
    with override_settings(TANDEM_BACKUP_KEY=None):
        code, output = _run("backup", str(file))
        assert (code, "TANDEM_BACKUP_KEY is not set" in output) == (2, True)
    assert _run("backup", str(file))[0] == 0
    code, output = _run("backup", str(file))
    assert (code, "exists already" in output) == (2, True)
    code, output = _run("restore", str(file))  # without --replace over live data
    assert (code, "give --replace" in output) == (2, True)


def test_a_bad_backup_key_setting_stops_start_up() -> None:
    from tandem.web.config import ConfigError, load

    for value in ("abc", "z" * 64, "00" * 16):
        with pytest.raises(ConfigError, match="TANDEM_BACKUP_KEY: expected 64 hex"):
            load({"TANDEM_BACKUP_KEY": value})
    assert load({"TANDEM_BACKUP_KEY": "ab" * 32}).backup_key == bytes.fromhex("ab" * 32)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_postgresql_backup_without_pg_dump_is_refused_with_a_message(
    keyed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_world()
    monkeypatch.setenv("PATH", str(keyed))  # no pg_dump here
    code, output = _run("backup", str(keyed / "x.tandem-backup"))
    assert code == 2
    assert "need pg_dump and pg_restore" in output
