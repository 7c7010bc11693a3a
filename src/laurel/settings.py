"""One settings module for every environment, driven by environment variables.

The defaults suit a laptop: SQLite under ``var/``, mail printed to the console. Debug
is off unless ``LAUREL_DEBUG=1`` (``make run`` sets it); with debug off Laurel needs a
``SECRET_KEY`` of at least 50 characters. Production also sets ``ALLOWED_HOSTS`` and
``DATABASE_URL``.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("LAUREL_VAR_DIR", PROJECT_DIR / "var"))


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false)")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number") from None


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a number") from None
    if number < 0 or number != number or number == float("inf"):
        raise ImproperlyConfigured(f"{name}={value!r} must be a finite number, 0 or more")
    return number


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


# Debug is for a developer's machine only (`make run` asks for it): a deployment that
# forgets a variable must not show tracebacks or sign cookies with a published key.
DEBUG = env_bool("LAUREL_DEBUG", False)
_DEV_SECRET = "laurel-development-only-secret-key-not-for-production-use-0123456789"  # noqa: S105 - used only with debug on
SECRET_KEY_MIN_LENGTH = 50


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "")
    if DEBUG:
        return key or _DEV_SECRET
    if not key:
        problem = "SECRET_KEY is not set."
    elif key == _DEV_SECRET:
        problem = "SECRET_KEY is the development key, which anyone can read in the source."
    elif len(key) < SECRET_KEY_MIN_LENGTH:
        problem = (
            f"SECRET_KEY has {len(key)} characters; it needs at least {SECRET_KEY_MIN_LENGTH}."
        )
    elif len(set(key)) < 5 or key.startswith("django-insecure"):
        problem = "SECRET_KEY is not random enough."
    else:
        return key
    raise ImproperlyConfigured(
        f"Laurel will not start with debug off: {problem} Set SECRET_KEY to a long random"
        " value (for example the output of"
        " `python -c 'import secrets; print(secrets.token_urlsafe(50))'`),"
        " or set LAUREL_DEBUG=1 on a development machine."
    )


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "django_tasks",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "laurel.accounts",
    "laurel.programs",
    "laurel.certificates",
    "laurel.badges",
    "laurel.outbox",
    "laurel.verification",
    "laurel.notifications",
    "laurel.api",
    "laurel.imports",
    "laurel.webhooks",
    "laurel.credentials",
    "laurel.console",
    "laurel.participation",
    "laurel.demo",
]

MIDDLEWARE = [
    # First, so that it also sees what the middleware below it answers (a bad Host).
    "laurel.middleware.ApiProblemMiddleware",
    "laurel.middleware.DatabaseBusyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After the session, which holds the person's time zone.
    "laurel.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "laurel.urls"
WSGI_APPLICATION = "laurel.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "laurel.console.navigation.console_link",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'laurel.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
# How long a write waits for a lock that another writer holds; then the request is
# answered 503 with Retry-After (laurel.middleware).
DATABASE_LOCK_TIMEOUT_SECONDS = env_int("LAUREL_DATABASE_LOCK_TIMEOUT", 20)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # Writers queue for the lock instead of failing; WAL lets readers run beside them.
        "timeout": DATABASE_LOCK_TIMEOUT_SECONDS,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            " PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
        ),
    }
    # A file, not memory, so that tests can write from several threads at once; one per
    # process, so that test runs side by side do not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"]["TEST"] = {"NAME": env_str("LAUREL_TEST_DATABASE", "test_laurel")}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
            f"-c lock_timeout={DATABASE_LOCK_TIMEOUT_SECONDS * 1000}"
        )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Accounts (django-allauth): one account per email address, no user names, no sign-up
# (people join by invitation, or are added by their organisation); sign in by password or
# by a code sent by email; optional two-factor (TOTP) from the account's security page.
ACCOUNT_ADAPTER = "laurel.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"login": "laurel.accounts.forms.LoginForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
# Addresses arrive from organisations (API, CSV, invitations), and an invitation proves
# the address when it is followed; nothing asks to confirm it again.
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
ACCOUNT_LOGOUT_REDIRECT_URL = LOGOUT_REDIRECT_URL
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Laurel: "
ACCOUNT_RATE_LIMITS = {
    # Wrong passwords are counted by Laurel's own limiter (accounts.RateLimit, below), per
    # account and per address, on the site's and the admin's sign-in pages alike.
    "login_failed": False,
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Laurel"
# allauth's own limits (sign-in codes and password-reset emails requested, per address and
# per account) and its memory of used two-factor codes are in the default cache: a database
# table, so that every process counts together. What a process may keep to itself (a
# signature already checked) goes in "memory", which costs no query.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "laurel_cache",
    },
    "memory": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
# In development whitenoise serves straight from the apps' static folders.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("LAUREL_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Outgoing mail. Production sets EMAIL_BACKEND to the SMTP backend
# (django.core.mail.backends.smtp.EmailBackend) and the server's address and login.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Emails are sent in the organisation's name: its name is shown with this address.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Laurel <certificates@laurel.localhost>")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
# STARTTLS on a plain connection (port 587), or TLS from the start (port 465); not both.
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "EMAIL_USE_TLS and EMAIL_USE_SSL are both on; use EMAIL_USE_TLS=1 with port 587"
        " (STARTTLS) or EMAIL_USE_SSL=1 with port 465, not both."
    )
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))

# Background work goes through the outbox (``laurel.outbox``): ``task.enqueue()`` writes a
# message in the caller's transaction, and ``manage.py worker`` delivers it.
TASKS = {
    "default": {
        "BACKEND": "laurel.outbox.backend.OutboxBackend",
        "QUEUES": ["default"],
    }
}
# A worker holds the messages it runs for OUTBOX_LEASE_SECONDS and renews the lease every
# third of it while it lives; the messages of a worker that died are taken over once their
# lease runs out. A message that fails is tried again after OUTBOX_RETRY_DELAY_SECONDS,
# doubling each time up to OUTBOX_RETRY_MAX_DELAY_SECONDS, OUTBOX_MAX_ATTEMPTS times in all.
OUTBOX_LEASE_SECONDS = env_int("LAUREL_OUTBOX_LEASE_SECONDS", 30)
OUTBOX_MAX_ATTEMPTS = env_int("LAUREL_OUTBOX_MAX_ATTEMPTS", 10)
OUTBOX_RETRY_DELAY_SECONDS = env_int("LAUREL_OUTBOX_RETRY_DELAY_SECONDS", 30)
OUTBOX_RETRY_MAX_DELAY_SECONDS = env_int("LAUREL_OUTBOX_RETRY_MAX_DELAY_SECONDS", 3600)
OUTBOX_BATCH_SIZE = env_int("LAUREL_OUTBOX_BATCH_SIZE", 50)
# On PostgreSQL a worker commits every attempt at once, and by default waits for the disk
# each time (synchronous_commit). A larger number waits only for every
# OUTBOX_DURABLE_EVERY-th and the last of each batch: faster, but were the database server
# itself to crash, up to that many emails less one per worker would be sent again.
OUTBOX_DURABLE_EVERY = env_int("LAUREL_OUTBOX_DURABLE_EVERY", 1)
# Each organisation's messages (emails and webhook deliveries) go out at most this many
# per second, after a burst of OUTBOX_ORGANISATION_BURST, so that one organisation's
# 50,000 award emails neither exceed what the mail server accepts nor hold up another
# organisation's. 0 switches the limit off.
OUTBOX_ORGANISATION_RATE = env_float("LAUREL_OUTBOX_ORGANISATION_RATE", 20.0)
OUTBOX_ORGANISATION_BURST = env_int("LAUREL_OUTBOX_ORGANISATION_BURST", 100)
# An award of more than BADGE_EMAILS_FAN_OUT_ABOVE badges at once (enabling a badge) queues
# one message per BADGE_EMAILS_FAN_OUT_CHUNK awards in its transaction, which the worker
# expands into one message per email; a smaller one queues its emails directly.
BADGE_EMAILS_FAN_OUT_ABOVE = env_int("LAUREL_BADGE_EMAILS_FAN_OUT_ABOVE", 500)
BADGE_EMAILS_FAN_OUT_CHUNK = env_int("LAUREL_BADGE_EMAILS_FAN_OUT_CHUNK", 2000)
if BADGE_EMAILS_FAN_OUT_CHUNK < 1:
    raise ImproperlyConfigured("LAUREL_BADGE_EMAILS_FAN_OUT_CHUNK must be 1 or more")
# How often the periodic jobs run (completing elapsed sessions, pruning old records).
WORKER_SWEEP_INTERVAL_SECONDS = env_int("LAUREL_WORKER_SWEEP_INTERVAL_SECONDS", 60)
# Webhooks to loopback or private addresses: for trying a receiver out in development only.
WEBHOOKS_ALLOW_INTERNAL_ADDRESSES = env_bool("LAUREL_WEBHOOKS_ALLOW_INTERNAL_ADDRESSES", DEBUG)

# Seals the organisations' private signing keys: Fernet keys, comma-separated; the first
# seals, every one unseals (so the key can be replaced).
_DEV_CREDENTIAL_KEY = base64.urlsafe_b64encode(
    hashlib.sha256(b"laurel-development-only-credential-key").digest()
).decode()


def _credential_keys() -> list[str]:
    # Set but empty counts as unset.
    raw = os.environ.get("LAUREL_CREDENTIAL_KEY") or (_DEV_CREDENTIAL_KEY if DEBUG else "")
    keys = [key.strip() for key in raw.split(",") if key.strip()]
    generate = (
        "`python -c 'from cryptography.fernet import Fernet;"
        " print(Fernet.generate_key().decode())'`"
    )
    if not keys:
        raise ImproperlyConfigured(
            "Laurel will not start with debug off: LAUREL_CREDENTIAL_KEY is not set. It seals"
            f" the keys that sign credentials; make one with {generate} and keep it safe."
        )
    for key in keys:
        try:
            valid = len(base64.urlsafe_b64decode(key.encode("ascii"))) == 32
        except (ValueError, UnicodeEncodeError):
            valid = False
        if not valid:
            raise ImproperlyConfigured(
                "LAUREL_CREDENTIAL_KEY must be one or more Fernet keys (32 bytes in url-safe"
                f" base64, comma-separated); make one with {generate}."
            )
    return keys


CREDENTIAL_KEYS = _credential_keys()

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Headers that a reverse proxy adds are believed only when one is known to be in front:
# reaching Laurel directly, anyone could send them.
if env_bool("LAUREL_TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = env_bool("LAUREL_TRUST_X_FORWARDED_HOST", False)
# How many proxies in front of Laurel append the client's address to X-Forwarded-For;
# 0 uses the address of the connection itself (rate limits count per client address).
X_FORWARDED_FOR_PROXIES = env_int("LAUREL_X_FORWARDED_FOR_PROXIES", 0)

# Every page may load only what Laurel serves itself; inline script or style needs the
# page's nonce ({{ request.csp_nonce }}).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        # data: for the small SVG icons inside swagger-ui's style sheet.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# Sign-in attempts and API requests are counted in the database (``accounts.RateLimit``),
# so that the limits hold across processes and machines. Each limit is "at most N in
# S seconds"; N = 0 switches it off.
RATE_LIMITS = {
    # Wrong passwords for one account, whatever address they come from.
    "sign-in-account": (
        env_int("LAUREL_SIGN_IN_ACCOUNT_LIMIT", 10),
        env_int("LAUREL_SIGN_IN_ACCOUNT_PERIOD", 15 * 60),
    ),
    # Wrong passwords from one client address, whatever the account.
    "sign-in-address": (
        env_int("LAUREL_SIGN_IN_ADDRESS_LIMIT", 30),
        env_int("LAUREL_SIGN_IN_ADDRESS_PERIOD", 15 * 60),
    ),
    # Requests made with the tokens of one organisation.
    "api-organisation": (
        env_int("LAUREL_API_ORGANISATION_LIMIT", 1200),
        env_int("LAUREL_API_ORGANISATION_PERIOD", 60),
    ),
    # Requests with a wrong or revoked token from one client address.
    "api-bad-token": (
        env_int("LAUREL_API_BAD_TOKEN_LIMIT", 20),
        env_int("LAUREL_API_BAD_TOKEN_PERIOD", 5 * 60),
    ),
}
# The Retry-After of the 503 that answers a write which could not get the database's lock.
DATABASE_BUSY_RETRY_AFTER_SECONDS = env_int("LAUREL_DATABASE_BUSY_RETRY_AFTER", 5)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LAUREL_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
