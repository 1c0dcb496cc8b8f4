"""Load a `make backup` file into an empty database.

`loaddata` alone fails on a freshly migrated database: migrations and post_migrate hooks seed
rows (the Maintainers group, the venue vocabulary) that the backup holds too. Rows with a
natural key (groups, permissions) are matched by it; tables the backup stores by id are
emptied first, the backup being their whole content. That is why this refuses a database that
already holds papers, submissions or users.
"""

import json

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from catalog.models import Paper
from curation.models import Submission


class Command(BaseCommand):
    help = "Restore a `make backup` file (dumpdata JSON) into an empty, migrated database."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The backup file.")

    def handle(self, *args, path: str, **options):
        if (
            Paper.objects.exists()
            or Submission.objects.exists()
            or get_user_model().objects.exists()
        ):
            raise CommandError(
                "This database already holds papers, submissions or users: restore into an "
                "empty database (create it, then run `make restore`)."
            )
        with open(path, encoding="utf-8") as backup:
            by_id = {row["model"] for row in json.load(backup) if "pk" in row}
        with transaction.atomic():
            call_command("flush", interactive=False, verbosity=0)
            for label in sorted(by_id):
                apps.get_model(label).objects.all().delete()
            call_command("loaddata", path, verbosity=options["verbosity"])
