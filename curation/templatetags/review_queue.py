from django import template

from curation.selectors import review_queue_counts

register = template.Library()


@register.inclusion_tag("admin/curation/review_queue_banner.html")
def review_queue_banner() -> dict:
    return review_queue_counts()


@register.filter
def seen_version(submission) -> str:
    """The submission's version as a list shows it (curation.services.submission_version)."""
    from curation.services import submission_version

    return submission_version(submission)
