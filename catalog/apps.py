from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS
from django.db.models import signals


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Catalog"

    def ready(self) -> None:
        from catalog.cache import on_catalog_change
        from catalog.models import Paper

        # loaddata saves with raw=True, bypassing Paper.save(): derive the key base here too.
        signals.pre_save.connect(_paper_key_base, sender=Paper, dispatch_uid="paper-key-base")

        # Any write to a catalog row invalidates the cached public pages (catalog.cache) and
        # rewrites the README file after the commit (catalog.readme.export).
        for model in self.get_models():
            for receiver, name in ((on_catalog_change, "version"), (_readme_file, "readme-file")):
                uid = f"catalog-{name}-{model._meta.label_lower}"
                signals.post_save.connect(receiver, sender=model, dispatch_uid=uid)
                signals.post_delete.connect(receiver, sender=model, dispatch_uid=uid)
                for m2m in model._meta.local_many_to_many:
                    signals.m2m_changed.connect(
                        receiver, sender=m2m.remote_field.through, dispatch_uid=uid
                    )


def _paper_key_base(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        instance.set_key_base()


def _readme_file(sender, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    from catalog.readme.export import regenerate_readme_file_after_commit

    regenerate_readme_file_after_commit(using=using)
