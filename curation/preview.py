"""The entry as it will appear in the README, for the form's preview and the review queue.

It goes through the export's own entry renderer, so the preview cannot drift from the README.
"""

from __future__ import annotations

from markdown_it import MarkdownIt

from catalog.models import Link, Paper
from catalog.readme.export import render_entry
from curation.models import Submission
from curation.services import SubmissionContent, content_from_submission

_markdown = MarkdownIt("commonmark", {"html": False})


def entry_preview(content: SubmissionContent) -> dict[str, str]:
    # Unsaved rows: the export renders exactly what approval would store.
    paper = Paper(
        title=content.title, authors=content.authors, venue=content.venue, year=content.year
    )
    links = [
        Link(label=label, url=url, position=position)
        for position, (label, url) in enumerate(content.links, start=1)
    ]
    line = render_entry(paper, links)
    return {"markdown": line, "html": _markdown.render(line)}


def submission_preview(submission: Submission) -> dict[str, str]:
    return entry_preview(content_from_submission(submission))
