"""Emails to contributors. Sent after the decision commits, through Django's email framework."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from curation.models import Submission


def send_decision(submission: Submission) -> None:
    context = {"submission": submission, "site_url": settings.SITE_URL}
    subject = f"Your submission “{submission.title[:80]}”: {submission.get_state_display()}"
    body = render_to_string("curation/email/decision.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [submission.contributor_email])
