"""Paper.key_base, the stored BibTeX key base a paper page looks its unique key up by: it must
follow the paper's fields on every write path, so the page's key always equals the key the
whole-list BibTeX gives (which computes every key from the fields)."""

import json

import bibtexparser
import pytest
from django.core.management import call_command
from django.urls import reverse

from bench.catalog_generator import generate_catalog
from catalog.bibtex import citation_key_base, published_keys, unique_key
from catalog.models import Paper
from tests.factories import PaperFactory, PlacementFactory, SectionFactory

pytestmark = pytest.mark.django_db


def stored_matches_fields() -> bool:
    return all(
        key_base == citation_key_base(authors, year, title)
        for key_base, authors, year, title in Paper.objects.values_list(
            "key_base", "authors", "year", "title"
        )
    )


def test_key_base_follows_save_and_save_with_update_fields():
    paper = PaperFactory(title="Constitutional AI", authors="Yuntao Bai et al.", year=2022)
    assert Paper.objects.get(pk=paper.pk).key_base == "bai2022constitutional"
    paper.title = "Debate helps"
    paper.save(update_fields=["title"])
    assert Paper.objects.get(pk=paper.pk).key_base == "bai2022debate"
    paper.year = None
    paper.save(update_fields=["year", "updated_at"])
    assert Paper.objects.get(pk=paper.pk).key_base == "baidebate"


def test_key_base_is_derived_by_loaddata_even_when_the_fixture_lacks_or_misstates_it(tmp_path):
    fixture = tmp_path / "papers.json"
    rows = [
        {"model": "catalog.paper", "pk": 901, "fields": {"title": "On Gödel", "authors": "K."}},
        {
            "model": "catalog.paper",
            "pk": 902,
            "fields": {"title": "Weak to strong", "authors": "Burns", "key_base": "stale"},
        },
    ]
    for row in rows:
        row["fields"].update(created_at="2024-01-01T00:00:00Z", updated_at="2024-01-01T00:00Z")
    fixture.write_text(json.dumps(rows), encoding="utf-8")
    call_command("loaddata", str(fixture), verbosity=0)
    assert Paper.objects.get(pk=901).key_base == "kgodel"
    assert Paper.objects.get(pk=902).key_base == "burnsweak"


def test_generated_catalog_stores_key_bases():
    generate_catalog(papers=60, sections=4, seed=3)
    assert stored_matches_fields()


def test_each_paper_page_shows_the_key_of_the_whole_list(client):
    section = SectionFactory()
    papers = [
        PaperFactory(title=title, authors=authors, year=2023)
        for title, authors in [
            ("Self-Instruct", "Wang et al."),
            ("Self-Alignment", "Wang et al."),
            ("Self-Refine", "Yizhong Wang"),
            ("Reward models", "Lambert"),
        ]
    ]
    unplaced = PaperFactory(title="Self-Critique", authors="Wang", year=2023)
    for paper in papers:
        PlacementFactory(paper=paper, section=section)
    keys = published_keys()
    assert sorted(keys.values()) == [
        "lambert2023reward",
        "wang2023self",
        "wang2023selfb",
        "wang2023selfc",
    ]
    for paper in papers:
        assert unique_key(paper) == keys[paper.pk]
        response = client.get(reverse("catalog:paper", kwargs={"pk": paper.pk}))
        entry = bibtexparser.parse_string(response.context["bibtex"]).entries[0]
        assert entry.key == keys[paper.pk]
        assert f"{{{entry.key},\n" in response.content.decode()
    # Unpublished papers take no key from the published ones; an unsaved paper sorts first.
    assert unique_key(unplaced) == "wang2023selfd"
    assert unique_key(Paper(title="Self-X", authors="Wang", year=2023)) == "wang2023self"
