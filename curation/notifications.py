"""Emails to contributors. Sent after the change commits, through Django's email framework."""

import textwrap

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from curation.models import Submission


def _title(submission: Submission) -> str:
    # Cut at a word, marked as cut: a subject line has no room for a long title. A title with
    # no space to cut at (one long word, Chinese or Japanese) is cut at 79 characters.
    title = " ".join(submission.title.split())
    short = textwrap.shorten(title, width=80, placeholder="…")
    return short if short != "…" else title[:79] + "…"


def send_received(submission: Submission) -> None:
    """The status link, mailed as soon as the submission is stored: the page that shows it
    can be closed, and the link is the only way to withdraw or follow it."""
    context = {"submission": submission, "site_url": settings.SITE_URL}
    subject = f"We received your submission “{_title(submission)}”"
    body = render_to_string("curation/email/received.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [submission.contributor_email])


def send_decision(submission: Submission) -> None:
    context = {"submission": submission, "site_url": settings.SITE_URL}
    subject = f"Your submission “{_title(submission)}”: {submission.get_state_display()}"
    body = render_to_string("curation/email/decision.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [submission.contributor_email])
