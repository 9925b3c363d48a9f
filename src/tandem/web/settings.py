"""Django settings: read once from the environment through ``tandem.web.config``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url

from tandem.web.config import from_process_environment

CONFIG = from_process_environment()

SECRET_KEY = CONFIG.secret_key
DEBUG = CONFIG.debug
ALLOWED_HOSTS = list(CONFIG.allowed_hosts)
TANDEM_DEMO = CONFIG.demo
TANDEM_AUDIT_KEY = CONFIG.audit_key
TANDEM_TRUSTED_PROXY_COUNT = CONFIG.trusted_proxy_count
TANDEM_AUDIT_HEAD_FILE = CONFIG.audit_head_file
TANDEM_BACKUP_KEY = CONFIG.backup_key
TANDEM_TIME_ZONE = CONFIG.time_zone

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "tandem.storage",
    "tandem.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The person's language: the cookie set by the language switcher, else the browser's
    # Accept-Language (never a URL prefix). Staff pages and the API are then put back to
    # English by EnglishOnlyMiddleware (docs/clinical/spanish.md).
    "django.middleware.locale.LocaleMiddleware",
    "tandem.web.language.EnglishOnlyMiddleware",
    "django.middleware.common.CommonMiddleware",
    "tandem.web.edge.ApiErrorShapeMiddleware",
    "tandem.web.edge.RefuseUnstorableMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "tandem.web.security.SessionPolicyMiddleware",
    "tandem.web.security.StaffPagesMiddleware",
    "tandem.web.security.SecurityHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tandem.web.clinic.errors.RefusalPageMiddleware",
]

ROOT_URLCONF = "tandem.web.urls"
WSGI_APPLICATION = "tandem.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


# WAL with synchronous=FULL: a committed transaction survives power loss. The same for
# the default file and for a SQLite DATABASE_URL (issue 12 item 17).
SQLITE_OPTIONS: dict[str, Any] = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}


def _database() -> dict[str, Any]:
    if CONFIG.database_url:
        database: dict[str, Any] = dict(dj_database_url.parse(CONFIG.database_url))
        database["ATOMIC_REQUESTS"] = False
        if database.get("ENGINE") == "django.db.backends.sqlite3":
            database["OPTIONS"] = {**SQLITE_OPTIONS, **(database.get("OPTIONS") or {})}
        return database
    CONFIG.data_dir.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(CONFIG.data_dir / "tandem.sqlite3"),
        "OPTIONS": dict(SQLITE_OPTIONS),
        "TEST": {"NAME": str(CONFIG.data_dir / "test-tandem.sqlite3")},
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Scheduled and background work (ADR 0007): django-tasks with its database backend, run
# by `tandem worker`; `tandem scheduler` enqueues the periodic jobs. A test that wants a
# job run at once in its own process overrides TASKS with the immediate backend.
TASKS_DATABASE_BACKEND = "django_tasks_db.DatabaseBackend"
TASKS = {"default": {"BACKEND": TASKS_DATABASE_BACKEND, "QUEUES": ["default"]}}


def _email() -> dict[str, Any]:
    """Django's e-mail settings: SMTP from TANDEM_EMAIL_URL; the console in demo mode
    (synthetic people only) and in development without a server; in production without
    one nothing is sent (TANDEM_EMAIL_ON is false and the reminder task says so)."""
    server = CONFIG.email_server
    if CONFIG.demo or (server is None and CONFIG.env != "production"):
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if server is None:
        return {"EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"}
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": server.host,
        "EMAIL_PORT": server.port,
        "EMAIL_HOST_USER": server.username,
        "EMAIL_HOST_PASSWORD": server.password,
        "EMAIL_USE_TLS": server.use_tls,
        "EMAIL_USE_SSL": server.use_ssl,
        "EMAIL_TIMEOUT": server.timeout,
    }


_EMAIL = _email()
EMAIL_BACKEND = _EMAIL["EMAIL_BACKEND"]
EMAIL_HOST = _EMAIL.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _EMAIL.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _EMAIL.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _EMAIL.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _EMAIL.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _EMAIL.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = _EMAIL.get("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = CONFIG.email_from
SERVER_EMAIL = CONFIG.email_from
TANDEM_EMAIL_ON = not EMAIL_BACKEND.endswith(".dummy.EmailBackend")

PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
# Patient-facing pages (home, self-check, later the portal) are offered in these
# languages; the catalogue is committed compiled (django.mo), so running needs no gettext.
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [Path(__file__).resolve().parent.parent / "locale"]
# Staff pages and the API stay English whatever the browser or the cookie asks for.
TANDEM_ENGLISH_ONLY_PATHS = ("/clinic/", "/accounts/", "/api/")
LANGUAGE_COOKIE_SECURE = CONFIG.env == "production"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = CONFIG.data_dir / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Outside production WhiteNoise serves straight from the app folders (no collectstatic
# step); in production `tandem serve` collects them into STATIC_ROOT first.
WHITENOISE_USE_FINDERS = CONFIG.env != "production"
WHITENOISE_AUTOREFRESH = CONFIG.env == "development"

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "clinic:caseload"
# Sessions: 12 hours at most (SECURITY.md); idle and absolute limits are enforced by
# tandem.web.security.SessionPolicyMiddleware with the injectable clock.
SESSION_COOKIE_AGE = 12 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
OTP_TOTP_ISSUER = "Tandem"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if CONFIG.env == "production":
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Patient data never goes into logs: only the request line's path (which holds no
# patient data by design) and counts are logged.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": CONFIG.log_level},
}
