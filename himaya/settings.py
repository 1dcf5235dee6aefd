"""The one settings module of Himaya, driven by environment variables.

HIMAYA_ENV is ``dev`` (default), ``test`` or ``production``. Every environment needs the
encryption, blind index and audit keys. Production refuses to start with anything unsafe:
no database URL, no allowed hosts, DEBUG on, a weak or committed (development, test or
example) secret or key, a malformed field key, or the demo shortcuts; every refusal names
the variable to fix. SQLite is used when DATABASE_URL is unset (outside production).
"""

from pathlib import Path
from typing import Any

import environ
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if not env.bool("HIMAYA_SKIP_DOTENV", default=False):
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

HIMAYA_ENV = env.str("HIMAYA_ENV", default="dev")
if HIMAYA_ENV not in {"dev", "test", "production"}:
    raise ImproperlyConfigured("HIMAYA_ENV must be dev, test or production")
PRODUCTION = HIMAYA_ENV == "production"

# Values that are public (committed in the Makefile, pyproject.toml, .ci/run, .env.example
# or the benchmarks, or the development fallback): production refuses every one of them.
# A test keeps this list in step with the committed files.
PUBLIC_SECRETS = frozenset(
    {
        "dev-only-secret-key-never-used-in-production",
        "test-secret-key-not-for-production",
        "test-blind-index-key-not-for-production",
        "test-audit-key-not-for-production",
        "benchmark-secret-key",
        "benchmark-blind-index-key",
        "benchmark-audit-key",
        "change-me",
        "Jm8nN0Zw7rY0qW1l0c9dQ2s6vZ3xK4b5n6m7a8s9d0E=",
        "aGVsbG8tdGVzdC1vbGQta2V5LTEyMzQ1Njc4OTAxMjM=",
    }
)
MIN_SECRET_KEY_LENGTH = 50  # Django's own rule (security.W009)
MIN_SECRET_KEY_CHARACTERS = 5
MIN_KEY_LENGTH = 32  # blind index and audit keys
MIN_KEY_CHARACTERS = 10


def _is_public(value: str) -> bool:
    return value in PUBLIC_SECRETS or "not-for-production" in value


def _is_fernet_key(value: str) -> bool:
    try:
        Fernet(value.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return False
    return True


refused: list[str] = []  # production refusals, reported together

DEBUG = env.bool("DEBUG", default=HIMAYA_ENV == "dev")
if PRODUCTION and DEBUG:
    refused.append("DEBUG must be false in production")
SECRET_KEY = env.str("SECRET_KEY", default="")
if PRODUCTION:
    if not SECRET_KEY:
        refused.append("SECRET_KEY is required in production")
    elif (
        len(SECRET_KEY) < MIN_SECRET_KEY_LENGTH
        or len(set(SECRET_KEY)) < MIN_SECRET_KEY_CHARACTERS
        or SECRET_KEY.startswith("django-insecure-")
        or _is_public(SECRET_KEY)
    ):
        refused.append(
            f"SECRET_KEY is too weak or public: use at least {MIN_SECRET_KEY_LENGTH} random "
            "characters never committed anywhere"
        )
if not SECRET_KEY:
    SECRET_KEY = "dev-only-secret-key-never-used-in-production"  # noqa: S105
if PRODUCTION:
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        refused.append("ALLOWED_HOSTS must list the served host names in production (no '*')")
else:
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# A form refused for an expired security token explains itself in the layout.
CSRF_FAILURE_VIEW = "himaya.core.views.csrf_failure"

# Encryption of identifying data: a list of Fernet keys, newest first (rotation), and a
# separate key for the blind indexes. The audit key signs the audit chain and its anchors
# (HMAC-SHA256); it is never stored in the database. All three are required: without them
# nothing starts.
FIELD_ENCRYPTION_KEYS = env.list("HIMAYA_FIELD_KEYS", default=[])
BLIND_INDEX_KEY = env.str("HIMAYA_BLIND_INDEX_KEY", default="")
AUDIT_KEY = env.str("HIMAYA_AUDIT_KEY", default="")
_missing = [
    name
    for name, value in (
        ("HIMAYA_FIELD_KEYS", FIELD_ENCRYPTION_KEYS),
        ("HIMAYA_BLIND_INDEX_KEY", BLIND_INDEX_KEY),
        ("HIMAYA_AUDIT_KEY", AUDIT_KEY),
    )
    if not value
]
if _missing:
    raise ImproperlyConfigured(
        f"{' and '.join(_missing)} must be set (make run writes development keys into .env)"
    )
if not all(_is_fernet_key(key) for key in FIELD_ENCRYPTION_KEYS):
    raise ImproperlyConfigured(
        "HIMAYA_FIELD_KEYS must hold only Fernet keys (32 url-safe base64-encoded bytes), "
        "separated by commas"
    )
if PRODUCTION:
    if any(_is_public(key) for key in FIELD_ENCRYPTION_KEYS):
        refused.append("HIMAYA_FIELD_KEYS holds a public (committed) key")
    for _name, _value in (
        ("HIMAYA_BLIND_INDEX_KEY", BLIND_INDEX_KEY),
        ("HIMAYA_AUDIT_KEY", AUDIT_KEY),
    ):
        if (
            len(_value) < MIN_KEY_LENGTH
            or len(set(_value)) < MIN_KEY_CHARACTERS
            or _is_public(_value)
        ):
            refused.append(
                f"{_name} is too weak or public: use at least {MIN_KEY_LENGTH} random "
                "characters never committed anywhere"
            )
    if len({SECRET_KEY, BLIND_INDEX_KEY, AUDIT_KEY}) < 3:
        refused.append("SECRET_KEY, HIMAYA_BLIND_INDEX_KEY and HIMAYA_AUDIT_KEY must differ")

# Anchors of the audit chain: signed checkpoints appended by `manage.py anchor_audit`
# (hourly), kept outside the database; `manage.py verify_audit` checks the chain against them.
AUDIT_ANCHOR_PATH = Path(
    env.str("HIMAYA_AUDIT_ANCHOR_PATH", default=str(BASE_DIR / "var" / "audit-anchors.log"))
)

# Backups (`manage.py backup`, nightly): encrypted with their own Fernet key, never one of
# the field keys; the newest HIMAYA_BACKUP_KEEP backups are kept in HIMAYA_BACKUP_DIR.
BACKUP_KEY = env.str("HIMAYA_BACKUP_KEY", default="")
BACKUP_DIR = Path(env.str("HIMAYA_BACKUP_DIR", default=str(BASE_DIR / "var" / "backups")))
BACKUP_KEEP = env.int("HIMAYA_BACKUP_KEEP", default=14)
# Idempotency keys of API writes (integrity.idempotency): kept this long; a claim left
# unanswered this long is taken over; a repeat waits this long for the first answer.
IDEMPOTENCY_TTL_SECONDS = env.int("HIMAYA_IDEMPOTENCY_TTL_SECONDS", default=24 * 60 * 60)
IDEMPOTENCY_STALE_SECONDS = env.int("HIMAYA_IDEMPOTENCY_STALE_SECONDS", default=120)
IDEMPOTENCY_WAIT_SECONDS = env.int("HIMAYA_IDEMPOTENCY_WAIT_SECONDS", default=30)

# Demo shortcut: privileged demo users may skip the second factor. Production refuses it.
DEMO_SKIP_OTP = env.bool("HIMAYA_DEMO_SKIP_OTP", default=False)
if PRODUCTION and DEMO_SKIP_OTP:
    refused.append("HIMAYA_DEMO_SKIP_OTP is refused in production")

INSTALLED_APPS = [
    "himaya.core",
    "himaya.audit",
    "himaya.agencies",
    "himaya.accounts",
    "himaya.timeline",
    "himaya.survivors",
    "himaya.screening",
    "himaya.cases",
    "himaya.services",
    "himaya.referrals",
    "himaya.shelters",
    "himaya.fund",
    "himaya.grants",
    "himaya.empowerment",
    "himaya.justice",
    "himaya.returns",
    "himaya.monitoring",
    "himaya.jobs",
    "himaya.notifications",
    "himaya.operations",
    "himaya.exchange",
    "himaya.duplicates",
    "himaya.integrity",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "django_htmx",
    "django_countries",  # country names and their Arabic translations
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "huey.contrib.djhuey",  # background work: the queue, its periodic tasks, run_huey
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "himaya.core.context.RequestContextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "himaya.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "himaya.core.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "himaya.accounts.middleware.SecondFactorMiddleware",
    "himaya.accounts.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "himaya.integrity.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "himaya.urls"
WSGI_APPLICATION = "himaya.wsgi.application"

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
                "himaya.core.context_processors.navigation",
            ],
            # Dates, amounts, countries and codes shown the same way on every page.
            "builtins": ["himaya.core.templatetags.himaya_format"],
        },
    },
    {
        # The rows of the long lists (``core.rows``): the same markup, written several
        # times faster per row than by the pages' engine; the pages stay Django templates.
        "NAME": "rows",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "himaya.core.rows.environment", "autoescape": True},
    },
]

# Form widgets are written from Django's Jinja2 copies of its widget templates: the same
# markup, several times faster than through the pages' engine (a form of a dozen fields
# costs a few thousand calls less). Admin widgets keep theirs; pages stay Django templates.
FORM_RENDERER = "himaya.core.renderers.FormRenderer"

if PRODUCTION and not env.str("DATABASE_URL", default=""):
    refused.append("DATABASE_URL is required in production (no fallback to SQLite)")
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Connections are kept between requests (opening one to PostgreSQL costs a few ms of
# every request) and checked before a request reuses them, so one the server closed
# meanwhile is replaced instead of failing the request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The web's queries are short index lookups: compiling them (PostgreSQL's JIT, on by
    # default) cost 170-230 ms a request on lists at 200,000 cases and saved nothing.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
    # The queries the pages compose once (``core.prepared``), each keyed by one record's id,
    # are also planned once per connection: a server-side prepared statement from their
    # first run, as are the audit chain's two statements. Only they run through a cursor
    # that binds its parameters on the server;
    # every other query binds them in the client and is never prepared (a scope's plan
    # depends on its size), so this threshold concerns them alone.
    # A pooler between Django and PostgreSQL must then keep prepared statements (PgBouncer
    # 1.21 or later with ``max_prepared_statements``), or set this option to None.
    DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "himaya.agencies.backends.CapabilityBackend",  # capabilities, without rules' overhead
    "rules.permissions.ObjectPermissionBackend",
    "himaya.accounts.backends.PasswordBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if HIMAYA_ENV == "test":
    # Argon2 is deliberately slow; tests check behaviour, not the hash cost.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions end after inactivity (seconds); the browser session cookie also ends on close.
IDLE_TIMEOUT_SECONDS = env.int("HIMAYA_IDLE_TIMEOUT_SECONDS", default=30 * 60)
# Duplicate checks at survivor registration: at most this many per user in any hour.
DUPLICATE_CHECKS_PER_HOUR = env.int("HIMAYA_DUPLICATE_CHECKS_PER_HOUR", default=30)
# Recovery and reflection period for survivors (days) and how many days before its end the
# worklist warns. The legal duration is not verified: set it from the law in force.
HIMAYA_REFLECTION_DAYS = env.int("HIMAYA_REFLECTION_DAYS", default=90)
HIMAYA_REFLECTION_WARNING_DAYS = env.int("HIMAYA_REFLECTION_WARNING_DAYS", default=14)
# The smallest panel that may determine a child's best interests. Unverified against the
# national child protection procedures: set it from the procedure in force.
BEST_INTERESTS_PANEL_MINIMUM = env.int("HIMAYA_BEST_INTERESTS_PANEL_MINIMUM", default=3)
# Survivors with no standing consent for statistics: counted in aggregate figures
# ("aggregates") or left out of them too ("excluded"). Record-level exports always need the
# consent. Which one the law allows is not verified: set it from the law in force.
STATISTICS_WITHOUT_CONSENT = env.str("HIMAYA_STATISTICS_WITHOUT_CONSENT", default="aggregates")
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# HTTPS only in production: redirect, and HSTS for a year with subdomains and preload.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
ONE_YEAR_SECONDS = 365 * 24 * 60 * 60
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=ONE_YEAR_SECONDS if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
if PRODUCTION and SECURE_HSTS_SECONDS < ONE_YEAR_SECONDS:
    refused.append(f"SECURE_HSTS_SECONDS must be at least {ONE_YEAR_SECONDS} (one year)")
# Behind a proxy that terminates TLS: SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https
# (only when the proxy always sets or strips that header).
_proxy_ssl_header = env.list("SECURE_PROXY_SSL_HEADER", default=[])
if _proxy_ssl_header and len(_proxy_ssl_header) != 2:
    raise ImproperlyConfigured("SECURE_PROXY_SSL_HEADER must be two values: header,value")
SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header) if _proxy_ssl_header else None

if refused:
    raise ImproperlyConfigured(
        "HIMAYA_ENV=production refuses unsafe settings:\n- " + "\n- ".join(refused)
    )

# Lockout: after AXES_FAILURE_LIMIT failures for a username from one address, the account
# is locked for AXES_COOLOFF_TIME hours.
AXES_FAILURE_LIMIT = env.int("HIMAYA_LOCKOUT_FAILURES", default=5)
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "Himaya"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LANGUAGE_CODE = "ar"
LANGUAGES = [("ar", _("Arabic")), ("en", _("English"))]
LANGUAGE_COOKIE_NAME = "himaya_language"
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Africa/Cairo"
LOCALE_PATHS: list[Path] = []
FORMAT_MODULE_PATH = ["himaya.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(env.str("HIMAYA_MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

_API_RATES = ("", "") if HIMAYA_ENV == "test" else ("600/minute", "60/minute")
# Searches of survivors and list exports per person (``core.ratelimit``); off in the tests
# except those of the limit itself.
HIMAYA_SEARCH_RATE = env.str(
    "HIMAYA_SEARCH_RATE", default="" if HIMAYA_ENV == "test" else "60/minute"
)
HIMAYA_EXPORT_RATE = env.str(
    "HIMAYA_EXPORT_RATE", default="" if HIMAYA_ENV == "test" else "30/hour"
)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "himaya.core.api.Pagination",
    "PAGE_SIZE": 50,
    # One error model: domain errors and DRF's own answer problem details (RFC 9457).
    "EXCEPTION_HANDLER": "himaya.core.problems.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "himaya.core.api.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Requests to the API per signed-in person (per address when signed out), counted in the
    # default cache (one count across processes with Redis, see CACHES): over the rate, 429
    # problem details with Retry-After. An empty rate turns the limit off, as the tests do
    # except those of the limit itself.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("HIMAYA_API_RATE", default=_API_RATES[0]) or None,
        "anon": env.str("HIMAYA_API_RATE_ANONYMOUS", default=_API_RATES[1]) or None,
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Himaya API",
    "DESCRIPTION": "Scoped JSON API of the national victim-support information system.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema describes every endpoint: signed-in users only (urls.py also asks sign-in).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Every operation documents the problem-details answers of the error model.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "himaya.core.problems.document_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ConsentPurposeEnum": "himaya.survivors.models.ConsentPurpose",
        "CountryEnum": "himaya.survivors.countries.COUNTRIES",
        "CasePhaseEnum": "himaya.cases.models.Phase",
        "ClosureReasonEnum": "himaya.cases.models.ClosureReason",
        "CarePlanStatusEnum": "himaya.cases.models.CarePlanStatus",
        "DeliveryStatusEnum": "himaya.services.models.DeliveryStatus",
        "ReferralStatusEnum": "himaya.referrals.models.Status",
        "PaymentPurposeEnum": "himaya.fund.models.Purpose",
        "IdentificationStatusEnum": "himaya.cases.models.IdentificationStatus",
        "MigrationStatusEnum": "himaya.survivors.models.MigrationStatus",
        "AgeAssessmentMethodEnum": "himaya.survivors.models.AgeAssessmentMethod",
        "GuardianKindEnum": "himaya.survivors.models.GuardianKind",
        "FollowUpMethodEnum": "himaya.returns.models.FollowUpMethod",
        "FollowUpOutcomeEnum": "himaya.returns.models.FollowUpOutcome",
        "ReturnStatusEnum": "himaya.returns.models.ReturnStatus",
        "TransferStatusEnum": "himaya.cases.models.TransferStatus",
        "PlatformKindEnum": "himaya.cases.models.PlatformKind",
        "ProceedingStatusEnum": "himaya.justice.models.ProceedingStatus",
        "ProceedingOutcomeEnum": "himaya.justice.models.Outcome",
        "ScreeningOutcomeEnum": "himaya.screening.models.Outcome",
        "PaymentMethodEnum": "himaya.fund.models.Method",
        "IntakeChannelEnum": "himaya.operations.models.Channel",
        "IntakeClosureReasonEnum": "himaya.operations.models.IntakeClosure",
        "IncidentKindEnum": "himaya.operations.models.IncidentKind",
        "TaskKindEnum": "himaya.operations.models.TaskKind",
        "CommunicationChannelEnum": "himaya.operations.models.CommunicationChannel",
        "NotificationChannelEnum": "himaya.notifications.models.Channel",
    },
}

# Mail (docs/notifications.md): written to the console in development, kept in memory in
# tests, sent by SMTP in production (EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER,
# EMAIL_HOST_PASSWORD, EMAIL_USE_TLS). SMS and WhatsApp notifications go through the class
# named by HIMAYA_SMS_BACKEND / HIMAYA_WHATSAPP_BACKEND (by default they are only logged).
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default={
        "production": "django.core.mail.backends.smtp.EmailBackend",
        "test": "django.core.mail.backends.locmem.EmailBackend",
    }.get(HIMAYA_ENV, "django.core.mail.backends.console.EmailBackend"),
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Himaya <no-reply@himaya.invalid>")
NOTIFICATIONS_SMS_BACKEND = env.str(
    "HIMAYA_SMS_BACKEND", default="himaya.notifications.channels.SmsChannel"
)
NOTIFICATIONS_WHATSAPP_BACKEND = env.str(
    "HIMAYA_WHATSAPP_BACKEND", default="himaya.notifications.channels.WhatsAppChannel"
)

# Background work (Huey, docs/architecture.md "Background work"): on one machine the queue
# is a SQLite file in the data directory (no broker to run); at national scale, with
# several application servers, HIMAYA_REDIS_URL points every server and consumer at one
# Redis. Tests run tasks at once, in the caller (``immediate``), unless a test swaps in a
# real storage. Huey keeps its clock in UTC; schedules are read on Cairo's clock by
# ``himaya.jobs.schedule.local_crontab``.
REDIS_URL = env.str("HIMAYA_REDIS_URL", default="")
HUEY_PATH = Path(env.str("HIMAYA_HUEY_PATH", default=str(BASE_DIR / "var" / "huey.sqlite3")))
HUEY_IMMEDIATE = env.bool("HIMAYA_HUEY_IMMEDIATE", default=HIMAYA_ENV == "test")
HUEY = {
    "name": "himaya",
    "huey_class": "huey.RedisHuey" if REDIS_URL else "huey.SqliteHuey",
    "immediate": HUEY_IMMEDIATE,
    "results": False,  # the jobs record their outcome in jobs.JobRun, nothing waits on results
    "utc": True,
    "connection": {"url": REDIS_URL} if REDIS_URL else {"filename": str(HUEY_PATH)},
    "consumer": {"workers": 2, "worker_type": "thread", "periodic": True},
}
if not REDIS_URL and not HUEY_IMMEDIATE:
    HUEY_PATH.parent.mkdir(parents=True, exist_ok=True)

# The default cache holds the counts of the rate limits (searches and exports in
# ``core.ratelimit``, the API's throttles) and nothing else. With HIMAYA_REDIS_URL the counts
# live in that Redis, so that a person's allowance is one across every worker process and
# application server; without it, each process counts in its own memory (one machine, a
# few processes: the allowance is at most that many times the rate).
CACHES: dict[str, dict[str, Any]] = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "himaya-cache",
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    # Parts of pages drawn only from data that changes in known writes (the dashboard's
    # figures, kept under the edition of the daily values they were drawn from), apart
    # from the counts above so that pages never push a count out. The test environment
    # keeps nothing (its database is rolled back under the cache after each test) unless
    # a test, or HIMAYA_PAGES_CACHE for a benchmark, turns it on.
    "pages": (
        {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
        if not env.bool("HIMAYA_PAGES_CACHE", default=HIMAYA_ENV != "test")
        else {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "himaya-pages",
            "TIMEOUT": 3600,
        }
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "himaya-pages",
            "TIMEOUT": 3600,
            "OPTIONS": {"MAX_ENTRIES": 200},
        }
    ),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
