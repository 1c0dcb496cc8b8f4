"""Settings shared by every environment; `test` and `production` build on these."""

import hashlib
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent


# A variable set empty (`EMAIL_PORT=` in an env file) counts as unset: its default applies.
def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, "").strip() or default)


def env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, "").strip() or default)


def env_str(name: str, default: str) -> str:
    value = os.environ.get(name, "")
    return value if value.strip() else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


# Development defaults: production.py replaces these and refuses to start without a key.
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
DEBUG = env_bool("DJANGO_DEBUG", True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")

INSTALLED_APPS = [
    "config.admin_app.AdminConfig",  # django.contrib.admin, discovered by the URLconf
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django.contrib.sitemaps",
    "catalog",
    # Before curation: its post_migrate hook gives the Maintainers group quality permissions.
    "quality",
    "curation",
]

MIDDLEWARE = [
    # /healthz for a load balancer that probes by address, before the Host check (config.health).
    "config.health.HealthCheckMiddleware",
    # A form body in another charset than UTF-8: a 400, before anything reads it.
    "config.form_encoding.RefuseNonUtf8FormsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Cached public pages are answered here, before sessions, CSRF and the view (catalog.cache).
    "catalog.cache.CachedPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # A database outage answers public pages with a 503 page instead of a 500.
    "config.unavailable.DatabaseUnavailableMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "catalog.context_processors.site",
            ],
        },
    },
]

# DATABASE_URL picks the database; the default (also when it is set empty) is an SQLite file
# in the repository.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}").strip(),
        conn_max_age=env_int("CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let concurrent writers wait instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with two additions (config/postgresql/base.py): a health check that
    # polls the socket before it sends a query, and prepared statements on request.
    DATABASES["default"]["ENGINE"] = "config.postgresql"
    # PostgreSQL's default random_page_cost (4) prices index reads for spinning disks, so on
    # a catalog that fits in memory it reads every paper instead of the full-text index for a
    # common word (27 against 6 ms at 100,000 papers). 1.1 is the usual figure for SSDs and
    # cached data. No parallel workers: a page's queries take milliseconds, less than
    # starting workers costs, and the workers would take the CPUs of other requests (a search
    # for a word in 5,000 of 100,000 papers: 45 ms with them, 29 ms without).
    # PG_PLANNER_OPTIONS replaces both (an empty value keeps the server's own).
    planner = os.environ.get(
        "PG_PLANNER_OPTIONS", "-c random_page_cost=1.1 -c max_parallel_workers_per_gather=0"
    )
    if planner:
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} {planner}".strip()
    # The statements run through config.postgresql's prepared_cursor() (the section page's)
    # are prepared per connection: planning that query cost more than running it. False for a
    # connection pooler that cannot keep prepared statements (PgBouncer before 1.21, or
    # without max_prepared_statements, in transaction mode).
    if env_bool("PG_PREPARED_STATEMENTS", True):
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 5)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG:
    # runserver serves files straight from the finders; no collectstatic needed in development.
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

# Without Redis (`make run`): a file cache, so a change another process makes on this machine
# (`loaddata`, `import_readme` or a shell in another terminal) bumps the catalog version this
# server reads, and its cached pages follow at once; a memory cache would keep them for a day.
# One folder per database: a scratch database served beside the site never shares its pages.
_database_id = "|".join(str(DATABASES["default"].get(key, "")) for key in ("HOST", "PORT", "NAME"))
FILE_CACHE_LOCATION = env_str("FILE_CACHE_LOCATION", "").strip() or str(
    BASE_DIR / "var" / "cache" / hashlib.sha256(_database_id.encode()).hexdigest()[:12]
)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": FILE_CACHE_LOCATION,
        # Django culls a third of the files past MAX_ENTRIES (300 by default).
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    }
}
REDIS_URL = env_str("REDIS_URL", "").strip()
if REDIS_URL:
    CACHES["default"] = {
        # Django's Redis cache, reusing its client objects (config/cache_backends.py).
        "BACKEND": "config.cache_backends.RedisCache",
        "LOCATION": REDIS_URL,
        # Several sites (or test runs) can share one Redis under different prefixes.
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "").strip(),
    }
# Public pages and catalog fragments are cached until the catalog changes (catalog.cache);
# CATALOG_PAGE_CACHE=false renders every page afresh (benchmarks of uncached pages).
CATALOG_PAGE_CACHE = env_bool("CATALOG_PAGE_CACHE", True)
CATALOG_CACHE_SECONDS = env_int("CATALOG_CACHE_SECONDS", 60 * 60 * 24)
# Each process keeps cached page bodies in memory up to this size (least recently used first
# out); the shared cache then answers only the catalog version.
CATALOG_PAGE_MEMORY_BYTES = env_int("CATALOG_PAGE_MEMORY_BYTES", 64 * 2**20)
# /bench/ok/, the benchmarks' reference view; off unless asked for.
BENCH_ENDPOINTS = env_bool("BENCH_ENDPOINTS", False)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# In development mail is printed on the console (the status link included); EMAIL_BACKEND=
# django.core.mail.backends.smtp.EmailBackend (production's default) sends it through EMAIL_HOST.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "curators@awesome-alignment.local")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# Where approvals regenerate the README; empty disables regeneration.
README_EXPORT_PATH = os.environ.get("README_EXPORT_PATH", str(BASE_DIR / "var" / "README.md"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(levelname)s %(name)s: %(message)s"}},
    "filters": {"redact_status_tokens": {"()": "config.redaction.RedactStatusTokens"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_status_tokens"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO").upper()},
    # Django's own loggers through the same handler (with DEBUG on, Django's default console
    # handler would print request lines without the token redaction).
    "loggers": {"django": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

# `loaddata catalog` finds fixtures/catalog.json.
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Curation: links in emails, abuse limits.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
SUBMISSION_RATE_LIMIT = env_int("SUBMISSION_RATE_LIMIT", 20)
# Previews and lookups only show something: a limit of their own, so they never use up sends.
SUBMISSION_PREVIEW_RATE_LIMIT = env_int("SUBMISSION_PREVIEW_RATE_LIMIT", 100)
SUBMISSION_RATE_WINDOW = env_int("SUBMISSION_RATE_WINDOW", 3600)
SUBMISSION_MAX_PENDING_PER_EMAIL = env_int("SUBMISSION_MAX_PENDING_PER_EMAIL", 5)

# Security headers. Every script is a static file, so the policy allows no inline script (nor
# inline style); Bootstrap's form icons are data: SVGs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Password guessing on the admin login: django-axes locks a client out after
# AXES_FAILURE_LIMIT failures for AXES_COOLOFF_MINUTES, counting by client address (the same
# address the submission rate limit uses).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_CLIENT_IP_CALLABLE = "curation.ratelimit.client_ip_address"
AXES_USERNAME_CALLABLE = "curation.ratelimit.login_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_VERBOSE = False

# Data quality (issue 6): metadata lookups, link checks, the catalog report.
ARXIV_API_URL = env_str("ARXIV_API_URL", "https://export.arxiv.org/api/query")
CROSSREF_API_URL = env_str("CROSSREF_API_URL", "https://api.crossref.org/works")
METADATA_TIMEOUT = env_float("METADATA_TIMEOUT", 8)
# arXiv asks API clients to wait 3 s between calls; refresh_metadata sleeps this long.
ARXIV_API_DELAY = env_float("ARXIV_API_DELAY", 3)
LINK_CHECK_TIMEOUT = env_float("LINK_CHECK_TIMEOUT", 10)
LINK_CHECK_CONCURRENCY = env_int("LINK_CHECK_CONCURRENCY", 16)
LINK_CHECK_PER_HOST = env_int("LINK_CHECK_PER_HOST", 2)
# Hosts never checked: they answer robots with 403/429 whatever the link's state.
LINK_CHECK_SKIP_HOSTS = env_list(
    "LINK_CHECK_SKIP_HOSTS", "twitter.com,x.com,www.linkedin.com,openai.com,www.science.org"
)
# Local and private addresses (a link to an intranet host, or redirected there) are not
# visited; the tests' recorded servers on 127.0.0.1 need this on.
LINK_CHECK_PRIVATE_HOSTS = env_bool("LINK_CHECK_PRIVATE_HOSTS", False)
PREPRINT_MAX_AGE_YEARS = env_int("PREPRINT_MAX_AGE_YEARS", 2)
