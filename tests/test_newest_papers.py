"""The home page's newest additions, read through the placements' created_at index, must
rank exactly as grouping every placement by paper would (ties included)."""

import datetime

import pytest
from django.db.models import Max
from django.utils import timezone

from catalog.models import Paper, Placement, YearOrZero
from catalog.selectors_pages import newest_papers
from tests.factories import PaperFactory, PlacementFactory, SectionFactory

pytestmark = pytest.mark.django_db


def grouped_newest(limit: int) -> list[int]:
    return list(
        Paper.objects.published()
        .annotate(added_at=Max("placements__created_at"))
        .order_by("-added_at", "-created_at", YearOrZero("year").desc(), "-id")
        .values_list("pk", flat=True)[:limit]
    )


@pytest.mark.parametrize("limit", [1, 3, 8, 50])
def test_newest_papers_rank_as_grouping_every_placement_would(limit, django_assert_num_queries):
    sections = [SectionFactory() for _ in range(3)]
    start = timezone.now()
    for number in range(60):
        # Years tie too, and some papers have none.
        paper = PaperFactory(year=None if number % 9 == 0 else 2018 + number % 5)
        Paper.objects.filter(pk=paper.pk).update(
            created_at=start - datetime.timedelta(minutes=number % 4)
        )
        for offset in range(1 + number % 3):  # papers in one to three sections
            placement = PlacementFactory(paper=paper, section=sections[offset])
            # Few distinct times: many ties, and older placements of recently added papers.
            added = start - datetime.timedelta(hours=(number * 7 + offset * 13) % 5)
            Placement.objects.filter(pk=placement.pk).update(created_at=added)
    PaperFactory()  # unpublished: never listed
    with django_assert_num_queries(2):
        newest = newest_papers(limit)
        for paper in newest:
            list(paper.placements.all())
    assert [paper.pk for paper in newest] == grouped_newest(limit)
    for paper in newest:
        assert paper.added_at == max(p.created_at for p in paper.placements.all())


def test_papers_added_at_one_moment_show_the_newest_publications_first():
    section = SectionFactory()
    for year in (2019, 2025, None, 2022):
        PlacementFactory(paper=PaperFactory(title=f"Paper of {year}", year=year), section=section)
    Placement.objects.update(created_at=timezone.now())  # one import
    Paper.objects.update(created_at=timezone.now())
    assert [paper.year for paper in newest_papers(4)] == [2025, 2022, 2019, None]
