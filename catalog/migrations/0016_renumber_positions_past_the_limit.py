"""Lists holding a position past the new limit (typed before 0015 added it) are numbered 1 to n
in their reading order: such a row would refuse every later save of its list's page."""

from django.db import migrations

LIMIT = 1_000_000  # catalog.models.POSITION_MAX when this was written

# Each model with a position, and the field naming the list a row belongs to.
LISTS = [
    ("Section", "parent_id"),
    ("Placement", "section_id"),
    ("Link", "paper_id"),
    ("Workshop", None),
]


def renumber_lists_past_the_limit(apps, schema_editor):
    for model_name, list_field in LISTS:
        model = apps.get_model("catalog", model_name)
        over = model.objects.filter(position__gt=LIMIT)
        if list_field is None:
            lists = [{}] if over.exists() else []
        else:
            keys = set(over.values_list(list_field, flat=True))
            lists = [{list_field: key} for key in keys]
        for members in lists:
            rows = model.objects.filter(**members).order_by("position", "pk")
            for number, row in enumerate(rows, start=1):
                if row.position != number:
                    row.position = number
                    row.save(update_fields=["position"])


class Migration(migrations.Migration):
    dependencies = [("catalog", "0015_position_at_most_a_million")]

    operations = [migrations.RunPython(renumber_lists_past_the_limit, migrations.RunPython.noop)]
