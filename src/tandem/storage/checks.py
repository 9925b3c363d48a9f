"""Start-up checks: refuse to run on a database set up to lose committed data."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register
from django.db import connection


def durability_problems() -> list[str]:
    """Return what is unsafe about the default database's durability settings."""
    problems: list[str] = []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA journal_mode")
            mode = str(cursor.fetchone()[0]).lower()
            if mode != "wal" and connection.settings_dict["NAME"] != ":memory:":
                problems.append(f"SQLite journal_mode is {mode}, expected wal")
            cursor.execute("PRAGMA synchronous")
            if int(cursor.fetchone()[0]) != 2:
                problems.append("SQLite synchronous is not FULL (2)")
            cursor.execute("PRAGMA busy_timeout")
            if int(cursor.fetchone()[0]) <= 0:
                problems.append("SQLite busy_timeout is 0")
        elif connection.vendor == "postgresql":
            for name in ("fsync", "synchronous_commit"):
                cursor.execute(f"SHOW {name}")
                if str(cursor.fetchone()[0]).lower() == "off":
                    problems.append(f"PostgreSQL {name} is off")
    return problems


@register("database", deploy=False)
def check_durability(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[Error]:
    if not databases or "default" not in databases:
        return []
    return [Error(p, id="tandem.E001") for p in durability_problems()]
