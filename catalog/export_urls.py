"""URLs of the exports: BibTeX files, the JSON API, feeds and the sitemap (reads only: other
methods than GET and HEAD get a 405)."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path
from django.views.decorators.http import require_safe

from catalog import exports, feeds
from catalog.sitemaps import SITEMAPS

app_name = "exports"
urlpatterns = [
    path("bibtex/", exports.bibtex_all, name="bibtex-all"),
    path("sections/<slug:slug>/bibtex/", exports.bibtex_section, name="bibtex-section"),
    path("papers/<int:pk>/bibtex/", exports.bibtex_paper, name="bibtex-paper"),
    path("api/", exports.api_index, name="api"),
    path("api/sections/", exports.api_sections, name="api-sections"),
    path("api/sections/<slug:slug>/", exports.api_section, name="api-section"),
    path("api/papers/", exports.api_papers, name="api-papers"),
    path("api/papers/<int:pk>/", exports.api_paper, name="api-paper"),
    path("feeds/papers.atom", require_safe(feeds.NewPapersAtom()), name="feed-atom"),
    path("feeds/papers.rss", require_safe(feeds.NewPapersRss()), name="feed-rss"),
    path(
        "feeds/sections/<slug:slug>.atom",
        require_safe(feeds.SectionNewPapersAtom()),
        name="feed-section-atom",
    ),
    path(
        "feeds/sections/<slug:slug>.rss",
        require_safe(feeds.SectionNewPapersRss()),
        name="feed-section-rss",
    ),
    path("sitemap.xml", require_safe(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
]
