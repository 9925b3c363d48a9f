"""``tandem audit verify``: check the audit log's keyed hash chain (SECURITY.md)."""

from __future__ import annotations

import sys

import click

from tandem.cli.server import setup_django


@click.group()
def audit() -> None:
    """The append-only audit log."""


@audit.command()
def verify() -> None:
    """Recompute the hash chain; report the first break and exit 1 if there is one."""
    setup_django()
    from tandem.services.audit import verify_chain

    report = verify_chain()
    if report.ok:
        click.echo(f"audit chain intact: {report.events} events verified")
        return
    click.echo(
        f"audit chain BROKEN at event {report.first_break_seq}: {report.problem} "
        f"({report.events} events read)",
        err=True,
    )
    sys.exit(1)
