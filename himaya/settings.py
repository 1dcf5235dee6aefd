"""The one settings module of Himaya, driven by environment variables.

HIMAYA_ENV is ``dev`` (default), ``test`` or ``production``. Production refuses to start
without a real secret key and real encryption keys, and never allows the demo shortcuts.
SQLite is used when DATABASE_URL is unset.
"""

from pathlib import Path

import environ
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

DEBUG = env.bool("DEBUG", default=HIMAYA_ENV == "dev")
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY is required in production")
    SECRET_KEY = "dev-only-secret-key-never-used-in-production"  # noqa: S105
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Encryption of identifying data: a list of Fernet keys, newest first (rotation), and a
# separate key for the blind indexes. Both are required: without them nothing starts.
FIELD_ENCRYPTION_KEYS = env.list("HIMAYA_FIELD_KEYS", default=[])
BLIND_INDEX_KEY = env.str("HIMAYA_BLIND_INDEX_KEY", default="")
if not FIELD_ENCRYPTION_KEYS or not BLIND_INDEX_KEY:
    raise ImproperlyConfigured(
        "HIMAYA_FIELD_KEYS and HIMAYA_BLIND_INDEX_KEY must be set "
        "(make run writes development keys into .env)"
    )

# Demo shortcut: privileged demo users may skip the second factor. Production refuses it.
DEMO_SKIP_OTP = env.bool("HIMAYA_DEMO_SKIP_OTP", default=False)
if PRODUCTION and DEMO_SKIP_OTP:
    raise ImproperlyConfigured("HIMAYA_DEMO_SKIP_OTP is refused in production")

INSTALLED_APPS = [
    "himaya.core",
    "himaya.audit",
    "himaya.agencies",
    "himaya.accounts",
    "himaya.survivors",
    "himaya.screening",
    "himaya.cases",
    "himaya.services",
    "himaya.referrals",
    "himaya.shelters",
    "himaya.fund",
    "himaya.grants",
    "himaya.empowerment",
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
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "himaya.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "himaya.accounts.middleware.SecondFactorMiddleware",
    "himaya.accounts.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
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
        },
    }
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
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
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions end after inactivity (seconds); the browser session cookie also ends on close.
IDLE_TIMEOUT_SECONDS = env.int("HIMAYA_IDLE_TIMEOUT_SECONDS", default=30 * 60)
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

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

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Himaya API",
    "DESCRIPTION": "Scoped JSON API of the national victim-support information system.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "ENUM_NAME_OVERRIDES": {
        "ConsentPurposeEnum": "himaya.survivors.models.ConsentPurpose",
        "CountryEnum": "himaya.survivors.countries.COUNTRIES",
        "CasePhaseEnum": "himaya.cases.models.Phase",
        "ClosureReasonEnum": "himaya.cases.models.ClosureReason",
        "CarePlanStatusEnum": "himaya.cases.models.CarePlanStatus",
        "DeliveryStatusEnum": "himaya.services.models.DeliveryStatus",
        "ReferralStatusEnum": "himaya.referrals.models.Status",
        "PaymentPurposeEnum": "himaya.fund.models.Purpose",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
