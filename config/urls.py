from django.contrib import admin
from django.urls import include, path
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from catalog.readme.views import readme_markdown
from config.health import healthz
from quality.lookup import metadata_lookup
from quality.views import catalog_report_view

admin.site.site_header = "Awesome Automated Alignment — maintainers"
admin.site.site_title = "AAA maintainers"
admin.site.index_title = "Catalog and review queue"
# The model list on every page took a quarter of a 1280 px screen from the review queue's
# table; the breadcrumbs and the index page lead everywhere it did.
admin.site.enable_nav_sidebar = False
# The apps' admin modules register here, not as Django starts (config.admin_app).
admin.autodiscover()

urlpatterns = [
    # The catalog report (issue 6) sits in the admin's frame; the view checks its permission.
    path(
        "admin/quality/report/",
        admin.site.admin_view(catalog_report_view),
        name="quality-report",
    ),
    path("admin/", admin.site.urls),
    path("README.md", readme_markdown, name="readme-markdown"),
    path("healthz", healthz, name="healthz"),
    path(
        "robots.txt",
        require_safe(
            TemplateView.as_view(
                template_name="robots.txt", content_type="text/plain; charset=utf-8"
            )
        ),
        name="robots",
    ),
    path("submit/lookup/", metadata_lookup, name="metadata-lookup"),
    path("submit/", include("curation.urls")),
    path("", include("catalog.export_urls")),
    path("", include("catalog.urls")),
]
