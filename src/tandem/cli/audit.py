"""``tandem audit``: verify the audit log's keyed hash chain against its sealed head and
the head file outside the database; print the head; accept an intended restore."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from tandem.cli.server import setup_django

if TYPE_CHECKING:  # the services need Django set up first
    from tandem.services.audit import ChainReport


@click.group()
def audit() -> None:
    """The append-only audit log."""


@audit.command()
def verify() -> None:
    """Recompute the hash chain, compare it with the head file (TANDEM_AUDIT_HEAD_FILE);
    report the first break and exit 1 if there is one."""
    setup_django()
    from tandem.services.audit import verify_chain

    _report(verify_chain())


def _report(report: ChainReport) -> None:
    if report.ok:
        click.echo(f"audit chain intact: {report.events} events verified; {report.external}")
        return
    click.echo(
        f"audit chain BROKEN at event {report.first_break_seq}: {report.problem} "
        f"({report.events} events read)",
        err=True,
    )
    sys.exit(1)


@audit.command()
@click.option(
    "--append",
    is_flag=True,
    help="Also append the head to TANDEM_AUDIT_HEAD_FILE (when the setting is first turned "
    "on for a database that already holds events).",
)
def head(append: bool) -> None:
    """Print the sealed chain head as one line, to print and keep in the clinic's records."""
    setup_django()
    from tandem.services import audit_head
    from tandem.services.audit import current_head

    seq, last_hash = current_head()
    click.echo(audit_head.format_line("seal", seq, last_hash), nl=False)
    if append:
        if audit_head.configured_path() is None:
            click.echo("tandem: TANDEM_AUDIT_HEAD_FILE is not set", err=True)
            sys.exit(2)
        audit_head.append_line("seal", seq, last_hash, strict=True)


@audit.command(name="accept-restore")
def accept_restore() -> None:
    """Say that the database in place was restored on purpose: if its own chain verifies,
    start a new epoch in the head file at its head (audited)."""
    setup_django()
    from tandem.services.audit import accept_restore as accept

    _report(accept())
