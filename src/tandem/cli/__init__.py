"""The ``tandem`` command.

Subcommands are loaded lazily, each from its own module, so that the clinical
commands (``score``, ``assess``, ``analyze``, ``tlfb``, ``cm``) never import Django
and start fast on a laptop with no database.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

import click

# name -> "module:attribute"; each module holds one click command or group.
COMMANDS: dict[str, str] = {
    "score": "tandem.cli.score:score",
    "assess": "tandem.cli.assess:assess",
    "analyze": "tandem.cli.analyze:analyze",
    "tlfb": "tandem.cli.tlfb:tlfb",
    "cm": "tandem.cli.cm:cm",
    "migrate": "tandem.cli.server:migrate",
    "serve": "tandem.cli.server:serve",
    "worker": "tandem.cli.tasks:worker",
    "scheduler": "tandem.cli.tasks:scheduler",
    "monitor": "tandem.cli.monitor:monitor",
    "demo": "tandem.cli.server:demo",
    "audit": "tandem.cli.audit:audit",
    "backup": "tandem.cli.backup:backup",
    "restore": "tandem.cli.backup:restore",
    "token": "tandem.cli.server:token",
    "staff": "tandem.cli.server:staff",
    "clinic": "tandem.cli.server:clinic",
    "patient": "tandem.cli.server:patient",
    "import": "tandem.cli.imports:import_",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported only when invoked."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if self.get_command(ctx, name) is not None)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None or not _importable(target):
            return None
        module_name, attribute = target.split(":")
        command: Any = getattr(importlib.import_module(module_name), attribute, None)
        return command if isinstance(command, click.Command) else None


def _importable(target: str) -> bool:
    module_name = target.split(":")[0]
    return importlib.util.find_spec(module_name) is not None


@click.group(cls=LazyGroup)
@click.version_option(package_name="tandem")
def main() -> None:
    """Tandem: integrated care for stimulant use and depression."""
