"""Generated reference docs are checked in and current (``make docs`` rewrites them)."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from tandem.docs_gen import generators

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("module", list(generators()), ids=lambda m: m.TARGET)
def test_generated_doc_is_current(module: ModuleType) -> None:
    target = ROOT / module.TARGET
    assert target.exists(), f"{module.TARGET} is missing: run `make docs`"
    assert target.read_text(encoding="utf-8") == module.render(), (
        f"{module.TARGET} is stale: run `make docs` and commit the result"
    )
