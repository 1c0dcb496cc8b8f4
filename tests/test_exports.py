"""BibTeX files, the JSON API, the feeds and the sitemap, through their real URLs."""

import datetime
import json
import re
import xml.etree.ElementTree as ET

import bibtexparser
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from catalog.models import Link, Placement
from tests.conftest import REPO_ROOT
from tests.factories import LinkFactory, PaperFactory, PlacementFactory, SectionFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def catalog():
    part = SectionFactory(title="Inductive bias", slug="inductive-bias", position=1)
    play = SectionFactory(title="Self-play", slug="self-play", parent=part, position=1)
    debate = SectionFactory(title="Debate", slug="debate", parent=play, position=1)
    other = SectionFactory(title="Feedback", slug="feedback", position=2)

    def paper(section, title, authors, year, venue="arXiv", position=1, days_ago=0, code=False):
        made = PaperFactory(title=title, authors=authors, year=year, venue=venue)
        LinkFactory(paper=made)
        if code:
            LinkFactory(paper=made, label=Link.Label.CODE, url=f"https://github.com/x/{made.pk}")
        placement = PlacementFactory(paper=made, section=section, position=position)
        Placement.objects.filter(pk=placement.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=days_ago)
        )
        return made

    papers = {
        "selfplay": paper(play, "Self-Play Fine-Tuning", "Chen et al.", 2024, days_ago=30),
        "irving": paper(debate, "AI Safety via Debate", "Irving et al.", 2018, days_ago=1),
        "wang1": paper(other, "Self-Instruct: Aligning", "Wang et al.", 2023, "ACL", 1, 10, True),
        "wang2": paper(other, "Self-Alignment at Scale", "Wang et al.", 2023, "ACL", 2, 5),
    }
    return {"part": part, "play": play, "debate": debate, "other": other, **papers}


def parse_bib(response) -> dict[str, dict]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    library = bibtexparser.parse_string(response.content.decode())
    assert not library.failed_blocks
    return {entry.key: {f.key: f.value for f in entry.fields} for entry in library.entries}


def test_bibtex_of_the_whole_list_has_unique_stable_keys(client, catalog):
    entries = parse_bib(client.get(reverse("exports:bibtex-all")))
    # README order; the two Wang 2023 "Self-…" papers share a base key: the older keeps it.
    assert list(entries) == [
        "chen2024self",
        "irving2018ai",
        "wang2023self",
        "wang2023selfb",
    ]
    assert entries["wang2023self"]["title"] == "Self-Instruct: Aligning"
    assert entries["wang2023selfb"]["booktitle"] == "ACL"
    again = client.get(reverse("exports:bibtex-all")).content
    assert again == client.get(reverse("exports:bibtex-all")).content


def test_bibtex_keeps_tex_maths_in_a_title_and_escapes_the_rest(client):
    """arXiv writes "SOTOPIA-$\\pi$"; the entry must typeset it, and escape a bare & or $."""
    paper = PaperFactory(title="SOTOPIA-$\\pi$: Agents & a $5 Budget", authors="Wang et al.")
    LinkFactory(paper=paper)
    PlacementFactory(paper=paper)
    entry = next(
        iter(parse_bib(client.get(reverse("exports:bibtex-paper", args=[paper.pk]))).values())
    )
    assert entry["title"] == "SOTOPIA-$\\pi$: Agents \\& a \\$5 Budget"


def test_bibtex_fields_cannot_be_ended_early_or_run_a_command(client):
    """Braces end a BibTeX field wherever they balance, escaped or not, and a backslash starts
    a LaTeX command: both are written as commands that print them."""
    paper = PaperFactory(
        title="Odd } @comment{x} \\input{/etc/passwd} {open ~ ^",
        venue="Conf } x",
        authors="Smith et al.",
    )
    LinkFactory(paper=paper)
    PlacementFactory(paper=paper)
    response = client.get(reverse("exports:bibtex-paper", args=[paper.pk]))
    library = bibtexparser.parse_string(response.content.decode())
    assert not library.failed_blocks and len(library.entries) == 1
    assert not library.comments and not library.strings
    fields = {f.key: f.value for f in library.entries[0].fields}
    assert fields["title"] == (
        "Odd \\textbraceright{} @comment\\textbraceleft{}x\\textbraceright{} "
        "\\textbackslash{}input\\textbraceleft{}/etc/passwd\\textbraceright{} "
        "\\textbraceleft{}open \\textasciitilde{} \\textasciicircum{}"
    )
    assert fields["booktitle"] == "Conf \\textbraceright{} x"
    assert set(fields) >= {"author", "year", "url"}  # the fields after it are still there


@pytest.mark.parametrize(
    ("title", "written"),
    [
        # Maths that could read a file or write is not maths here: plain text.
        (
            "A $\\input{/etc/passwd}$ b",
            "A \\$\\textbackslash{}input\\textbraceleft{}/etc/passwd\\textbraceright{}\\$ b",
        ),
        ("$\\immediate\\write18{ls}$ c", None),
        # A comment sign in kept maths is escaped: it would hide the rest of the line.
        ("A $\\alpha%$ trick", "A $\\alpha\\%$ trick"),
        ("Bound $\\mathcal{O}(n)$ #1", "Bound $\\mathcal{O}(n)$ \\#1"),
        # ^^5c is a backslash to TeX, ^^7b a brace: a command spelt another way.
        (
            "B $\\pi^^5cinput^^7b/etc/passwd^^7d$",
            "B \\$\\textbackslash{}pi\\textasciicircum{}\\textasciicircum{}5cinput"
            "\\textasciicircum{}\\textasciicircum{}7b/etc/passwd"
            "\\textasciicircum{}\\textasciicircum{}7d\\$",
        ),
        # An escaped brace would unbalance the field.
        ("A $\\alpha{\\}$ tail", None),
    ],
)
def test_bibtex_keeps_only_maths_that_cannot_run_a_command(client, title, written):
    paper = PaperFactory(title=title, authors="Smith et al.")
    LinkFactory(paper=paper, url="https://example.org/a}b{c")
    PlacementFactory(paper=paper)
    text = client.get(reverse("exports:bibtex-paper", args=[paper.pk])).content.decode()
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks and len(library.entries) == 1
    fields = {f.key: f.value for f in library.entries[0].fields}
    if written is not None:
        assert fields["title"] == written
    assert "\\input{" not in text and "\\write18" not in text and "\\immediate" not in text
    assert "^^" not in text and "$\\alpha{" not in text
    assert fields["url"] == "https://example.org/a%7Db%7Bc"  # the same address, unbroken


def test_bibtex_leaves_out_a_doi_it_cannot_write_plainly(client):
    paper = PaperFactory(title="Plain Title", authors="Smith et al.")
    LinkFactory(paper=paper, url="https://doi.org/10.1234/^^5cinput^^7bx^^7d")
    PlacementFactory(paper=paper)
    text = client.get(reverse("exports:bibtex-paper", args=[paper.pk])).content.decode()
    fields = {f.key: f.value for f in bibtexparser.parse_string(text).entries[0].fields}
    assert "doi" not in fields
    assert fields["url"] == "https://doi.org/10.1234/%5E%5E5cinput%5E%5E7bx%5E%5E7d"
    listed = PaperFactory(title="Listed Title", authors="Smith et al.")
    LinkFactory(paper=listed, url="https://doi.org/10.18653/v1/2023.acl-long.754")
    PlacementFactory(paper=listed)
    text = client.get(reverse("exports:bibtex-paper", args=[listed.pk])).content.decode()
    fields = {f.key: f.value for f in bibtexparser.parse_string(text).entries[0].fields}
    assert fields["doi"] == "10.18653/v1/2023.acl-long.754"


def test_bibtex_of_a_section_includes_its_subsections(client, catalog):
    entries = parse_bib(client.get(reverse("exports:bibtex-section", args=["self-play"])))
    assert list(entries) == ["chen2024self", "irving2018ai"]
    assert client.get(reverse("exports:bibtex-section", args=["nope"])).status_code == 404


def test_bibtex_of_a_paper_uses_the_same_key_as_the_list_and_the_page(client, catalog):
    url = reverse("exports:bibtex-paper", args=[catalog["wang2"].pk])
    entries = parse_bib(client.get(url))
    assert list(entries) == ["wang2023selfb"]
    page = client.get(catalog["wang2"].get_absolute_url()).content.decode()
    assert "@article{wang2023selfb," in page or "@inproceedings{wang2023selfb," in page
    assert url in page
    unplaced = PaperFactory()
    assert client.get(reverse("exports:bibtex-paper", args=[unplaced.pk])).status_code == 404


def test_pages_link_to_their_exports(client, catalog):
    home = client.get(reverse("catalog:home")).content.decode()
    for name in ("exports:bibtex-all", "exports:feed-atom", "exports:feed-rss", "exports:api"):
        assert reverse(name) in home
    section = client.get(catalog["play"].get_absolute_url()).content.decode()
    for name in ("exports:bibtex-section", "exports:feed-section-atom", "exports:feed-section-rss"):
        assert reverse(name, args=["self-play"]) in section


def test_api_lists_papers_filterable_like_the_search_page(client, catalog):
    response = client.get(reverse("exports:api-papers"), {"section": "self-play"})
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2
    assert [p["title"] for p in data["results"]] == [
        "Self-Play Fine-Tuning",
        "AI Safety via Debate",
    ]
    debate = data["results"][1]
    assert debate["sections"] == [{"slug": "debate", "number": "1.1.1", "title": "Debate"}]
    assert debate["links"][0]["identifier"].startswith("arxiv:")
    assert debate["citation_key"] == "irving2018ai"

    code = client.get(reverse("exports:api-papers"), {"has_code": "on", "venue": "ACL"}).json()
    assert [p["title"] for p in code["results"]] == ["Self-Instruct: Aligning"]
    words = client.get(reverse("exports:api-papers"), {"q": "wang scale"}).json()
    assert [p["title"] for p in words["results"]] == ["Self-Alignment at Scale"]
    years = client.get(reverse("exports:api-papers"), {"year_max": "2020"}).json()
    assert [p["title"] for p in years["results"]] == ["AI Safety via Debate"]


def test_api_paginates(client, catalog):
    first = client.get(reverse("exports:api-papers"), {"page_size": "3"}).json()
    assert (first["count"], first["pages"], len(first["results"])) == (4, 2, 3)
    assert first["previous"] is None
    second = client.get(first["next"]).json()
    assert [p["id"] for p in second["results"]] not in [[p["id"] for p in first["results"]]]
    assert len(second["results"]) == 1 and second["next"] is None
    seen = {p["id"] for p in first["results"] + second["results"]}
    assert len(seen) == 4
    padded = client.get(reverse("exports:api-papers"), {"page_size": "3", "page": "01"}).json()
    assert padded["results"] == first["results"]  # a leading zero is still page 1


@pytest.mark.parametrize(
    "query, status, message",
    [
        ({"year_min": "soon"}, 400, "Invalid filters."),
        ({"section": "nope"}, 400, "Invalid filters."),
        ({"page_size": "1000"}, 400, "page_size must be a whole number from 1 to 100."),
        ({"page": "x"}, 400, "page must be a whole number from 1."),
        ({"page": "9"}, 404, "There is no such page."),
        # str.isdigit() holds for these, int() refuses the first and reads the second as 3.
        ({"page_size": "²"}, 400, "page_size must be a whole number from 1 to 100."),
        ({"page_size": "٣"}, 400, "page_size must be a whole number from 1 to 100."),
        ({"page": "٣"}, 400, "page must be a whole number from 1."),
        ({"page": "-1"}, 400, "page must be a whole number from 1."),
        ({"page": "0"}, 400, "page must be a whole number from 1."),
        ({"has_code": "maybe"}, 400, "Invalid filters."),
    ],
)
def test_api_bad_input_gets_a_clear_4xx(client, catalog, query, status, message):
    response = client.get(reverse("exports:api-papers"), query)
    assert response.status_code == status
    assert response.json()["error"] == message


def test_has_code_reads_ticked_and_unticked_as_a_person_would(client, catalog):
    """`0`, `no`, `off` and `false` mean unticked (any paper), not "with code"."""

    def count(value):
        return client.get(reverse("exports:api-papers"), {"has_code": value}).json()["count"]

    assert {value: count(value) for value in ("on", "true", "1", "yes")} == dict.fromkeys(
        ("on", "true", "1", "yes"), 1
    )
    assert {value: count(value) for value in ("", "0", "no", "off", "false")} == dict.fromkeys(
        ("", "0", "no", "off", "false"), 4
    )


def test_api_sections_and_single_paper(client, catalog):
    sections = client.get(reverse("exports:api-sections")).json()
    assert [s["number"] for s in sections["results"]] == ["1", "1.1", "1.1.1", "2"]
    assert sections["results"][0]["paper_count"] == 2
    assert sections["results"][1]["children"] == ["debate"]
    one = client.get(reverse("exports:api-section", args=["debate"])).json()
    assert one["parent"] == "self-play"
    assert client.get(reverse("exports:api-section", args=["nope"])).status_code == 404
    paper = client.get(reverse("exports:api-paper", args=[catalog["irving"].pk])).json()
    assert paper["title"] == "AI Safety via Debate"
    assert client.get(reverse("exports:api-paper", args=[999999])).status_code == 404
    assert client.post(reverse("exports:api-papers")).status_code == 405


def atom_titles(response) -> list[str]:
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return [entry.find(f"{ATOM}title").text for entry in root.findall(f"{ATOM}entry")]


def rss_titles(response) -> list[str]:
    assert response.status_code == 200
    return [item.find("title").text for item in ET.fromstring(response.content).iter("item")]


def test_feeds_list_newly_published_papers_newest_first(client, catalog):
    newest_first = [
        "AI Safety via Debate",
        "Self-Alignment at Scale",
        "Self-Instruct: Aligning",
        "Self-Play Fine-Tuning",
    ]
    assert atom_titles(client.get(reverse("exports:feed-atom"))) == newest_first
    assert rss_titles(client.get(reverse("exports:feed-rss"))) == newest_first
    section = client.get(reverse("exports:feed-section-atom", args=["self-play"]))
    assert atom_titles(section) == ["AI Safety via Debate", "Self-Play Fine-Tuning"]
    assert rss_titles(client.get(reverse("exports:feed-section-rss", args=["feedback"]))) == [
        "Self-Alignment at Scale",
        "Self-Instruct: Aligning",
    ]
    assert client.get(reverse("exports:feed-section-atom", args=["nope"])).status_code == 404


def test_feeds_stay_well_formed_xml_whatever_a_title_holds(client, catalog):
    """The public form refuses what XML cannot hold; a row the admin or an import stored with
    one (U+FFFF, a bell) must not break the feeds."""
    section = catalog["other"]
    PlacementFactory(
        paper=PaperFactory(title="Odd \uffff\ufffe title \x07here", authors="Bell\x07 et al."),
        section=section,
        position=9,
    )
    for name, args in (("feed-atom", []), ("feed-rss", []), ("feed-section-atom", ["feedback"])):
        response = client.get(reverse(f"exports:{name}", args=args))
        titles = (atom_titles if "atom" in name else rss_titles)(response)  # parses the XML
        assert "Odd  title here" in titles


def test_a_paper_added_to_a_second_section_is_new_there_but_not_overall(client, catalog):
    PlacementFactory(paper=catalog["selfplay"], section=catalog["other"], position=9)
    overall = atom_titles(client.get(reverse("exports:feed-atom")))
    assert overall[-1] == "Self-Play Fine-Tuning"  # first published 30 days ago
    feedback = atom_titles(client.get(reverse("exports:feed-section-atom", args=["feedback"])))
    assert feedback[0] == "Self-Play Fine-Tuning"  # placed there just now


def test_sitemap_lists_pages_sections_and_published_papers(client, catalog):
    unplaced = PaperFactory()
    response = client.get(reverse("exports:sitemap"))
    assert response.status_code == 200
    text = response.content.decode()
    for paper in ("selfplay", "irving", "wang1", "wang2"):
        assert f"http://testserver{catalog[paper].get_absolute_url()}</loc>" in text
    assert f"/papers/{unplaced.pk}/" not in text
    assert "http://testserver/sections/self-play/</loc>" in text


def grow(catalog, count: int) -> None:
    for n in range(count):
        paper = PaperFactory(year=2000 + n % 20)
        LinkFactory(paper=paper)
        PlacementFactory(paper=paper, section=catalog[("play", "debate", "other")[n % 3]])


EXPORT_URLS = [
    ("exports:bibtex-all", []),
    ("exports:bibtex-section", ["inductive-bias"]),
    ("exports:api-papers", []),
    ("exports:api-sections", []),
    ("exports:feed-atom", []),
    ("exports:feed-section-rss", ["inductive-bias"]),
    ("exports:sitemap", []),
]


def test_exports_run_the_same_queries_at_10_and_200_papers(
    client, catalog, django_assert_max_num_queries
):
    def counts():
        found = {}
        for name, args in EXPORT_URLS:
            with django_assert_max_num_queries(8) as captured:
                assert client.get(reverse(name, args=args)).status_code == 200
            found[name] = len(captured)
        return found

    grow(catalog, 6)
    small = counts()
    grow(catalog, 190)
    assert small == counts()


def test_every_export_answers_head_as_get_does(client, catalog):
    """Link checkers and uptime monitors ask with HEAD."""
    urls = [
        reverse("exports:bibtex-all"),
        reverse("exports:bibtex-section", kwargs={"slug": "debate"}),
        reverse("exports:bibtex-paper", kwargs={"pk": catalog["irving"].pk}),
        reverse("exports:api"),
        reverse("exports:api-sections"),
        reverse("exports:api-section", kwargs={"slug": "debate"}),
        reverse("exports:api-papers"),
        reverse("exports:api-paper", kwargs={"pk": catalog["irving"].pk}),
        reverse("exports:feed-atom"),
        "/README.md",
    ]
    for url in urls:
        got, head = client.get(url), client.head(url)
        assert head.status_code == got.status_code == 200, url
        assert head["Content-Type"] == got["Content-Type"], url
        assert head.content == b"", url


@pytest.mark.django_db
def test_the_readmes_api_example_is_what_the_seed_catalog_answers(client):
    """README.md shows a request and the start of its answer on the seed catalog."""
    call_command("loaddata", "catalog", verbosity=0)
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    url = re.search(r"curl 'http://127\.0\.0\.1:8000(/api/papers/\?[^']+)'", readme).group(1)
    shown = re.search(r"```json\n(\{\"count\".*?)\n```", readme, re.DOTALL).group(1)
    answer = client.get(url, HTTP_HOST="127.0.0.1:8000").json()
    first = answer["results"][0]
    head = json.dumps({key: answer[key] for key in ("count", "page", "pages")})[:-1]
    assert shown.startswith(head + ",")
    assert f'"next": "{answer["next"]}"' in shown
    for key in ("id", "authors", "venue", "year", "url", "links", "sections", "citation_key"):
        assert f'"{key}": {json.dumps(first[key])}' in shown, key
    assert f'"title": "{first["title"].split(":")[0]}: …"' in shown
