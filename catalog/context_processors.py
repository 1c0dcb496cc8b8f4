from django.http import HttpRequest

from catalog.models import ReadmeDocument


def site(request: HttpRequest) -> dict:
    """The list's title for the page chrome; one cheap query, lazily evaluated."""

    def title() -> str:
        document = ReadmeDocument.objects.only("title").first()
        return document.title if document else "Awesome Automated Alignment"

    return {"site_title": title}
