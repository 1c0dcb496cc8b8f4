"""The public catalog pages (home, section, paper, search): markup, filters, query counts."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from html.parser import HTMLParser

import bibtexparser
import pytest
from django.db import connection
from django.db.models import F
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from catalog.bibtex import citation_key, paper_bibtex
from catalog.models import Link, NewsItem, Paper, Placement, ReadmeDocument, Section, Workshop
from tests.factories import (
    LinkFactory,
    PaperFactory,
    PlacementFactory,
    SectionFactory,
    papers_of,
    sent_submission,
)

pytestmark = pytest.mark.django_db

MAX_QUERIES_PER_PAGE = 6


class PageStructure(HTMLParser):
    """Collects what the accessibility checks look at: headings, landmarks, form labels."""

    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.label_targets: set[str] = set()
        self.controls: list[dict[str, str | None]] = []
        self.hrefs: list[str] = []
        self.asset_urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append(tag)
        if tag == "label" and attributes.get("for"):
            self.label_targets.add(attributes["for"])
        if tag in {"input", "select", "textarea"} and attributes.get("type") != "hidden":
            self.controls.append(attributes)
        if tag == "a" and attributes.get("href"):
            self.hrefs.append(attributes["href"])
        if tag in {"link", "script", "img"}:
            self.asset_urls.append(attributes.get("href") or attributes.get("src") or "")


def structure(response) -> PageStructure:
    parser = PageStructure()
    parser.feed(response.content.decode())
    return parser


def text(response) -> str:
    """The page's text with tags dropped and whitespace collapsed, for order checks."""
    without_tags = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(without_tags).split())


@pytest.fixture
def catalog():
    """A small catalog shaped like the real one: a paper on an inner node, nested subsections,
    a paper in two sections, one paper with code, and one unpublished paper."""
    ReadmeDocument.objects.create(
        title="Awesome Automated Alignment", intro="Papers on **automated** alignment."
    )
    part1 = SectionFactory(
        title="Aligning through inductive bias", slug="inductive-bias", position=1
    )
    filtering = SectionFactory(
        title="Uncertainty Filtering", slug="uncertainty-filtering", parent=part1, position=1
    )
    self_play = SectionFactory(title="Self-play", slug="self-play", parent=part1, position=2)
    generator = SectionFactory(
        title="Generator-Discriminator",
        slug="generator-discriminator",
        parent=self_play,
        position=1,
    )
    debate = SectionFactory(title="Debate", slug="debate", parent=self_play, position=2)
    part2 = SectionFactory(
        title="Aligning through behaviour imitation", slug="imitation", position=2
    )
    math = SectionFactory(title="Math", slug="math", parent=part2, position=1)

    cai = PaperFactory(
        title="Constitutional AI: Harmlessness from AI feedback",
        authors="Bai et al.",
        venue="arXiv",
        year=2022,
    )
    LinkFactory(paper=cai, url="https://arxiv.org/abs/2212.08073")
    spin = PaperFactory(
        title="Self-Play Fine-Tuning Converts Weak Language Models to Strong",
        authors="Zixiang Chen et al.",
        venue="ICML",
        year=2024,
    )
    gan = PaperFactory(
        title="Generative Adversarial Nets", authors="Goodfellow et al.", venue="NeurIPS", year=2014
    )
    LinkFactory(paper=gan, url="https://papers.nips.cc/paper/5423")
    LinkFactory(
        paper=gan, label=Link.Label.CODE, url="https://github.com/goodfeli/adversarial", position=2
    )
    debate_paper = PaperFactory(
        title="AI safety via debate", authors="Irving et al.", venue="arXiv", year=2018
    )
    debate_second = PaperFactory(
        title="Debating with More Persuasive LLMs Leads to More Truthful Answers",
        authors="Khan et al.",
        venue="ICML",
        year=2024,
    )
    unpublished = PaperFactory(
        title="Secret draft on alignment", authors="Hidden et al.", year=2024
    )

    PlacementFactory(paper=cai, section=filtering, position=1)
    PlacementFactory(paper=cai, section=math, position=1)
    PlacementFactory(paper=spin, section=self_play, position=1)
    PlacementFactory(paper=gan, section=generator, position=1)
    # Listed second in the section although created first: the page must follow positions.
    PlacementFactory(paper=debate_second, section=debate, position=2)
    PlacementFactory(paper=debate_paper, section=debate, position=1)

    # Make "newest" unambiguous: the debate paper was placed last.
    now = timezone.now()
    Placement.objects.update(created_at=now - timedelta(days=30))
    Placement.objects.filter(paper=debate_paper).update(created_at=now)
    return {
        "part1": part1,
        "filtering": filtering,
        "self_play": self_play,
        "generator": generator,
        "debate": debate,
        "math": math,
        "cai": cai,
        "spin": spin,
        "gan": gan,
        "debate_paper": debate_paper,
        "debate_second": debate_second,
        "unpublished": unpublished,
    }


def page_urls(catalog) -> dict[str, str]:
    return {
        "home": reverse("catalog:home"),
        "section": reverse("catalog:section", kwargs={"slug": "inductive-bias"}),
        "paper": reverse("catalog:paper", kwargs={"pk": catalog["gan"].pk}),
        "search": reverse("catalog:search"),
        "about": reverse("catalog:about"),
    }


# --- Layout and accessibility ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["home", "section", "paper", "search", "about"])
def test_every_page_has_one_h1_landmarks_skip_link_and_labelled_controls(client, catalog, name):
    response = client.get(page_urls(catalog)[name])
    assert response.status_code == 200
    page = structure(response)
    assert page.tags.count("h1") == 1
    for landmark in ("header", "nav", "main", "footer"):
        assert landmark in page.tags, landmark
    assert 'href="#main"' in response.content.decode()
    assert 'id="main"' in response.content.decode()
    for control in page.controls:
        assert control.get("id") in page.label_targets, f"unlabelled control {control}"
    # Offline: every stylesheet and script is served by us, none from a CDN.
    assert page.asset_urls
    assert all(url.startswith("/static/") for url in page.asset_urls), page.asset_urls


def test_navbar_links_home_search_about_and_shows_admin_to_staff_only(client, catalog, admin_user):
    hrefs = structure(client.get("/")).hrefs
    assert reverse("catalog:search") in hrefs
    assert reverse("catalog:about") in hrefs
    assert "/README.md" in hrefs  # in the footer: a Markdown file, not a page of the site
    assert reverse("admin:index") not in hrefs
    try:
        submit_url = reverse("curation:submit")
    except NoReverseMatch:  # the curation app has not published its form: no dead link
        assert "Submit a paper" not in client.get("/").content.decode()
    else:
        assert submit_url in hrefs
    client.force_login(admin_user)
    assert reverse("admin:index") in structure(client.get("/")).hrefs


def test_about_shows_the_survey_its_citation_news_workshops_and_the_readme(client, catalog):
    ReadmeDocument.objects.filter(pk=1).update(
        abstract="Alignment is the most critical step.",
        citation_intro="If you find our survey useful, please cite:",
        citation="@article{AutomatedAlignmentSurvey,\n    title={Towards Scalable Alignment}\n}",
        news_heading="News",
        workshops_heading="Recommended workshops",
    )
    NewsItem.objects.create(date="2024-06-04", text="The first preprint is released.")
    NewsItem.objects.create(
        date="2024-08-01", text="A tutorial at [CCL 2024](https://cips-cl.org/)."
    )
    Workshop.objects.create(
        name="NOLA 2023",
        url="https://www.alignment-workshop.com/nola-2023",
        description="Researchers convened in New Orleans.",
        position=1,
    )
    response = client.get(reverse("catalog:about"))
    assert response.status_code == 200
    page = text(response)
    assert "5 papers, filed under the numbered sections" in page  # the published ones
    assert "Alignment is the most critical step." in page
    body = response.content.decode()
    bibtex = re.search(
        r'<pre class="bibtex" id="survey-bibtex"[^>]*><code>(.*?)</code>', body, re.S
    )
    assert html.unescape(bibtex.group(1)).startswith("@article{AutomatedAlignmentSurvey,\n")
    # News newest first, dated, its Markdown link a link.
    assert page.index("Aug 1, 2024") < page.index("Jun 4, 2024")
    assert '<a href="https://cips-cl.org/">CCL 2024</a>' in body
    assert '<time datetime="2024-06-04">' in body
    assert "Recommended workshops" in page
    assert (
        '<a href="https://www.alignment-workshop.com/nola-2023" rel="noopener">NOLA 2023</a>'
        in body
    )
    hrefs = structure(response).hrefs
    assert "/README.md" in hrefs and reverse("curation:submit") in hrefs
    assert 'aria-current="page">About</a>' in body


def test_about_shows_the_readme_news_heading_without_its_emoji(client, catalog):
    """The seed README's "📢 News" was the site's only heading with an emoji, a box where no
    emoji font is installed: the About page leaves it off (the README export keeps it)."""
    ReadmeDocument.objects.filter(pk=1).update(news_heading="📢 News")
    NewsItem.objects.create(date="2024-06-04", text="The first preprint is released.")
    body = client.get(reverse("catalog:about")).content.decode()
    heading = re.search(r'<h2 id="news-title"[^>]*>(.*?)</h2>', body, re.S)
    assert heading.group(1) == "News"
    assert "📢" not in body
    # A heading of emoji alone still reads as one.
    ReadmeDocument.objects.filter(pk=1).update(news_heading="📢\ufe0f")
    body = client.get(reverse("catalog:about")).content.decode()
    assert re.search(r'<h2 id="news-title"[^>]*>News</h2>', body)


def test_about_without_a_survey_shows_how_the_list_is_kept(client):
    response = client.get(reverse("catalog:about"))
    assert response.status_code == 200
    page = text(response)
    assert "0 papers" in page and "How the list is kept" in page
    assert "Citation" not in page and "News" not in page


def test_messages_are_rendered(client, catalog, admin_user):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage

    # Put a message where the next request will read it, as a redirecting view would.
    response = client.get("/")
    storage = CookieStorage(response.wsgi_request)
    storage.add(constants.SUCCESS, "Thanks, your paper was submitted.")
    storage.update(response)
    client.cookies.update(response.cookies)
    assert "Thanks, your paper was submitted." in client.get("/").content.decode()


def test_404_page_uses_the_site_layout(client, catalog):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert structure(response).tags.count("h1") == 1
    assert "couldn’t find that page" in response.content.decode()


def test_shortened_urls_lead_to_the_taxonomy_and_to_every_paper(client, catalog):
    sections = client.get("/sections/", follow=True)
    assert sections.redirect_chain == [("/#taxonomy-title", 302)]
    assert 'id="taxonomy-title"' in sections.content.decode()
    papers = client.get("/papers/", follow=True)
    assert papers.redirect_chain == [(reverse("catalog:search"), 302)]
    assert papers.context["page_obj"].paginator.count == Paper.objects.published().count() > 0


def test_500_page_renders_without_request_context():
    html = render_to_string("500.html")
    assert "Something went wrong" in html
    assert html.count("<h1") == 1


# --- Home -----------------------------------------------------------------------------------


def test_home_shows_numbered_tree_with_counts_including_descendants(client, catalog):
    response = client.get("/")
    body = text(response)
    assert "1 Aligning through inductive bias 5 papers" in body
    assert "1.2 Self-play ( 4 papers)" in body  # own 1 + generator 1 + debate 2
    assert "1.2.2 Debate ( 2 papers)" in body
    assert "2.1 Math ( 1 paper)" in body
    assert 'href="/sections/debate/"' in response.content.decode()
    assert "5 papers in 7 sections" in body  # the unpublished one is not counted


def test_home_lists_newest_additions_first_and_hides_unpublished(client, catalog):
    response = client.get("/")
    newest = response.context["newest"]
    assert newest[0] == catalog["debate_paper"]
    assert catalog["unpublished"] not in newest
    assert "Secret draft" not in response.content.decode()
    # Each newest paper names its sections, numbered.
    assert "1.2.2 Debate" in text(response).split("Newest additions", 1)[1]


def test_home_search_box_submits_to_the_search_page(client, catalog):
    html = client.get("/").content.decode()
    form = re.search(r'<form class="hero-search" action="([^"]+)" method="get"', html)
    assert form and form.group(1) == reverse("catalog:search")
    assert 'name="q"' in html


# --- Section page ---------------------------------------------------------------------------


def test_section_page_lists_own_papers_then_subsections_recursively(client, catalog):
    response = client.get(reverse("catalog:section", kwargs={"slug": "self-play"}))
    assert response.status_code == 200
    page = response.content.decode()
    body = page.split('aria-labelledby="contents-title"')[0]  # leave out the sidebar
    order = [
        ">Self-Play Fine-Tuning",
        'id="generator-discriminator-title"',
        ">Generative Adversarial Nets",
        'id="debate-title"',
        ">AI safety via debate",
        ">Debating with More Persuasive LLMs",
    ]
    positions = [body.index(marker) for marker in order]
    assert positions == sorted(positions)
    # Subsection headings are one level below the page's h1.
    assert '<h2 class="subsection-title" id="debate-title">' in body
    assert "Constitutional AI" not in body  # a sibling section's paper


def test_the_section_page_query_is_planned_once_per_connection_on_postgresql(client, catalog):
    """PostgreSQL keeps the section page's statement prepared, values bound as $1, $2, ...:
    three sections are three runs of one statement. SQLite's driver keeps its compiled
    statements itself; there the pages read the same rows through a plain cursor."""

    def section_statement_runs() -> dict[str, int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements"
                " WHERE statement LIKE %s",
                ["%FROM catalog_placement placement%"],
            )
            return dict(cursor.fetchall())

    before = section_statement_runs() if connection.vendor == "postgresql" else {}
    pages = {
        "debate": "AI safety via debate",
        "math": "Constitutional AI: Harmlessness from AI feedback",
        "generator-discriminator": "Generative Adversarial Nets",
    }
    for slug, paper_title in pages.items():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("catalog:section", kwargs={"slug": slug}))
        assert response.status_code == 200
        assert paper_title in text(response)
        # The query log shows the statement with its values, prepared or not.
        section_pk = Section.objects.get(slug=slug).pk
        logged = [query["sql"] for query in captured.captured_queries]
        assert any(
            sql and "FROM catalog_placement placement" in sql and f"= {section_pk} " in sql
            for sql in logged
        ), logged
    if connection.vendor == "postgresql":
        after = section_statement_runs()
        runs = {sql: count - before.get(sql, 0) for sql, count in after.items()}
        assert sum(runs.values()) == 3, runs
        assert all("placement.section_id = $1" in sql for sql in after)
    else:
        assert not hasattr(connection, "prepared_cursor")


def test_section_page_has_numbered_breadcrumbs(client, catalog):
    response = client.get(reverse("catalog:section", kwargs={"slug": "debate"}))
    html = response.content.decode()
    crumbs = re.search(r'<nav aria-label="Breadcrumb">(.*?)</nav>', html, re.S).group(1)
    crumb_text = " ".join(re.sub(r"<[^>]+>", " ", crumbs).split())
    assert crumb_text == "Home 1 Aligning through inductive bias 1.2 Self-play 1.2.2 Debate"
    assert 'href="/sections/self-play/"' in crumbs
    assert 'aria-current="page">1.2.2 Debate' in crumbs


def test_unknown_section_is_404(client, catalog):
    assert client.get("/sections/no-such-section/").status_code == 404


# --- Paper page -----------------------------------------------------------------------------


def test_paper_page_shows_fields_sections_links_and_identifiers(client, catalog):
    cai = catalog["cai"]
    response = client.get(reverse("catalog:paper", kwargs={"pk": cai.pk}))
    assert response.status_code == 200
    html, body = response.content.decode(), text(response)
    assert "<h1" in html and cai.title in body
    assert "Bai et al." in body
    assert "Venue arXiv" in body and "Year 2022" in body
    # Both sections it sits in, numbered and linked.
    assert "1.1 Uncertainty Filtering" in body and 'href="/sections/uncertainty-filtering/"' in html
    assert "2.1 Math" in body and 'href="/sections/math/"' in html
    assert "arXiv 2212.08073" in body
    assert 'href="https://arxiv.org/abs/2212.08073"' in html


def test_paper_page_labels_each_link(client, catalog):
    response = client.get(reverse("catalog:paper", kwargs={"pk": catalog["gan"].pk}))
    html = response.content.decode()
    assert re.search(r'link-chip-paper"[^>]*>paper</a>', html)
    assert re.search(r'link-chip-code"[^>]*>code</a>', html)
    assert "github.com/goodfeli/adversarial" in html


def test_paper_page_offers_bibtex_without_javascript(client, catalog):
    response = client.get(reverse("catalog:paper", kwargs={"pk": catalog["cai"].pk}))
    snippet = re.search(
        r'<pre class="bibtex"[^>]*><code>(.*?)</code></pre>', response.content.decode(), re.S
    )
    assert snippet, "the BibTeX is in the HTML, not injected by script"
    assert "@article{bai2022constitutional," in snippet.group(1)
    # The copy button is only revealed by the script.
    assert re.search(r"<button[^>]*copy-button[^>]*hidden", response.content.decode())


def test_correction_link_follows_the_curation_url(client, catalog):
    pk = catalog["cai"].pk
    html = client.get(reverse("catalog:paper", kwargs={"pk": pk})).content.decode()
    try:
        correct_url = reverse("curation:correct", kwargs={"pk": pk})
    except NoReverseMatch:
        assert "Suggest a correction" not in html
    else:
        assert "Suggest a correction" in html and f'href="{correct_url}"' in html


def test_unpublished_and_unknown_papers_are_404(client, catalog):
    assert (
        client.get(reverse("catalog:paper", kwargs={"pk": catalog["unpublished"].pk})).status_code
        == 404
    )
    assert client.get(reverse("catalog:paper", kwargs={"pk": 999999})).status_code == 404
    # Beyond the range of the id column: still a 404, not a database error.
    assert client.get("/papers/99999999999999999999999/").status_code == 404


# --- Search ---------------------------------------------------------------------------------


def found(client, **params) -> list[Paper]:
    response = client.get(reverse("catalog:search"), params)
    assert response.status_code == 200, response.content.decode()[:2000]
    return papers_of(response.context["page_obj"])


def test_search_without_filters_lists_every_published_paper(client, catalog):
    papers = found(client)
    assert len(papers) == 5
    assert catalog["unpublished"] not in papers


@pytest.mark.parametrize("params", [{}, {"q": "constitutional"}], ids=["browse", "ranked"])
def test_search_results_name_each_paper_s_sections_in_readme_order(client, catalog, params):
    # A section created last but read first (1.1): its id is the highest of the three.
    Section.objects.filter(parent=catalog["part1"]).update(position=F("position") + 1)
    first = SectionFactory(title="Zeroth", slug="zeroth", parent=catalog["part1"], position=1)
    PlacementFactory(paper=catalog["cai"], section=first, position=1)
    response = client.get(reverse("catalog:search"), params)
    body = response.content.decode()
    [row] = [item for item in body.split('<li class="paper-item">') if "Constitutional AI" in item]
    chips = re.findall(r'<a class="section-chip" href="([^"]+)">([^<]+)</a>', row)
    assert chips == [
        (reverse("catalog:section", kwargs={"slug": "zeroth"}), "1.1 Zeroth"),
        (
            reverse("catalog:section", kwargs={"slug": "uncertainty-filtering"}),
            "1.2 Uncertainty Filtering",
        ),
        (reverse("catalog:section", kwargs={"slug": "math"}), "2.1 Math"),
    ]
    # Every row names its sections; a paper's links are not mistaken for sections.
    assert body.count('<p class="paper-sections">') == len(papers_of(response.context["page_obj"]))
    assert row.index('<ul class="link-chips"') < row.index('<p class="paper-sections">')


def test_search_text_matches_every_word_in_title_or_authors_case_insensitively(client, catalog):
    assert found(client, q="constitutional BAI") == [catalog["cai"]]
    assert found(client, q="GOODFELLOW adversarial") == [catalog["gan"]]
    assert found(client, q="debate goodfellow") == []  # each word must match
    assert set(found(client, q="debat")) == {catalog["debate_paper"], catalog["debate_second"]}
    assert found(client, q="secret draft") == []  # unpublished


def test_search_by_section_includes_descendants(client, catalog):
    in_self_play = set(found(client, section="self-play"))
    assert in_self_play == {
        catalog["spin"],
        catalog["gan"],
        catalog["debate_paper"],
        catalog["debate_second"],
    }
    assert set(found(client, section="debate")) == {
        catalog["debate_paper"],
        catalog["debate_second"],
    }
    # A paper in two sections of the same part is listed once.
    assert found(client, section="inductive-bias").count(catalog["cai"]) == 1


def test_section_choices_are_numbered_labels(client, catalog):
    html = client.get(reverse("catalog:search")).content.decode()
    assert '<option value="debate">1.2.2 Debate</option>' in html
    assert '<option value="inductive-bias">1 Aligning through inductive bias</option>' in html


def test_filter_choices_follow_the_catalog_and_mark_the_chosen_one(client, catalog):
    """The section and venue options are built once per catalog version (catalog.filters
    FixedChoices): a new section or venue shows at once, and the chosen option is marked."""
    url = reverse("catalog:search")
    html = client.get(url).content.decode()
    assert "Recursive reward modeling" not in html and '<option value="TMLR">' not in html
    SectionFactory(title="Recursive reward modeling", slug="rrm", parent=catalog["part1"])
    PlacementFactory(
        paper=PaperFactory(title="A TMLR paper", venue="TMLR"), section=catalog["filtering"]
    )
    html = client.get(url, {"venue": "TMLR", "section": "rrm"}).content.decode()
    assert re.search(
        r'<option value="rrm" selected>1\.\d+ Recursive reward modeling</option>', html
    )
    assert '<option value="TMLR" selected>TMLR</option>' in html
    assert html.count(" selected>") == 2
    # The next page marks only the empty choices: the last one did not change the options.
    html = client.get(url).content.decode()
    assert '<option value="rrm">' in html and '<option value="TMLR">' in html
    assert '<option value="" selected>All sections</option>' in html
    assert html.count(" selected>") == 2


def test_search_by_year_range(client, catalog):
    assert set(found(client, year_min=2022, year_max=2022)) == {catalog["cai"]}
    assert set(found(client, year_max=2018)) == {catalog["gan"], catalog["debate_paper"]}
    assert set(found(client, year_min=2024)) == {catalog["spin"], catalog["debate_second"]}


def test_search_by_venue_and_has_code(client, catalog):
    assert set(found(client, venue="ICML")) == {catalog["spin"], catalog["debate_second"]}
    assert found(client, has_code="on") == [catalog["gan"]]
    # An unticked box means "any".
    assert len(found(client, has_code="")) == 5


def test_venue_choices_come_from_published_papers(client, catalog):
    response = client.get(reverse("catalog:search"))
    venues = [value for value, _ in response.context["filter"].form.fields["venue"].choices][1:]
    assert venues == ["arXiv", "ICML", "NeurIPS"]  # regardless of case


def test_filters_combine(client, catalog):
    assert found(client, section="inductive-bias", year_min=2020, q="debating") == [
        catalog["debate_second"]
    ]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year_min": "abc"}, "Enter a year as a number"),
        ({"section": "no-such-section"}, "There is no section “no-such-section”"),
        ({"venue": "Nowhere"}, "There is no venue “Nowhere”"),
        ({"year_min": "2024", "year_max": "2020"}, "must not be before"),
        ({"q": "x " * 101}, "at most 200 characters"),
    ],
)
def test_invalid_filters_give_a_clear_error_and_400(client, catalog, params, message):
    response = client.get(reverse("catalog:search"), params)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Some filters could not be applied" in html
    assert message in html
    assert "is-invalid" in html
    assert response.context["page_obj"] is None
    # What the reader typed stays in the box, next to its error, so they can correct it.
    for field in ("year_min", "year_max"):
        if field in params:
            assert f'name="{field}" value="{params[field]}"' in html


def test_many_search_words_are_fine(client, catalog):
    response = client.get(reverse("catalog:search"), {"q": " ".join(["ai"] * 66)})
    assert response.status_code == 200
    assert set(papers_of(response.context["page_obj"])) == {catalog["cai"], catalog["debate_paper"]}


def test_pagination_keeps_the_filters_in_the_links(client, catalog):
    section = catalog["math"]
    for number in range(30):
        PlacementFactory(
            paper=PaperFactory(title=f"Math reasoning study {number:02d}", year=2023),
            section=section,
            position=number + 2,
        )
    response = client.get(reverse("catalog:search"), {"q": "math reasoning", "year_min": "2023"})
    page = response.context["page_obj"]
    assert page.paginator.count == 30 and len(page) == 25
    html = response.content.decode()
    assert 'href="?q=math+reasoning&amp;year_min=2023&amp;page=2"' in html
    second = client.get(
        reverse("catalog:search"), {"q": "math reasoning", "year_min": "2023", "page": 2}
    )
    assert len(second.context["page_obj"]) == 5
    assert 'href="?q=math+reasoning&amp;year_min=2023&amp;page=1"' in second.content.decode()
    # Out-of-range or garbage page numbers do not fail.
    assert client.get(reverse("catalog:search"), {"page": "999"}).status_code == 200
    assert client.get(reverse("catalog:search"), {"page": "x"}).status_code == 200


# --- BibTeX ---------------------------------------------------------------------------------


def test_citation_key_is_surname_year_first_significant_title_word():
    assert (
        citation_key(
            Paper(title="Constitutional AI: Harmlessness", authors="Bai et al.", year=2022)
        )
        == "bai2022constitutional"
    )
    assert (
        citation_key(
            Paper(title="The Llama 3 Herd of Models.", authors="Hugo Touvron et al.", year=2023)
        )
        == "touvron2023llama"
    )
    assert (
        citation_key(
            Paper(title="Self-rewarding language models", authors="Yuan et al.", year=2024)
        )
        == "yuan2024self"
    )
    assert citation_key(Paper(title="On Gödel", authors="Kurt Gödel", year=None)) == "godelgodel"
    assert citation_key(Paper(title="A study", authors="")) == "anonymousstudy"


def test_bibtex_parses_back_with_the_fields_of_the_paper(catalog):
    gan = Paper.objects.prefetch_related("links").get(pk=catalog["gan"].pk)
    gan.title = "Nets & Games: 100% adversarial"
    library = bibtexparser.parse_string(paper_bibtex(gan))
    assert not library.failed_blocks
    (entry,) = library.entries
    assert entry.entry_type == "inproceedings"
    assert entry.key == "goodfellow2014nets"
    fields = {key: field.value for key, field in entry.fields_dict.items()}
    assert fields["title"] == r"Nets \& Games: 100\% adversarial"
    assert fields["author"] == "Goodfellow and others"
    assert fields["booktitle"] == "NeurIPS"
    assert fields["year"] == "2014"
    assert fields["url"] == "https://papers.nips.cc/paper/5423"  # the paper link, not the code


def test_bibtex_for_an_arxiv_paper_names_the_eprint(catalog):
    entry = bibtexparser.parse_string(paper_bibtex(catalog["cai"])).entries[0]
    fields = {key: field.value for key, field in entry.fields_dict.items()}
    assert entry.entry_type == "article"
    assert fields["journal"] == "arXiv preprint arXiv:2212.08073"
    assert fields["eprint"] == "2212.08073"


# --- Query counts ---------------------------------------------------------------------------


def grow_catalog(catalog, papers: int) -> None:
    """Add papers across the tree, each with two links, some in two sections."""
    sections = [catalog[name] for name in ("filtering", "self_play", "generator", "debate", "math")]
    for number in range(papers):
        paper = PaperFactory(venue=f"Venue {number % 7}", year=2000 + number % 25)
        LinkFactory(paper=paper)
        LinkFactory(
            paper=paper, label=Link.Label.CODE, url=f"https://github.com/x/{number}", position=2
        )
        PlacementFactory(paper=paper, section=sections[number % len(sections)])
        if number % 3 == 0:
            PlacementFactory(paper=paper, section=sections[(number + 1) % len(sections)])


def query_counts(client, catalog, django_assert_max_num_queries) -> dict[str, int]:
    urls = page_urls(catalog)
    urls["search with filters"] = (
        reverse("catalog:search") + "?q=aligning+feedback&section=inductive-bias"
        "&year_min=2001&year_max=2024&venue=Venue+3&has_code=on"
    )
    # A paper's address as the query: the papers with that link (catalog.search).
    urls["search by address"] = reverse("catalog:search") + "?q=https://arxiv.org/pdf/2212.08073v2"
    counts = {}
    for name, url in urls.items():
        with django_assert_max_num_queries(MAX_QUERIES_PER_PAGE) as captured:
            response = client.get(url)
        assert response.status_code == 200, name
        counts[name] = len(captured)
    return counts


def test_each_page_runs_the_same_few_queries_at_10_and_500_papers(
    client, catalog, django_assert_max_num_queries
):
    grow_catalog(catalog, 10)
    small = query_counts(client, catalog, django_assert_max_num_queries)
    grow_catalog(catalog, 490)
    assert Paper.objects.published().count() > 500
    large = query_counts(client, catalog, django_assert_max_num_queries)
    assert small == large
    # The filtered search really found rows, so its count covers the prefetches.
    response = client.get(
        reverse("catalog:search") + "?q=aligning+feedback&section=inductive-bias&has_code=on"
    )
    assert response.context["page_obj"].paginator.count > 25
    response = client.get(reverse("catalog:search"), {"q": "arXiv:2212.08073"})
    assert papers_of(response.context["page_obj"]) == [catalog["cai"]]


def test_a_second_request_is_served_from_the_cache_with_at_most_one_query(
    client, catalog, django_assert_max_num_queries
):
    grow_catalog(catalog, 60)
    urls = {**page_urls(catalog), "readme": "/README.md"}
    urls["search with text"] = reverse("catalog:search") + "?q=aligning+feedback&has_code=on"
    for name, url in urls.items():
        with django_assert_max_num_queries(MAX_QUERIES_PER_PAGE) as cold:
            first = client.get(url)
        with django_assert_max_num_queries(1) as cached:
            second = client.get(url)
        assert first.status_code == second.status_code == 200, name
        assert second.content == first.content, name
        assert len(cold) >= 1 and len(cached) <= 1, (name, len(cold), len(cached))


def test_pagination_shows_the_current_page_and_its_neighbours_deep_in_the_list(client, catalog):
    section = catalog["math"]
    for number in range(300):  # 12 pages of 25, with the catalog's own papers
        PlacementFactory(
            paper=PaperFactory(title=f"Scaling study {number:03d}"),
            section=section,
            position=number + 2,
        )
    html = client.get(reverse("catalog:search"), {"q": "scaling", "page": 7}).content.decode()
    nav = html[html.index('<nav class="pagination-nav"') :]
    nav = nav[: nav.index("</nav>")]
    links = re.findall(r'href="([^"]+)"', nav)
    # Previous and next, the first and last pages, and the pages around the current one.
    assert links[0] == "?q=scaling&amp;page=6" and links[-1] == "?q=scaling&amp;page=8"
    assert {"?q=scaling&amp;page=1", "?q=scaling&amp;page=12"} <= set(links)
    assert {"?q=scaling&amp;page=6", "?q=scaling&amp;page=8"} <= set(links)
    assert "?q=scaling&amp;page=5" not in links  # elided
    assert re.search(r'aria-current="page"><span class="visually-hidden">Page </span>7<', nav)
    assert "?q=scaling&amp;page=7" not in links  # the current page is not a link
    # A parameter before `page` keeps its place; the first page has no "previous" link.
    first = client.get("/search/?page=1&q=scaling").content.decode()
    assert 'href="?page=2&amp;q=scaling"' in first
    assert 'disabled"><span class="page-link">‹<span class="d-none d-sm-inline"> Previous' in first


def test_two_links_of_one_kind_show_their_hosts_in_the_listing(client, catalog):
    cai = catalog["cai"]
    LinkFactory(paper=cai, url="https://aclanthology.org/2022.cai.1", position=3)
    html = client.get(reverse("catalog:search")).content.decode()
    row = html.split(cai.title, 1)[1].split("</ul>", 1)[0]
    chips = re.findall(r'class="link-chip link-chip-paper"[^>]*>(.*?)<span class="visually', row)
    assert chips == [
        'paper <span class="link-chip-host">arxiv.org</span>',
        'paper <span class="link-chip-host">aclanthology.org</span>',
    ]
    # A label that appears once keeps its short caption; its host is for screen readers.
    gan_row = html.split(catalog["gan"].title, 1)[1].split("</ul>", 1)[0]
    assert re.search(r'link-chip-paper"[^>]*>paper<span class="visually-hidden">', gan_row)
    assert "(papers.nips.cc)</span>" in gan_row


def test_robots_txt_keeps_crawlers_off_private_pages_and_names_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    for private in ("/admin/", "/submit/status/", "/submit/thanks/"):
        assert f"Disallow: {private}" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    sitemap = client.get("/sitemap.xml")
    assert sitemap.status_code == 200
    assert "<loc>http://testserver/about/</loc>" in sitemap.content.decode()


def test_read_only_addresses_answer_get_and_head_and_refuse_other_methods(client):
    """Pages, exports and status pages only read: OPTIONS, TRACE, PUT or DELETE get a 405 (they
    used to get the whole page); HEAD works wherever GET does, the forms included."""
    placement = PlacementFactory()
    LinkFactory(paper=placement.paper)
    submission = sent_submission(sections=[placement.section])
    paper, slug = placement.paper, placement.section.slug
    reads = [
        "/",
        f"/sections/{slug}/",
        f"/papers/{paper.pk}/",
        "/search/?q=debate",
        "/about/",
        "/README.md",
        "/robots.txt",
        "/sitemap.xml",
        "/feeds/papers.atom",
        f"/feeds/sections/{slug}.rss",
        f"/papers/{paper.pk}/bibtex/",
        "/api/papers/",
        "/healthz",
        f"/submit/status/{submission.token}/",
        f"/submit/thanks/{submission.token}/",
    ]
    for url in reads:
        assert client.head(url).status_code == 200, url
        for method in ("options", "trace", "put", "delete"):
            response = client.generic(method.upper(), url)
            assert response.status_code == 405, (method, url)
            assert "GET" in response["Allow"], (method, url)
    for url in ("/submit/", f"/submit/correct/{paper.pk}/"):
        assert client.head(url).status_code == 200, url
        assert client.options(url).status_code == 405, url


def test_every_page_lists_a_paper_s_links_in_the_readme_s_order(client, catalog):
    """One record, one rendering: links stored blog first (position 1) and paper second are
    listed paper first on the paper, section and search pages and in the API, as the
    README line does."""
    from catalog.readme.export import render_readme

    paper = catalog["gan"]
    section = paper.placements.first().section
    paper.links.all().delete()
    LinkFactory(paper=paper, label="blog", url="https://blog.example.org/gan", position=1)
    LinkFactory(paper=paper, label="paper", url="https://arxiv.org/abs/1406.2661", position=2)
    LinkFactory(
        paper=paper, label="code", url="https://github.com/goodfeli/adversarial", position=3
    )
    order = [
        "https://arxiv.org/abs/1406.2661",
        "https://github.com/goodfeli/adversarial",
        "https://blog.example.org/gan",
    ]
    line = next(line for line in render_readme().splitlines() if paper.title in line)
    assert re.findall(r"\]\((https://[^)]+)\)", line) == order
    for url in (
        paper.get_absolute_url(),
        section.get_absolute_url(),
        reverse("catalog:search") + "?q=adversarial",
    ):
        html = client.get(url).content.decode()
        shown = [
            u for u in re.findall(r'class="link-chip[^"]*" href="([^"]+)"', html) if u in order
        ]
        assert shown == order, url
    api = client.get(reverse("exports:api-paper", args=[paper.pk])).json()
    assert [link["url"] for link in api["links"]] == order


def test_a_listed_paper_placed_in_one_more_section_is_shown_as_added_there(client, catalog):
    """A paper listed long ago and now placed in another section tops the newest additions:
    the page says where it was added (and when), and where it was already."""
    import datetime

    from django.utils import timezone

    from catalog.models import Placement, Section

    old = catalog["debate_paper"]
    month_ago = timezone.now() - datetime.timedelta(days=30)
    Placement.objects.filter(paper=old).update(created_at=month_ago)  # listed a month ago
    math = Section.objects.get(slug="math")
    Placement.objects.create(paper=old, section=math, position=9)
    response = client.get("/")
    assert response.context["newest"][0] == old
    first = text(response).split("Newest additions", 1)[1].split(old.title, 1)[1]
    added = " ".join(first.split("Added", 1)[1].split())
    assert re.match(r"\d{1,2} \w{3} \d{4} to 2\.1 Math also in 1\.2\.2 Debate ", added), added


def test_a_new_paper_placed_in_two_sections_at_once_is_added_to_both(client, catalog):
    """One approval, two placements a moment apart: one addition, not a paper "also in" a
    section it was listed in before."""
    from catalog.models import Section
    from tests.factories import PaperFactory

    paper = PaperFactory(title="A Brand New Paper")
    for slug in ("debate", "math"):
        Placement.objects.create(paper=paper, section=Section.objects.get(slug=slug), position=9)
    response = client.get("/")
    assert response.context["newest"][0] == paper
    first = text(response).split("Newest additions", 1)[1].split(paper.title, 1)[1]
    added = " ".join(first.split("Added", 1)[1].split())
    assert re.match(r"\d{1,2} \w{3} \d{4} to 1\.2\.2 Debate 2\.1 Math ", added), added
    assert "also in" not in added.split(" 2.1 Math ", 1)[0]
