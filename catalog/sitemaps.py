"""The sitemap: the home, search and about pages, every section, every published paper."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from catalog.models import Paper, Section


class PageSitemap(Sitemap):
    changefreq = "weekly"

    def items(self) -> list[str]:
        return ["catalog:home", "catalog:search", "catalog:about"]

    def location(self, name: str) -> str:
        return reverse(name)


class SectionSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Section.objects.order_by("id")


class PaperSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Paper.objects.published().order_by("id")

    def lastmod(self, paper: Paper):
        return paper.updated_at


SITEMAPS = {"pages": PageSitemap, "sections": SectionSitemap, "papers": PaperSitemap}
