"""Filling the submission form from an arXiv id or a DOI, against recorded answers served by a
real HTTP server on 127.0.0.1."""

import html
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from quality.metadata import short_authors
from tests.factories import SectionFactory
from tests.localhttp import LocalServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded(settings):
    server = LocalServer().start()
    settings.ARXIV_API_URL = f"{server.url}/arxiv/api/query"
    settings.CROSSREF_API_URL = f"{server.url}/crossref/works"
    settings.METADATA_TIMEOUT = 0.5
    cache.clear()  # the rate limit counts lookups too
    yield server
    server.stop()


def lookup_page(client, identifier: str, **typed) -> str:
    data = {"action": "lookup", "lookup": identifier, "contributor_name": "Ann", **typed}
    response = client.post(reverse("curation:submit"), data)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def field_value(page: str, name: str) -> str:
    import re

    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert match, name
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


def test_arxiv_link_fills_title_authors_year_venue_and_link_without_javascript(client, recorded):
    section = SectionFactory(title="Self-play", slug="self-play")
    page = lookup_page(
        client, "https://arxiv.org/pdf/2401.10020v3", sections=[section.pk], code_url=""
    )
    assert field_value(page, "title") == "Self-Rewarding Language Models"
    assert field_value(page, "authors") == "Yuan et al."
    assert field_value(page, "year") == "2024"
    assert field_value(page, "venue") == "arXiv"
    assert field_value(page, "paper_url") == "https://arxiv.org/abs/2401.10020"
    # What the contributor typed stays, including the sections they picked.
    assert field_value(page, "contributor_name") == "Ann"
    assert re.search(rf'name="sections" value="{section.pk}"[^>]*checked', page)
    assert "Filled in from arXiv" in page
    # The recorded server was asked, with the id without its version.
    assert any("id_list=2401.10020" in path for _m, path, _h in recorded.requests)


def test_a_lookup_without_javascript_keeps_the_other_links_typed(client, recorded):
    page = lookup_page(
        client,
        "2401.10020",
        extra_label_0="blog",
        extra_url_0="https://blog.example.org/our-post",
        extra_label_1="",
        extra_url_1="",
        extra_label_2="data",
        extra_url_2="https://huggingface.co/datasets/x/y",
    )
    assert field_value(page, "title") == "Self-Rewarding Language Models"
    # In their order, the empty row between them dropped, each with its kind.
    assert field_value(page, "extra_url_0") == "https://blog.example.org/our-post"
    assert field_value(page, "extra_url_1") == "https://huggingface.co/datasets/x/y"
    assert re.search(r'name="extra_label_0"(?:(?!</select>).)*value="blog" selected', page, re.S)
    assert re.search(r'name="extra_label_1"(?:(?!</select>).)*value="data" selected', page, re.S)


def test_doi_fills_the_venue_through_the_vocabulary(client, recorded):
    page = lookup_page(client, "https://doi.org/10.18653/v1/2023.acl-long.754")
    assert (
        field_value(page, "title")
        == "Self-Instruct: Aligning Language Models with Self-Generated Instructions"
    )
    assert field_value(page, "authors") == "Wang et al."
    assert field_value(page, "venue") == "ACL"  # "Proceedings of the 61st Annual Meeting…"
    assert field_value(page, "year") == "2023"
    assert field_value(page, "paper_url") == "https://doi.org/10.18653/v1/2023.acl-long.754"
    assert "Filled in from Crossref" in page


def test_a_paper_link_already_typed_is_kept(client, recorded):
    page = lookup_page(client, "10.1162/tacl_a_00001", paper_url="https://example.org/paper")
    assert field_value(page, "authors") == "Lovelace and Turing"
    assert field_value(page, "venue") == "TACL"
    assert field_value(page, "paper_url") == "https://example.org/paper"


def test_a_second_lookup_replaces_the_link_the_first_one_filled_in(client, recorded):
    """A corrected id gives its own link; a link typed over the filled one stays."""
    first = lookup_page(client, "2401.10020")
    assert field_value(first, "paper_url") == "https://arxiv.org/abs/2401.10020"
    assert field_value(first, "lookup_link") == "https://arxiv.org/abs/2401.10020"
    posted = {
        "paper_url": field_value(first, "paper_url"),
        "lookup_link": field_value(first, "lookup_link"),
    }
    second = lookup_page(client, "10.18653/v1/2023.acl-long.754", **posted)
    assert field_value(second, "paper_url") == "https://doi.org/10.18653/v1/2023.acl-long.754"
    assert field_value(second, "lookup_link") == "https://doi.org/10.18653/v1/2023.acl-long.754"
    # The contributor then types a link of their own: a lookup keeps it.
    typed = {
        "paper_url": "https://example.org/paper",
        "lookup_link": field_value(second, "lookup_link"),
    }
    third = lookup_page(client, "2401.10020", **typed)
    assert field_value(third, "title") == "Self-Rewarding Language Models"
    assert field_value(third, "paper_url") == "https://example.org/paper"


@pytest.mark.parametrize(
    "identifier, message",
    [
        ("10.5555/slow", "Crossref did not answer in time"),
        ("doi:10.5555/boom", "Crossref answered with an error (500)"),
        ("10.5555/missing", "Crossref does not know this identifier"),
        ("2401.99999", "arXiv does not know 2401.99999"),
        ("a paper about debate", "Only arXiv ids or links and DOIs can be looked up"),
        ("", "Paste an arXiv id or link, or a DOI, first."),
    ],
)
def test_failed_lookups_fall_back_to_manual_entry_with_a_message(
    client, recorded, identifier, message
):
    page = lookup_page(client, identifier, title="My typed title")
    assert message in page
    # Nothing typed is lost, and the form is there to fill in by hand.
    assert field_value(page, "title") == "My typed title"
    assert field_value(page, "contributor_name") == "Ann"
    assert 'name="action" value="send"' in page


def test_unreachable_service_falls_back_too(client, settings):
    settings.CROSSREF_API_URL = "http://127.0.0.1:9/crossref/works"  # nothing listens there
    page = lookup_page(client, "10.18653/v1/2023.acl-long.754")
    assert "Crossref could not be reached" in page
    assert "The paper link is filled in from the id." in page
    # Not said where a typed link was kept.
    typed = lookup_page(client, "10.18653/v1/2023.acl-long.754", paper_url="https://e.org/p")
    assert "Crossref could not be reached" in typed
    assert "The paper link is filled in" not in typed
    assert field_value(typed, "paper_url") == "https://e.org/p"
    # The id was well formed: its link is filled in all the same.
    assert field_value(page, "paper_url") == "https://doi.org/10.18653/v1/2023.acl-long.754"


@pytest.mark.parametrize(
    "identifier, link",
    [
        ("10.5555/slow", "https://doi.org/10.5555/slow"),  # timed out
        ("doi:10.5555/boom", "https://doi.org/10.5555/boom"),  # a server error
        ("10.5555/missing", ""),  # unknown: the id itself is wrong
        ("2401.99999", ""),
    ],
)
def test_a_failed_lookup_keeps_the_link_of_a_well_formed_id(client, recorded, identifier, link):
    page = lookup_page(client, identifier)
    assert field_value(page, "paper_url") == link
    answer = client.post(reverse("metadata-lookup"), {"lookup": identifier}).json()
    assert answer["ok"] is False
    assert answer["values"] == ({"paper_url": link} if link else {})


def test_json_lookup_for_the_script(client, recorded):
    response = client.post(reverse("metadata-lookup"), {"lookup": "arXiv:2406.01252"})
    assert response.status_code == 200
    answer = response.json()
    assert answer["ok"] is True
    assert answer["values"]["title"] == "Towards Scalable Automated Alignment of LLMs: A Survey"
    assert answer["values"]["authors"] == "Cao et al."
    assert answer["link_filled"] == ""  # filled in from arXiv: nothing to add
    failed = client.post(reverse("metadata-lookup"), {"lookup": "10.5555/boom"}).json()
    assert failed == {
        "ok": False,
        "message": "Crossref answered with an error (500); please fill in the fields by hand.",
        "values": {"paper_url": "https://doi.org/10.5555/boom"},  # the link at least
        "listed": None,
        "link_filled": "The paper link is filled in from the id.",
    }
    assert client.get(reverse("metadata-lookup")).status_code == 405


def test_lookups_count_towards_the_preview_rate_limit(client, recorded, settings):
    settings.SUBMISSION_PREVIEW_RATE_LIMIT = 2
    for _ in range(2):
        assert client.post(reverse("metadata-lookup"), {"lookup": "x"}).status_code == 200
    assert client.post(reverse("metadata-lookup"), {"lookup": "x"}).status_code == 429


def test_a_filled_form_is_then_sent_as_usual(client, recorded):
    section = SectionFactory(title="Self-play", slug="self-play")
    page = lookup_page(client, "2401.10020")
    data = {
        name: field_value(page, name) for name in ("title", "authors", "year", "venue", "paper_url")
    }
    response = client.post(
        reverse("curation:submit"),
        {**data, "sections": [section.pk], "contributor_name": "Ann", "action": "send"},
    )
    assert response.status_code == 302
    from curation.models import Submission

    submission = Submission.objects.get()
    assert (submission.title, submission.authors, submission.venue, submission.year) == (
        "Self-Rewarding Language Models",
        "Yuan et al.",
        "arXiv",
        2024,
    )


def test_short_authors_follow_the_list():
    assert short_authors(["Weizhe Yuan", "Richard Yuanzhe Pang", "Kyunghyun Cho"]) == "Yuan et al."
    assert short_authors(["Ada Lovelace", "Alan Turing"]) == "Lovelace and Turing"
    assert short_authors(["Turing, Alan"]) == "Turing"
    assert short_authors([]) == ""


def test_a_lookup_of_a_listed_paper_points_at_it_and_at_a_correction(client, recorded):
    from tests.factories import LinkFactory, PlacementFactory

    paper = PlacementFactory(paper__title="Self-Rewarding Language Models").paper
    LinkFactory(paper=paper, url="https://arxiv.org/abs/2401.10020")
    page = lookup_page(client, "https://arxiv.org/pdf/2401.10020v3")
    listed = page.split('id="lookup-listed"')[1].split("</p>")[0]
    assert "hidden" not in listed.split(">")[0]
    assert f'href="{paper.get_absolute_url()}"' in listed
    assert f'href="/submit/correct/{paper.pk}/"' in listed
    answer = client.post(reverse("metadata-lookup"), {"lookup": "2401.10020"}).json()
    assert answer["listed"] == {
        "title": "Self-Rewarding Language Models",
        "url": paper.get_absolute_url(),
        "correct_url": f"/submit/correct/{paper.pk}/",
    }
    # A paper not on the list: nothing is said.
    other = lookup_page(client, "arXiv:2406.01252")
    assert 'id="lookup-listed" class="lookup-listed small mt-1 mb-0" hidden' in other


@pytest.mark.parametrize("identifier", ["10.1000/a\x00b", "10.1000/a\x07b", "2401.10020\x00"])
def test_an_identifier_with_a_control_character_is_refused_before_any_lookup(
    client, settings, identifier
):
    """With Crossref unreachable, a well-formed DOI still gives its link, which is then looked
    up in the catalog: one holding a NUL was a 500 on PostgreSQL. No identifier holds one."""
    settings.CROSSREF_API_URL = "http://127.0.0.1:9/crossref/works"  # nothing listens there
    page = lookup_page(client, identifier)
    assert "That is not an arXiv id or a DOI: it holds a control character." in page
    assert field_value(page, "paper_url") == ""
    answer = client.post(reverse("metadata-lookup"), {"lookup": identifier})
    assert answer.status_code == 200 and answer.json()["ok"] is False
