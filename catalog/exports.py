"""Machine-readable views of the published catalog: BibTeX files and a read-only JSON API.

Each costs a fixed number of queries, whatever the size of the catalog.
"""

from __future__ import annotations

import re

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from catalog import selectors_pages as pages
from catalog.bibtex import library_bibtex, published_keys
from catalog.filters import PaperFilter
from catalog.models import Paper, Placement, in_reading_order
from catalog.selectors import SectionNode, SectionTree, placements_in_order, section_tree

API_PAGE_SIZE = 25
API_MAX_PAGE_SIZE = 100


# BibTeX --------------------------------------------------------------------------------------


def _papers_in_readme_order(tree: SectionTree, nodes: list[SectionNode]) -> list[Paper]:
    """Each paper once, where it first appears in the README. Two queries."""
    order = {node.pk: index for index, node in enumerate(tree.walk())}
    placements = sorted(
        placements_in_order(section_ids=[node.pk for node in nodes]),
        key=lambda p: (order[p.section_id], p.position, p.pk),
    )
    return list({p.paper_id: p.paper for p in placements}.values())


def _bibtex_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="application/x-bibtex; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_safe
def bibtex_all(request: HttpRequest) -> HttpResponse:
    tree = section_tree()
    papers = _papers_in_readme_order(tree, tree.walk())
    return _bibtex_response(
        library_bibtex(papers, published_keys()), "awesome-automated-alignment.bib"
    )


@require_safe
def bibtex_section(request: HttpRequest, slug: str) -> HttpResponse:
    tree = section_tree()
    node = tree.by_slug.get(slug)
    if node is None:
        raise Http404("No such section.")
    papers = _papers_in_readme_order(tree, [node, *node.descendants()])
    return _bibtex_response(library_bibtex(papers, published_keys()), f"{slug}.bib")


@require_safe
def bibtex_paper(request: HttpRequest, pk: int) -> HttpResponse:
    paper = pages.published_paper(pk)
    keys = published_keys()
    return _bibtex_response(library_bibtex([paper], keys), f"{keys[paper.pk]}.bib")


# JSON API ------------------------------------------------------------------------------------


def _error(status: int, message: str, **extra) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


def _section_json(request: HttpRequest, node: SectionNode) -> dict:
    return {
        "slug": node.slug,
        "number": node.number,
        "title": node.title,
        "parent": node.parent.slug if node.parent else None,
        "children": [child.slug for child in node.children],
        "paper_count": node.paper_count,
        "url": request.build_absolute_uri(node.get_absolute_url()),
        "papers": request.build_absolute_uri(
            reverse("exports:api-papers") + f"?section={node.slug}"
        ),
        "bibtex": request.build_absolute_uri(reverse("exports:bibtex-section", args=[node.slug])),
        "atom": request.build_absolute_uri(reverse("exports:feed-section-atom", args=[node.slug])),
    }


def _paper_json(request: HttpRequest, paper: Paper, tree: SectionTree, keys: dict) -> dict:
    sections = pages.section_labels(tree, list(paper.placements.all()))
    return {
        "id": paper.pk,
        "title": paper.title,
        "authors": paper.authors,
        "venue": paper.venue,
        "year": paper.year,
        "url": request.build_absolute_uri(paper.get_absolute_url()),
        "links": [
            {"label": link.label, "url": link.url, "identifier": link.identifier}
            for link in in_reading_order(paper.links.all())
        ],
        "sections": [
            {"slug": node.slug, "number": node.number, "title": node.title} for node in sections
        ],
        "citation_key": keys.get(paper.pk, ""),
        "bibtex": request.build_absolute_uri(reverse("exports:bibtex-paper", args=[paper.pk])),
    }


def _with_placements(queryset):
    return queryset.prefetch_related(
        Prefetch("placements", queryset=Placement.objects.order_by("section_id", "id"))
    )


@require_safe
def api_index(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "sections": request.build_absolute_uri(reverse("exports:api-sections")),
            "papers": request.build_absolute_uri(reverse("exports:api-papers")),
        }
    )


@require_safe
def api_sections(request: HttpRequest) -> JsonResponse:
    tree = section_tree(with_counts=True)
    nodes = tree.walk()
    return JsonResponse(
        {"count": len(nodes), "results": [_section_json(request, node) for node in nodes]}
    )


@require_safe
def api_section(request: HttpRequest, slug: str) -> JsonResponse:
    node = section_tree(with_counts=True).by_slug.get(slug)
    if node is None:
        return _error(404, f"There is no section “{slug}”.")
    return JsonResponse(_section_json(request, node))


def _page_size(request: HttpRequest) -> int:
    raw = request.GET.get("page_size", "")
    if not raw:
        return API_PAGE_SIZE
    # ASCII digits only: str.isdigit() also takes "²" and "٣", which int() refuses or reads.
    if not re.fullmatch(r"[0-9]{1,3}", raw) or not 1 <= int(raw) <= API_MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be a whole number from 1 to {API_MAX_PAGE_SIZE}.")
    return int(raw)


@require_safe
def api_papers(request: HttpRequest) -> JsonResponse:
    """Published papers, filtered with the search page's filters, newest years first."""
    tree = section_tree()
    filterset = PaperFilter(
        request.GET or None,
        queryset=_with_placements(pages.searchable_papers()),
        tree=tree,
        venues=pages.distinct_venues(),
    )
    if filterset.is_bound and not filterset.is_valid():
        return _error(400, "Invalid filters.", fields=filterset.form.errors.get_json_data())
    try:
        paginator = Paginator(filterset.qs, _page_size(request))
        raw_page = request.GET.get("page") or "1"
        if not re.fullmatch(r"0*[1-9][0-9]{0,8}", raw_page):
            raise PageNotAnInteger(raw_page)
        page = paginator.page(raw_page)
    except ValueError as error:
        return _error(400, str(error))
    except PageNotAnInteger:
        return _error(400, "page must be a whole number from 1.")
    except EmptyPage:
        return _error(404, "There is no such page.")
    keys = published_keys()

    def page_url(number: int) -> str:
        query = request.GET.copy()
        query["page"] = str(number)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return JsonResponse(
        {
            "count": paginator.count,
            "page": page.number,
            "pages": paginator.num_pages,
            "next": page_url(page.next_page_number()) if page.has_next() else None,
            "previous": page_url(page.previous_page_number()) if page.has_previous() else None,
            "results": [_paper_json(request, paper, tree, keys) for paper in page.object_list],
        }
    )


@require_safe
def api_paper(request: HttpRequest, pk: int) -> JsonResponse:
    try:
        paper = pages.published_paper(pk)
    except Http404:
        return _error(404, f"There is no published paper {pk}.")
    return JsonResponse(_paper_json(request, paper, section_tree(), published_keys()))
