"""The submission form's "Fill in the form": metadata for a pasted arXiv id/URL or DOI.

Used two ways: server-side (the form posted with action=lookup, no JavaScript needed) and as
JSON for static/js/lookup.js. A failed lookup is never an error page: the contributor gets a
message and types the fields in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from catalog import identifiers
from curation.ratelimit import rate_limited_post
from quality.metadata import IdentifierUnknown, LookupFailed, lookup, parse_identifier

MAX_IDENTIFIER_LENGTH = 300


@dataclass(frozen=True)
class Filled:
    ok: bool
    message: str
    values: dict
    # The published paper with this paper link, if the list has it already:
    # {"title", "url", "correct_url"}, so the form can point at a correction at once.
    listed: dict | None = None


def with_listed(filled: Filled) -> Filled:
    """`filled`, with the published paper its paper link belongs to, if any."""
    from catalog.models import Paper

    url = filled.values.get("paper_url", "")
    identifier = identifiers.identifier_for_url(url) if url else ""
    paper = (
        Paper.objects.published().filter(links__identifier=identifier).order_by("pk").first()
        if identifier
        else None
    )
    if paper is None:
        return filled
    listed = {
        "title": paper.title,
        "url": paper.get_absolute_url(),
        "correct_url": reverse("curation:correct", kwargs={"pk": paper.pk}),
    }
    return Filled(filled.ok, filled.message, filled.values, listed)


def fill_from_identifier(text: str) -> Filled:
    """The form values a lookup gives: title, authors (as the list shows them), year, venue
    (from Crossref; "arXiv" for an arXiv id) and the paper link."""
    text = (text or "").strip()
    if not text:
        return Filled(False, "Paste an arXiv id or link, or a DOI, first.", {})
    if len(text) > MAX_IDENTIFIER_LENGTH:
        return Filled(False, "That is too long for an arXiv id or a DOI.", {})
    if any(char < " " or char == "\x7f" for char in text):
        # No identifier holds one, and a NUL reaches the catalog query with the paper link.
        return Filled(False, "That is not an arXiv id or a DOI: it holds a control character.", {})
    try:
        found = lookup(text)
    except IdentifierUnknown as failure:
        return Filled(False, str(failure), {})
    except LookupFailed as failure:
        # The source could not be asked, but a well-formed id still gives the paper link.
        return Filled(False, str(failure), _link_for(text))
    values = {
        "title": found.title,
        "authors": found.short_authors,
        "year": found.year or "",
        "venue": found.venue,
        "paper_url": identifiers.arxiv_abs_url(identifiers.arxiv_id(found.url))
        if found.venue == "arXiv"
        else found.url,
    }
    source = "arXiv" if found.venue == "arXiv" else "Crossref"
    return Filled(
        True,
        f"Filled in from {source}: check every field and change what the list should show "
        "differently.",
        {name: value for name, value in values.items() if value not in ("", None)},
    )


def _link_for(text: str) -> dict:
    try:
        kind, value = parse_identifier(text)
    except LookupFailed:
        return {}
    if kind == "arxiv":
        return {"paper_url": identifiers.arxiv_abs_url(value)}
    return {"paper_url": f"https://doi.org/{value}"}


PLAIN_ID = re.compile(r"[0-9]{1,18}")


# Said after a failed lookup's message when its paper link did fill the field (lookup.js
# says the same).
LINK_FILLED = "The paper link is filled in from the id."


def form_initial(post, field_names, filled: Filled, multiple: set[str]) -> dict:
    """What the contributor had typed, with the looked-up values on top."""
    initial = {
        name: (post.getlist(name) if name in multiple else post.get(name, ""))
        for name in field_names
        if name in post
    }
    for name in multiple:
        # Only plain ids: "²" passes isdigit() and a 5,000-digit id would not fit int().
        initial[name] = [int(v) for v in initial.get(name, []) if PLAIN_ID.fullmatch(str(v))]
    if filled.values:  # a failed lookup may still give the paper link
        initial.update(filled.values)
        typed = post.get("paper_url", "").strip()
        if typed and typed != post.get("lookup_link", "").strip():
            initial["paper_url"] = post["paper_url"]  # never replace a link they typed
        elif "paper_url" in filled.values:
            # This lookup's link: a later lookup may replace it (the contributor corrected
            # the id), a link typed over it is theirs.
            initial["lookup_link"] = filled.values["paper_url"]
    return initial


def _lookup_limited(request: HttpRequest) -> JsonResponse:
    """Over the limit: the JSON lookup.js reads, saying so (not "the lookup did not work")."""
    minutes = request.rate_limit_minutes
    return JsonResponse(
        {
            "ok": False,
            "message": "Too many lookups and previews from your network: try again in about "
            f"{minutes} minute{'s' if minutes != 1 else ''}, or fill in the fields by hand.",
            "values": {},
            "listed": None,
            "link_filled": "",
        },
        status=429,
    )


@require_POST
@rate_limited_post("submit", posts="show", keep_form=_lookup_limited)
def metadata_lookup(request: HttpRequest) -> JsonResponse:
    """JSON for lookup.js: {"ok", "message", "values", "listed", "link_filled"}. Always 200
    for a lookup that ran; the outcome is in "ok". "link_filled": what to add to the message
    when the script does fill the paper link (it keeps a typed one)."""
    filled = with_listed(fill_from_identifier(request.POST.get("lookup", "")))
    return JsonResponse(
        {
            "ok": filled.ok,
            "message": filled.message,
            "values": filled.values,
            "listed": filled.listed,
            "link_filled": LINK_FILLED if not filled.ok and "paper_url" in filled.values else "",
        }
    )
