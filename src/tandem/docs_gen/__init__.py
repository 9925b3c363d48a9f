"""Reference docs generated from code, so they cannot drift.

Each module in this package defines ``TARGET`` (a path relative to the repository
root) and ``render() -> str``. ``python -m tandem.docs_gen`` writes them all;
``tests/unit/test_generated_docs.py`` fails when a checked-in file is stale.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from types import ModuleType


def generators() -> Iterator[ModuleType]:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            module = importlib.import_module(f"{__name__}.{info.name}")
            if hasattr(module, "TARGET") and hasattr(module, "render"):
                yield module
