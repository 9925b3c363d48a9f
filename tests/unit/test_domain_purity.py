"""``tandem.domain`` is pure: no framework, database, HTTP, file or clock access.

import-linter (``make contracts``) checks the import graph; this test also reads each
module's source so that a clock read such as ``date.today()`` cannot slip in.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "src" / "tandem" / "domain"
FORBIDDEN_MODULES = {
    "django", "ninja", "psycopg", "psycopg2", "sqlite3", "requests", "httpx", "urllib",
    "http", "socket", "subprocess", "time", "tandem.services", "tandem.storage",
    "tandem.web", "tandem.api", "tandem.cli", "tandem.reports",
}  # fmt: skip
FORBIDDEN_CALLS = {"today", "now", "utcnow", "open", "time_ns", "perf_counter"}


def domain_modules() -> list[Path]:
    return sorted(DOMAIN.rglob("*.py"))


def imported_names(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", domain_modules(), ids=lambda p: str(p.relative_to(DOMAIN)))
def test_domain_module_imports_nothing_impure(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = {
        name
        for name in imported_names(tree)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN_MODULES)
    }
    assert not bad, f"{path.name} imports {sorted(bad)}"


@pytest.mark.parametrize("path", domain_modules(), ids=lambda p: str(p.relative_to(DOMAIN)))
def test_domain_module_reads_no_clock_and_no_files(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            calls.add(name)
    assert not calls & FORBIDDEN_CALLS, f"{path.name} calls {sorted(calls & FORBIDDEN_CALLS)}"


def test_the_purity_check_sees_an_impure_module() -> None:
    tree = ast.parse("from django.db import models\nimport datetime\ndatetime.date.today()\n")
    assert "django.db" in imported_names(tree)
