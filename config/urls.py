from django.contrib import admin
from django.urls import include, path

from catalog.readme.views import readme_markdown
from config.health import healthz

admin.site.site_header = "Awesome Automated Alignment — maintainers"
admin.site.site_title = "AAA maintainers"
admin.site.index_title = "Catalog and review queue"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("README.md", readme_markdown, name="readme-markdown"),
    path("healthz", healthz, name="healthz"),
    path("submit/", include("curation.urls")),
    path("", include("catalog.urls")),
]
