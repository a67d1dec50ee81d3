"""Bastion settings: every value comes from the environment through one environ.Env().

With nothing set, Bastion runs on an embedded SQLite file with DEBUG off, so that a
newcomer needs nothing; ``DATABASE_URL=postgres://…`` switches to PostgreSQL.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from bastion.secret_key import secret_key

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost", "[::1]"]),
    CSRF_TRUSTED_ORIGINS=(list, []),
    SECURE=(bool, False),
    LOG_LEVEL=(str, "INFO"),
    IMPORT_MAX_BYTES=(int, 5 * 1024 * 1024),
    LATE_UPLOAD_SECONDS=(int, 120),
    SESSION_HOURS=(float, 12.0),
    PROXY_COUNT=(int, 0),
    LOGIN_ATTEMPTS=(int, 3),
    LOGIN_ATTEMPT_WINDOW=(int, 15),
    LOGIN_FAILURE_LIMIT=(int, 5),
    LOGIN_LOCKOUT_MINUTES=(int, 5),
    API_THROTTLE=(bool, True),
    API_RATE_ANON=(str, "60/min"),
    API_RATE_USER=(str, "600/min"),
    API_RATE_GATE=(str, "1200/min"),
    GATE_OFFLINE_MAX_DAYS=(int, 7),
    GATE_REFUSED_LOG_PER_HOUR=(int, 120),
    PHONE_SEARCH_LIMIT=(int, 60),
    CAPABILITY_FAILURES_PER_HOUR=(int, 100),
)
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env("DEBUG")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
# No key is ever published: a server reachable from elsewhere must be given one; a
# loopback-only setup (make run, make test) makes its own once in var/ (git-ignored).
SECRET_KEY = secret_key(
    configured=env("SECRET_KEY", default=""),
    secure=env("SECURE"),
    allowed_hosts=ALLOWED_HOSTS,
    key_file=BASE_DIR / "var" / "secret_key",
)
CSRF_TRUSTED_ORIGINS = env("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "compounds",
    "residents",
    "checkpoints",
    "supplies",
    # The top layer, last: it composes the apps above (bastion/apps.py says why here).
    "bastion",
]

MIDDLEWARE = [
    # First, so that it sees every answer under /api/ and turns HTML error pages into JSON.
    "compounds.api_errors.ApiErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "bastion.middleware.ContentSecurityPolicyMiddleware",
    "bastion.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions and CSRF: a refused guess costs one counter, never a password hash.
    "compounds.login_guard.LoginRateLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication: a write to an archived compound is refused before its view.
    "bastion.middleware.ArchivedCompoundMiddleware",
    # Notes which feature the route needs: a site's registry and gate pages answer 404.
    "compounds.kinds.RouteFeatureMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it turns a lockout flagged during authentication into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bastion.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
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

WSGI_APPLICATION = "bastion.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the gate page read while another request writes; the timeout makes a
    # second writer wait for the first instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # BEGIN IMMEDIATE: a transaction takes the write lock when it starts, so two
            # gates deciding on the same card queue up instead of both reading "allowed".
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

# PostgreSQL's planner costs a random read 4 times a sequential one, a figure for spinning
# disks: on SSDs it scans whole tables where an index is far cheaper (counting one
# compound's residents read all 300,000 of a city). Each connection sets 1.1 unless the
# DATABASE_URL's own ``options`` say otherwise; PG_RANDOM_PAGE_COST changes it.
PG_RANDOM_PAGE_COST = env.float("PG_RANDOM_PAGE_COST", default=1.1)


def _pg_planner(database: dict) -> None:
    if database["ENGINE"].startswith("django.db.backends.postgresql"):
        options = database.setdefault("OPTIONS", {})
        options.setdefault("options", f"-c random_page_cost={PG_RANDOM_PAGE_COST}")


_pg_planner(DATABASES["default"])

# A PostgreSQL streaming standby of the primary, for heavy reads only (the overview, the
# daily report, exports): ``bastion.replica.read_alias`` picks it while it is up and at
# most 30 s behind. Never a router: writes and the gate stay on the primary. In tests it
# mirrors the primary's test database (tests/bastion/test_replica.py points it at a real
# standby when CI starts one).
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    DATABASES["replica"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["replica"].setdefault("CONN_HEALTH_CHECKS", True)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    _pg_planner(DATABASES["replica"])

# Rate-limit counters (compounds/ratelimit.py) live here, so every worker sees the same
# counts: the database cache by default (its table is made by `migrate`), Redis when
# REDIS_URL is set.
REDIS_URL = env("REDIS_URL", default="")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
    }
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "bastion_cache",
    },
    # The API throttles' counters. Shared through Redis when there is one; otherwise each
    # worker counts in its own memory (a client may get up to workers × the rate), because
    # the database cache would add five statements to every check-in at the gate.
    "throttle": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "throttle",
    }
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "bastion-throttle",
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Ten characters: a volunteer types it on a phone once a working day, and a guesser
    # gets five tries per account and address before the growing lockout.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# The browser bench collects into a directory of its own (STATIC_ROOT in the environment).
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# `make serve` sets MANIFEST_STATIC=1 and runs collectstatic: hashed names that browsers
# may cache for a year, gzip-compressed by whitenoise. Without it (make run, the tests)
# files are served straight from the finders, no collectstatic needed.
MANIFEST_STATIC = not DEBUG and env.bool("MANIFEST_STATIC", default=False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if MANIFEST_STATIC
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not MANIFEST_STATIC

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# A session ends after a working day (from login, not from the last click); "log out on
# every device" and a password change end the others at once (compounds/views.py).
SESSION_COOKIE_AGE = int(env("SESSION_HOURS") * 3600)

SECURE = env("SECURE")
if SECURE:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere (bastion/middleware.py); the camera's video and the
# QR codes drawn on a canvas need blob: and data: images.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", "blob:"],
    "media-src": ["'self'", "blob:"],
    "connect-src": ["'self'"],
    "worker-src": ["'self'"],
    "manifest-src": ["'self'"],
    "font-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# Request bodies: forms and API calls stay small; only the Excel import carries a file.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
# Refused from the Content-Length header alone, before a byte of the body is read.
MAX_REQUEST_BYTES = env.int("MAX_REQUEST_BYTES", default=env("IMPORT_MAX_BYTES") + 1024 * 1024)

# Behind nginx (or Caddy) the client's address is the last one the proxy appended to
# X-Forwarded-For: PROXY_COUNT=1. Directly exposed, REMOTE_ADDR is the client (0).
PROXY_COUNT = env("PROXY_COUNT")

# Logins (compounds/login_guard.py). Per address, before the password is hashed: one hash costs
# ~350 ms of CPU, so an unlimited guesser would fill the cores that the gate needs.
# 3 attempts per 15 s (12 a minute, in small bursts) keep a guesser under a tenth of a
# core and are plenty for the volunteers behind one address who log in once a day.
LOGIN_ATTEMPTS = env("LOGIN_ATTEMPTS")
LOGIN_ATTEMPT_WINDOW = env("LOGIN_ATTEMPT_WINDOW")
# Per account *and* address (django-axes): per account alone would let an outsider lock
# volunteers out in the morning rush; per address alone would lock out everyone behind
# one carrier's shared address. The cool-off doubles with each lockout of the same pair.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env("LOGIN_FAILURE_LIMIT")
LOGIN_LOCKOUT_MINUTES = env("LOGIN_LOCKOUT_MINUTES")
AXES_COOLOFF_TIME = "compounds.login_guard.cool_off"
# Counters in the default cache, the store every worker shares (the database cache, or
# Redis with REDIS_URL). Logins, failures and lockouts go to the audit trail instead of
# axes' own tables, which the cache handler leaves empty: no axes pages in the admin.
AXES_HANDLER = "compounds.login_guard.LoginGuardHandler"
AXES_CLIENT_IP_CALLABLE = "compounds.login_guard.client_ip"
AXES_LOCKOUT_CALLABLE = "compounds.login_guard.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_SENSITIVE_PARAMETERS = ["password"]
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False  # no banner on every manage.py command; failures are still logged

# Preloading a domain into browsers' HSTS lists is a decision for its owner, not a default.
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=["security.W021"])

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "compounds.authentication.DeviceTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # A JSON body nested deeper than any request needs is refused (compounds/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "compounds.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Filters refuse a bad value with a code instead of ignoring it (compounds/api_filters.py).
    "DEFAULT_FILTER_BACKENDS": [
        "compounds.api_filters.StrictFilterBackend",
        "rest_framework.filters.SearchFilter",
        "compounds.api_filters.NaturalOrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "compounds.api_errors.exception_handler",
    # Generous enough for a gate phone (a check-in every 5-10 s, bursts when an offline
    # queue uploads, several phones on one account); a runaway client gets 429 and the
    # gate page keeps its records queued. API_THROTTLE=0 lifts them (the benchmark does).
    "DEFAULT_THROTTLE_CLASSES": [
        "compounds.throttles.AnonThrottle",
        "compounds.throttles.UserThrottle",
        "compounds.throttles.ScopedThrottle",
    ]
    if env("API_THROTTLE")
    else [],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_RATE_ANON"),
        "user": env("API_RATE_USER"),
        "gate": env("API_RATE_GATE"),
    },
    "NUM_PROXIES": env("PROXY_COUNT"),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Bastion API",
    "DESCRIPTION": _("Registry and gate API of Bastion (堡垒)."),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # A passage's verdict and the server's verdict beside it (and the phone's) share one.
    "ENUM_NAME_OVERRIDES": {"PassageVerdictEnum": "checkpoints.models.PassageVerdict"},
    # Every operation documents the error answers it can give (compounds/api_schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "compounds.api_schema.document_error_responses",
    ],
}

# Uploaded Excel files larger than this are refused with a message before parsing.
IMPORT_MAX_BYTES = env("IMPORT_MAX_BYTES")
# An upload whose device time is older than this is a late (offline) record.
LATE_UPLOAD_SECONDS = env("LATE_UPLOAD_SECONDS")
# The oldest record the gate page may still upload, in days. Anything older is refused
# (recorded_too_old) and kept apart: a phone whose clock says 1970 must not slip past
# the exit quota as a "late" record.
GATE_OFFLINE_MAX_DAYS = env("GATE_OFFLINE_MAX_DAYS")
if GATE_OFFLINE_MAX_DAYS < 1:
    raise ImproperlyConfigured("GATE_OFFLINE_MAX_DAYS must be at least 1.")
# Refused uploads logged per volunteer and hour; beyond it they are still refused, but
# only counted in the server log, so that a broken or hostile phone cannot fill the table.
GATE_REFUSED_LOG_PER_HOUR = env("GATE_REFUSED_LOG_PER_HOUR")
# Searches by the last 4 phone digits that one user who sees masked phones (a volunteer)
# may make per hour, on the page and in the API together; each is also audited. A
# 4-digit room number (1702) counts too: it is matched against phone tails as well.
PHONE_SEARCH_LIMIT = env("PHONE_SEARCH_LIMIT")
# Lookups with a capability link or device token that does not work, per address and hour
# (compounds/capabilities.py); beyond it the address gets 429 until the hour ends.
CAPABILITY_FAILURES_PER_HOUR = env("CAPABILITY_FAILURES_PER_HOUR")

# Where the handover files of archived compounds go (bastion/archive.py): personal data,
# readable by the server's user only; move them off the machine once handed over.
ARCHIVE_DIR = env.path("ARCHIVE_DIR", default=BASE_DIR / "var" / "archives")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# axes first: a locked-out pair is refused before any password is hashed.
AUTHENTICATION_BACKENDS = [
    "compounds.login_guard.LoginGuardBackend",
    "django.contrib.auth.backends.ModelBackend",
]
