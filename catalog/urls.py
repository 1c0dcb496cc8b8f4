from django.urls import path

from catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("sections/<slug:slug>/", views.section_detail, name="section"),
    path("papers/<int:pk>/", views.paper_detail, name="paper"),
    path("bench/ok/", views.bench_ok, name="bench-ok"),
]
