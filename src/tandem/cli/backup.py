"""``tandem backup FILE`` and ``tandem restore FILE`` (docs/backup.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tandem.cli.server import setup_django


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup(file: Path) -> None:
    """Write an encrypted, consistent copy of the whole database to FILE while the app
    runs (key: TANDEM_BACKUP_KEY); audited. FILE must not exist yet."""
    setup_django()
    from tandem.services.backup import BackupRefused, create_backup

    try:
        manifest = create_backup(file)
    except BackupRefused as exc:
        click.echo(f"tandem: backup refused: {exc}", err=True)
        sys.exit(2)
    click.echo(
        f"backup written to {file}: {manifest.engine}, {manifest.tables} tables, "
        f"{manifest.rows} rows, audit chain up to event {manifest.audit_seq}"
    )


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--replace",
    is_flag=True,
    help="Replace a database that holds data (everything in it since the backup is lost).",
)
def restore(file: Path, replace: bool) -> None:
    """Put the backup FILE back as the whole database, then check every table's checksum
    against the backup and verify the audit chain; exit 1 if either fails. Stop the app
    first on PostgreSQL."""
    setup_django()
    from tandem.services.backup import BackupRefused, restore_backup

    try:
        report = restore_backup(file, replace=replace)
    except BackupRefused as exc:
        click.echo(f"tandem: restore refused: {exc}", err=True)
        sys.exit(2)
    manifest = report.manifest
    click.echo(
        f"restored {manifest.engine} backup of {manifest.created_at}: {manifest.tables} "
        f"tables, {manifest.rows} rows"
    )
    if not report.checksums_match:
        click.echo("tandem: restored tables do NOT match the backup's checksums", err=True)
        sys.exit(1)
    if not report.chain.ok:
        click.echo(f"tandem: audit chain BROKEN after restore: {report.chain.problem}", err=True)
        sys.exit(1)
    click.echo(f"table checksums match; audit chain intact: {report.chain.events} events")
