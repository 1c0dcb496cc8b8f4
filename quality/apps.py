from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def _ensure_vocabulary(sender, **kwargs) -> None:
    from quality.models import Venue, VenueAlias
    from quality.venues import ensure_seed_vocabulary

    ensure_seed_vocabulary(Venue, VenueAlias)


def _grant_maintainers(sender, **kwargs) -> None:
    from django.contrib.auth.models import Group, Permission

    from quality.maintainers import grant_maintainers

    grant_maintainers(Group, Permission)


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
            sender=apps.get_app_config("curation"),
            dispatch_uid="quality-maintainers",
        )
