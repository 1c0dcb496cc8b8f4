"""factory_boy factories: tests build rows through these, not by hand."""

import factory
from django.utils.text import slugify

from catalog.models import Link, Paper, Placement, Section


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    parent = None
    title = factory.Sequence(lambda n: f"Section {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    position = factory.Sequence(lambda n: n + 1)


class PaperFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Paper

    title = factory.Sequence(lambda n: f"Aligning Models With Feedback, Part {n}")
    authors = factory.Sequence(lambda n: f"Author{n} et al.")
    venue = "arXiv"
    year = 2024


class LinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Link

    paper = factory.SubFactory(PaperFactory)
    label = Link.Label.PAPER
    url = factory.Sequence(lambda n: f"https://arxiv.org/abs/2401.{n:05d}")
    position = 1


class PlacementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Placement

    paper = factory.SubFactory(PaperFactory)
    section = factory.SubFactory(SectionFactory)
    position = factory.Sequence(lambda n: n + 1)


def papers_of(rows) -> list:
    """The Paper of each row a page lists (catalog.selectors_pages.PaperRow), in order: what
    the reader sees, as model instances to compare with the test's own."""
    from catalog.models import Paper

    rows = list(rows)
    papers = Paper.objects.in_bulk([row.pk for row in rows])
    return [papers[row.pk] for row in rows]


def sent_submission(
    *,
    sections,
    title: str = "Weak-to-Strong Debate",
    authors: str = "Lang et al.",
    venue: str = "arXiv",
    year: int | None = 2024,
    links=(("paper", "https://arxiv.org/abs/2409.00001"),),
    contributor=None,
    paper=None,
):
    """A submission as the public form sends it: through submission_create, so the duplicate
    check, the snapshot of a corrected paper and the audit row all run."""
    from curation.services import Contributor, SubmissionContent, submission_create

    return submission_create(
        content=SubmissionContent(
            title=title,
            authors=authors,
            venue=venue,
            year=year,
            links=list(links),
            sections=list(sections),
        ),
        contributor=contributor or Contributor(name="Ada", email="ada@example.org"),
        paper=paper,
    )


def sent_correction(paper, *, contributor=None, **changes):
    """A correction of `paper` as the public form sends it: the paper as published
    (curation.services.content_from_paper), with `changes` (venue="ICLR", …)."""
    from curation.services import Contributor, content_from_paper, submission_create

    return submission_create(
        content=content_from_paper(paper, **changes),
        contributor=contributor or Contributor(name="Bo"),
        paper=paper,
    )


def review_post(submission, **data) -> dict:
    """A decision as a submission's review page posts it: with the version the page names
    (curation.services.submission_version), the submission as it is now."""
    from curation.models import Submission
    from curation.services import submission_version

    current = Submission.objects.get(pk=submission.pk)
    return {"note": "", "seen_version": submission_version(current), **data}


def queue_post(**data) -> dict:
    """A bulk action as the review queue posts it: the ticked rows as the list shows them
    now, each with its version (`seen-<pk>`)."""
    from curation.models import Submission
    from curation.services import submission_version

    ticked = Submission.objects.filter(pk__in=data.get("_selected_action", []))
    return {**{f"seen-{s.pk}": submission_version(s) for s in ticked}, **data}
