"""The public pages. Thin: reads go through the selectors, markup lives in the templates."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from catalog import selectors_pages as pages
from catalog.bibtex import paper_bibtex
from catalog.cache import cached_public_page, page_number_shown
from catalog.filters import PaperFilter
from catalog.identifiers import describe, identifier_for_query
from catalog.models import FormerSlug, in_reading_order
from catalog.rendering import section_urls
from catalog.search import query_words, sections_named

PAPERS_PER_PAGE = 25


def requested_page(request: HttpRequest) -> str:
    """The `?page=` asked for; 0 or a negative number means the first page (Django's
    get_page would show the last one for them)."""
    asked = request.GET.get("page", "")
    return "1" if re.fullmatch(r"-?[0-9]{1,9}", asked) and int(asked) < 1 else asked


def past_the_end(asked: str, page_obj) -> bool:
    """A page number past the last page: get_page shows the last one, and the page says so."""
    return bool(re.fullmatch(r"[0-9]{1,9}", asked)) and int(asked) > page_obj.number


@require_safe
@cached_public_page
def home(request: HttpRequest) -> HttpResponse:
    document = pages.readme_document()
    context = {
        "document": document,
        "tree": pages.current_tree(),
        "newest": pages.newest_papers(),
        "paper_total": pages.published_count(),
    }
    if document is not None:
        # Reuse the row we already hold instead of letting the context processor fetch it.
        context["site_title"] = document.title
    return render(request, "catalog/home.html", context)


@require_safe
@cached_public_page
def about(request: HttpRequest) -> HttpResponse:
    """The survey the list belongs to (abstract, citation, news), its workshops, how the list
    is kept, and its README: the README's preamble and closing table, as a page."""
    return render(
        request,
        "catalog/about.html",
        {
            "document": pages.readme_document(),
            "news": pages.news_items(),
            "workshops": pages.workshops(),
            "paper_total": pages.published_count(),
        },
    )


@require_safe
@cached_public_page(params=("page",))
def section_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tree = pages.current_tree()
    if slug not in tree.by_slug:
        # A renamed section's old address leads to its page (a query only for unknown ones).
        former = FormerSlug.objects.filter(slug=slug).select_related("section").first()
        if former is not None:
            query = f"?{request.GET.urlencode()}" if request.GET else ""
            return redirect(former.section.get_absolute_url() + query, permanent=True)
    asked = requested_page(request)
    outline, page_obj = pages.section_page(tree, slug, asked)
    page_number_shown(request, page_obj.number)
    return render(
        request,
        "catalog/section_detail.html",
        {
            "tree": tree,
            "outline": outline,
            "section": outline.node,
            "page_obj": page_obj,
            "asked_page": asked if past_the_end(asked, page_obj) else "",
            "section_urls": section_urls(slug),
        },
    )


@require_safe
@cached_public_page
def paper_detail(request: HttpRequest, pk: int) -> HttpResponse:
    paper = pages.published_paper(pk)
    tree = pages.current_tree()
    links = in_reading_order(paper.links.all())
    return render(
        request,
        "catalog/paper_detail.html",
        {
            "paper": paper,
            "sections": pages.section_labels(tree, list(paper.placements.all())),
            "links": links,
            # Plain URLs are already listed under Links; show the scholarly ids only.
            "identifiers": list(
                dict.fromkeys(
                    link.identifier_display
                    for link in links
                    if link.identifier and not link.identifier.startswith("url:")
                )
            ),
            "bibtex": paper_bibtex(paper),
        },
    )


def identifier_phrase(identifier: str) -> str:
    """How the results of a search for one paper's identifier are named: "with arXiv
    2401.10020" (after "1 paper"), "linking to github.com/x/y" for a plain address."""
    label, value = describe(identifier)
    return f"linking to {value}" if identifier.startswith("url:") else f"with {label} {value}"


def wider_search(cleaned: dict, identifier: str) -> str:
    """What an empty result could try instead, from the filters that are set: "fewer words,
    a wider year range or another venue"; "" when none applies (one word alone, say)."""
    hints = []
    if not identifier and len(query_words(cleaned.get("q") or "")) > 1:
        hints.append("fewer words")
    if cleaned.get("year_min") is not None or cleaned.get("year_max") is not None:
        hints.append("a wider year range")
    if cleaned.get("section"):
        hints.append("another section")
    if cleaned.get("venue"):
        hints.append("another venue")
    if cleaned.get("has_code"):
        hints.append("papers without code too")
    if len(hints) < 2:
        return "".join(hints)
    return f"{', '.join(hints[:-1])} or {hints[-1]}"


@require_safe
@cached_public_page(
    params=("q", "section", "year_min", "year_max", "venue", "has_code", "page"), shared=False
)
def search(request: HttpRequest) -> HttpResponse:
    tree = pages.current_tree()
    filterset = PaperFilter(
        request.GET or None,
        queryset=pages.searchable_papers(),
        tree=tree,
        venues=pages.distinct_venues(),
    )
    # Bad input (a year that is not a number, a section that does not exist) gets the form
    # back with its errors and a 400, rather than silently ignoring the filter.
    invalid = filterset.is_bound and not filterset.is_valid()
    page_obj, filtered, named_sections, identifier, wider = None, False, [], "", ""
    if not invalid:
        filtered = filterset.is_bound and any(
            value not in ("", None, False) for value in filterset.form.cleaned_data.values()
        )
        query = (filterset.form.cleaned_data.get("q") or "") if filterset.is_bound else ""
        # The whole query one paper's address or identifier: PaperFilter finds its links.
        identifier = identifier_for_query(query) if query else ""
        # Nothing to look for: punctuation only, or only words too common to search ("the").
        no_words = bool(query) and not identifier and not query_words(query)
        paginator = Paginator(filterset.qs, PAPERS_PER_PAGE)
        asked = requested_page(request)
        if query and not no_words:
            # Ranked: every match is sorted anyway, so the count comes with the page.
            page_obj = pages.ranked_page(paginator, asked)
        else:
            if not filtered:
                paginator.count = pages.published_count()  # memoized per catalog version
            page_obj = paginator.get_page(asked)
            page_obj.object_list = pages.page_rows(page_obj.object_list)
        page_number_shown(request, page_obj.number)
        common_words_only = no_words and bool(re.search(r"\w", query))
        # Sections named like the query, unless one is chosen already: a section's papers
        # need not name its topic ("debate" finds 4 papers; 1.5.2 Debate holds 8).
        if query and not identifier and not filterset.form.cleaned_data.get("section"):
            named_sections = sections_named(tree, query)
        if not page_obj.paginator.count:
            wider = wider_search(filterset.form.cleaned_data if filtered else {}, identifier)
    return render(
        request,
        "catalog/search.html",
        {
            "filter": filterset,
            "tree": tree,
            "page_obj": page_obj,
            "filtered": filtered,
            "asked_page": asked if not invalid and past_the_end(asked, page_obj) else "",
            "no_words": not invalid and no_words,
            "common_words_only": not invalid and common_words_only,
            "named_sections": named_sections,
            "query": query if not invalid else "",
            "identifier_phrase": identifier_phrase(identifier) if identifier else "",
            "wider_search": wider,
        },
        status=400 if invalid else 200,
    )


def bench_ok(request: HttpRequest) -> HttpResponse:
    """The benchmarks' reference: the framework's floor for one request (BENCH_ENDPOINTS)."""
    if not settings.BENCH_ENDPOINTS:
        raise Http404("Benchmark endpoints are off.")
    return HttpResponse("ok")
