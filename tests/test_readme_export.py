"""`export_readme` and `/README.md`: round trip, fidelity to the seed, escaping, --check, writes."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from catalog import identifiers
from catalog.models import Link, NewsItem, Paper, Placement, ReadmeDocument, Section, Workshop
from catalog.readme.export import GithubSlugger, render_readme
from tests.factories import LinkFactory, PaperFactory, PlacementFactory, SectionFactory

pytestmark = pytest.mark.django_db

SEED_HEADING = re.compile(r"^(#{3,6}) (.+)$")
SEED_ENTRY = re.compile(r"^[-*] \*\*(.+?)\*\*")
SEED_LINK = re.compile(r"\[\[(\w+)\]\((\S+?)\)\]")


def export(*args) -> str:
    out = StringIO()
    call_command("export_readme", *args, stdout=out)
    return out.getvalue()


def import_file(path: Path) -> None:
    call_command("import_readme", str(path), stdout=StringIO())


def empty_catalog() -> None:
    Placement.objects.all().delete()
    Paper.objects.all().delete()
    # Sections protect their children: delete the leaves first.
    while Section.objects.exists():
        Section.objects.filter(children__isnull=True).delete()
    ReadmeDocument.objects.all().delete()
    NewsItem.objects.all().delete()
    Workshop.objects.all().delete()


def paper_list(text: str) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """[(heading, [(normalised title, [link identifiers])])] from the raw lines, on purpose
    independent of catalog.readme.parse."""
    sections: list[tuple[str, list]] = []
    in_list = False
    for line in text.splitlines():
        if line.startswith("## "):
            in_list = line.endswith("Paper List")
            continue
        heading = SEED_HEADING.match(line)
        if in_list and heading:
            sections.append((heading[2], []))
            continue
        entry = SEED_ENTRY.match(line)
        if in_list and entry:
            ids = [identifiers.identifier_for_url(url) for _, url in SEED_LINK.findall(line)]
            sections[-1][1].append((identifiers.normalize_title(entry[1]), ids))
    return sections


def test_stdout_export_is_the_render(seed_readme_path):
    import_file(seed_readme_path)
    assert export() == render_readme()
    assert export("--output", "-") == render_readme()


def test_round_trip_gives_identical_bytes(seed_readme_path, tmp_path):
    import_file(seed_readme_path)
    first = render_readme()
    empty_catalog()
    exported = tmp_path / "README.md"
    exported.write_text(first, encoding="utf-8")
    import_file(exported)
    assert render_readme().encode() == first.encode()


def test_every_seed_entry_is_exported_in_its_section_and_order(seed_readme_path):
    import_file(seed_readme_path)
    seed = paper_list(seed_readme_path.read_text(encoding="utf-8"))
    exported = paper_list(render_readme())
    assert [heading for heading, _ in exported] == [heading for heading, _ in seed]
    assert len(exported) == 33
    for (heading, seed_entries), (_, export_entries) in zip(seed, exported, strict=True):
        assert [t for t, _ in export_entries] == [t for t, _ in seed_entries], heading
        for (title, seed_ids), (_, export_ids) in zip(seed_entries, export_entries, strict=True):
            # Every link of the copy is there (a URL of the same paper link counts once).
            assert set(seed_ids) <= set(export_ids), (heading, title)
    assert sum(len(entries) for _, entries in exported) == 234


def test_export_format_of_the_seed(seed_readme_path):
    import_file(seed_readme_path)
    text = render_readme()
    assert "<" not in text.split("## 📢 News")[0]  # the intro's HTML became Markdown
    assert "\n![Awesome Automated Alignment](./Figures/head.png)\n" in text
    assert "## 📢 News\n\n**[September 4, 2024]** We release the third version" in text
    assert "\n```bibtex\n@article{AutomatedAlignmentSurvey," in text
    assert "- [1.5.2 Debate](#152-debate)" in text
    assert "    - [1.5.2 Debate](#152-debate)\n" in text  # nested under 1. and 1.5
    assert "\n##### 1.5.2 Debate\n" in text
    assert "\n### 1. Aligning through inductive bias\n" in text
    assert (
        "- **Collective Constitutional AI: Aligning a Language Model with Public Input.** "
        "*Huang et al.* 2024. [[paper](https://dl.acm.org/doi/10.1145/3630106.3658979)] "
        "[[blog](https://www.anthropic.com/news/"
    ) in text
    assert (
        "- **Democratic inputs to AI grant program: lessons learned and implementation plans.**"
        " *OpenAI.* 2023. [[blog]("
    ) in text
    # Label order, not the seed's order: [paper] before [blog].
    assert (
        "*Kirchner et al.* arXiv 2024. [[paper](https://arxiv.org/abs/2407.13692)] [[blog]("
    ) in text
    assert "Encourage Hallucinations?** *Gekhman et al.*" in text
    assert "Köksal" in text and "Ã" not in text
    assert "\n| [NOLA 2023](https://www.alignment-workshop.com/nola-2023) | Top ML" in text
    assert "* **" not in text and "\n\n\n" not in text and " \n" not in text
    assert text.endswith(" |\n")


@pytest.mark.django_db(transaction=True)
def test_export_is_the_same_bytes_in_every_process(seed_readme_path, tmp_path):
    """Two runs of the command, each its own process with its own string hashing
    (PYTHONHASHSEED), write the same bytes as the export in this process: nothing in the
    output depends on set or dict order of a process."""
    import subprocess
    import sys

    from tests.conftest import REPO_ROOT
    from tests.test_faults import database_url, subprocess_env

    import_file(seed_readme_path)
    expected = render_readme().encode()
    for seed in ("1", "2"):
        output = tmp_path / f"README-{seed}.md"
        subprocess.run(
            [sys.executable, "manage.py", "export_readme", "--output", str(output)],
            cwd=REPO_ROOT,
            env=subprocess_env(DATABASE_URL=database_url(), PYTHONHASHSEED=seed),
            check=True,
            capture_output=True,
        )
        assert output.read_bytes() == expected, seed


def test_title_punctuation():
    section = SectionFactory(title="S")
    for position, title in enumerate(["Plain title", "Why not?", "Wow!", "Ends with period."]):
        PlacementFactory(section=section, position=position + 1, paper=PaperFactory(title=title))
    text = render_readme()
    assert "**Plain title.**" in text
    assert "**Why not?**" in text
    assert "**Wow!**" in text
    assert "**Ends with period.**" in text


def test_hostile_titles_stay_one_list_item_each():
    section = SectionFactory(title="Sec | <b>tion</b> *x*")
    titles = [
        "Stars *bold* and __under__ _score_",
        "A [link](https://evil.example) and ![img](x.png)",
        "Pipes | in | title",
        "<script>alert(1)</script>",
        "`code` and ~~strike~~ and # hash and back\\slash\\",
        "Entity &amp; and &#42; stay text",
    ]
    for position, title in enumerate(titles, start=1):
        paper = PaperFactory(title=title, authors="*Star* _et_ al.", venue="[V] <i>")
        LinkFactory(paper=paper, url=f"https://example.org/a path/(x{position})?q=<1>")
        PlacementFactory(section=section, paper=paper, position=position)
    text = render_readme()
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    body = text.split("\n## Paper List\n")[1]
    body_tokens = MarkdownIt("commonmark").enable("table").parse(body)
    items = [t for t in body_tokens if t.type == "list_item_open"]
    assert len(items) == len(titles)
    strongs = []
    for token in body_tokens:
        if token.type == "inline":
            children = token.children or []
            for index, child in enumerate(children):
                if child.type == "strong_open":
                    strongs.append(children[index + 1].content)
                assert child.type != "html_inline"
            links = [c for c in children if c.type == "link_open"]
            if links:
                assert len(links) == 1  # only the [[paper](...)] link, none from the title
                assert links[0].attrs["href"].startswith("https://example.org/a%20path/%28x")
    assert strongs == [t if t.endswith(".") else f"{t}." for t in titles]
    assert not [t for t in tokens if t.type in {"html_block", "table_open"}]


def test_links_in_label_order_then_position():
    paper = PaperFactory()
    LinkFactory(paper=paper, label=Link.Label.BLOG, url="https://b.example/1", position=1)
    LinkFactory(paper=paper, label=Link.Label.CODE, url="https://c.example/2", position=2)
    LinkFactory(paper=paper, label=Link.Label.PAPER, url="https://p.example/4", position=4)
    LinkFactory(paper=paper, label=Link.Label.PAPER, url="https://p.example/3", position=3)
    PlacementFactory(paper=paper)
    assert (
        "[[paper](https://p.example/3)] [[paper](https://p.example/4)] "
        "[[code](https://c.example/2)] [[blog](https://b.example/1)]\n"
    ) in render_readme()


def test_unpublished_papers_are_not_exported():
    PlacementFactory(paper=PaperFactory(title="Listed"))
    PaperFactory(title="Waiting for review")
    text = render_readme()
    assert "Listed." in text and "Waiting for review" not in text


def test_github_slugs():
    slugger = GithubSlugger()
    assert slugger.slug("📢 News") == "-news"
    assert slugger.slug("1.2 Self-Judge / Critique / Refine") == "12-self-judge--critique--refine"
    assert slugger.slug("2.2.2 Math") == "222-math"
    assert slugger.slug("Ünïcode_kept: yes!") == "ünïcode_kept-yes"
    assert slugger.slug("2.2.2 Math") == "222-math-1"
    assert slugger.slug("2.2.2 Math") == "222-math-2"


def test_contents_anchors_match_the_headings(seed_readme_path):
    import_file(seed_readme_path)
    text = render_readme()
    slugger = GithubSlugger()
    heading_ids = [
        slugger.slug(re.sub(r"^#+ ", "", line)) for line in text.splitlines() if line[:1] == "#"
    ]
    anchors = re.findall(r"^\s*- \[.+\]\(#(.+)\)$", text, flags=re.MULTILINE)
    assert len(anchors) == 33
    assert set(anchors) <= set(heading_ids)


def test_query_count_does_not_grow_with_the_catalog():
    def build(sections: int, papers_per_section: int) -> None:
        parent = SectionFactory()
        for _ in range(sections):
            section = SectionFactory(parent=parent)
            for position in range(1, papers_per_section + 1):
                paper = PaperFactory()
                LinkFactory(paper=paper)
                LinkFactory(paper=paper, label=Link.Label.CODE, url=f"https://c.example/{paper.pk}")
                PlacementFactory(section=section, paper=paper, position=position)
        NewsItem.objects.create(date="2024-01-01", text="News.")

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            render_readme()
        return len(context.captured_queries)

    build(1, 2)
    small = count()
    build(12, 25)
    assert Placement.objects.count() > 300
    assert count() == small
    assert small <= 6


def test_check_reports_stale_and_up_to_date(seed_readme_path, tmp_path):
    import_file(seed_readme_path)
    path = tmp_path / "README.md"
    with pytest.raises(CommandError, match="is stale"):
        export("--output", str(path), "--check")  # missing file
    assert not path.exists()
    export("--output", str(path))
    assert "is up to date" in export("--output", str(path), "--check")

    Paper.objects.filter(title__startswith="AI safety via debate").update(venue="Nature")
    out = StringIO()
    with pytest.raises(CommandError, match="is stale"):
        call_command("export_readme", "--output", str(path), "--check", stdout=out)
    diff = out.getvalue()
    assert diff.startswith(f"--- {path}\n+++ export\n")
    assert "\n-- **AI safety via debate.** *Irving et al.* arXiv 2018." in diff
    assert "\n+- **AI safety via debate.** *Irving et al.* Nature 2018." in diff
    assert "arXiv 2018" in path.read_text(encoding="utf-8")  # --check writes nothing


def test_check_needs_a_path():
    with pytest.raises(CommandError, match="needs --output"):
        export("--check")


def test_write_replaces_the_file_atomically(seed_readme_path, tmp_path):
    import_file(seed_readme_path)
    path = tmp_path / "README.md"
    path.write_text("old\n", encoding="utf-8")
    path.chmod(0o640)
    inode = path.stat().st_ino
    assert "Wrote" in export("--output", str(path))
    assert path.read_bytes() == render_readme().encode("utf-8")
    assert path.stat().st_ino != inode  # a new file moved into place, not rewritten in place
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README.md"]
    assert "already up to date" in export("--output", str(path))


def test_readme_url_serves_the_export(client, seed_readme_path):
    import_file(seed_readme_path)
    response = client.get("/README.md")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response.content == render_readme().encode("utf-8")


def test_titles_escaped_together_equal_titles_escaped_one_by_one():
    from catalog.readme.export import escape_inline, escape_many

    texts = [
        "Ends in a backslash \\",
        "A \\* kept, a \\q literal",
        "Line\nbreaks\tand  runs   of\u2003spaces ",
        "Entities &amp; &#169; &#x1F600; and a bare & sign",
        "Markdown *bold* _it_ `code` [link](x) <tag> | pipe ~ tilde # hash",
        "",
        "Plain title",
    ]
    assert escape_many(texts) == [escape_inline(text) for text in texts]
    assert escape_many(["Plain", "titles only"]) == ["Plain", "titles only"]
    assert escape_many([]) == []
    # Each way a text can need its whitespace collapsed, alone among regular texts.
    for odd in (
        " lead",
        "trail ",
        "two  spaces",
        "tab\there",
        "cr\rhere",
        "em\u2003space",
        "new\nline",
        "\x1cseparator",
        " ",
        "\n",
    ):
        texts = ["Regular text", odd, "More regular text"]
        assert escape_many(texts) == [escape_inline(text) for text in texts], repr(odd)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=40), max_size=8))
def test_escape_many_equals_escape_inline_on_any_texts(texts):
    from catalog.readme.export import escape_inline, escape_many

    assert escape_many(texts) == [escape_inline(text) for text in texts]


def test_every_entry_equals_the_plain_renderer_on_edge_cases():
    """The export's batched path (rows, titles escaped together, links inlined) gives, for each
    placement, exactly what render_entry gives for that paper and its links."""
    from catalog.readme.export import render_entry

    first = SectionFactory(title="First")
    second = SectionFactory(title="Second")
    papers = [
        PaperFactory(title="Plain title", authors="A. Author, B. Author", venue="ICML"),
        PaperFactory(title="Stars *bold* and _under_ [x] `code` \\ back", authors="*Star* al"),
        PaperFactory(title="Entity &amp; and a bare & sign?", venue="[V] <i>", year=None),
        PaperFactory(title="  Spaced\tout  title!  ", authors="  ", venue="", year=2021),
        PaperFactory(title="No venue, no year", authors="Solo.", venue="", year=None),
        PaperFactory(title="Venue ends with period", authors="", venue="Proc. Conf.", year=None),
        PaperFactory(title="Ends with period.", authors="Ünïcode Åuthor", venue="NeurIPS"),
        PaperFactory(title="Without links", authors="Nobody", venue="arXiv", year=2020),
    ]
    LinkFactory(paper=papers[0], label=Link.Label.CODE, url="https://c.example/1", position=1)
    LinkFactory(paper=papers[0], label=Link.Label.PAPER, url="https://p.example/2", position=2)
    LinkFactory(paper=papers[1], url="https://example.org/a path/(x)?q=<1>")
    LinkFactory(paper=papers[2], url="  https://example.org/trimmed  ")
    LinkFactory(paper=papers[3], label=Link.Label.PAPER, url="https://p.example/b", position=2)
    LinkFactory(paper=papers[3], label=Link.Label.PAPER, url="https://p.example/a", position=1)
    LinkFactory(paper=papers[3], label=Link.Label.BLOG, url="https://b.example/", position=1)
    for paper in papers[4:7]:
        LinkFactory(paper=paper)
    for position, paper in enumerate(papers, start=1):
        PlacementFactory(section=first, paper=paper, position=position)
    # A paper in two sections is rendered the same in both.
    PlacementFactory(section=second, paper=papers[1], position=2)
    PlacementFactory(section=second, paper=papers[7], position=1)

    text = render_readme()
    for section in (first, second):
        placements = Placement.objects.filter(section=section).order_by("position", "id")
        expected = "\n\n".join(
            render_entry(placement.paper, list(placement.paper.links.all()))
            for placement in placements
        )
        heading = "1" if section == first else "2"
        assert f"### {heading}. {section.title}\n\n{expected}\n" in text
    assert text.count(render_entry(papers[1], list(papers[1].links.all()))) == 2
    assert "- **Without links.** *Nobody.* arXiv 2020.\n" in text
    assert "https://example.org/a%20path/%28x%29?q=%3C1%3E" in text
