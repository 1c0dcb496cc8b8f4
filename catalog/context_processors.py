import functools

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from catalog.cache import memoized
from catalog.models import ReadmeDocument

DEFAULT_TITLE = "Awesome Automated Alignment"


def _document_title() -> str:
    document = ReadmeDocument.objects.only("title").first()
    return document.title if document else DEFAULT_TITLE


@functools.cache
def _site_urls(script_prefix: str) -> dict[str, str]:
    try:
        submit = reverse("curation:submit")
    except NoReverseMatch:  # a site without the curation app: no submit link
        submit = ""
    return {
        "home": reverse("catalog:home"),
        "search": reverse("catalog:search"),
        "about": reverse("catalog:about"),
        "submit": submit,
    }


def site(request: HttpRequest) -> dict:
    """The page chrome's title and links.

    The title is lazily evaluated and read from the database once per process until the
    catalog changes (the README document is a catalog model); the links are reversed once per
    process (every page shows them, and `{% url %}` costs tens of microseconds each)."""

    def title() -> str:
        return memoized("site-title", _document_title)

    return {"site_title": title, "site_urls": _site_urls(request.META.get("SCRIPT_NAME", ""))}
