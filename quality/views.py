"""The catalog report for maintainers, in the admin's frame."""

from django.contrib import admin
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from quality.checks import ERROR, catalog_report


@permission_required("quality.view_catalog_report", raise_exception=True)
def catalog_report_view(request: HttpRequest) -> HttpResponse:
    report = catalog_report()
    # ?errors=1: the errors alone (check_catalog --errors-only), not buried under warnings.
    errors_only = request.GET.get("errors") == "1"
    groups = report.by_check()
    if errors_only:
        groups = {
            check: errors
            for check, findings in groups.items()
            if (errors := [f for f in findings if f.severity == ERROR])
        }
    return TemplateResponse(
        request,
        "admin/quality/report.html",
        {
            **admin.site.each_context(request),
            "title": "Catalog report",
            "report": report,
            "groups": groups,
            "errors_only": errors_only,
        },
    )
