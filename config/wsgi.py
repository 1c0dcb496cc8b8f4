import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()
# The URLconf, and with it the admin's modules (config.admin_app), as the worker starts
# rather than in its first request.
import_module(settings.ROOT_URLCONF)
