"""Every file format has one home (issue 9 item 1): no module outside ``tandem.formats``
imports the ``csv`` module. import-linter cannot say "only this package may import that
module" (its forbidden contracts name the importers), so this test reads every module's
imports with ``ast``."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[3] / "src" / "tandem"
FORMATS = SRC / "formats"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_only_tandem_formats_imports_csv() -> None:
    outside = [
        str(path.relative_to(SRC))
        for path in sorted(SRC.rglob("*.py"))
        if FORMATS not in path.parents and "csv" in _imports(path)
    ]
    assert outside == []


def test_the_check_sees_the_formats_that_do_import_csv() -> None:
    assert "csv" in _imports(FORMATS / "table.py")  # the test reads imports at all depths
