"""The entry as it will appear in the README, for the form's preview and the review queue.

It goes through the export's own entry renderer, so the preview cannot drift from the README.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt

from catalog.selectors_pages import current_tree
from curation.models import Submission
from curation.selectors import other_open_corrections
from curation.services import (
    SubmissionContent,
    content_from_submission,
    content_readme_line,
    correction_changes_nothing,
    correction_result,
)
from quality.venues import Vocabulary

_markdown = MarkdownIt("commonmark", {"html": False})
# Its own year pattern rather than quality.metadata's: importing that module (and httpx) here
# would load it in every process, the export command's start-up included.
YEAR = re.compile(r"\b(?:19|20)\d{2}\b")


def entry_preview(content: SubmissionContent) -> dict:
    """The README line (Markdown and HTML) and the numbered sections it is filed under."""
    line = content_readme_line(content)
    letters = [char for char in content.title if char.isalpha()]
    return {
        "markdown": line,
        "html": _markdown.render(line),
        "sections": section_labels(content.sections),
        # A hint, not a refusal: some titles are acronyms, most in capitals are shouted.
        "shouted": len(letters) > 12 and all(char.isupper() for char in letters),
        # "NeurIPS 2023" with the year 2023 reads "NeurIPS 2023 2023." in the list, and with
        # 2025 it says two years.
        "venue_year": venue_year[0] if (venue_year := YEAR.search(content.venue)) else "",
    }


def section_labels(sections) -> list[str]:
    """`1.2 Self-Judge / Critique / Refine`: each section with its number in the taxonomy."""
    tree = current_tree()
    return [
        tree.by_pk[section.pk].label if section.pk in tree.by_pk else section.title
        for section in sections
    ]


def submission_preview(submission: Submission) -> dict[str, str]:
    return entry_preview(content_from_submission(submission))


def review_preview(submission: Submission) -> dict[str, str]:
    """What approving would publish: for an open correction, the merge with the paper as it
    is now (a field edited since and left alone by the contributor keeps its new value)."""
    # A decided one shows what it proposed.
    if submission.kind == Submission.Kind.CORRECTION and submission.paper and submission.is_open:
        return entry_preview(correction_result(submission))
    return submission_preview(submission)


@dataclass(frozen=True)
class ReviewHint:
    tag: str  # a word or two, for the review queue's column
    text: str  # the sentence on the submission's page


def review_hints(submission: Submission, *, vocabulary=None) -> list[str]:
    """What a maintainer should look at before approving an open submission, as sentences
    (see review_hint_items). Empty when there is nothing."""
    return [hint.text for hint in review_hint_items(submission, vocabulary=vocabulary)]


def review_hint_items(submission: Submission, *, vocabulary=None) -> list[ReviewHint]:
    """What a maintainer should look at before approving an open submission: the preview's
    hints (a title in capitals, a year in the venue) and a venue outside the vocabulary,
    which the catalog report would flag once published. For a correction, only in what it
    changes: a paper already listed under an odd venue is the catalog report's business.
    Empty when there is nothing. `vocabulary`: a loaded one, to share across submissions."""
    if not submission.is_open:
        return []
    correction = submission.kind == Submission.Kind.CORRECTION and submission.paper is not None
    content = correction_result(submission) if correction else content_from_submission(submission)
    preview = entry_preview(content)
    paper = submission.paper if correction else None
    title_changed = paper is None or content.title != paper.title
    venue_changed = paper is None or content.venue != paper.venue or content.year != paper.year
    hints = []
    if preview["shouted"] and title_changed:
        hints.append(
            ReviewHint(
                "Capitals",
                "The title is all in capitals: the list writes titles as the paper does.",
            )
        )
    if preview["venue_year"] and venue_changed:
        hints.append(
            ReviewHint(
                "Year in venue",
                f"The venue holds a year ({preview['venue_year']}): the list adds the year "
                f"after it, so the line reads “{content.venue} {content.year}”.",
            )
        )
    if correction:
        if correction_changes_nothing(paper=paper, content=content):
            hints.append(
                ReviewHint(
                    "Changes nothing",
                    "The paper already reads as this correction would make it (an edit or "
                    "another correction made the change since it was sent): approving it "
                    "changes nothing on the list.",
                )
            )
        others = getattr(submission, "other_open_corrections", None)
        numbers = ""
        if others is None:  # one submission's page: name them
            pks = list(
                other_open_corrections(submission).order_by("pk").values_list("pk", flat=True)
            )
            others, numbers = len(pks), ", ".join(str(pk) for pk in pks)
        if others:
            named = f" (submission{'s' if others > 1 else ''} {numbers})" if numbers else ""
            hints.append(
                ReviewHint(
                    "Other correction",
                    f"{others} other correction{'s' if others > 1 else ''} of this paper"
                    f"{named} {'are' if others > 1 else 'is'} open too (sent and not decided, "
                    "or sent back to its contributor): decide one, then compare the others "
                    "again.",
                )
            )
    venue = content.venue
    vocabulary = vocabulary or Vocabulary.load()
    if venue and venue_changed and venue not in vocabulary.canonical.values():
        canonical = vocabulary.canonical_name(venue)
        hints.append(
            ReviewHint(
                "Venue alias", f"The venue “{venue}” is an alias: the list writes “{canonical}”."
            )
            if canonical
            else ReviewHint(
                "Unknown venue",
                f"The venue “{venue}” is not in the venue vocabulary (Data quality › Venues).",
            )
        )
    return hints
