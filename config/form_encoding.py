"""A form posted in another charset than UTF-8, or a query string of more parameters than
Django parses, gets a 400 with a message.

Django refuses such a body (`application/x-www-form-urlencoded` is UTF-8 by definition) by
raising BadRequest from `request.POST`, but without marking the body unreadable, so its own
400 and 500 views, which read `request.POST` again for the CSRF token, fail in turn: a 500.
Answered here, before anything reads the body, with the condition Django applies. Likewise a
query string past DATA_UPLOAD_MAX_NUMBER_FIELDS: Django's 400 for it is a 500 in development,
whose debug page reads `request.GET` again."""

from __future__ import annotations

from django.core.exceptions import TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

FORM = "application/x-www-form-urlencoded"


class RefuseNonUtf8FormsMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        encoding = request.encoding
        # Django reads (and refuses) such a body for request.POST, so only on a POST.
        if (
            request.method == "POST"
            and request.content_type == FORM
            and encoding
            and encoding.lower() != "utf-8"
        ):
            return HttpResponseBadRequest(
                f"Forms must be sent as UTF-8 (this one said charset={encoding[:40]}).".encode(),
                content_type="text/plain; charset=utf-8",
            )
        try:
            request.GET  # noqa: B018 - parsed here first, kept by the request
        except TooManyFieldsSent:
            return HttpResponseBadRequest(
                b"Too many parameters in the address.", content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)
