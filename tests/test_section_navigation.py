"""The section page's side navigation: the sections around the current one (top-level parts,
the way down to it with each level's siblings, its children), not the whole taxonomy, which
stays on the home page."""

import re

import pytest
from django.urls import reverse

from tests.factories import SectionFactory

pytestmark = pytest.mark.django_db


def sidebar(client, section) -> str:
    page = client.get(reverse("catalog:section", kwargs={"slug": section.slug})).content.decode()
    return page.split('aria-labelledby="contents-title"', 1)[1].split("</aside>", 1)[0]


def listed(html: str) -> list[str]:
    return re.findall(r'href="/sections/([^/]+)/"', html)


def test_side_navigation_lists_the_way_down_to_the_section_and_its_children(client):
    tree = {}
    for top in (1, 2, 3):
        tree[top] = SectionFactory(slug=f"s{top}", position=top)
        for middle in (1, 2):
            tree[top, middle] = SectionFactory(
                slug=f"s{top}-{middle}", parent=tree[top], position=middle
            )
            for low in (1, 2):
                tree[top, middle, low] = SectionFactory(
                    slug=f"s{top}-{middle}-{low}", parent=tree[top, middle], position=low
                )
    html = sidebar(client, tree[2, 1])
    assert listed(html) == ["s1", "s2", "s2-1", "s2-1-1", "s2-1-2", "s2-2", "s3"]
    assert re.search(r'href="/sections/s2-1/" aria-current="page"', html)
    assert html.count('aria-current="page"') == 1
    assert 'href="/#taxonomy-title">All 21 sections</a>' in html
    # A leaf: its siblings, no children; the home page still has the whole tree.
    assert listed(sidebar(client, tree[3, 2, 2])) == [
        "s1",
        "s2",
        "s3",
        "s3-1",
        "s3-2",
        "s3-2-1",
        "s3-2-2",
    ]
    home = client.get(reverse("catalog:home")).content.decode()
    assert all(f'href="/sections/{section.slug}/"' in home for section in tree.values())
