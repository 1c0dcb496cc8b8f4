from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_group(sender, **kwargs) -> None:
    from django.contrib.auth.models import Group, Permission

    from curation.maintainers import ensure_maintainers_group

    ensure_maintainers_group(Group, Permission)


class CurationConfig(AppConfig):
    name = "curation"
    verbose_name = "Curation"

    def ready(self) -> None:
        from curation import checks  # noqa: F401 - registers the deployment checks

        # After a flush too (tests), not only after the data migration.
        post_migrate.connect(_ensure_group, sender=self, dispatch_uid="curation-maintainers")
