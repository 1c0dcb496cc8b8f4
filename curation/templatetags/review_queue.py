from django import template

from curation.selectors import review_queue_counts

register = template.Library()


@register.inclusion_tag("admin/curation/review_queue_banner.html")
def review_queue_banner() -> dict:
    return review_queue_counts()
