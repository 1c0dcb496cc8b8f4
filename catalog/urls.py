from django.urls import path, reverse_lazy
from django.utils.text import format_lazy
from django.views.generic import RedirectView

from catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("about/", views.about, name="about"),
    path("sections/<slug:slug>/", views.section_detail, name="section"),
    path("papers/<int:pk>/", views.paper_detail, name="paper"),
    # People shorten URLs to go up a level: the taxonomy lives on the home page, every paper
    # on the search page.
    path(
        "sections/",
        RedirectView.as_view(url=format_lazy("{}#taxonomy-title", reverse_lazy("catalog:home"))),
        name="sections",
    ),
    path("papers/", RedirectView.as_view(pattern_name="catalog:search"), name="papers"),
    path("bench/ok/", views.bench_ok, name="bench-ok"),
]
