"""The entry as it will appear in the README, for the form's preview and the review queue.

It goes through the export's own entry renderer, so the preview cannot drift from the README.
"""

from __future__ import annotations

from markdown_it import MarkdownIt

from curation.models import Submission
from curation.services import SubmissionContent, content_from_submission, content_readme_line

_markdown = MarkdownIt("commonmark", {"html": False})


def entry_preview(content: SubmissionContent) -> dict[str, str]:
    line = content_readme_line(content)
    return {"markdown": line, "html": _markdown.render(line)}


def submission_preview(submission: Submission) -> dict[str, str]:
    return entry_preview(content_from_submission(submission))
