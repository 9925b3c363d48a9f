"""TANDEM_EMAIL_URL, TANDEM_EMAIL_FROM and the reminder wording refuse bad values at
start-up, and never echo the password."""

from __future__ import annotations

import pytest

from tandem.web.config import ConfigError, EmailServer, load

PRODUCTION = {
    "TANDEM_ENV": "production",
    "TANDEM_SECRET_KEY": "k" * 60,
    "TANDEM_AUDIT_KEY": "a" * 40,
    "TANDEM_AUDIT_HEAD_FILE": "/var/tandem-audit-head.log",
}


def test_smtp_url_with_starttls_and_encoded_credentials() -> None:
    config = load({"TANDEM_EMAIL_URL": "smtp://mail%40c.example:p%3As%2Fw@smtp.c.example?tls=true"})
    assert config.email_server == EmailServer(
        host="smtp.c.example",
        port=587,
        username="mail@c.example",
        password="p:s/w",
        use_tls=True,
    )


def test_smtps_url_defaults_to_port_465() -> None:
    server = load({"TANDEM_EMAIL_URL": "smtps://u:pw@smtp.c.example?timeout=30"}).email_server
    assert server is not None
    assert (server.port, server.use_ssl, server.use_tls, server.timeout) == (465, True, False, 30)


def test_no_url_means_no_server() -> None:
    assert load({}).email_server is None


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://u:secret-pw@h", "the scheme must be smtp or smtps"),
        ("smtp://u:secret-pw@h?tls=maybe", "tls must be true or false"),
        ("smtps://u:secret-pw@h?tls=true", "smtps:// already uses TLS"),
        ("smtp://u:secret-pw@h/inbox", "no path"),
        ("smtp://u:secret-pw@h:99999", "not a valid address"),
        ("smtp://u:secret-pw@h?verify=no", "the only options are tls and timeout"),
        ("smtp://u:secret-pw@h?timeout=0", "timeout must be whole seconds"),
        ("smtp://u:secret-pw@", "no host name"),
    ],
)
def test_bad_email_urls_name_the_problem_not_the_password(url: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem) as refused:
        load({"TANDEM_EMAIL_URL": url})
    assert "secret-pw" not in str(refused.value)


def test_production_refuses_plain_smtp_to_another_machine() -> None:
    with pytest.raises(ConfigError, match="only over TLS"):
        load(
            {
                **PRODUCTION,
                "TANDEM_EMAIL_URL": "smtp://u:p@smtp.c.example",
                "TANDEM_EMAIL_FROM": "no-reply@c.example",
            }
        )
    local = load(
        {
            **PRODUCTION,
            "TANDEM_EMAIL_URL": "smtp://localhost",
            "TANDEM_EMAIL_FROM": "no-reply@c.example",
        }
    )
    assert local.email_server is not None


def test_production_with_a_server_needs_a_sender_address() -> None:
    with pytest.raises(ConfigError, match="TANDEM_EMAIL_FROM: required"):
        load({**PRODUCTION, "TANDEM_EMAIL_URL": "smtps://u:p@smtp.c.example"})


@pytest.mark.parametrize("sender", ["nobody", "a@b@c.example", "x@y.example\nBcc: z@w.example"])
def test_bad_sender_addresses_are_refused(sender: str) -> None:
    with pytest.raises(ConfigError, match="TANDEM_EMAIL_FROM"):
        load({"TANDEM_EMAIL_FROM": sender})


def test_reminder_wording_that_reveals_care_stops_start_up() -> None:
    with pytest.raises(ConfigError, match="TANDEM_REMINDER_SENDER='Sunrise Recovery'"):
        load({"TANDEM_REMINDER_SENDER": "Sunrise Recovery"})
    with pytest.raises(ConfigError, match="TANDEM_REMINDER_TEXT"):
        load({"TANDEM_REMINDER_TEXT": "Hello {name}"})
    config = load({"TANDEM_REMINDER_SENDER": "Hillside Health"})
    assert config.reminder_sender == "Hillside Health"
