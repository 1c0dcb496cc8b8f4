from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate


def _ensure_group(sender, apps=global_apps, **kwargs) -> None:
    from curation.maintainers import ensure_maintainers_group

    # The models as the migrations left them: a partial `migrate catalog 0011` sends this
    # signal too, before auth's tables exist.
    try:
        group, permission = apps.get_model("auth", "Group"), apps.get_model("auth", "Permission")
    except LookupError:
        return
    ensure_maintainers_group(group, permission)


class CurationConfig(AppConfig):
    name = "curation"
    verbose_name = "Curation"

    def ready(self) -> None:
        from curation import checks  # noqa: F401 - registers the deployment checks

        # After a flush too (tests), not only after the data migration.
        post_migrate.connect(_ensure_group, sender=self, dispatch_uid="curation-maintainers")
