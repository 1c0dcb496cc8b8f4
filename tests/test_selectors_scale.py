"""placements_in_order at scale: two queries, and the links are selected with a subquery, so
no statement carries one parameter per paper (SQLite refuses more than 32,766 in most builds)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Link
from catalog.selectors import placements_in_order
from tests.factories import LinkFactory, PaperFactory, PlacementFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_placements_come_with_their_links_in_two_queries_without_an_id_list():
    sections = [SectionFactory() for _ in range(3)]
    for index in range(30):
        paper = PaperFactory()
        LinkFactory(paper=paper, position=2, url=f"https://arxiv.org/abs/2402.{index:05d}")
        LinkFactory(
            paper=paper, position=1, label=Link.Label.CODE, url=f"https://c.example/{index}"
        )
        PlacementFactory(paper=paper, section=sections[index % 3], position=index + 1)
    outside = PlacementFactory(section=SectionFactory()).paper
    LinkFactory(paper=outside, url="https://elsewhere.example/x")

    with CaptureQueriesContext(connection) as captured:
        placements = placements_in_order(section_ids=[s.pk for s in sections[:2]])
        links = {p.paper_id: [link.url for link in p.paper.links.all()] for p in placements}
    assert len(captured.captured_queries) == 2
    link_sql = captured.captured_queries[1]["sql"]
    assert "IN (SELECT" in link_sql.replace("( SELECT", "(SELECT")
    assert len(placements) == 20
    assert [p.section_id for p in placements] == sorted(p.section_id for p in placements)
    assert all(urls[0].startswith("https://c.example/") for urls in links.values())
    assert all(len(urls) == 2 for urls in links.values())
    assert outside.pk not in links
