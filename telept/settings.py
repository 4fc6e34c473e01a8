"""TelePT settings: one file, driven by environment variables (see README "Configuration").

Unset means the embedded default: SQLite under var/, the in-memory channel layer, e-mail to
the console, SMS to an outbox table. Set DATABASE_URL / REDIS_URL / EMAIL_HOST and the same
code runs on PostgreSQL, Redis and SMTP.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

from telept.lib.env import env_bool, env_int, env_list, env_str
from telept.ops.logging import logging_config as ops_logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

# `make run` writes a git-ignored `.env` once (a random SECRET_KEY, the demo flags, the port it
# serves on), so any command in a fresh shell sees the same settings as the server. Variables
# already in the environment win. TELEPT_ENV_FILE names another file; empty turns it off (the
# test suite does, see telept/lib/pytest_env.py).
_env_file = os.environ.get("TELEPT_ENV_FILE", str(BASE_DIR / ".env"))
if _env_file:
    load_dotenv(_env_file, override=False)
VAR_DIR = Path(env_str("TELEPT_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
# Demo mode: seeded demo accounts, printed demo secrets, and the option to relax staff MFA.
DEMO_MODE = env_bool("TELEPT_DEMO", False)

EXAMPLE_SECRET_KEY = "change-me-this-is-the-example-secret-key"  # noqa: S105 - it is refused
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "dev-only-insecure-key-" + "x" * 40  # noqa: S105 - DEBUG only
if not DEBUG and (not SECRET_KEY or SECRET_KEY == EXAMPLE_SECRET_KEY or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "SECRET_KEY is empty, too short or the example value while DEBUG is off. "
        "Set SECRET_KEY (or SECRET_KEY_FILE) to a long random string, e.g. "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The port `make run` serves on (PORT); links in e-mails, texts and the console follow it.
PORT = env_int("PORT", 8000, minimum=1)
SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{PORT}").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "django_tasks",
    "django_tasks_db",
    "telept.audit",
    "telept.accounts",
    "telept.practices",
    "telept.patients",
    "telept.notifications",
    "telept.scheduling",
    "telept.exercises",
    "telept.visits",
    "telept.groupvideo",
    "telept.clinical",
    "telept.billing",
    "telept.rtm",
    "telept.imports",
    "telept.ops",
    "oauth2_provider",  # SMART authorisation (telept/fhir/smart.py)
    "telept.fhir",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "telept.lib.middleware.RequestContextMiddleware",
    "telept.ops.middleware.RequestMetricsMiddleware",
    "telept.lib.middleware.ApiNulGuardMiddleware",
    "telept.lib.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "telept.accounts.language.PatientLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "telept.accounts.middleware.IdleLogoffMiddleware",
    "telept.accounts.middleware.StaffMFAMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "telept.urls"
ASGI_APPLICATION = "telept.asgi.application"
WSGI_APPLICATION = None

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
                "telept.accounts.context.actor_context",
            ],
        },
    },
]


def _pg_pool() -> dict[str, object]:
    """Django's PostgreSQL connection pool (psycopg_pool), on unless DB_POOL_MAX=0 (e.g.
    behind pgbouncer). Without it every database call of a WebSocket consumer or an ASGI
    request opened and closed its own PostgreSQL connection (a new server process each):
    two app processes carrying 1,000 visits had a signaling p99 of seconds, and 13 to 173 ms
    (median 71) with the pool (bench/bench_signaling.py --two). Persistent connections
    (CONN_MAX_AGE) are no answer under ASGI: each request runs in its own thread, whose
    connection is never reused or closed."""
    size = env_int("DB_POOL_MAX", 10, minimum=0)
    return {"pool": {"min_size": min(2, size), "max_size": size, "timeout": 20}} if size else {}


def _database_from_url(url: str) -> dict[str, object]:
    parsed = urlparse(url)
    if parsed.scheme in {"postgres", "postgresql", "postgresql+psycopg"}:
        options = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "postgres",
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "OPTIONS": {**_pg_pool(), **options},
            "CONN_MAX_AGE": 0,  # the pool keeps connections (Django refuses both)
        }
    if parsed.scheme == "sqlite":
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": parsed.path or ":memory:"}
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parsed.scheme!r} is not supported "
                               "(use postgres://user@host:5432/name or sqlite:///path)")


_database_url = env_str("DATABASE_URL", "")
if _database_url:
    DATABASES = {"default": _database_from_url(_database_url)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "telept.sqlite3",
            # One connection kept per thread (opening one, with its PRAGMAs, cost more than
            # most queries: every WebSocket message that touched the database paid it).
            "CONN_MAX_AGE": None,
            # WAL and a busy timeout let the web server and the worker share the file.
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# redis-py 8 aborts a read after `socket_timeout` (5 s by default); channels_redis's list
# layer waited with a blocking pop of 5 s and so lost quiet sockets' messages (Issue 16
# item 6). The pub/sub layer below polls in 0.1 s steps; the longer timeout stays as a margin.
REDIS_SOCKET_TIMEOUT_SECONDS = 30


def redis_channel_layer(url: str, prefix: str) -> dict[str, object]:
    """channels_redis's pub/sub layer on `url` (also what the Redis tests run on).

    A group send is one PUBLISH, delivered at once to the processes whose sockets are in
    the group, and nothing is stored: a message for a socket that is gone is dropped, which
    is what signaling wants. The list-based `RedisChannelLayer` queued every process's
    messages under one key, popped by a Lua script per message, and bounded it by a
    capacity past which it dropped messages without a word; on two processes its bare relay
    had a p99 of 4.2 s at 1,000 visits, where the pub/sub one has 12 ms (bench/
    bench_signaling.py --two, same machine, same run conditions)."""
    return {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": [{"address": url, "socket_timeout": REDIS_SOCKET_TIMEOUT_SECONDS}],
                   "prefix": prefix},
    }


REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {"default": redis_channel_layer(REDIS_URL, env_str("REDIS_PREFIX", "telept"))}
else:
    # Channels' in-memory layer, minus a sweep of every queue and group on every message.
    CHANNEL_LAYERS = {"default": {"BACKEND": "telept.lib.channel_layer."
                                             "SweepingInMemoryChannelLayer"}}

# Video visits (telept/visits). ICE servers go to browsers; TURN credentials are minted per
# participant from TURN_SECRET (coturn `static-auth-secret`), never a static password.
STUN_URLS = env_list("STUN_URLS", [])
TURN_URLS = env_list("TURN_URLS", [])
TURN_SECRET = env_str("TURN_SECRET", "")
TURN_TTL_SECONDS = env_int("TURN_TTL_SECONDS", 3600, minimum=60)
if TURN_URLS and not TURN_SECRET:
    raise ImproperlyConfigured("TURN_URLS is set but TURN_SECRET is empty: set TURN_SECRET to "
                               "coturn's static-auth-secret.")
# Force every call through TURN (iceTransportPolicy "relay"), e.g. to test coturn.
VISIT_FORCE_RELAY = env_bool("VISIT_FORCE_RELAY", False)
# An admitted participant who drops comes back without the waiting room for this long.
VISIT_REJOIN_GRACE_SECONDS = env_int("VISIT_REJOIN_GRACE_SECONDS", 120, minimum=0)
# Peer-to-peer mesh: every extra person multiplies uploads; beyond 4 needs an SFU.
VISIT_MAX_PARTICIPANTS = env_int("VISIT_MAX_PARTICIPANTS", 4, minimum=2)
VISIT_WS_TOKEN_SECONDS = env_int("VISIT_WS_TOKEN_SECONDS", 120, minimum=10)
# Per-connection message budget: a steady rate and a burst (ICE candidates come in bursts).
VISIT_WS_RATE_PER_SECOND = env_int("VISIT_WS_RATE_PER_SECOND", 30, minimum=1)
VISIT_WS_BURST = env_int("VISIT_WS_BURST", 120, minimum=1)
TELEHEALTH_CONSENT_VERSION = env_str("TELEHEALTH_CONSENT_VERSION", "2026-01")

# Group classes over Janus (telept/groupvideo): Django creates rooms and signs tokens; media
# goes browser <-> Janus. Unset JANUS_URL: class pages say the SFU is not configured.
JANUS_URL = env_str("JANUS_URL", "")  # HTTP API, loopback (http://127.0.0.1:8088/janus)
JANUS_ADMIN_URL = env_str("JANUS_ADMIN_URL", "")  # admin API, loopback (.../admin)
JANUS_WS_URL = env_str("JANUS_WS_URL", "")  # what browsers connect to (ws://127.0.0.1:8188)
JANUS_TOKEN_SECRET = env_str("JANUS_TOKEN_SECRET", "")  # Janus token_auth_secret (HMAC)
JANUS_ADMIN_KEY = env_str("JANUS_ADMIN_KEY", "")  # admin_secret and VideoRoom admin_key
JANUS_RTP_PORTS = env_str("JANUS_RTP_PORTS", "20000-20999")
JANUS_TOKEN_SECONDS = env_int("JANUS_TOKEN_SECONDS", 120, minimum=20)

# Background work (reminders, notices): the django-tasks backport on its database backend;
# `python manage.py run_worker` runs the queue and the due-message scheduler.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["telept.accounts.backends.EmailBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = env_list("PASSWORD_HASHERS", [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
])

# Accounts and sessions (HIPAA §164.312(a)(2)(iii) automatic logoff).
IDLE_TIMEOUT_SECONDS = env_int("IDLE_TIMEOUT_MINUTES", 15, minimum=1) * 60
SESSION_COOKIE_AGE = env_int("SESSION_MAX_HOURS", 12, minimum=1) * 3600
SESSION_SAVE_EVERY_REQUEST = False
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5, minimum=1)
LOGIN_LOCK_SECONDS = env_int("LOGIN_LOCK_MINUTES", 15, minimum=1) * 60
MAGIC_LINK_TTL_SECONDS = env_int("MAGIC_LINK_MINUTES", 15, minimum=1) * 60
INVITATION_TTL_SECONDS = env_int("INVITATION_DAYS", 7, minimum=1) * 86400
# Staff must enrol TOTP before reaching patient data. Only demo mode may relax it.
STAFF_MFA_REQUIRED = not (DEMO_MODE and env_bool("TELEPT_DEMO_SKIP_MFA", False))

# Security headers.
HTTPS = env_bool("TELEPT_HTTPS", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("TELEPT_SSL_REDIRECT", True)
# Health checks and Prometheus scrape the app port over plain HTTP on the host (telept/ops).
SECURE_REDIRECT_EXEMPT = [r"^(healthz|readyz|metrics)$"]
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
if env_bool("TELEPT_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
TRUST_X_FORWARDED_FOR = env_bool("TELEPT_BEHIND_PROXY", False)
# script-src 'wasm-unsafe-eval': compiling WebAssembly (MediaPipe Pose in the home session,
# static/vendor/mediapipe-pose/) is refused without it; it allows wasm only, not JS eval().
# Checked in Chromium (telept/exercises/tests/test_pose_browser.py): the emscripten glue needs
# nothing more (no eval, no new Function, no blob: workers; its scripts come from 'self').
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

LANGUAGE_CODE = "en-us"
# Patients and guests read English or Spanish; staff pages stay English
# (telept/accounts/language.py chooses; catalogues in telept/locale, .mo files committed).
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "telept" / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise serves from the finders; the folder must exist
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = VAR_DIR / "media"
# Patients' exercise recordings: private (never under MEDIA_ROOT), served only through an
# authorised, audited view. A reverse proxy in front needs a body limit of at least the max.
RECORDINGS_ROOT = Path(env_str("TELEPT_RECORDINGS_DIR", str(VAR_DIR / "recordings")))
RECORDING_MAX_BYTES = env_int("RECORDING_MAX_MB", 50, minimum=1) * 1024 * 1024
RECORDING_MAX_SECONDS = env_int("RECORDING_MAX_SECONDS", 120, minimum=5)
RECORDING_REVIEW_MAX_SECONDS = env_int("RECORDING_REVIEW_MAX_MINUTES", 30, minimum=1) * 60

# E-mail: console by default; SMTP when EMAIL_HOST is set; a file folder with EMAIL_FILE_PATH.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "TelePT <no-reply@telept.localhost>")
EMAIL_HOST = env_str("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
elif env_str("EMAIL_FILE_PATH", ""):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", "")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# SMS: "outbox" keeps every text in the database (the default); "twilio" sends for real.
SMS_TRANSPORT = env_str("SMS_TRANSPORT", "outbox")
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM_NUMBER = env_str("TWILIO_FROM_NUMBER", "")

# SMART on FHIR (telept/fhir/smart.py) and Bulk Data export (telept/fhir/bulk.py).
OAUTH2_PROVIDER = {
    "OAUTH2_VALIDATOR_CLASS": "telept.fhir.smart.SmartValidator",
    "SCOPES_BACKEND_CLASS": "telept.fhir.smart.SmartScopes",
    "PKCE_REQUIRED": True,  # SMART App Launch 2: S256 PKCE on every authorization code
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("SMART_TOKEN_SECONDS", 300, minimum=60),
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 30 * 24 * 3600,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"],
}
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"  # named for migrations
SMART_TOKEN_MAX_FAILURES = env_int("SMART_TOKEN_MAX_FAILURES", 10, minimum=1)
FHIR_EXPORT_DIR = Path(env_str("TELEPT_FHIR_EXPORT_DIR", str(VAR_DIR / "fhir-exports")))
FHIR_EXPORT_RETENTION_HOURS = env_int("FHIR_EXPORT_RETENTION_HOURS", 24, minimum=1)

# Operations (telept/ops). LOG_FORMAT=json: one JSON object a line with the request id
# (production); the default keeps readable console lines.
LOG_FORMAT = env_str("LOG_FORMAT", "console")
if LOG_FORMAT not in {"console", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be console or json, got {LOG_FORMAT!r}")
LOGGING = ops_logging_config(json_lines=LOG_FORMAT == "json",
                             level=env_str("LOG_LEVEL", "WARNING"))
# /metrics: a bearer token when set, else loopback callers only (telept/ops/views.py).
OPS_METRICS_TOKEN = env_str("TELEPT_METRICS_TOKEN", "")
# /readyz: the task worker's heartbeat may be this old; recordings need this much free disk.
OPS_WORKER_MAX_SILENCE_SECONDS = env_int("TELEPT_WORKER_MAX_SILENCE_SECONDS", 120, minimum=15)
OPS_MIN_FREE_DISK_MB = env_int("TELEPT_MIN_FREE_DISK_MB", 1024, minimum=0)
# `manage.py serve` runs on SQLite only with this explicit opt-in (one host, low traffic).
OPS_ALLOW_SQLITE = env_bool("TELEPT_ALLOW_SQLITE", False)
