"""The benchmarks' catalog generator at a tiny size: it must keep producing a valid catalog
(the benchmark itself is too slow for the suite and never runs here)."""

import pytest
from django.core.exceptions import ValidationError

from bench.catalog_generator import generate_catalog
from catalog.models import Link, Paper, Placement, Section
from catalog.readme.export import render_readme
from catalog.selectors import section_tree

pytestmark = pytest.mark.django_db


def test_generator_makes_a_valid_catalog_of_the_requested_size():
    made = generate_catalog(papers=50, sections=5, seed=1)
    assert (made.papers, made.sections, made.placements) == (50, 5, 50)
    assert Paper.objects.published().count() == 50
    assert Section.objects.count() == 5
    tree = section_tree()
    assert max(node.depth for node in tree.walk()) + 1 == made.max_depth <= 3
    # Every paper has an arXiv paper link, unique, with the identifier its URL gives.
    paper_links = Link.objects.filter(label=Link.Label.PAPER)
    assert paper_links.values("paper").distinct().count() == 50
    identifiers = list(paper_links.values_list("identifier", flat=True))
    assert len(set(identifiers)) == 50 and all(i.startswith("arxiv:") for i in identifiers)
    for link in Link.objects.all():
        stored = link.identifier
        link.save()
        assert link.identifier == stored
    # Rows pass the models' own validation, and positions run 1..n in each section.
    for paper in Paper.objects.all():
        try:
            paper.full_clean()
        except ValidationError as error:
            pytest.fail(f"{paper.title!r}: {error}")
        assert paper.year and paper.title
    for section in Section.objects.all():
        positions = list(
            Placement.objects.filter(section=section)
            .order_by("position")
            .values_list("position", flat=True)
        )
        assert positions == list(range(1, len(positions) + 1))
    # The export lists every paper.
    assert render_readme().count("\n- **") == 50


def test_generator_refuses_a_non_empty_catalog_and_bad_sizes():
    generate_catalog(papers=3, sections=1)
    with pytest.raises(ValueError, match="empty"):
        generate_catalog(papers=3, sections=1)
    with pytest.raises(ValueError):
        generate_catalog(papers=0, sections=1)
