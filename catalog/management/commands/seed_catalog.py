from django.core.management import call_command
from django.core.management.base import BaseCommand

from catalog.models import Section


class Command(BaseCommand):
    help = "Load the seed catalog (fixtures/catalog.json) unless the catalog already has data."

    def handle(self, *args, **options):
        if Section.objects.exists():
            self.stdout.write("Catalog already has data; seed not loaded.")
            return
        call_command("loaddata", "catalog", verbosity=0)
        self.stdout.write(self.style.SUCCESS("Seed catalog loaded."))
