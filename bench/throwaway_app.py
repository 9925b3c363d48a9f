"""A fresh Tandem app for a benchmark: a new SQLite database in a temporary folder.

Benchmarks run as scripts (``.venv/bin/python bench/NAME.py``), so this module is
importable beside them. Never touches a configured ``DATABASE_URL`` or data folder.
"""

from __future__ import annotations

import os
import tempfile


def start_django(prefix: str, **settings: str) -> str:
    """Point Tandem at a new database, set Django up and migrate; returns the folder."""
    data_dir = tempfile.mkdtemp(prefix=prefix)
    os.environ.pop("DATABASE_URL", None)
    os.environ.update(
        TANDEM_DATA_DIR=data_dir,
        TANDEM_ENV="test",
        DJANGO_SETTINGS_MODULE="tandem.web.settings",
        **settings,
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return data_dir
