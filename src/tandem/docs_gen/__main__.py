"""Write every generated reference doc: ``python -m tandem.docs_gen``."""

from __future__ import annotations

from pathlib import Path

from tandem.docs_gen import generators

ROOT = Path(__file__).resolve().parents[3]

for module in generators():
    target = ROOT / module.TARGET
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(module.render(), encoding="utf-8")
    print(f"wrote {module.TARGET}")
