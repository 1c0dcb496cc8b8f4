"""The catalog report for maintainers, in the admin's frame."""

from django.contrib import admin
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from quality.checks import catalog_report


@permission_required("quality.view_catalog_report", raise_exception=True)
def catalog_report_view(request: HttpRequest) -> HttpResponse:
    report = catalog_report()
    return TemplateResponse(
        request,
        "admin/quality/report.html",
        {
            **admin.site.each_context(request),
            "title": "Catalog report",
            "report": report,
            "groups": report.by_check(),
        },
    )
