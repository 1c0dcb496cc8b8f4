from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from curation.maintainers import GROUP


class Command(BaseCommand):
    help = (
        "Make USERNAME a maintainer: staff, in the Maintainers group (may review submissions "
        "and edit the catalog). Creates the user without a password if it does not exist; "
        "set one with `manage.py changepassword USERNAME`."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")

    @transaction.atomic
    def handle(self, *args, username: str, email: str, **options):
        try:
            group = Group.objects.get(name=GROUP)
        except Group.DoesNotExist as exc:
            raise CommandError("The Maintainers group is missing: run migrate.") from exc
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(
            **{user_model.USERNAME_FIELD: username}, defaults={"email": email}
        )
        if created:
            user.set_unusable_password()
        user.is_staff = True
        user.save()
        user.groups.add(group)
        if created:
            self.stdout.write(
                self.style.SUCCESS(f"Created maintainer {username}.")
                + f" Set a password: .venv/bin/python manage.py changepassword {username}"
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"{username} is now a maintainer."))
