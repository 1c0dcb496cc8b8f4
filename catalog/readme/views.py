from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from catalog.cache import cached_public_page
from catalog.readme.export import render_readme


@require_safe
@cached_public_page
def readme_markdown(request: HttpRequest) -> HttpResponse:
    """The current export, as GitHub would show it."""
    return HttpResponse(render_readme(), content_type="text/markdown; charset=utf-8")
