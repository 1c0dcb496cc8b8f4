"""Atom and RSS feeds of newly published papers, overall and per section (with subsections).

A paper is published when it is first placed in a section (an approval, an import); a
section's feed dates it by its first placement in that section or below.
"""

from __future__ import annotations

import re

from django.contrib.syndication.views import Feed
from django.db.models import Min, Q
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from catalog.models import Paper
from catalog.selectors import SectionNode, section_tree

FEED_LENGTH = 50
# What XML 1.0 cannot hold (control characters, U+FFFE, U+FFFF …): the public form refuses
# them, but the admin and an import may store one, and a feed holding it would not parse.
XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    return XML_INVALID.sub("", value)


def _newest(section_ids: list[int] | None = None):
    condition = Q(placements__section_id__in=section_ids) if section_ids is not None else Q()
    return (
        Paper.objects.published()
        .filter(condition)
        .annotate(published_at=Min("placements__created_at", filter=condition))
        .order_by("-published_at", "-id")[:FEED_LENGTH]
    )


class NewPapersRss(Feed):
    feed_type = Rss201rev2Feed
    title = "Awesome Automated Alignment: new papers"
    description = "Papers newly added to the Awesome Automated Alignment list."

    def link(self) -> str:
        return reverse("catalog:home")

    def items(self):
        return _newest()

    def item_title(self, paper: Paper) -> str:
        return xml_text(paper.title)

    def item_description(self, paper: Paper) -> str:
        return xml_text(
            " · ".join(
                part
                for part in (paper.authors, f"{paper.venue} {paper.year or ''}".strip())
                if part
            )
        )

    def item_link(self, paper: Paper) -> str:
        return paper.get_absolute_url()

    def item_pubdate(self, paper: Paper):
        return paper.published_at

    def item_updateddate(self, paper: Paper):
        return paper.updated_at

    def item_author_name(self, paper: Paper) -> str:
        return xml_text(paper.authors)


class NewPapersAtom(NewPapersRss):
    feed_type = Atom1Feed
    subtitle = NewPapersRss.description


class SectionNewPapersRss(NewPapersRss):
    def get_object(self, request, slug: str) -> SectionNode:
        node = section_tree().by_slug.get(slug)
        if node is None:
            raise Http404("No such section.")
        return node

    def title(self, node: SectionNode) -> str:
        return xml_text(f"Awesome Automated Alignment: new papers in {node.label}")

    def description(self, node: SectionNode) -> str:
        return xml_text(f"Papers newly added to {node.label} and its subsections.")

    def link(self, node: SectionNode) -> str:
        return node.get_absolute_url()

    def items(self, node: SectionNode):
        return _newest([node.pk, *(child.pk for child in node.descendants())])


class SectionNewPapersAtom(SectionNewPapersRss):
    feed_type = Atom1Feed

    def subtitle(self, node: SectionNode) -> str:
        return self.description(node)
