"""Deployment checks (`manage.py check --deploy`) for what the curation emails rely on."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Warning, register

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


@register("curation", deploy=True)
def site_url_is_public(app_configs, **kwargs) -> list[Warning]:
    """Status links and decision emails are built from SITE_URL, outside any request: left at
    the development default, every email would point contributors at 127.0.0.1."""
    parts = urlsplit(settings.SITE_URL)
    if parts.scheme == "https" and parts.hostname and parts.hostname not in LOOPBACK_HOSTS:
        return []
    return [
        Warning(
            f"SITE_URL is {settings.SITE_URL!r}: the status links emailed to contributors "
            "would not reach the site.",
            hint="Set SITE_URL to the site's public https:// address, e.g. "
            "SITE_URL=https://aaa.example.org.",
            id="curation.W001",
        )
    ]
