from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate


def _ensure_vocabulary(sender, apps=global_apps, **kwargs) -> None:
    from quality.venues import ensure_seed_vocabulary

    # The models as the migrations left them: a partial `migrate catalog 0011` sends this
    # signal too, before this app's tables exist.
    try:
        venue, alias = apps.get_model("quality", "Venue"), apps.get_model("quality", "VenueAlias")
    except LookupError:
        return
    ensure_seed_vocabulary(venue, alias)


def _grant_maintainers(sender, apps=global_apps, **kwargs) -> None:
    from quality.maintainers import grant_maintainers

    try:
        group, permission = apps.get_model("auth", "Group"), apps.get_model("auth", "Permission")
    except LookupError:  # auth not migrated yet
        return
    grant_maintainers(group, permission)


class QualityConfig(AppConfig):
    name = "quality"
    verbose_name = "Data quality"

    def ready(self) -> None:
        # After a flush too (tests), not only after the data migrations: an empty vocabulary
        # would make every venue "unknown", and the group would lose these permissions.
        post_migrate.connect(_ensure_vocabulary, sender=self, dispatch_uid="quality-vocabulary")
        # On curation's signal: by then this app's permissions exist (it is listed earlier).
        post_migrate.connect(
            _grant_maintainers,
            sender=global_apps.get_app_config("curation"),
            dispatch_uid="quality-maintainers",
        )
