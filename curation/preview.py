"""The entry as it will appear in the README, for the form's preview and the review queue.

It goes through the export's own entry renderer, so the preview cannot drift from the README.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

from catalog.selectors_pages import current_tree
from curation.models import Submission
from curation.services import (
    SubmissionContent,
    content_from_submission,
    content_readme_line,
    correction_result,
)

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
