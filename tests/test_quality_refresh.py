"""refresh_metadata against recorded arXiv and Crossref answers on 127.0.0.1."""

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command

from catalog.models import Paper
from curation.models import Submission
from curation.services import content_from_paper, paper_snapshot
from quality.services import REFRESH_CONTRIBUTOR, Proposal, metadata_correction_propose
from tests.factories import LinkFactory, PlacementFactory
from tests.localhttp import LocalServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded(settings):
    server = LocalServer().start()
    settings.ARXIV_API_URL = f"{server.url}/arxiv/api/query"
    settings.CROSSREF_API_URL = f"{server.url}/crossref/works"
    cache.clear()
    yield server
    server.stop()


@pytest.fixture
def seed():
    call_command("loaddata", "catalog", verbosity=0)


def run(capsys) -> str:
    call_command("refresh_metadata")
    return capsys.readouterr().out


def test_proposes_corrections_for_published_preprints_and_a_wrong_link(recorded, seed, capsys):
    before = {paper.pk: paper_snapshot(paper) for paper in Paper.objects.all()}
    output = run(capsys)

    proposals = {s.paper.title: s for s in Submission.objects.select_related("paper")}
    assert len(proposals) == 3
    for submission in proposals.values():
        assert submission.kind == Submission.Kind.CORRECTION
        assert submission.state == Submission.State.PENDING
        assert submission.contributor_name == REFRESH_CONTRIBUTOR

    # The seed's wrong but working link: 2406.01252 is the survey itself.
    wrong = proposals["Toward optimal llm alignments using two-player games"]
    assert list(wrong.links.values_list("label", "url")) == [
        ("paper", "https://arxiv.org/abs/2406.10977")
    ]
    assert "Towards Scalable Automated Alignment of LLMs: A Survey" in wrong.note
    assert wrong.title == wrong.paper.title  # the title was right; the link is replaced

    # Published since, per the DOI arXiv records and Crossref's container title.
    by_doi = proposals[
        "Direct Large Language Model Alignment Through Self-Rewarding Contrastive Prompt "
        "Distillation"
    ]
    assert (by_doi.venue, by_doi.year) == ("ACL", 2024)
    assert "10.18653/v1/2024.acl-long.523" in by_doi.note
    # Published since, per arXiv's journal_ref.
    by_ref = proposals["Self-rewarding language models"]
    assert (by_ref.venue, by_ref.year) == ("ICML", 2024)
    assert set(by_ref.sections.all()) == {p.section for p in by_ref.paper.placements.all()}

    # Never a silent edit: the catalog is exactly as before.
    assert {paper.pk: paper_snapshot(paper) for paper in Paper.objects.all()} == before
    assert "3 correction(s) proposed, 0 already open" in output
    # One arXiv request per 20 papers, not one per paper.
    arxiv_batches = [p for _m, p, _h in recorded.requests if "id_list=" in p and "ti%3A" not in p]
    arxiv_papers = int(output.split("Looked up ")[1].split(" ")[0])
    assert len(arxiv_batches) == -(-arxiv_papers // 20)


def test_a_second_run_proposes_nothing_new_while_they_are_open(recorded, seed, capsys):
    run(capsys)
    output = run(capsys)
    assert Submission.objects.count() == 3
    assert "0 correction(s) proposed, 3 already open" in output

    # Once a maintainer has decided, a new run may propose again.
    Submission.objects.filter(venue="ICML").update(state=Submission.State.REJECTED)
    output = run(capsys)
    assert "1 correction(s) proposed, 2 already open" in output


def test_unreachable_arxiv_is_reported_and_fails_the_command(settings, seed, capsys):
    settings.ARXIV_API_URL = "http://127.0.0.1:9/arxiv/api/query"
    with pytest.raises(
        CommandError, match=r"lookup\(s\) failed \(the lines marked FAILED"
    ) as error:
        call_command("refresh_metadata")
    output = capsys.readouterr().out
    failed = [line for line in output.splitlines() if line.startswith("FAILED arXiv ids")]
    assert failed
    assert str(error.value).startswith(f"{len(failed)} lookup(s) failed")
    # Each failure said once, and without the web form's advice to fill in fields.
    assert output.count("arXiv could not be reached") == len(failed)
    assert "fill in" not in output + str(error.value)
    assert not Submission.objects.exists()


def test_a_proposal_the_readme_would_not_show_is_not_queued():
    # Only the title's final period differs: the README line is the same, so no correction.
    paper = PlacementFactory(paper__title="Constitutional AI.").paper
    LinkFactory(paper=paper, url="https://arxiv.org/abs/2212.08073")
    same = content_from_paper(paper, title="Constitutional AI")
    assert metadata_correction_propose(proposal=Proposal(paper, same, "arXiv")) is None
    assert not Submission.objects.exists()
    changed = content_from_paper(paper, venue="ICLR")
    assert metadata_correction_propose(proposal=Proposal(paper, changed, "published"))
    assert Submission.objects.get().venue == "ICLR"
