"""The CLI reference, generated from the click commands themselves."""

from __future__ import annotations

import click

from tandem.cli import main

TARGET = "docs/cli.md"


def _sections(command: click.Command, path: list[str]) -> list[str]:
    context = click.Context(
        command, info_name=" ".join(path), terminal_width=88, max_content_width=88
    )
    help_text = command.get_help(context).replace("\r", "")
    out = [f"## `{' '.join(path)}`", "", "```", help_text.rstrip(), "```", ""]
    if isinstance(command, click.Group):
        for name in command.list_commands(context):
            sub = command.get_command(context, name)
            if sub is not None:
                out += _sections(sub, [*path, name])
    return out


def render() -> str:
    header = [
        "# The `tandem` command",
        "",
        "Generated from the code by `make docs`; a test fails when it is stale.",
        "`score`, `assess`, `analyze`, `tlfb` and `cm` use the clinical core alone (no",
        "Django, no database); the others need the app's settings (see README).",
        "",
    ]
    return "\n".join(header + _sections(main, ["tandem"]))
