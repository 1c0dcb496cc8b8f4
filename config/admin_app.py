"""The admin app, with the apps' admin modules imported when something needs them."""

from django.contrib.admin import autodiscover
from django.contrib.admin.apps import SimpleAdminConfig
from django.contrib.admin.checks import check_admin_app, check_dependencies
from django.core import checks


def check_registered_admin(app_configs, **kwargs):
    """Django's checks of every registered ModelAdmin, after importing the admin modules:
    nothing may have imported them yet (`manage.py check` need not load the URLconf first)."""
    autodiscover()
    return check_admin_app(app_configs, **kwargs)


class AdminConfig(SimpleAdminConfig):
    """django.contrib.admin, whose autodiscovery runs in the URLconf (config.urls, imported by
    config.wsgi as a worker starts) and in the system checks, not as Django starts: a
    management command that runs no checks, such as export_readme, never uses the admin, and
    importing its modules (the forms, the link checker's HTTP client, the Markdown preview)
    took 110 ms of its start (`manage.py version`: 425 ms, 313 ms without)."""

    def ready(self):
        checks.register(check_dependencies, checks.Tags.admin)
        checks.register(check_registered_admin, checks.Tags.admin)
