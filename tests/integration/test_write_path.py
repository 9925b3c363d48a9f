"""One write path (DESIGN.md s3, STYLE.md practice 2): the web, API and CLI layers never
write models themselves; they call ``tandem.services``.

import-linter cannot say "may read but not write" (the views import models for reads
and type hints), so this test reads their source: no ORM write call (``save``,
``delete``, ``create``, ``get_or_create``, ``update_or_create``, ``bulk_*``, a queryset
``update``) appears in ``tandem.web``, ``tandem.api`` or ``tandem.cli``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import tandem

SRC = Path(tandem.__file__).parent
LAYERS = ("web", "api", "cli")
WRITES = {
    "save", "delete", "create", "get_or_create", "update_or_create",
    "bulk_create", "bulk_update",
}  # fmt: skip
# A queryset update: `.objects.<...>.update(` or `.filter(...).update(`.
QUERYSET_CALLS = {"objects", "filter", "exclude", "all", "select_for_update"}


def _chain_mentions_queryset(node: ast.AST) -> bool:
    while isinstance(node, ast.Call | ast.Attribute):
        if isinstance(node, ast.Attribute) and node.attr in QUERYSET_CALLS:
            return True
        node = node.func if isinstance(node, ast.Call) else node.value
    return False


def _writes(path: Path, root: Path = SRC) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name = node.func.attr
        receiver = node.func.value
        is_session = isinstance(receiver, ast.Attribute) and receiver.attr == "session"
        manager_write = name in WRITES and _chain_mentions_queryset(receiver)
        instance_write = name in ("save", "delete") and not _is_form(receiver)
        queryset_update = name == "update" and _chain_mentions_queryset(receiver)
        if not is_session and (manager_write or instance_write or queryset_update):
            found.append(f"{path.relative_to(root)}:{node.lineno} .{name}()")
    return found


def _is_form(receiver: ast.AST) -> bool:
    """Unbound form objects never reach the database here; their names end in form."""
    return isinstance(receiver, ast.Name) and receiver.id.endswith("form")


def test_web_api_and_cli_never_write_models_directly() -> None:
    offenders = [
        line
        for layer in LAYERS
        for path in sorted((SRC / layer).rglob("*.py"))
        if "migrations" not in path.parts
        for line in _writes(path)
    ]
    assert offenders == []


def test_the_checker_finds_a_direct_write(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "Patient.objects.create(name='x')\n"
        "patient.save()\n"
        "Patient.objects.filter(pk=1).update(status='x')\n"
        "request.session.save()\n"
        "data.update({'a': 1})\n"
    )
    assert len(_writes(sample, tmp_path)) == 3
