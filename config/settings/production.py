"""Production settings: everything comes from the environment."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    BASE_DIR,
    DATABASES,
    LOGGING,
    REDIS_URL,
    STORAGES,
    env_bool,
    env_int,
    env_list,
    env_str,
)

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")

# `collectstatic` writes the hashed, compressed files here; WhiteNoise serves them.
STATIC_ROOT = env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles"))
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# The load balancer's health check speaks plain HTTP to each host.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The SMTP settings (EMAIL_HOST …) are read in base; production sends mail by default.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")

# Several hosts behind a proxy: nothing may live in one process's memory. Sessions are rows
# in the database, read through the shared cache (REDIS_URL); the cache, the catalog version
# and the submission rate limit live in Redis.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Persistent connections, checked before reuse so a restarted database costs no request.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Behind a proxy, REMOTE_ADDR is the proxy: true makes the rate limit count the last
# X-Forwarded-For hop (the address the proxy saw) instead. Never set it without a proxy.
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)

# Logs go to stdout, where the process supervisor collects them.
LOGGING = {
    **LOGGING,
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "stream": "ext://sys.stdout",
            "filters": ["redact_status_tokens"],
        }
    },
}

# Cached pages are invalidated by a version kept in the cache; a per-process memory cache
# would let other workers serve stale pages for a day. Without a shared Redis, no page cache
# (and the submission rate limit and login lockout then count per process: set REDIS_URL).
if not REDIS_URL:
    CATALOG_PAGE_CACHE = False
    # Nor a file cache (development's): a host's disk may be read-only or shared by none.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
