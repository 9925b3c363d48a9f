"""Read Tandem's configuration from the environment, once, and refuse bad values.

Every setting Tandem reads is listed in ``KNOWN``; an unknown ``TANDEM_*`` variable,
a value outside its allowed set or an unsafe combination (production without a
secret key, production with debug or demo mode on) stops start-up with a message naming
the variable and what is allowed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

KNOWN = {
    "TANDEM_ENV": "one of development, test, production (default development)",
    "TANDEM_SECRET_KEY": "a random string of at least 50 characters (required in production)",
    "TANDEM_DEBUG": "true or false (default: true in development unless demo, else false)",
    "TANDEM_DEMO": "true or false: demo mode (MFA not required; default false)",
    "TANDEM_ALLOWED_HOSTS": "comma-separated host names (default 127.0.0.1,localhost)",
    "TANDEM_DATA_DIR": "folder for the SQLite database (default ./var)",
    "TANDEM_AUDIT_KEY": "secret key for the audit hash chain (required in production)",
    "TANDEM_IDLE_TIMEOUT_MINUTES": "whole minutes from 1 to 30 (default 15)",
    "TANDEM_TRUSTED_PROXY_COUNT": "whole number of reverse proxies in front, 0 to 5 "
    "(default 0: the client address is REMOTE_ADDR; N: the Nth address from the right "
    "of X-Forwarded-For)",
    "TANDEM_AUDIT_HEAD_FILE": "absolute path of the append-only file that also receives every "
    "sealed audit chain head (its folder must exist; required in production; default: none)",
    "TANDEM_BACKUP_KEY": "64 hex characters (a 256-bit key) that encrypts tandem backup "
    "files; keep it apart from the backups (default: none, backup and restore refuse)",
    "TANDEM_LOG_LEVEL": "one of DEBUG, INFO, WARNING, ERROR (default INFO)",
    "TANDEM_TIME_ZONE": "the IANA time zone of a new clinic, e.g. America/Phoenix (default UTC); "
    "each clinic keeps its own (tandem clinic create --time-zone)",
    "TANDEM_BASE_URL": "the address people open Tandem at, for links in e-mail notices "
    "(default http://127.0.0.1:8000)",
    "TANDEM_ALERT_EMAIL": "true or false: e-mail alert recipients a link (no health "
    "information) when an alert reaches them (default false)",
    "TANDEM_EMAIL_URL": "the SMTP server for e-mail, smtp://USER:PASSWORD@HOST:PORT?tls=true "
    "(STARTTLS) or smtps://USER:PASSWORD@HOST:PORT (TLS from the start); percent-encode "
    "special characters in the user and password; optional timeout=SECONDS (1 to 120). "
    "Production refuses plain smtp:// to any host but this machine. Default: none (e-mail is "
    "printed on the console in development and always in demo mode; not sent in production)",
    "TANDEM_EMAIL_FROM": "the sender address, e.g. no-reply@clinic.example or "
    "Clinic <no-reply@clinic.example> (required in production with TANDEM_EMAIL_URL; "
    "default tandem@localhost)",
    "TANDEM_REMINDER_SENDER": "the sender name of patients' check-in reminders, up to 60 "
    "characters that reveal nothing about treatment (default: your care team)",
    "TANDEM_REMINDER_TEXT": "the reminder sentence, one line of up to 300 characters with "
    "{sender} for the sender name, revealing nothing about treatment (default: A reminder "
    "from {sender}: your daily check-in is open.)",
    "TANDEM_SCREENSHOTS": "tests only: 1 makes the browser tests save docs/screenshots/",
}
ENVIRONMENTS = ("development", "test", "production")
INSECURE_DEV_KEY = "insecure-development-key-never-use-in-production-0123456789abcdef"


class ConfigError(Exception):
    """A configuration value is unknown, malformed or unsafe."""


@dataclass(frozen=True)
class EmailServer:
    """The SMTP server from ``TANDEM_EMAIL_URL`` (Django's EMAIL_* settings)."""

    host: str
    port: int
    username: str = ""
    password: str = field(default="", repr=False)
    use_tls: bool = False  # STARTTLS after connecting (smtp://...?tls=true)
    use_ssl: bool = False  # TLS from the start (smtps://)
    timeout: int = 10


@dataclass(frozen=True)
class Config:
    env: str
    secret_key: str
    debug: bool
    demo: bool
    allowed_hosts: tuple[str, ...]
    data_dir: Path
    database_url: str | None
    audit_key: str
    idle_timeout_minutes: int
    log_level: str
    trusted_proxy_count: int = 0
    audit_head_file: Path | None = None
    backup_key: bytes | None = field(default=None, repr=False)
    time_zone: str = "UTC"
    base_url: str = "http://127.0.0.1:8000"
    alert_email: bool = False
    email_server: EmailServer | None = None
    email_from: str = "tandem@localhost"
    reminder_sender: str = "your care team"
    reminder_text: str = "A reminder from {sender}: your daily check-in is open."


def _bool(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no"):
        return False
    raise ConfigError(f"{name}={raw!r}: expected {KNOWN[name]}")


def _int(environ: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: expected {KNOWN[name]}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}={raw!r}: expected {KNOWN[name]}")
    return value


def _head_file(environ: Mapping[str, str], production: bool) -> Path | None:
    raw = environ.get("TANDEM_AUDIT_HEAD_FILE", "")
    name = "TANDEM_AUDIT_HEAD_FILE"
    if not raw:
        if production:
            raise ConfigError(f"{name}: expected {KNOWN[name]}")
        return None
    path = Path(raw)
    if not path.is_absolute() or raw != raw.strip():
        raise ConfigError(f"{name}={raw!r}: expected {KNOWN[name]}")
    if not path.parent.is_dir():
        raise ConfigError(f"{name}={raw!r}: the folder {str(path.parent)!r} does not exist")
    if path.exists() and not path.is_file():
        raise ConfigError(f"{name}={raw!r}: exists and is not a regular file")
    return path


def _backup_key(environ: Mapping[str, str]) -> bytes | None:
    raw = environ.get("TANDEM_BACKUP_KEY", "")
    if not raw:
        return None
    try:
        key = bytes.fromhex(raw)
    except ValueError:
        key = b""
    if len(key) != 32:
        # The value itself is a secret: never echo it.
        raise ConfigError(f"TANDEM_BACKUP_KEY: expected {KNOWN['TANDEM_BACKUP_KEY']}")
    return key


def load(environ: Mapping[str, str]) -> Config:
    """Build the configuration from an environment mapping, or raise ConfigError."""
    unknown = sorted(k for k in environ if k.startswith("TANDEM_") and k not in KNOWN)
    if unknown:
        raise ConfigError(
            f"unknown setting {unknown[0]}; known settings are {', '.join(sorted(KNOWN))}"
        )
    env = environ.get("TANDEM_ENV", "development") or "development"
    if env not in ENVIRONMENTS:
        raise ConfigError(f"TANDEM_ENV={env!r}: expected {KNOWN['TANDEM_ENV']}")
    production = env == "production"
    demo = _bool(environ, "TANDEM_DEMO", default=False)
    # The demo behaves like production: error pages, never Django's debug page, unless
    # TANDEM_DEBUG=true asks for it (issue 12 item 10).
    debug = _bool(environ, "TANDEM_DEBUG", default=env == "development" and not demo)
    if production and debug:
        raise ConfigError("TANDEM_DEBUG=true is not allowed when TANDEM_ENV=production")
    if production and demo:
        raise ConfigError(
            "TANDEM_DEMO=true is not allowed when TANDEM_ENV=production (demo mode signs "
            "staff in without a second factor)"
        )
    secret_key = environ.get("TANDEM_SECRET_KEY", "")
    audit_key = environ.get("TANDEM_AUDIT_KEY", "")
    if production:
        if len(secret_key) < 50:
            raise ConfigError(f"TANDEM_SECRET_KEY: expected {KNOWN['TANDEM_SECRET_KEY']}")
        if len(audit_key) < 32:
            raise ConfigError("TANDEM_AUDIT_KEY: expected at least 32 characters in production")
    level = (environ.get("TANDEM_LOG_LEVEL") or "INFO").upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(f"TANDEM_LOG_LEVEL={level!r}: expected {KNOWN['TANDEM_LOG_LEVEL']}")
    hosts = environ.get("TANDEM_ALLOWED_HOSTS") or "127.0.0.1,localhost"
    return Config(
        env=env,
        secret_key=secret_key or INSECURE_DEV_KEY,
        debug=debug,
        demo=demo,
        allowed_hosts=tuple(h.strip() for h in hosts.split(",") if h.strip()),
        data_dir=Path(environ.get("TANDEM_DATA_DIR") or "var").resolve(),
        database_url=environ.get("DATABASE_URL") or None,
        audit_key=audit_key or "insecure-development-audit-key",
        idle_timeout_minutes=_int(environ, "TANDEM_IDLE_TIMEOUT_MINUTES", 15, 1, 30),
        log_level=level,
        trusted_proxy_count=_int(environ, "TANDEM_TRUSTED_PROXY_COUNT", 0, 0, 5),
        audit_head_file=_head_file(environ, production),
        backup_key=_backup_key(environ),
        time_zone=_time_zone(environ),
        base_url=(environ.get("TANDEM_BASE_URL") or "http://127.0.0.1:8000").rstrip("/"),
        alert_email=_bool(environ, "TANDEM_ALERT_EMAIL", default=False),
        email_server=_email_server(environ, production),
        email_from=_email_from(environ, production),
        **_reminder_wording(environ),
    )


def _time_zone(environ: Mapping[str, str]) -> str:
    """An IANA zone name the machine's zone database knows (``zoneinfo``)."""
    name = environ.get("TANDEM_TIME_ZONE") or "UTC"
    from tandem.services.calendar import check_time_zone

    try:
        return check_time_zone(name)
    except ValueError:
        raise ConfigError(
            f"TANDEM_TIME_ZONE={name!r}: expected {KNOWN['TANDEM_TIME_ZONE']}"
        ) from None


LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def _email_server(environ: Mapping[str, str], production: bool) -> EmailServer | None:
    """The SMTP server of ``TANDEM_EMAIL_URL``. The value holds a password: errors name
    the problem, never the value."""
    raw = environ.get("TANDEM_EMAIL_URL", "")
    if not raw:
        return None

    def refuse(problem: str) -> ConfigError:
        return ConfigError(f"TANDEM_EMAIL_URL: {problem}; expected {KNOWN['TANDEM_EMAIL_URL']}")

    if raw != raw.strip() or any(ch in raw for ch in "\r\n\t "):
        raise refuse("spaces or line breaks in the address")
    try:
        parts = urlsplit(raw)
        port = parts.port
        query = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError:
        raise refuse(
            "not a valid address (is a special character in the password not percent-encoded?)"
        ) from None
    if parts.scheme not in ("smtp", "smtps"):
        raise refuse("the scheme must be smtp or smtps")
    if not parts.hostname:
        raise refuse("no host name")
    if parts.path not in ("", "/") or parts.fragment:
        raise refuse("an SMTP address has no path")
    options = dict(query)
    if len(options) != len(query) or set(options) - {"tls", "timeout"}:
        raise refuse("the only options are tls and timeout, each once")
    use_ssl = parts.scheme == "smtps"
    use_tls = _flag(options.get("tls", "false"), refuse)
    if use_ssl and use_tls:
        raise refuse("smtps:// already uses TLS; tls=true is for smtp://")
    timeout = options.get("timeout", "10")
    if not timeout.isdigit() or not 1 <= int(timeout) <= 120:
        raise refuse("timeout must be whole seconds from 1 to 120")
    if production and not (use_ssl or use_tls) and parts.hostname not in LOCAL_HOSTS:
        raise refuse("production sends e-mail to another machine only over TLS")
    return EmailServer(
        host=parts.hostname,
        port=port or (465 if use_ssl else 587 if use_tls else 25),
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        use_tls=use_tls,
        use_ssl=use_ssl,
        timeout=int(timeout),
    )


def _flag(value: str, refuse: Callable[[str], ConfigError]) -> bool:
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no"):
        return False
    raise refuse("tls must be true or false")


def _email_from(environ: Mapping[str, str], production: bool) -> str:
    raw = environ.get("TANDEM_EMAIL_FROM", "")
    name = "TANDEM_EMAIL_FROM"
    if not raw:
        if production and environ.get("TANDEM_EMAIL_URL"):
            raise ConfigError(f"{name}: required with TANDEM_EMAIL_URL in production")
        return "tandem@localhost"
    _, address = parseaddr(raw)
    if (
        any(ch in raw for ch in "\r\n")
        or not re.fullmatch(r"[^@\s<>\"]+@[^@\s<>\"]+", address)
        or raw.count("@") != 1
    ):
        raise ConfigError(f"{name}={raw!r}: expected {KNOWN[name]}")
    return raw


def _reminder_wording(environ: Mapping[str, str]) -> dict[str, str]:
    """The reminder's sender name and sentence, checked to reveal nothing about care."""
    from tandem.domain import reminders

    chosen = {
        "reminder_sender": (
            "TANDEM_REMINDER_SENDER",
            reminders.DEFAULT_SENDER,
            reminders.check_sender,
        ),
        "reminder_text": ("TANDEM_REMINDER_TEXT", reminders.DEFAULT_TEXT, reminders.check_text),
    }
    wording: dict[str, str] = {}
    for key, (name, default, check) in chosen.items():
        value = environ.get(name) or default
        try:
            wording[key] = check(value)
        except ValueError as exc:
            raise ConfigError(f"{name}={value!r}: {exc}; expected {KNOWN[name]}") from None
    return wording


def from_process_environment() -> Config:
    return load(os.environ)
