"""Per-client-IP limits on the submission form's POSTs, kept in Django's cache (Redis in
production, so every web process counts the same requests).

Two counts: what stores or changes something (send, resend, withdraw: SUBMISSION_RATE_LIMIT an
hour) and what only shows something (preview, lookup: SUBMISSION_PREVIEW_RATE_LIMIT, higher),
so checking an entry a few times does not use up the sends."""

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


def over_limit(request, *, scope: str, limit: int | None = None) -> int:
    """Count this request; return the seconds to wait if it is over the limit, else 0."""
    limit = settings.SUBMISSION_RATE_LIMIT if limit is None else limit
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
    if count > limit:
        return max(1, (bucket + 1) * window - int(time.time()))
    return 0


# The form's actions that store or change something; any other POST only shows something.
SENDING_ACTIONS = {"send", "add_to"}


def rate_limited_post(scope: str, *, posts: str = "form", keep_form=None):
    """Answer POSTs over the limit with a 429; GETs are never limited.

    `posts` says what a POST does: "form" (its `action` says: a sending one counts as a send,
    any other, or none, as a preview), "send" (always a send: withdraw) or "show" (always a
    preview: lookup). `keep_form(request, *args, **kwargs)`, if given, renders the view's form
    again with what was typed, so nothing typed is lost; else a page says when to try again."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST":
                sending = posts == "send" or (
                    posts == "form" and request.POST.get("action") in SENDING_ACTIONS
                )
                wait = (
                    over_limit(request, scope=scope)
                    if sending
                    else over_limit(
                        request,
                        scope=f"{scope}-preview",
                        limit=settings.SUBMISSION_PREVIEW_RATE_LIMIT,
                    )
                )
                if wait:
                    minutes = max(1, round(wait / 60))
                    if keep_form is not None:
                        request.rate_limit_minutes = minutes
                        request.rate_limit_sending = sending
                        response = keep_form(request, *args, **kwargs)
                    else:
                        response = render(
                            request,
                            "curation/rate_limited.html",
                            {"retry_minutes": minutes},
                            status=429,
                        )
                    response.status_code = 429
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


def login_username(request, credentials=None) -> str | None:
    """The username django-axes records for a failed login: as typed, cut to its column's
    255 characters (Django's login form sets no limit, and PostgreSQL refuses a longer one)."""
    username = credentials.get("username") if credentials else request.POST.get("username")
    return None if username is None else username[:255]
