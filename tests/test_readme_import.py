"""`import_readme`: the seed's numbers, its quirks, conflicts, warnings, idempotence, upserts."""

import datetime
import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog.models import Link, NewsItem, Paper, Placement, ReadmeDocument, Section, Workshop
from tests.factories import LinkFactory, PaperFactory, PlacementFactory, SectionFactory

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "catalog.json"
# The fixed timestamp fixtures/catalog.json was generated with (see the regeneration commands).
FIXTURE_TIMESTAMP = "2024-09-04T00:00:00Z"

SMALL_README = """\
# Small List

Intro text.

## Paper List

### 1. Part One

- **A Good Paper.** *Ann Author et al.* NIPS 2023. [[paper](https://arxiv.org/abs/2301.00001)]

- this line is not an entry

* **Second Paper** Smith et al. 2022 [[paper](https://example.org/p2)][[pdf](https://example.org/p2.pdf)]

#### 1.1 Sub

- **a good paper.** *Author et al.* arXiv 2023. [[paper](https://arxiv.org/abs/2301.00001v2)] [[code](https://github.com/a/b)]
"""


def run_import(path, **options) -> str:
    out = StringIO()
    call_command("import_readme", str(path), stdout=out, **options)
    return out.getvalue()


def dump_catalog() -> str:
    out = StringIO()
    call_command("dumpdata", "catalog", indent=2, stdout=out)
    return out.getvalue()


@pytest.fixture
def small_readme(tmp_path) -> Path:
    path = tmp_path / "README.md"
    path.write_text(SMALL_README, encoding="utf-8")
    return path


@pytest.fixture
def seed_output(seed_readme_path) -> str:
    return run_import(seed_readme_path)


def test_seed_numbers(seed_output):
    assert Section.objects.count() == 33
    assert Section.objects.filter(parent=None).count() == 5
    assert Paper.objects.count() == 204
    assert Placement.objects.count() == 234
    assert Paper.objects.published().count() == 204
    assert "created: 232 Link, 5 NewsItem, 204 Paper, 234 Placement" in seed_output
    assert "0 warning(s)" in seed_output


def test_seed_tree_shape(seed_output):
    self_play = Section.objects.get(title="Self-play")
    assert self_play.parent.title == "Aligning through inductive bias"
    assert self_play.position == 5
    assert [c.title for c in self_play.children.order_by("position")] == [
        "Generator-Discriminator",
        "Debate",
    ]
    assert self_play.placements.count() == 1
    # The heading numbers are not part of the title.
    assert not Section.objects.filter(title__regex=r"^\d").exists()
    assert Section.objects.get(title="Self-Judge / Critique / Refine").slug == (
        "self-judge-critique-refine"
    )


def test_seed_mojibake_is_repaired(seed_output):
    assert Paper.objects.filter(authors="Abdullatif Köksal et al.").exists()
    assert Paper.objects.get(authors="Jan-Philipp Fränken et al.")
    assert Paper.objects.filter(authors="Jérémy Scheurer et al.").exists()
    assert not Paper.objects.filter(authors__contains="Ã").exists()
    assert ReadmeDocument.objects.get().news_heading == "📢 News"
    assert "line 182: repaired mis-decoded UTF-8" in seed_output


def test_seed_preamble_and_workshops(seed_output):
    document = ReadmeDocument.objects.get()
    assert document.title == "Awesome Automated Alignment"
    assert document.intro.startswith("![Awesome Automated Alignment](./Figures/head.png)\n")
    assert "<" not in document.intro
    assert "[[OSS link (updated nightly)]](https://lxylab" in document.intro
    assert all(line == line.rstrip() for line in document.intro.splitlines())
    assert (
        document.citation_intro == "If you find our survey or repo useful, please consider citing:"
    )
    assert document.citation.startswith("@article{AutomatedAlignmentSurvey,")
    assert document.citation.endswith("}")
    assert document.abstract.startswith("Alignment is the most critical step")
    assert document.workshops_heading == "Recommended Tutorials or Workshops on Automated Alignment"
    news = list(NewsItem.objects.order_by("-date"))
    assert [n.date for n in news][:2] == [datetime.date(2024, 9, 4), datetime.date(2024, 8, 1)]
    assert len(news) == 5
    assert news[0].text.startswith("We release the third version")
    assert list(Workshop.objects.values_list("name", flat=True)) == [
        "NOLA 2023",
        "AI for Math Workshop @ ICML 2024",
        "Models of Human Feedback for AI Alignment @ ICML 2024",
    ]


def test_seed_entry_variations(seed_output):
    plain_authors = Paper.objects.get(title__startswith="Collective Constitutional AI")
    assert (plain_authors.authors, plain_authors.venue, plain_authors.year) == (
        "Huang et al.",
        "",
        2024,
    )
    openai = Paper.objects.get(title__startswith="Democratic inputs")
    assert (openai.authors, openai.venue, openai.year) == ("OpenAI", "", 2023)
    assert openai.links.get().label == Link.Label.BLOG
    comma_venue = Paper.objects.get(title__startswith="Pseudo-label")
    assert comma_venue.venue == "Workshop on challenges in representation learning, ICML"
    assert comma_venue.year == 2013
    no_final_period = Paper.objects.get(title__startswith="A general language assistant")
    assert no_final_period.year == 2021
    assert Paper.objects.filter(title__startswith="SOTOPIA-$\\pi$: Interactive").exists()
    no_title_period = Paper.objects.get(title__startswith="Adversarial Preference Optimization")
    assert no_title_period.title.endswith("RM-LLM Game")
    question = Paper.objects.get(title__startswith="Does Fine-Tuning LLMs")
    assert question.title.endswith("Hallucinations?")
    tree_of_thoughts = Paper.objects.get(title__startswith="Tree of Thoughts")
    assert list(tree_of_thoughts.links.values_list("label", flat=True)) == [
        "paper",
        "code",
        "video",
    ]
    empty_venue = Paper.objects.get(title__startswith="Teaching LLMs to Teach Themselves")
    assert (empty_venue.venue, empty_venue.year) == ("", 2024)


def test_seed_copies_merge_and_conflicts_are_printed(seed_output):
    trial = Paper.objects.get(title__startswith="Trial and Error")
    assert (trial.authors, trial.venue, trial.year) == ("Yifan Song et al.", "ACL", 2024)
    assert trial.placements.count() == 2
    assert set(trial.links.values_list("url", flat=True)) == {
        "https://arxiv.org/abs/2403.02502",
        "https://github.com/Yifan-Song793/ETO",
    }
    assert (
        "conflict: 'Trial and Error: Exploration-Based Trajectory Optimization for LLM Agents': "
        "authors differs: 'Yifan Song et al.' (line 260); 'Song et al.' (line 519) "
        "-> kept 'Yifan Song et al.'"
    ) in seed_output
    cai = Paper.objects.get(links__identifier="arxiv:2212.08073")
    assert cai.title == "Constitutional AI: Harmlessness from AI Feedback"
    assert cai.placements.count() == 4
    iteralign = Paper.objects.get(links__identifier="arxiv:2403.18341")
    assert iteralign.title.startswith("IterAlign: Iterative Constitutional")
    assert iteralign.venue == "NAACL"
    judging = Paper.objects.get(title__startswith="Judging llm-as-a-judge")
    assert (judging.venue, judging.year) == ("NeurIPS", 2023)
    assert "venue and year differs: 'NeurIPS 2024' (line 381); 'NeurIPS 2023' (line 552)" in (
        seed_output
    )
    # Safer-Instruct's copies have different links and are matched by title.
    safer = Paper.objects.get(title__startswith="Safer-Instruct")
    assert safer.links.count() == 2
    # One link per identifier: 2405.15116v1 and 2405.15116 are the same paper link.
    quantifying = Paper.objects.get(title__startswith="Quantifying the Gain")
    assert list(quantifying.links.values_list("identifier", flat=True)) == ["arxiv:2405.15116"]
    assert "is the same 'arxiv:2405.15116'" in seed_output
    assert "21 conflict(s) resolved" in seed_output


def test_seed_venue_aliases_are_normalised_and_printed(seed_output):
    assert not Paper.objects.filter(venue__in=["NIPS", "arxiv"]).exists()
    assert "line 64: venue 'NIPS' normalised to 'NeurIPS'" in seed_output
    assert "line 533: venue 'arxiv' normalised to 'arXiv'" in seed_output
    assert "11 venue(s) normalised" in seed_output


def test_unreadable_lines_are_reported_with_their_number(small_readme):
    output = run_import(small_readme)
    assert "WARNING line 11: no **bold title**: '- this line is not an entry'" in output
    assert "WARNING line 13: unknown link label" in output
    assert "2 warning(s)" in output
    # The readable rest is imported.
    assert Paper.objects.count() == 2
    second = Paper.objects.get(title="Second Paper")
    assert (second.authors, second.venue, second.year) == ("Smith et al.", "", 2022)
    assert list(second.links.values_list("url", flat=True)) == ["https://example.org/p2"]


def test_strict_rejects_a_file_with_warnings_and_imports_nothing(small_readme):
    with pytest.raises(CommandError, match="2 warning"):
        run_import(small_readme, strict=True)
    assert not Paper.objects.exists()
    assert not Section.objects.exists()
    assert not ReadmeDocument.objects.exists()


def test_small_readme_merges_copies_by_identifier(small_readme):
    run_import(small_readme)
    paper = Paper.objects.get(links__identifier="arxiv:2301.00001", links__label="paper")
    assert paper.title == "A Good Paper"  # capitalised beats all-lowercase
    assert paper.authors == "Ann Author et al."
    assert (paper.venue, paper.year) == ("NeurIPS", 2023)  # published beats arXiv
    assert list(paper.links.values_list("label", "url")) == [
        ("paper", "https://arxiv.org/abs/2301.00001"),
        ("code", "https://github.com/a/b"),
    ]
    assert [p.section.title for p in paper.placements.order_by("section__id")] == [
        "Part One",
        "Sub",
    ]


def test_second_import_changes_nothing(seed_readme_path):
    run_import(seed_readme_path)
    before = dump_catalog()
    output = run_import(seed_readme_path)
    assert "Import done — no change." in output
    assert dump_catalog() == before


def test_import_into_existing_catalog_upserts(small_readme):
    part = SectionFactory(title="Part One", slug="part-one", position=1)
    other = SectionFactory(title="Curated Later", slug="curated-later", position=2)
    existing = PaperFactory(
        title="A GOOD PAPER", authors="Ann Author et al.", venue="ICLR", year=2023
    )
    LinkFactory(paper=existing, url="https://arxiv.org/pdf/2301.00001")
    submitted = PlacementFactory(section=part, position=1)

    output = run_import(small_readme)

    assert Section.objects.filter(title="Part One").count() == 1
    assert Section.objects.get(pk=other.pk).position == 2  # after the file's one root
    assert Paper.objects.filter(links__identifier="arxiv:2301.00001").distinct().count() == 1
    existing.refresh_from_db()
    assert existing.title == "A Good Paper"
    assert existing.venue == "ICLR"  # on a tie, the value already there is kept
    # The placement the file does not know stays, after the file's entries.
    submitted.refresh_from_db()
    assert submitted.position == 3
    assert "updated:" in output


def test_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run_import(tmp_path / "nope.md")


def test_directory_and_undecodable_file_are_command_errors(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run_import(tmp_path)
    binary = tmp_path / "binary.md"
    binary.write_bytes(b"# Title\n\xff\xfe\n")
    with pytest.raises(CommandError, match="Cannot read"):
        run_import(binary)


def test_file_without_title_is_a_command_error(tmp_path):
    path = tmp_path / "README.md"
    path.write_text("just text\n", encoding="utf-8")
    with pytest.raises(CommandError, match="no `# Title`"):
        run_import(path)
    assert not ReadmeDocument.objects.exists()


@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_committed_fixture_equals_a_fresh_import(seed_readme_path, tmp_path):
    run_import(seed_readme_path, timestamp=FIXTURE_TIMESTAMP)
    dumped = tmp_path / "catalog.json"
    call_command("dumpdata", "catalog", indent=2, output=str(dumped))
    assert dumped.read_text(encoding="utf-8") == FIXTURE.read_text(encoding="utf-8")


def test_make_fixture_rebuilds_the_committed_fixture_and_leaves_the_readme_file(tmp_path):
    """`make fixture` imports the seed into a scratch database: that import is a catalog
    change, and must not rewrite the site's README file (README_EXPORT_PATH)."""
    readme_file = tmp_path / "README.md"
    readme_file.write_text("the site's README, as served\n", encoding="utf-8")
    output = tmp_path / "catalog.json"
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.base", README_EXPORT_PATH=str(readme_file))
    result = subprocess.run(
        [
            "make",
            "-s",
            "-o",
            "install",  # the suite runs in the installed environment already
            "fixture",
            f"PY={sys.executable}",
            f"FIXTURE_DB={tmp_path / 'fixture.sqlite3'}",
            f"FIXTURE_OUTPUT={output}",
        ],
        cwd=FIXTURE.parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert output.read_text(encoding="utf-8") == FIXTURE.read_text(encoding="utf-8")
    assert readme_file.read_text(encoding="utf-8") == "the site's README, as served\n"


def test_fixture_loads_whole():
    call_command("loaddata", "catalog", verbosity=0)
    assert Section.objects.count() == 33
    assert Paper.objects.count() == 204
    assert Placement.objects.count() == 234
    assert ReadmeDocument.objects.get().title == "Awesome Automated Alignment"
    records = json.loads(FIXTURE.read_text(encoding="utf-8"))
    stamps = {
        r["fields"][f] for r in records for f in ("created_at", "updated_at") if f in r["fields"]
    }
    assert stamps == {"2024-09-04T00:00:00Z"}


def test_the_committed_seed_copy_is_the_shared_seed():
    from tests.conftest import COMMITTED_SEED_README, SHARED_SEED_README

    committed = COMMITTED_SEED_README.read_bytes()
    # Beside the shared seed (as in CI), the copy must not drift from it.
    if SHARED_SEED_README.exists():
        assert committed == SHARED_SEED_README.read_bytes()
    assert b"## Paper List" in committed


def test_a_link_that_is_not_http_is_skipped_with_a_warning(tmp_path):
    path = tmp_path / "README.md"
    path.write_text(
        SMALL_README.replace("https://example.org/p2", "javascript:alert%28document.domain%29")
        + "- **Third Paper.** *Ada.* 2024. [[paper](https://example.org/p3)]"
        " [[code](data:text/html,hi)] [[demo](ftp://example.org/demo)]\n",
        encoding="utf-8",
    )
    output = run_import(path)
    skipped = "not an http:// or https:// address; link skipped"
    assert f"line 13: {skipped}: '[[paper](javascript:alert%28document.domain%29)]'" in output
    assert f"line 18: {skipped}: '[[code](data:text/html,hi)]'" in output
    assert f"line 18: {skipped}: '[[demo](ftp://example.org/demo)]'" in output
    long_link = "https://example.org/" + "x" * 1000
    path.write_text(SMALL_README.replace("https://example.org/p2", long_link), encoding="utf-8")
    assert "longer than 1000 characters; link skipped" in run_import(path)
    wide_link = "https://example.org/" + "中" * 900  # 920 characters, 2,720 bytes
    path.write_text(SMALL_README.replace("https://example.org/p2", wide_link), encoding="utf-8")
    assert "longer than 2000 bytes in UTF-8; link skipped" in run_import(path)
    schemes = {url.split(":")[0] for url in Link.objects.values_list("url", flat=True)}
    assert schemes == {"https"}
    third = Paper.objects.get(title="Third Paper")
    assert list(third.links.values_list("url", flat=True)) == ["https://example.org/p3"]


def test_a_link_added_by_an_import_after_one_at_the_last_position_stays_in_range():
    """The importer adds a paper's new links after its others: past a link at the last
    position it ties with it (catalog.models.position_after), as approvals and the admin do."""
    from catalog.models import POSITION_MAX
    from catalog.readme.export import render_readme
    from catalog.readme.importer import readme_import

    paper = PlacementFactory(paper__title="Full List").paper
    LinkFactory(paper=paper, url="https://arxiv.org/abs/2401.00001", position=POSITION_MAX)
    text = render_readme().replace(
        "[[paper](https://arxiv.org/abs/2401.00001)]",
        "[[paper](https://arxiv.org/abs/2401.00001)] [[code](https://github.com/a/b)]",
    )
    assert "[[code](https://github.com/a/b)]" in text
    readme_import(text=text)
    added = Link.objects.get(url="https://github.com/a/b")
    assert added.paper_id == paper.pk
    assert added.position == POSITION_MAX
    added.full_clean()  # within the validators' range


@pytest.mark.parametrize(
    "rest, venue, year",
    [
        ("NeurIPS 2023.", "NeurIPS", 2023),
        ("NeurIPS, 2023.", "NeurIPS", 2023),
        ("2023.", "", 2023),
        ("ICLR 2024 2024.", "ICLR 2024", 2024),
        # A year joined to a name is part of the venue (it read as "SemEval-", 2023).
        ("SemEval-2023.", "SemEval-2023", None),
        ("Proceedings of SemEval-2023 2023.", "Proceedings of SemEval-2023", 2023),
        ("Workshop on 10000 Tokens.", "Workshop on 10000 Tokens", None),
        # No year a paper can have: part of the venue, as the admin keeps it.
        ("Conference 2099.", "Conference 2099", None),
        ("Proceedings 1899.", "Proceedings 1899", None),
    ],
)
def test_an_entry_s_venue_and_year_are_read_from_its_end(rest, venue, year):
    from catalog.readme.parse import parse_entry

    entry = parse_entry(f"**A title.** *Bai et al.* {rest}", line=1)
    assert (entry.venue, entry.year) == (venue, year)
