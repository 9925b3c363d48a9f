"""The project starts, serves its home page, and refuses unsafe settings."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from tandem.storage.checks import durability_problems
from tandem.web.config import ConfigError, load

pytestmark = pytest.mark.django_db


def test_home_page_is_served(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert b"Tandem" in response.content


def test_database_is_durable() -> None:
    assert durability_problems() == []
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] == 2


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"TANDEM_COLOUR": "blue"}, "unknown setting TANDEM_COLOUR"),
        ({"TANDEM_ENV": "staging"}, "TANDEM_ENV='staging'"),
        ({"TANDEM_DEBUG": "maybe"}, "TANDEM_DEBUG='maybe'"),
        ({"TANDEM_ENV": "production"}, "TANDEM_SECRET_KEY"),
        (
            {"TANDEM_ENV": "production", "TANDEM_DEBUG": "true", "TANDEM_SECRET_KEY": "x" * 60},
            "TANDEM_DEBUG=true is not allowed",
        ),
        ({"TANDEM_IDLE_TIMEOUT_MINUTES": "45"}, "TANDEM_IDLE_TIMEOUT_MINUTES='45'"),
        (
            {
                "TANDEM_ENV": "production",
                "TANDEM_DEMO": "true",
                "TANDEM_SECRET_KEY": "x" * 60,
                "TANDEM_AUDIT_KEY": "a" * 40,
            },
            "TANDEM_DEMO=true is not allowed",
        ),
        ({"TANDEM_TRUSTED_PROXY_COUNT": "-1"}, "TANDEM_TRUSTED_PROXY_COUNT='-1'"),
        ({"TANDEM_TRUSTED_PROXY_COUNT": "two"}, "TANDEM_TRUSTED_PROXY_COUNT='two'"),
    ],
)
def test_unsafe_or_unknown_settings_stop_start_up(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        load(environ)


def test_production_settings_load_with_keys() -> None:
    config = load(
        {
            "TANDEM_ENV": "production",
            "TANDEM_SECRET_KEY": "k" * 60,
            "TANDEM_AUDIT_KEY": "a" * 40,
            "TANDEM_AUDIT_HEAD_FILE": "/var/tandem-audit-head.log",
        }
    )
    assert config.debug is False
