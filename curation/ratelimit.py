"""A per-client-IP limit on submission POSTs, kept in Django's cache (Redis in production, so
every web process counts the same requests)."""

from __future__ import annotations

import ipaddress
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render


def client_ip(request) -> str:
    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            # The proxy appends the address it saw; that last hop is the one we trust.
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "unknown")


def over_limit(request, *, scope: str) -> int:
    """Count this request; return the seconds to wait if it is over the limit, else 0."""
    window = settings.SUBMISSION_RATE_WINDOW
    bucket = int(time.time() // window)
    key = f"ratelimit:{scope}:{client_ip(request)}:{bucket}"
    if cache.add(key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window + 1)
            count = 1
    if count > settings.SUBMISSION_RATE_LIMIT:
        return max(1, (bucket + 1) * window - int(time.time()))
    return 0


def rate_limited_post(scope: str):
    """Answer POSTs over the limit with a 429 page; GETs are never limited."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST":
                wait = over_limit(request, scope=scope)
                if wait:
                    response = render(
                        request,
                        "curation/rate_limited.html",
                        {"retry_minutes": max(1, round(wait / 60))},
                        status=429,
                    )
                    response["Retry-After"] = str(wait)
                    return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def client_ip_address(request) -> str | None:
    """The client's address for django-axes, which stores it in an IP column: None when there
    is no valid one (a request built by the test client's force_login has no REMOTE_ADDR)."""
    address = client_ip(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
