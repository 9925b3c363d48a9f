"""A consistent copy of the whole database while the app runs, and putting one back.

- SQLite: the online backup API (``sqlite3.Connection.backup``) copies every page into
  an in-memory database in one step, under a read lock, so writers wait a moment and
  the copy is one committed state; ``serialize`` turns it into bytes. No plain copy
  touches the disk. Restore goes the other way, in one step, into the live file.
- PostgreSQL: ``pg_dump --format=custom`` inside an exported snapshot (REPEATABLE READ),
  so the checksums and the audit head are read from the very state that was dumped;
  restore is ``pg_restore --clean --if-exists --single-transaction``. Without pg_dump
  and pg_restore on the PATH both refuse with a message. Connection details go to them
  in the environment (PGPASSWORD), never on the command line.

``table_checksums`` gives, per table, the row count and a SHA-256 over its rows in a
fixed order: a restored database must give the same figures.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

Checksums = dict[str, dict[str, Any]]


class SnapshotRefused(Exception):
    """A backup or restore cannot be done here (tools missing, tool failed)."""


@dataclass(frozen=True)
class Snapshot:
    engine: str  # "sqlite" or "postgresql"
    data: bytes
    checksums: Checksums
    audit_head: tuple[int, str]  # (seq, hash) of the chain head in this copy


def engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise SnapshotRefused(f"backups support SQLite and PostgreSQL, not {vendor}")
    return vendor


def _value(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return "b:" + bytes(value).hex()
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return "t:" + value.isoformat()
    if isinstance(value, decimal.Decimal | float):
        return "n:" + str(value)
    return repr(value)


def _table_sum(cursor: Any, table: str, quote: str) -> dict[str, Any]:
    name = quote + table.replace(quote, quote + quote) + quote
    cursor.execute(f"SELECT * FROM {name} LIMIT 0")  # noqa: S608  (names from the catalogue)
    width = len(cursor.description)
    order = ", ".join(str(n) for n in range(1, width + 1))
    cursor.execute(f"SELECT * FROM {name} ORDER BY {order}")  # noqa: S608
    digest, rows = hashlib.sha256(), 0
    for batch in iter(lambda: cursor.fetchmany(2000), []):
        for values in batch:
            digest.update(("\x1f".join(_value(v) for v in values) + "\x1e").encode())
            rows += 1
    return {"rows": rows, "sha256": digest.hexdigest()}


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    found = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    return [str(row[0]) for row in found]


def _sqlite_checksums(db: sqlite3.Connection) -> Checksums:
    cursor = db.cursor()
    return {table: _table_sum(cursor, table, '"') for table in _sqlite_tables(db)}


def _head_of(cursor: Any) -> tuple[int, str]:
    from tandem.storage.models import AuditChainHead

    cursor.execute(f"SELECT seq, hash FROM {AuditChainHead._meta.db_table} WHERE id = 1")  # noqa: S608
    row = cursor.fetchone()
    return (int(row[0]), str(row[1])) if row else (0, "0" * 64)


def _sqlite_path() -> str:
    return str(connection.settings_dict["NAME"])


def _postgres_checksums(cursor: Any) -> Checksums:
    tables = sorted(connection.introspection.table_names(cursor))
    return {table: _table_sum(cursor, table, '"') for table in tables}


def take_snapshot() -> Snapshot:
    """One consistent copy of the database in place, with its checksums and audit head."""
    kind = engine()
    if kind == "sqlite":
        return _sqlite_snapshot()
    return _postgres_snapshot()


def _sqlite_snapshot() -> Snapshot:
    source = sqlite3.connect(_sqlite_path(), timeout=20)
    copy = sqlite3.connect(":memory:")
    try:
        source.backup(copy)  # all pages in one step: one committed state
        checksums = _sqlite_checksums(copy)
        head = _head_of(copy.cursor())
        return Snapshot("sqlite", copy.serialize(), checksums, head)
    finally:
        copy.close()
        source.close()


def _pg_tools() -> tuple[str, str]:
    dump, restore = shutil.which("pg_dump"), shutil.which("pg_restore")
    if not dump or not restore:
        raise SnapshotRefused(
            "PostgreSQL backups need pg_dump and pg_restore on the PATH (Debian: apt-get "
            "install postgresql-client, the same major version as the server)"
        )
    return dump, restore


def _pg_environment() -> dict[str, str]:
    settings = connection.settings_dict
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if settings.get(key):
            env[variable] = str(settings[key])
    return env


def _postgres_snapshot() -> Snapshot:
    dump, _ = _pg_tools()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot_id = str(cursor.fetchone()[0])
        result = subprocess.run(  # noqa: S603  (a fixed tool, no shell, no user text)
            [dump, "--format=custom", "--no-owner", f"--snapshot={snapshot_id}"],
            env=_pg_environment(),
            capture_output=True,
            check=False,
        )
        if result.returncode != 0:
            raise SnapshotRefused(f"pg_dump failed: {result.stderr.decode()[-500:].strip()}")
        checksums = _postgres_checksums(cursor)
        head = _head_of(cursor)
    return Snapshot("postgresql", result.stdout, checksums, head)


def live_checksums() -> Checksums:
    """The checksums of the database in place (after a restore)."""
    if engine() == "sqlite":
        db = sqlite3.connect(_sqlite_path(), timeout=20)
        try:
            return _sqlite_checksums(db)
        finally:
            db.close()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return _postgres_checksums(cursor)


def holds_data() -> bool:
    """Whether the database in place holds any audit event (every write makes one)."""
    from tandem.storage.models import AuditEvent, Patient

    return AuditEvent.objects.exists() or Patient.objects.exists()


def put_snapshot(kind: str, data: bytes) -> None:
    """Replace the whole database in place with a snapshot's content (same engine)."""
    if kind != engine():
        raise SnapshotRefused(f"this backup is of a {kind} database; this one is {engine()}")
    connection.close()  # Django's own connection must not hold the old state open
    if kind == "sqlite":
        _put_sqlite(data)
    else:
        _put_postgres(data)


def _put_sqlite(data: bytes) -> None:
    copy = sqlite3.connect(":memory:")
    target = sqlite3.connect(_sqlite_path(), timeout=20)
    try:
        # A copy of a WAL database says so in its header (bytes 18-19 = 2), which an
        # in-memory database cannot open; mark it a rollback-journal file (1) to check it.
        image = bytearray(data)
        if len(image) >= 100 and image[18:20] == b"\x02\x02":
            image[18:20] = b"\x01\x01"
        copy.deserialize(bytes(image))
        if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise SnapshotRefused("the backup's database fails SQLite's integrity check")
        copy.backup(target)  # one step: other connections see the old or the new state
        target.execute("PRAGMA journal_mode=WAL")  # as the settings keep it
    finally:
        target.close()
        copy.close()


def _put_postgres(data: bytes) -> None:
    _, restore = _pg_tools()
    env = _pg_environment()
    result = subprocess.run(  # noqa: S603  (a fixed tool, no shell, no user text)
        [
            restore,
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--no-owner",
            "--exit-on-error",
            f"--dbname={env.get('PGDATABASE', '')}",
        ],
        input=data,
        env=env,
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        raise SnapshotRefused(f"pg_restore failed: {result.stderr.decode()[-500:].strip()}")
