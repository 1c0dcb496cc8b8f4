"""The section page in pages of SECTION_PAGE_SIZE papers, keeping the reading order: the
section's own papers in order, then each subsection's, depth first."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from catalog.selectors_pages import SECTION_PAGE_SIZE
from tests.factories import PaperFactory, PlacementFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def big_part():
    """A part with 30 papers of its own, an empty subsection, a subsection of 40 papers with
    a sub-subsection of 35: 105 papers in reading order, over three pages."""
    part = SectionFactory(title="Self-play", slug="self-play", position=1)
    empty = SectionFactory(title="Empty corner", slug="empty", parent=part, position=1)
    games = SectionFactory(title="Games", slug="games", parent=part, position=2)
    chess = SectionFactory(title="Chess", slug="chess", parent=games, position=1)
    order = []
    for section, count, name in ((part, 30, "Own"), (games, 40, "Game"), (chess, 35, "Chess")):
        # Created in reverse, placed by position: the page must follow positions.
        for number in reversed(range(count)):
            paper = PaperFactory(title=f"{name} paper {number:03d}")
            PlacementFactory(paper=paper, section=section, position=number + 1)
        order += [f"{name} paper {number:03d}" for number in range(count)]
    return {"part": part, "empty": empty, "games": games, "chess": chess, "order": order}


def titles(response) -> list[str]:
    main = response.content.decode().split('aria-labelledby="contents-title"')[0]
    return re.findall(r'class="paper-title" href="/papers/\d+/">([^<]+)</a>', main)


def test_pages_follow_the_reading_order_across_subsections(client, big_part):
    url = reverse("catalog:section", kwargs={"slug": "self-play"})
    seen = []
    for number in (1, 2, 3):
        response = client.get(url, {"page": number})
        assert response.status_code == 200
        seen += titles(response)
    assert SECTION_PAGE_SIZE == 50
    assert seen == big_part["order"]


def test_each_page_shows_the_headings_of_the_sections_it_holds(client, big_part):
    url = reverse("catalog:section", kwargs={"slug": "self-play"})
    first = client.get(url).content.decode()
    # Page 1: 30 own papers, the empty subsection, then Games' first 20.
    assert 'id="empty-title"' in first and 'id="games-title"' in first
    assert 'id="chess-title"' not in first
    assert 'href="?page=2"' in first
    # The subsection index links to the page each subsection starts on.
    assert 'href="#games"' in first and 'href="#empty"' in first
    second = client.get(url, {"page": 2}).content.decode()
    # Page 2 continues Games (its heading again) and starts Chess.
    assert 'id="games-title"' in second and 'id="chess-title"' in second
    assert 'id="empty-title"' not in second
    assert 'href="?page=1#games"' in second
    # Games' heading says it goes on from page 1, and its list numbers on from there.
    games = second.split('id="games-title"')[1].split("</section>")[0]
    assert "papers · continued</span>" in games
    assert '<ol class="paper-list" start="21">' in games
    assert "· continued" not in second.split('id="chess-title"')[1]
    assert "· continued" not in first
    # Counts are the sections' whole counts, not the page's.
    assert "105 papers, including those of its 2 subsections." in " ".join(
        re.sub(r"<[^>]+>", " ", second).split()
    )


def test_garbage_and_out_of_range_pages_do_not_fail(client, big_part):
    url = reverse("catalog:section", kwargs={"slug": "self-play"})
    assert titles(client.get(url, {"page": "x"}))[0] == "Own paper 000"
    past_the_end = client.get(url, {"page": "999"})
    assert titles(past_the_end)[-1] == "Chess paper 034"
    assert "There is no page 999; this is the last page, 3." in past_the_end.content.decode()
    assert "There is no page" not in client.get(url, {"page": "3"}).content.decode()


def test_a_small_section_is_one_page_without_pagination(client, big_part):
    response = client.get(reverse("catalog:section", kwargs={"slug": "chess"}))
    assert len(titles(response)) == 35
    assert "Pages of results" not in response.content.decode()


def test_list_rows_escape_every_value_on_section_and_search_pages(client):
    """The rows are built in Python (catalog.rendering), not by the template engine: every
    value must still come out escaped, links in order, on both pages that list papers."""
    from html import escape

    from tests.factories import LinkFactory

    section = SectionFactory(title="Hostile", slug="hostile", position=1)
    title = "Debate <script>window.__pwned=1</script> & \"quotes\" 'too'"
    paper = PaperFactory(
        title=title, authors="A. <b>Bold</b> & Co", venue="<i>NeurIPS</i>", year=2024
    )
    hostile_url, code_url = (
        'https://example.org/a"><svg onload=x>',
        "https://github.com/o/r?a=1&b=2",
    )
    LinkFactory(paper=paper, label="paper", url=hostile_url, position=1)
    LinkFactory(paper=paper, label="code", url=code_url, position=2)
    PlacementFactory(paper=paper, section=section, position=1)
    for url in (section.get_absolute_url(), reverse("catalog:search") + "?q=debate"):
        page = client.get(url).content.decode()
        assert "<script>window" not in page and "<svg" not in page and "<b>Bold" not in page
        assert f'class="paper-title" href="/papers/{paper.pk}/">{escape(title)}</a>' in page
        assert f'<span class="paper-authors">{escape(paper.authors)}</span>' in page
        assert f'<span class="paper-venue">{escape(paper.venue)} 2024</span>' in page
        paper_link = page.index(f'href="{escape(hostile_url)}"')
        code_link = page.index(f'href="{escape(code_url)}"')
        assert paper_link < code_link
        assert f"of “{escape(title)}” (github.com)" in page


def test_the_bibtex_link_mentions_subsections_only_where_there_are_some(client, big_part):
    with_children = client.get(big_part["games"].get_absolute_url()).content.decode()
    leaf = client.get(big_part["chess"].get_absolute_url()).content.decode()
    assert "BibTeX of this section</a> (with its subsections)" in with_children
    assert "BibTeX of this section</a>" in leaf and "with its subsections" not in leaf
